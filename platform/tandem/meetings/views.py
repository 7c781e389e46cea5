import calendar as calendar_module
import csv
import datetime as dt
import hashlib
import io
import zoneinfo

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from tandem.core import audit, ratelimit
from tandem.core.views import too_many_tries
from tandem.spaces.permissions import Perm, can, perms_in
from tandem.spaces.queries import access_space

from . import actions, ical, queries, recurrence, schedule
from .forms import (
    AgendaItemForm,
    CheckInForm,
    CloseForm,
    ImportForm,
    MeetingForm,
    MoveForm,
    PreferenceForm,
    RsvpForm,
    add_errors,
)
from .models import AgendaItem, CalendarImport, FeedToken, Meeting, MeetingPreference

CHECK_IN_TRIES = 10  # per person and minute: codes are short
COMMON_ZONES = [
    "Europe/Helsinki",
    "Europe/Stockholm",
    "Europe/Brussels",
    "Europe/Amsterdam",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Lisbon",
    "Europe/Dublin",
    "Europe/London",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Tallinn",
    "Europe/Warsaw",
    "Europe/Kyiv",
    "Europe/Istanbul",
    "UTC",
]


def _detail_url(meeting, original_start=None):
    url = reverse("meetings:detail", args=[meeting.space_id, meeting.pk])
    if original_start is not None and meeting.repeat:
        url += f"?on={recurrence.key_of(original_start)}"
    return url


def _month(request):
    today = timezone.localdate()
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-"))
        first = dt.date(year, month, 1)
    except (ValueError, TypeError):
        first = today.replace(day=1)
    if not 1900 < first.year < 2200:
        first = today.replace(day=1)
    return first


def _month_view(first, happenings):
    """Weeks of days for the grid, and the days that have something for the list."""
    tz = timezone.get_current_timezone()
    week_start = int(formats.get_format("FIRST_DAY_OF_WEEK"))
    cal = calendar_module.Calendar(firstweekday=(week_start - 1) % 7)
    by_day = {}
    for happening in happenings:
        day = timezone.localtime(happening.start, tz).date()
        last = timezone.localtime(happening.end - dt.timedelta(seconds=1), tz).date()
        while day <= last:
            by_day.setdefault(day, []).append(happening)
            day += dt.timedelta(days=1)
    weeks = [
        [
            {"date": day, "in_month": day.month == first.month, "items": by_day.get(day, [])}
            for day in week
        ]
        for week in cal.monthdatescalendar(first.year, first.month)
    ]
    days = [
        {"date": day, "items": by_day[day]}
        for day in sorted(by_day)
        if day.month == first.month and day.year == first.year
    ]
    return weeks, days


def _grid_window(first):
    tz = timezone.get_current_timezone()
    week_start = int(formats.get_format("FIRST_DAY_OF_WEEK"))
    weeks = calendar_module.Calendar(firstweekday=(week_start - 1) % 7).monthdatescalendar(
        first.year, first.month
    )
    after = dt.datetime.combine(weeks[0][0], dt.time(0), tzinfo=tz)
    before = dt.datetime.combine(weeks[-1][-1] + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return after, before


def _neighbours(first):
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return previous, following


@login_required
def space_calendar(request, space_id):
    space = access_space(request.user, space_id, Perm.VIEW_MEETINGS)
    first = _month(request)
    after, before = _grid_window(first)
    happenings = queries.space_window(space, after, before, request.user)
    weeks, days = _month_view(first, happenings)
    previous, following = _neighbours(first)
    return render(
        request,
        "meetings/calendar_month.html",
        {
            "space": space,
            "first": first,
            "weeks": weeks,
            "days": days,
            "previous": previous,
            "following": following,
            "weekdays": [day["date"] for day in weeks[0]],
            "today": timezone.localdate(),
            "can_schedule": can(request.user, Perm.SCHEDULE, space),
        },
    )


@login_required
def my_calendar(request):
    first = _month(request)
    after, before = _grid_window(first)
    happenings = queries.my_window(request.user, after, before)
    weeks, days = _month_view(first, happenings)
    previous, following = _neighbours(first)
    return render(
        request,
        "meetings/calendar_mine.html",
        {
            "first": first,
            "weeks": weeks,
            "days": days,
            "previous": previous,
            "following": following,
            "weekdays": [day["date"] for day in weeks[0]],
            "today": timezone.localdate(),
        },
    )


def _meeting_form_initial(meeting):
    tz = recurrence.zone(meeting.time_zone)
    return {
        "title": meeting.title,
        "kind": meeting.kind,
        "start": recurrence.to_local_naive(meeting.start, tz),
        "end": recurrence.to_local_naive(meeting.end, tz),
        "time_zone": meeting.time_zone,
        "address": meeting.address,
        "online_link": meeting.online_link,
        "languages": meeting.languages,
        "capacity": meeting.capacity,
        "repeat": meeting.repeat,
        "repeat_until": meeting.repeat_until,
        "repeat_count": meeting.repeat_count,
        "description": meeting.description,
    }


@login_required
def meeting_create(request, space_id):
    space = access_space(request.user, space_id, Perm.SCHEDULE)
    initial = {
        "time_zone": request.user.time_zone,
        "kind": Meeting.Kind.SESSION if space.is_peer_group else Meeting.Kind.TRANSNATIONAL,
    }
    form = MeetingForm(request.POST or None, initial=initial)
    past_question = False
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.schedule_meeting(
                actor=request.user, space=space, past_ok=_past_ok(request), **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
            past_question = schedule.asks_about_past(error)
        else:
            messages.success(request, _("The meeting is in the calendar."))
            return redirect(_detail_url(meeting))
    return render(
        request,
        "meetings/meeting_form.html",
        {
            "space": space,
            "form": form,
            "zones": COMMON_ZONES,
            "meeting": None,
            "past_question": past_question,
        },
    )


def _past_ok(request):
    """The person saw the question about a start in the past and chose to save anyway."""
    return request.POST.get("confirm_past") == "1"


@login_required
def meeting_edit(request, space_id, meeting_id):
    space, meeting = queries.access_meeting(request.user, space_id, meeting_id, Perm.SCHEDULE)
    form = MeetingForm(request.POST or None, initial=_meeting_form_initial(meeting))
    past_question = False
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.update_meeting(
                actor=request.user, meeting=meeting, past_ok=_past_ok(request), **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
            past_question = schedule.asks_about_past(error)
        else:
            messages.success(request, _("The meeting is changed."))
            return redirect(_detail_url(meeting))
    return render(
        request,
        "meetings/meeting_form.html",
        {
            "space": space,
            "form": form,
            "zones": COMMON_ZONES,
            "meeting": meeting,
            "past_question": past_question,
        },
    )


@login_required
def meeting_detail(request, space_id, meeting_id):
    space, meeting = queries.access_meeting(request.user, space_id, meeting_id)
    original = queries.pick_occurrence(meeting, request.GET.get("on"))
    happening = queries.happening_of(meeting, original)
    perms = perms_in(request.user, space) if not space.archived else {Perm.VIEW_MEETINGS}
    answers = queries.answers_for(meeting, original)
    mine = next((a for a in answers if a.user_id == request.user.pk), None)
    rsvp_form = None
    if Perm.RSVP in perms and not happening.cancelled and happening.end > timezone.now():
        initial = {"answer": mine.answer} if mine else {}
        if mine:
            initial.update(
                interpreter=mine.interpreter,
                interpreter_language=mine.interpreter_language,
                childcare=mine.childcare,
                accessibility=mine.accessibility,
                other_needs=mine.other_needs,
            )
        rsvp_form = RsvpForm(initial=initial)
    places_taken = sum(1 for a in answers if a.answer == "yes" and not a.is_waiting)
    nearby = []
    if meeting.repeat:
        window = recurrence.original_starts(
            meeting, original - dt.timedelta(days=70), original + dt.timedelta(days=70)
        )
        index = window.index(original) if original in window else 0
        previous = window[index - 1] if index > 0 else None
        following = window[index + 1] if index + 1 < len(window) else None
        nearby = [previous, following]
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "space": space,
            "meeting": meeting,
            "happening": happening,
            "perms": perms,
            "answers": answers,
            "yes": [a for a in answers if a.answer == "yes" and not a.is_waiting],
            "waiting": [a for a in answers if a.is_waiting],
            "maybe": [a for a in answers if a.answer == "maybe"],
            "mine": mine,
            "rsvp_form": rsvp_form,
            "places_left": None
            if meeting.capacity is None
            else max(meeting.capacity - places_taken, 0),
            "agenda": list(meeting.agenda.all()),
            "agenda_form": AgendaItemForm() if Perm.SCHEDULE in perms else None,
            "nearby": nearby,
            "is_over": happening.end <= timezone.now(),
            "has_begun": happening.start <= timezone.now(),
            "check_in_open": bool(
                happening.override and happening.override.check_in_code and not happening.closed
            ),
        },
    )


def _original(request, meeting):
    """The occurrence a POST is about (its ``on`` field), or the single meeting's."""
    key = request.POST.get("on") or request.GET.get("on")
    if not key:
        if meeting.repeat:
            raise Http404
        return meeting.start
    original = recurrence.parse_key(key)
    if original is None:
        raise Http404
    return original


@login_required
@require_POST
def meeting_rsvp(request, space_id, meeting_id):
    _space, meeting = queries.access_meeting(request.user, space_id, meeting_id, Perm.RSVP)
    original = _original(request, meeting)
    form = RsvpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose yes, maybe or no."))
        return redirect(_detail_url(meeting, original))
    data = form.cleaned_data
    try:
        rsvp = actions.answer(
            actor=request.user,
            meeting=meeting,
            original_start=original,
            answer=data["answer"],
            needs={k: v for k, v in data.items() if k != "answer"},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if rsvp.is_waiting:
            messages.success(
                request,
                _(
                    "The meeting is full: you are on the waiting list. "
                    "We tell you if a place opens."
                ),
            )
        else:
            messages.success(request, _("Thank you, your answer is saved."))
    return redirect(_detail_url(meeting, original))


@login_required
def meeting_move(request, space_id, meeting_id):
    space, meeting = queries.access_meeting(request.user, space_id, meeting_id, Perm.SCHEDULE)
    original = queries.pick_occurrence(meeting, request.POST.get("on") or request.GET.get("on"))
    happening = queries.happening_of(meeting, original)
    tz = recurrence.zone(meeting.time_zone)
    form = MoveForm(
        request.POST or None,
        initial={
            "start": recurrence.to_local_naive(happening.start, tz),
            "end": recurrence.to_local_naive(happening.end, tz),
        },
    )
    past_question = False
    if request.method == "POST" and form.is_valid():
        try:
            actions.move_occurrence(
                actor=request.user,
                meeting=meeting,
                original_start=original,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                past_ok=_past_ok(request),
            )
        except ValidationError as error:
            add_errors(form, error)
            past_question = schedule.asks_about_past(error)
        else:
            messages.success(request, _("The meeting has moved. Those who said yes are told."))
            return redirect(_detail_url(meeting, original))
    return render(
        request,
        "meetings/meeting_move.html",
        {
            "space": space,
            "meeting": meeting,
            "happening": happening,
            "form": form,
            "past_question": past_question,
        },
    )


@login_required
@require_POST
def meeting_cancel(request, space_id, meeting_id):
    _space, meeting = queries.access_meeting(request.user, space_id, meeting_id, Perm.SCHEDULE)
    whole = request.POST.get("scope") == "all" or not meeting.repeat
    original = None if whole else _original(request, meeting)
    try:
        actions.cancel_meeting(actor=request.user, meeting=meeting, original_start=original)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The meeting is cancelled. Those who said yes are told."))
    return redirect(_detail_url(meeting, original))


@login_required
@require_POST
def agenda_add(request, space_id, meeting_id):
    _space, meeting = queries.access_meeting(request.user, space_id, meeting_id, Perm.SCHEDULE)
    form = AgendaItemForm(request.POST)
    if form.is_valid():
        try:
            actions.add_agenda_item(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The agenda item is added."))
    else:
        messages.error(request, _("Fill in the title, kind, start and end of the item."))
    return redirect(_detail_url(meeting) + "#agenda")


@login_required
@require_POST
def agenda_remove(request, space_id, meeting_id, item_id):
    _space, meeting = queries.access_meeting(request.user, space_id, meeting_id, Perm.SCHEDULE)
    item = get_object_or_404(AgendaItem, pk=item_id, meeting=meeting)
    item.meeting = meeting
    actions.remove_agenda_item(actor=request.user, item=item)
    messages.success(request, _("The agenda item is removed."))
    return redirect(_detail_url(meeting) + "#agenda")


@login_required
def check_in(request, space_id, meeting_id):
    """People check themselves in from their phones with the code (or the QR)."""
    space, meeting = queries.access_meeting(request.user, space_id, meeting_id, Perm.RSVP)
    original = queries.pick_occurrence(meeting, request.POST.get("on") or request.GET.get("on"))
    happening = queries.happening_of(meeting, original)
    form = CheckInForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and not ratelimit.hit(
        f"meeting-check-in:{request.user.pk}", limit=CHECK_IN_TRIES
    ):
        return too_many_tries(request)
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_in(
                actor=request.user,
                meeting=meeting,
                original_start=original,
                code=form.cleaned_data["code"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("You are checked in. Welcome!"))
            return redirect(_detail_url(meeting, original))
    return render(
        request,
        "meetings/check_in.html",
        {"space": space, "meeting": meeting, "happening": happening, "form": form},
    )


@login_required
def attendance(request, space_id, meeting_id):
    """Organisers: the check-in code and QR, and ticking who is there."""
    space, meeting = queries.access_meeting(
        request.user, space_id, meeting_id, Perm.VIEW_ATTENDANCE
    )
    original = queries.pick_occurrence(meeting, request.POST.get("on") or request.GET.get("on"))
    schedule = can(request.user, Perm.SCHEDULE, space)
    if request.method == "POST":
        if not schedule:
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        try:
            if request.POST.get("do") == "open":
                actions.open_check_in(actor=request.user, meeting=meeting, original_start=original)
            else:
                actions.set_attendance(
                    actor=request.user,
                    meeting=meeting,
                    original_start=original,
                    present=request.POST.getlist("present"),
                )
                messages.success(request, _("The attendance list is saved."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        url = reverse("meetings:attendance", args=[space.pk, meeting.pk])
        return redirect(f"{url}?on={recurrence.key_of(original)}")
    happening = queries.happening_of(meeting, original)
    checked = {row.user_id: row for row in queries.attendance_for(meeting, original)}
    members = list(queries.members_for_attendance(space))
    every_answer = queries.answers_for(meeting, original)
    by_user = {a.user_id: a for a in every_answer}
    rows = [
        {"membership": m, "check_in": checked.get(m.user_id), "rsvp": by_user.get(m.user_id)}
        for m in members
    ]
    answers = [a for a in every_answer if a.has_needs]
    check_in_path = reverse("meetings:check_in", args=[space.pk, meeting.pk])
    code = happening.override.check_in_code if happening.override else ""
    return render(
        request,
        "meetings/attendance.html",
        {
            "space": space,
            "meeting": meeting,
            "happening": happening,
            "rows": rows,
            "checked_count": len(checked),
            "needs": answers,
            "schedule": schedule,
            "has_begun": happening.start <= timezone.now(),
            "code": code,
            "check_in_url": request.build_absolute_uri(
                f"{check_in_path}?on={happening.key}&code={code}"
            )
            if code
            else "",
            "close_form": CloseForm(
                initial={
                    "minutes": happening.override.minutes if happening.override else "",
                    "attendee_count": happening.override.attendee_count
                    if happening.override
                    else None,
                }
            )
            if schedule
            else None,
        },
    )


@login_required
def check_in_qr(request, space_id, meeting_id):
    space, meeting = queries.access_meeting(request.user, space_id, meeting_id, Perm.SCHEDULE)
    original = queries.pick_occurrence(meeting, request.GET.get("on"))
    happening = queries.happening_of(meeting, original)
    code = happening.override.check_in_code if happening.override else ""
    if not code:
        raise Http404
    path = reverse("meetings:check_in", args=[space.pk, meeting.pk])
    url = request.build_absolute_uri(f"{path}?on={happening.key}&code={code}")
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    buffer = io.BytesIO()
    image.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _csv_cell(value):
    # A cell starting with = + - @ would be run as a formula by spreadsheets.
    text = str(value or "")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def attendance_csv(request, space_id, meeting_id):
    space, meeting = queries.access_meeting(
        request.user, space_id, meeting_id, Perm.VIEW_ATTENDANCE
    )
    original = queries.pick_occurrence(meeting, request.GET.get("on"))
    happening = queries.happening_of(meeting, original)
    rows = queries.attendance_for(meeting, original)
    answers = {a.user_id: a for a in queries.answers_for(meeting, original)}
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(
        [_("Name"), _("Username"), _("Checked in at"), _("How"), _("Answer"), _("Needs")]
    )
    tz = timezone.get_current_timezone()
    for row in rows:
        rsvp = answers.get(row.user_id)
        needs = []
        if rsvp:
            if rsvp.interpreter:
                needs.append(
                    _("interpreter (%(language)s)") % {"language": rsvp.interpreter_language}
                )
            if rsvp.childcare:
                needs.append(_("childcare"))
            needs += [n for n in (rsvp.accessibility, rsvp.other_needs) if n]
        writer.writerow(
            [
                _csv_cell(row.user.name),
                _csv_cell(row.user.username),
                timezone.localtime(row.at, tz).strftime("%Y-%m-%d %H:%M"),
                row.get_how_display(),
                rsvp.get_answer_display() if rsvp else "",
                _csv_cell("; ".join(needs)),
            ]
        )
    audit.record(
        actor=request.user,
        action="meeting.attendance_exported",
        space=space,
        target=f"meeting:{meeting.pk}:{happening.key}",
    )
    day = timezone.localtime(happening.start, tz).strftime("%Y-%m-%d")
    response = HttpResponse(
        buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="attendance-{meeting.pk}-{day}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def meeting_close(request, space_id, meeting_id):
    space, meeting = queries.access_meeting(request.user, space_id, meeting_id, Perm.SCHEDULE)
    original = _original(request, meeting)
    form = CloseForm(request.POST)
    url = reverse("meetings:attendance", args=[space.pk, meeting.pk])
    url = f"{url}?on={recurrence.key_of(original)}"
    if not form.is_valid():
        messages.error(request, _("Check the minutes and the number of people."))
        return redirect(url)
    try:
        actions.close_occurrence(
            actor=request.user,
            meeting=meeting,
            original_start=original,
            minutes=form.cleaned_data["minutes"],
            attendee_count=form.cleaned_data["attendee_count"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(url)
    messages.success(request, _("The meeting is closed. Thank you for the minutes."))
    return redirect(_detail_url(meeting, original))


def _last_modified(meetings):
    stamps = [m.updated for m in meetings]
    stamps += [o.updated for m in meetings for o in m.occurrences.all()]
    return max(stamps) if stamps else None


def _calendar_response(request, body, filename, *, attachment=False, modified=None):
    etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=900"
    if modified is not None:
        response["Last-Modified"] = http_date(modified.timestamp())
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@login_required
def meeting_ics(request, space_id, meeting_id):
    _space, meeting = queries.access_meeting(request.user, space_id, meeting_id)
    meeting = (
        Meeting.objects.prefetch_related("occurrences")
        .select_related("organiser")
        .get(pk=meeting.pk)
    )
    body = ical.build_calendar([meeting], name=meeting.title)
    return _calendar_response(
        request,
        body,
        f"meeting-{meeting.pk}.ics",
        attachment=True,
        modified=_last_modified([meeting]),
    )


def feed(request, token):
    """A private subscription feed: the token is the only key, a revoked one is 404."""
    feed = queries.feed_by_token(token)
    since = timezone.now() - dt.timedelta(days=90)
    meetings = list(queries.feed_meetings(feed, since))
    name = feed.space.name if feed.space else _("Tandem: my meetings")
    body = ical.build_calendar(meetings, name=name)
    response = _calendar_response(request, body, "tandem.ics", modified=_last_modified(meetings))
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def feeds(request):
    """The person's calendar feeds and reminder settings."""
    preference = MeetingPreference.objects.filter(user=request.user).first()
    preference_form = PreferenceForm(
        request.POST if request.POST.get("do") == "preferences" else None,
        initial={
            "reminders": preference.reminders if preference else True,
            "email_reminders": preference.email_reminders if preference else True,
        },
    )
    if request.method == "POST":
        do = request.POST.get("do")
        if do == "preferences" and preference_form.is_valid():
            actions.set_preferences(actor=request.user, **preference_form.cleaned_data)
            messages.success(request, _("Your reminder settings are saved."))
        elif do == "renew":
            space = None
            if request.POST.get("space"):
                space = access_space(request.user, request.POST["space"], Perm.VIEW_MEETINGS)
            actions.renew_feed(actor=request.user, space=space)
            messages.success(
                request,
                _("Your new calendar link is ready. Links you made before no longer work."),
            )
        elif do == "revoke":
            row = get_object_or_404(FeedToken, pk=request.POST.get("feed") or 0, user=request.user)
            actions.revoke_feed(actor=request.user, feed=row)
            messages.success(request, _("That calendar link no longer works."))
        return redirect("meetings:feeds")
    live = list(queries.live_feeds(request.user))
    spaces = list(queries.viewable_spaces(request.user).order_by("name"))
    by_space = {row.space_id: row for row in live}
    scopes = [{"space": None, "feed": by_space.get(None)}] + [
        {"space": space, "feed": by_space.get(space.pk)} for space in spaces
    ]
    for scope in scopes:
        if scope["feed"]:
            scope["url"] = request.build_absolute_uri(
                reverse("meetings:feed", args=[scope["feed"].token])
            )
    return render(
        request,
        "meetings/feed_list.html",
        {"scopes": scopes, "preference_form": preference_form},
    )


class _CappedUpload(FileUploadHandler):
    """Drops a calendar file as soon as it is bigger than an import may be.

    First in the chain, so the bytes past the cap are never kept, in memory or on disk.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request_length = content_length or 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        # the form around the file is a few hundred bytes: a longer request is too big
        if self.request_length > ical.MAX_IMPORT_BYTES + 64 * 1024:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > ical.MAX_IMPORT_BYTES:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None

    def _refuse(self):
        self.request.calendar_too_big = True
        raise SkipFile


@csrf_exempt  # checked below, once the upload handler is in place (Django's documented way)
@login_required
def import_upload(request, space_id):
    request.upload_handlers.insert(0, _CappedUpload(request))
    return _import_upload(request, space_id)


@csrf_protect
def _import_upload(request, space_id):
    space = access_space(request.user, space_id, Perm.SCHEDULE)
    form = ImportForm(request.POST or None, request.FILES or None)
    if getattr(request, "calendar_too_big", False):
        # the file was dropped for its size: its message, not "this field is required"
        form.errors["file"] = form.error_class([ical.too_big_message()])
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            events = ical.read_calendar(
                upload, space=space, fallback_zone=request.user.time_zone or "UTC"
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            batch = actions.save_import(
                actor=request.user, space=space, filename=upload.name, events=events
            )
            return redirect("meetings:import_confirm", space_id=space.pk, import_id=batch.pk)
    return render(request, "meetings/import_upload.html", {"space": space, "form": form})


@login_required
def import_confirm(request, space_id, import_id):
    space = access_space(request.user, space_id, Perm.SCHEDULE)
    batch = get_object_or_404(
        CalendarImport, pk=import_id, space=space, uploaded_by=request.user, done__isnull=True
    )
    batch.space = space
    if request.method == "POST":
        try:
            created, updated = actions.confirm_import(actor=request.user, batch=batch)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Imported: %(created)s new, %(updated)s updated.")
                % {"created": created, "updated": updated},
            )
            return redirect("meetings:calendar", space_id=space.pk)
    known = set(
        Meeting.objects.filter(
            space=space, external_uid__in=[e["external_uid"] for e in batch.events]
        ).values_list("external_uid", flat=True)
    )
    events = []
    for event in batch.events:
        start = dt.datetime.fromisoformat(event["start"])
        end = dt.datetime.fromisoformat(event["end"])
        events.append(
            {
                **event,
                "start_at": start,
                "end_at": end,
                "zone_name": event["time_zone"],
                "update": event["external_uid"] in known,
            }
        )
    return render(
        request,
        "meetings/import_confirm.html",
        {"space": space, "batch": batch, "events": events},
    )


def zone_label(name):
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return name
    return name.rsplit("/", 1)[-1].replace("_", " ")

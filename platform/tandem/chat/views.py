"""The chat without JavaScript: pages and plain forms. Every write is an action."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tandem.core import hooks as core_hooks
from tandem.spaces.models import Membership
from tandem.spaces.permissions import Perm, can, membership_in
from tandem.spaces.queries import access_space, coordinators_among_members

from . import actions, hooks, queries
from .forms import EditForm, MuteForm, PostForm, ReasonForm, ReportForm, TopicForm


def _new_client_id():
    return f"h-{uuid.uuid4().hex}"


def _int_param(request, name):
    try:
        value = int(request.GET.get(name, ""))
    except ValueError:
        return None
    return value if value > 0 else None


# A stand-in message id: each link is reversed once per page, then filled in per message.
_ANY_ID = 987654321987


def _link(name, space_id):
    head, _mark, tail = reverse(name, args=[space_id, _ANY_ID]).rpartition(str(_ANY_ID))
    return lambda key: f"{head}{key}{tail}"


def _lay_out(rows, space):
    """Each message's local time and links, for a page of 50.

    Reversing a URL or formatting a date in the template costs more than the rest
    of a message's line; done here, a link is reversed once per page.
    """
    edit, delete, report, hide = (
        _link(f"chat:message_{verb}", space.pk) for verb in ("edit", "delete", "report", "hide")
    )
    mute = _link("chat:member_mute", space.pk)
    for m in rows:
        local = timezone.localtime(m.created)
        m.local_day = local.date()
        m.local_iso = local.isoformat(timespec="seconds")  # HTML allows up to milliseconds
        m.clock = formats.time_format(local, "TIME_FORMAT")
        m.links = {
            "edit": edit(m.pk),
            "delete": delete(m.pk),
            "report": report(m.pk),
            "hide": hide(m.pk),
            "mute": mute(m.author_id) if m.author_id else "",
        }
    return rows


# The autocomplete offers the space's people; a group has tens, not thousands.
MENTION_PEOPLE_MAX = 300


def _mention_people(space, user):
    """Names the message box offers after "@" (one query)."""
    rows = (
        Membership.objects.filter(space=space)
        .exclude(user_id=user.pk)
        .values_list("user__display_name", "user__username", "role")
        .order_by("user__display_name", "user__username")[:MENTION_PEOPLE_MAX]
    )
    return [
        {"name": display or username, "username": username, "role": role}
        for display, username, role in rows
    ]


@login_required
def index(request, space_id):
    space = access_space(request.user, space_id, Perm.READ_CHAT)
    conversation = actions.main_conversation(space=space)
    return redirect("chat:conversation", space_id=space.pk, conversation_id=conversation.pk)


@login_required
def conversation_detail(request, space_id, conversation_id):
    space, conversation = queries.access_conversation(request.user, space_id, conversation_id)
    user = request.user
    may_post = can(user, Perm.POST_CHAT, space)
    membership = membership_in(user, space)
    form = None
    if request.method == "POST":
        if not may_post:
            raise PermissionDenied
        form = PostForm(request.POST)
        if form.is_valid():
            try:
                message = actions.post_message(
                    actor=user,
                    conversation=conversation,
                    body=form.cleaned_data["body"],
                    client_id=form.cleaned_data["client_id"],
                    reply_to=form.cleaned_data["reply_to"],
                    lang=form.cleaned_data["lang"],
                )
            except ValidationError as error:
                if error.code == "rules_not_accepted":
                    rules = reverse("spaces:rules", args=[space.pk])
                    return redirect(f"{rules}?next={request.path}")
                form.add_error("body" if error.code != "client_id_reused" else None, error)
            else:
                return redirect(actions.conversation_url(conversation, message.seq))
        if "client_id" in form.errors:
            # A form that lost its id gets a new one, so the next send can work.
            form.data = form.data.copy()
            form.data["client_id"] = _new_client_id()
    before = _int_param(request, "before")
    size = settings.TANDEM["PAGE_SIZE"]
    floor = queries.history_floor(conversation, membership)
    rows, has_older = queries.message_page(conversation, before=before, size=size, floor=floor)
    # Read before marking: the divider and the other topics' counts show the last visit.
    conversations = queries.conversations_with_unread(space, user)
    read_to = next((c.read_to for c in conversations if c.pk == conversation.pk), 0)
    divider = next(
        (m.seq for m in rows if m.seq > read_to and m.author_id != user.pk),
        None,
    )
    if before is None and rows and conversation.last_seq > read_to:
        actions.mark_read(actor=user, conversation=conversation, seq=conversation.last_seq)
    reply_to = None
    reply_id = _int_param(request, "reply_to")
    if reply_id:
        reply_to = queries.reply_target(conversation, reply_id, floor=floor)
    if form is None:
        form = PostForm(
            initial={
                "client_id": _new_client_id(),
                "reply_to": reply_to.pk if reply_to else None,
            }
        )
    return render(
        request,
        "chat/conversation_detail.html",
        {
            "space": space,
            "conversation": conversation,
            "conversations": conversations,
            "chat_messages": _lay_out(rows, space),
            "has_older": has_older,
            "older_than": rows[0].seq if rows else None,
            "before": before,
            "divider": divider,
            "form": form,
            "may_post": may_post,
            "membership": membership,
            "rules_needed": bool(may_post and membership and membership.rules_accepted is None),
            "muted": bool(
                membership and membership.muted_until and membership.muted_until > timezone.now()
            ),
            "moderate": can(user, Perm.MODERATE, space),
            "reply_to": reply_to,
            "live": before is None,
            "coordinators": coordinators_among_members(space),
            "mention_people": _mention_people(space, user) if may_post else [],
            "history_closed": bool(floor),
            "history_floor": floor,
        },
    )


def _back(message):
    return redirect(actions.conversation_url(message.conversation, message.seq))


def _form_errors(form, error):
    form.add_error(None, error)


@login_required
def message_edit(request, space_id, message_id):
    space, message = queries.access_message(request.user, space_id, message_id, Perm.POST_CHAT)
    form = EditForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        try:
            actions.edit_message(
                actor=request.user, message=message, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            return _back(message)
    elif message.author_id != request.user.pk:
        raise PermissionDenied
    return render(
        request,
        "chat/message_edit.html",
        {"space": space, "message": message, "form": form},
    )


@login_required
def message_delete(request, space_id, message_id):
    space, message = queries.access_message(request.user, space_id, message_id, Perm.POST_CHAT)
    if message.author_id != request.user.pk:
        raise PermissionDenied
    if request.method == "POST":
        try:
            actions.delete_message(actor=request.user, message=message)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return _back(message)
    return render(request, "chat/message_delete.html", {"space": space, "message": message})


@login_required
def message_report(request, space_id, message_id):
    space, message = queries.access_message(request.user, space_id, message_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.report_message(
            actor=request.user, message=message, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Thank you. The co-leads will look at it."))
        return _back(message)
    if message.author_id == request.user.pk:
        raise PermissionDenied
    return render(
        request, "chat/message_report.html", {"space": space, "message": message, "form": form}
    )


@login_required
def message_hide(request, space_id, message_id):
    space, message = queries.access_message(request.user, space_id, message_id, Perm.MODERATE)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.hide_message(
                actor=request.user, message=message, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The message is hidden."))
            return _back(message)
    return render(
        request, "chat/message_hide.html", {"space": space, "message": message, "form": form}
    )


@login_required
def report_list(request, space_id):
    space = access_space(request.user, space_id, Perm.MODERATE)
    reports = queries.open_reports(space, membership_in(request.user, space))
    page = Paginator(reports, settings.TANDEM["PAGE_SIZE"]).get_page(request.GET.get("page"))
    return render(request, "chat/report_list.html", {"space": space, "page": page})


@login_required
@require_POST
def report_dismiss(request, space_id, report_id):
    space = access_space(request.user, space_id, Perm.MODERATE)
    report = queries.get_report(space, report_id)
    report.message.conversation.space = space
    actions.dismiss_report(actor=request.user, report=report)
    messages.success(request, _("The report is closed."))
    return redirect("chat:reports", space_id=space.pk)


def _muted_notice(membership):
    """Who is paused and until when, in the reader's time zone (not "Done.")."""
    name = membership.user.name
    if not membership.muted_until:
        return _("%(name)s can post again.") % {"name": name}
    local = timezone.localtime(membership.muted_until)
    return _("%(name)s cannot post until %(time)s (%(zone)s).") % {
        "name": name,
        "time": formats.date_format(local, "DATETIME_FORMAT"),
        "zone": timezone.get_current_timezone_name(),
    }


@login_required
def member_mute(request, space_id, user_id):
    space = access_space(request.user, space_id, Perm.MODERATE)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), space=space, user_id=user_id
    )
    membership.space = space
    form = MuteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.mute_member(
                actor=request.user,
                membership=membership,
                hours=form.cleaned_data["hours"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _muted_notice(membership))
            return redirect("chat:index", space_id=space.pk)
    return render(
        request,
        "chat/member_mute.html",
        {"space": space, "membership": membership, "form": form},
    )


@login_required
def topic_new(request, space_id):
    space = access_space(request.user, space_id, Perm.MODERATE)
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = actions.create_topic(
                actor=request.user, space=space, title=form.cleaned_data["title"]
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            return redirect("chat:conversation", space_id=space.pk, conversation_id=conversation.pk)
    return render(request, "chat/topic_form.html", {"space": space, "form": form})


def _new_count(count, more):
    return render_to_string("core/partials/new_count.html", {"count": count, "more": more}).strip()


@login_required
def unread(request):
    """The person's unread counts, for pages that show them live (see docs/realtime.md).

    The header's badge, each conversation's count and the dashboard's "New
    messages", rendered as the pages render them; a fixed number of queries.
    """
    rows = hooks.unread_rows(request.user)
    count, more = core_hooks.unread_total(request.user)
    section = render_to_string(
        "chat/partials/dashboard_unread.html", {"section": {"unread": rows}}, request=request
    )
    return JsonResponse(
        {
            "badge": {"count": count, "text": _new_count(count, more) if count else ""},
            "conversations": {
                str(row["conversation_id"]): _new_count(row["count"], row["more"]) for row in rows
            },
            "section": section,
        }
    )

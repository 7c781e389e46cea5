"""Recognition pages offer what fits, show each role its own tabs, and hold valid markup."""

import re
from collections import Counter

from django.urls import reverse
from tandem.recognition import actions
from tandem.recognition.models import Period

from .test_views import _past_meeting


def body(response):
    return response.content.decode()


def test_start_from_a_meeting_leaves_out_meetings_already_logged(rec, world, client_for):
    from tandem.meetings import recurrence

    meeting = _past_meeting(rec, world)
    client = client_for("tutor")
    url = reverse("recognition:log_new", args=[rec.group.pk])
    assert "Tuesday group" in body(client.get(url))
    actions.create_log(
        actor=rec.tutor,
        space=rec.group,
        counsellor=rec.counsellor,
        start=meeting.start,
        end=meeting.end,
        meeting_id=meeting.pk,
        meeting_occurrence=meeting.start,
    )
    assert recurrence.key_of(meeting.start) not in body(client.get(url))
    assert "Tuesday group" not in body(client.get(url))


def test_the_only_counsellor_of_the_group_is_preselected(rec, world, client_for):
    url = reverse("recognition:log_new", args=[rec.group.pk])
    form = client_for("tutor").get(url).context["form"]
    assert form["counsellor"].value() == rec.counsellor.pk
    page = body(client_for("tutor").get(url))
    assert re.search(rf'<option value="{rec.counsellor.pk}" selected>', page)


def test_last_month_closed_is_not_offered_again(rec, world, client_for):
    from django.utils import timezone

    today = timezone.localdate()
    last_end = today.replace(day=1) - __import__("datetime").timedelta(days=1)
    last_start = last_end.replace(day=1)
    if not Period.objects.filter(
        organisation=rec.org, start=last_start, end=last_end, closed_at__isnull=False
    ).exists():
        actions.close_period(
            actor=rec.coordinator, organisation=rec.org, start=last_start, end=last_end
        )
    form = (
        client_for("coordinator")
        .get(reverse("recognition:organisation", args=[rec.org.pk]))
        .context["close_form"]
    )
    assert (form.initial["start"], form.initial["end"]) != (last_start, last_end)


def test_members_cannot_open_the_approval_queue_and_see_no_tabs(world, client_for):
    member = client_for("member")
    assert member.get(reverse("recognition:to_approve")).status_code == 404
    assert member.get(reverse("recognition:to_confirm")).status_code == 404
    tutor_page = body(client_for("tutor").get(reverse("recognition:my_sessions")))
    assert reverse("recognition:to_approve") not in tutor_page
    assert reverse("recognition:to_confirm") not in tutor_page
    counsellor_page = body(client_for("counsellor").get(reverse("recognition:to_confirm")))
    assert reverse("recognition:to_approve") not in counsellor_page
    assert "To confirm" in counsellor_page


def test_time_elements_carry_at_most_seconds(world, client_for):
    log = world.objects["log_approved"]
    page = body(client_for("coordinator").get(reverse("recognition:log_detail", args=[log.pk])))
    values = re.findall(r'<time datetime="([^"]+)"', page)
    assert values
    for value in values:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)", value), value


def test_date_inputs_hold_iso_values_in_finnish(world, client_for):
    coordinator = world.people["coordinator"]
    coordinator.interface_language = "fi"
    coordinator.save(update_fields=["interface_language"])
    page = body(
        client_for("coordinator").get(
            reverse("recognition:organisation", args=[world.orgs["a"].pk])
        )
    )
    values = re.findall(r'<input type="date"[^>]*?value="([^"]*)"', page)
    assert values
    for value in values:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", value), value


def test_the_overview_has_no_duplicate_ids(world, client_for):
    page = body(
        client_for("coordinator").get(
            reverse("recognition:organisation", args=[world.orgs["a"].pk])
        )
    )
    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1] == []


def test_statement_list_rows_span_exactly_the_columns(rec, world, client_for):
    from tandem.accounts.models import User
    from tandem.spaces.models import Membership, Role

    newcomer = User.objects.create_user(username="newtutor", display_name="New Tutor")
    Membership.objects.create(space=rec.group, user=newcomer, role=Role.TUTOR)
    from django.test import Client

    client = Client()
    client.force_login(newcomer)
    page = body(client.get(reverse("recognition:my_statements")))
    head = page.split("<thead>")[1].split("</thead>")[0]
    columns = head.count("<th ")
    spans = [int(n) for n in re.findall(r'<td colspan="(\d+)"', page.split("<tbody>")[1])]
    assert spans and all(n == columns for n in spans)

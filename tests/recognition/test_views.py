"""Pages and downloads: who sees what, constant query counts, CSV and PDF that read right."""

import csv
import io
import os
import shutil
import subprocess
import zoneinfo
from datetime import timedelta

import pytest
from django.urls import reverse
from tandem.accounts.models import User
from tandem.recognition import actions, exports
from tandem.recognition.models import SessionLog, StatementLine
from tandem.spaces.models import Membership, Role
from tandem.spaces.permissions import Perm, can

from .conftest import times
from .world_ext import RATE_A, RATE_B


def body(response):
    return response.content.decode()


def test_tutor_sees_own_amounts_and_the_year_total(world, client_for):
    response = client_for("tutor").get(reverse("recognition:my_sessions"))
    assert response.status_code == 200
    page = body(response)
    approved = world.objects["log_approved"]
    assert f"{approved.amount} EUR" in page
    assert "Earned in" in page
    assert str(RATE_B) not in page


def test_counsellor_sees_logs_to_confirm_but_no_rates_or_amounts(world, client_for):
    client = client_for("counsellor")
    queue = body(client.get(reverse("recognition:to_confirm")))
    assert world.objects["log_submitted"].topics not in queue  # the queue lists, the log tells
    assert reverse("recognition:log_detail", args=[world.objects["log_submitted"].pk]) in queue
    for key in ("log_approved", "log_paid", "log_submitted"):
        page = body(client.get(reverse("recognition:log_detail", args=[world.objects[key].pk])))
        assert "EUR" not in page and str(RATE_A) not in page
        log = SessionLog.objects.get(pk=world.objects[key].pk)
        if log.amount is not None:
            assert str(log.amount) not in page
    assert client.get(reverse("recognition:rates", args=[world.orgs["a"].pk])).status_code == 404
    statement = world.objects["statement_open"]
    url = reverse("recognition:statement_detail", args=[statement.pk])
    assert client.get(url).status_code == 404


def test_coordinator_sees_rates_amounts_and_attendance_but_not_the_chat(world, client_for):
    client = client_for("coordinator")
    log = world.objects["log_approved"]
    page = body(client.get(reverse("recognition:log_detail", args=[log.pk])))
    assert f"{log.amount} EUR" in page
    assert world.people["member"].name in page
    rates = body(client.get(reverse("recognition:rates", args=[world.orgs["a"].pk])))
    assert str(RATE_A) in rates
    assert not can(world.people["coordinator"], Perm.READ_CHAT, world.spaces["group_a"])


def test_a_tutor_never_sees_another_tutors_amounts(rec, world, client_for):
    other = User.objects.create_user(username="tutor2", display_name="Другий Тьютор")
    Membership.objects.create(
        space=rec.group, user=other, role=Role.TUTOR, granted_by=world.people["staff"]
    )
    start, end = times(12, hour=9)
    log = actions.create_log(
        actor=other, space=rec.group, counsellor=rec.counsellor, start=start, end=end
    )
    actions.submit_log(actor=other, log=log)
    actions.confirm_log(actor=rec.counsellor, log=log)
    log = actions.approve_log(actor=rec.coordinator, log=log)
    client = client_for("tutor")
    assert client.get(reverse("recognition:log_detail", args=[log.pk])).status_code == 404
    statement = log.statement_line.statement
    for name in ("statement_detail", "statement_csv", "statement_pdf"):
        assert client.get(reverse(f"recognition:{name}", args=[statement.pk])).status_code == 404
    assert "Другий" not in body(client.get(reverse("recognition:my_statements")))


def test_a_coordinator_sees_only_their_organisations_money(world, client_for):
    client = client_for("coordinator")
    statement_b = world.objects["statement_b"]
    for name in ("statement_detail", "statement_csv", "statement_pdf"):
        assert client.get(reverse(f"recognition:{name}", args=[statement_b.pk])).status_code == 404
    log_b = world.objects["log_b"]
    assert client.get(reverse("recognition:log_detail", args=[log_b.pk])).status_code == 404
    for name in ("organisation", "rates", "organisation_statements"):
        url = reverse(f"recognition:{name}", args=[world.orgs["b"].pk])
        assert client.get(url).status_code == 404
    for name in ("to_approve", "my_sessions", "my_statements"):
        assert str(RATE_B) not in body(client.get(reverse(f"recognition:{name}")))


def test_bulk_approval_goes_through_one_confirmation_page(rec, world, client_for):
    logs = [rec.log(days_ago=20 + i, to="confirmed") for i in range(3)]
    client = client_for("coordinator")
    ids = [log.pk for log in logs] + [world.objects["log_confirmed"].pk]
    review = client.post(reverse("recognition:approve_review"), {"log": ids})
    assert review.status_code == 200
    assert "Approve 4 logs" in body(review)
    assert SessionLog.objects.filter(pk__in=ids, state="approved").count() == 0
    response = client.post(reverse("recognition:approve_bulk"), {"log": ids}, follow=True)
    assert "4 session logs approved." in body(response)
    assert SessionLog.objects.filter(pk__in=ids, state="approved").count() == 4


def test_a_second_bulk_approval_tells_what_was_already_done(rec, world, client_for):
    log = rec.log(to="confirmed")
    second = User.objects.create_user(username="coord2", display_name="Second Coordinator")
    world.orgs["a"].roles.create(user=second, role="coordinator")
    actions.approve_log(actor=second, log=log)
    response = client_for("coordinator").post(
        reverse("recognition:log_approve", args=[log.pk]), follow=True
    )
    assert "already approved" in body(response)
    assert StatementLine.objects.filter(log=log).count() == 1


def test_tutor_logs_a_session_with_the_form(rec, world, client_for):
    client = client_for("tutor")
    start, _end = times(15, hour=7)
    url = reverse("recognition:log_new", args=[rec.group.pk])
    response = client.post(
        url,
        {
            "date": start.date().isoformat(),
            "start_time": "10:00",
            "end_time": "09:00",
            "counsellor": rec.counsellor.pk,
            "attendees": [rec.member.pk],
        },
    )
    assert response.status_code == 200
    assert "The session must end after it starts." in body(response)
    response = client.post(
        url,
        {
            "date": start.date().isoformat(),
            "start_time": "10:00",
            "duration_minutes": "90",
            "counsellor": rec.counsellor.pk,
            "attendees": [rec.member.pk],
            "preparation_minutes": "20",
            "topics": "Interview practice",
        },
    )
    assert response.status_code == 302
    log = SessionLog.objects.get(topics="Interview practice")
    assert log.end - log.start == timedelta(minutes=90)
    assert [a.pk for a in log.attendees.all()] == [rec.member.pk]


def test_the_form_refuses_people_outside_the_group(rec, world, client_for):
    start, _end = times(15)
    response = client_for("tutor").post(
        reverse("recognition:log_new", args=[rec.group.pk]),
        {
            "date": start.date().isoformat(),
            "start_time": "10:00",
            "end_time": "11:00",
            "counsellor": rec.counsellor.pk,
            "attendees": [world.people["outsider"].pk],
        },
    )
    assert response.status_code == 200
    assert SessionLog.objects.filter(start__date=start.date(), tutor=rec.tutor).count() == 0


def test_rate_form_refuses_negative_and_non_numeric_fees(world, client_for):
    client = client_for("coordinator")
    url = reverse("recognition:rates", args=[world.orgs["a"].pk])
    for fee in ("-5", "abc"):
        response = client.post(
            url, {"currency": "SEK", "fee_per_session": fee, "valid_from": "2020-01-01"}
        )
        assert response.status_code == 200
        assert "errorlist" in body(response)
    assert not world.orgs["a"].rate_cards.filter(currency="SEK").exists()


def test_chart_of_hours_has_the_same_figures_as_its_table(world, client_for):
    response = client_for("coordinator").get(
        reverse("recognition:organisation", args=[world.orgs["a"].pk]),
        {"year": world.objects["log_approved"].date.year},
    )
    page = body(response)
    assert 'class="rec-bars" aria-hidden="true"' in page
    assert "<caption>" in page
    assert page.count('class="rec-bar-row"') == 12


# --- query counts ------------------------------------------------------------


def _more_logs(rec, count, to):
    """More logs on the day of the world's open statement, so they land on it too."""
    return [rec.log(days_ago=2, hour=6 + i, hours=1, to=to) for i in range(count)]


PAGES = [
    ("tutor", "recognition:my_sessions", None, "approved"),
    ("counsellor", "recognition:to_confirm", None, "submitted"),
    ("coordinator", "recognition:to_approve", None, "confirmed"),
    ("tutor", "recognition:my_statements", None, "approved"),
    ("coordinator", "recognition:organisation_statements", "org", "approved"),
    ("coordinator", "recognition:organisation", "org", "approved"),
    ("coordinator", "recognition:statement_detail", "statement", "approved"),
    ("tutor", "recognition:statement_csv", "statement", "approved"),
    ("tutor", "recognition:statement_pdf", "statement", "approved"),
]


@pytest.mark.parametrize(("role", "name", "arg", "state"), PAGES)
def test_queues_and_statements_use_a_fixed_number_of_queries(
    rec, world, client_for, django_assert_num_queries, role, name, arg, state
):
    client = client_for(role)
    statement = world.objects["statement_open"]

    def url():
        if arg == "org":
            return reverse(name, args=[world.orgs["a"].pk])
        if arg == "statement":
            return reverse(name, args=[statement.pk])
        return reverse(name)

    client.get(url())  # warm the session and caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url()).status_code == 200
    lines = statement.lines.count()
    _more_logs(rec, 4, state)
    if state == "approved":
        assert statement.lines.count() == lines + 4  # the measured statement really grew
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url()).status_code == 200


def test_bulk_approval_review_uses_a_fixed_number_of_queries(
    rec, world, client_for, django_assert_num_queries
):
    client = client_for("coordinator")
    url = reverse("recognition:approve_review")
    few = _more_logs(rec, 2, "confirmed")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.post(url, {"log": [log.pk for log in few]})
    with CaptureQueriesContext(connection) as small:
        page = client.post(url, {"log": [log.pk for log in few]})
    assert page.status_code == 200
    many = few + [rec.log(days_ago=3, hour=6 + i, hours=1, to="confirmed") for i in range(6)]
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.post(url, {"log": [log.pk for log in many]})
    assert body(page).count('name="log"') == len(many)


# --- downloads -----------------------------------------------------------------


def test_csv_opens_right_in_spreadsheets_with_non_latin_names(arabic_statement, client_for):
    response = client_for("tutor").get(
        reverse("recognition:statement_csv", args=[arabic_statement.pk])
    )
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == exports.CSV_COLUMNS
    assert rows[1][exports.CSV_COLUMNS.index("tutor_name")] == "أمينة المعلمة"
    assert rows[1][exports.CSV_COLUMNS.index("line_type")] == "session"
    assert rows[1][exports.CSV_COLUMNS.index("statement_paid")] == "yes"


def test_csv_keeps_formulas_out_of_spreadsheets(rec, world):
    rec.tutor.display_name = "=HYPERLINK(1)"
    rec.tutor.save(update_fields=["display_name"])
    statement = world.objects["statement_paid"]
    statement.tutor.refresh_from_db()
    from tandem.recognition import queries

    text = exports.statement_csv(statement, list(queries.statement_lines(statement))).decode()
    assert "'=HYPERLINK(1)" in text


def test_pdf_statement_prints_arabic_and_cyrillic_names(arabic_statement, client_for, tmp_path):
    response = client_for("coordinator").get(
        reverse("recognition:statement_pdf", args=[arabic_statement.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert exports.find_fonts() is not None, "a system font for all scripts is expected here"
    if not shutil.which("pdftotext"):
        if os.environ.get("CI"):
            pytest.fail("CI installs poppler-utils to read the PDF statement back")
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text is not read back")
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    for mark in "\u202a\u202b\u202c\u200e\u200f":  # bidi marks around right-to-left runs
        text = text.replace(mark, "")
    assert "أمينة المعلمة" in text  # shaped glyphs that still read back as the name
    assert "Tutor" in text and "91.37 EUR" in text


def test_pdf_falls_back_to_a_latin_font_with_a_note(arabic_statement, monkeypatch, tmp_path):
    from tandem.recognition import queries

    monkeypatch.setattr(exports, "find_fonts", lambda: None)
    lines = list(queries.statement_lines(arabic_statement))
    pdf = exports.statement_pdf(arabic_statement, lines)
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        path = tmp_path / "latin.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
        ).stdout.decode()
        assert "No font for all scripts was found" in " ".join(text.split())


def _past_meeting(rec, world):
    from tandem.meetings import actions as meeting_actions
    from tandem.meetings.models import CheckIn

    helsinki = zoneinfo.ZoneInfo("Europe/Helsinki")
    start, end = times(8, hour=15)
    meeting = meeting_actions.schedule_meeting(
        actor=rec.tutor,
        space=rec.group,
        title="Tuesday group",
        kind="session",
        time_zone="Europe/Helsinki",
        start=start.astimezone(helsinki).replace(tzinfo=None),
        end=end.astimezone(helsinki).replace(tzinfo=None),
    )
    CheckIn.objects.create(meeting=meeting, occurrence=meeting.start, user=rec.member)
    return meeting


def test_a_log_is_prefilled_from_a_meeting_and_its_check_ins(rec, world, client_for):
    from tandem.meetings import recurrence

    meeting = _past_meeting(rec, world)
    client = client_for("tutor")
    url = reverse("recognition:log_new", args=[rec.group.pk])
    page = body(client.get(url))
    assert "Start from a meeting" in page and "Tuesday group" in page
    key = recurrence.key_of(meeting.start)
    form = client.get(url, {"meeting": meeting.pk, "occurrence": key}).context["form"]
    assert form.initial["attendees"] == [rec.member.pk]
    data = {
        k: v.isoformat() if hasattr(v, "isoformat") else v
        for k, v in form.initial.items()
        if k != "meeting_title"
    }
    data["counsellor"] = rec.counsellor.pk
    data["start_time"] = form.initial["start_time"].strftime("%H:%M")
    data["end_time"] = form.initial["end_time"].strftime("%H:%M")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    log = SessionLog.objects.get(meeting_id=meeting.pk)
    assert log.meeting_occurrence == meeting.start
    assert (log.start, log.end) == (meeting.start, meeting.end)


def test_a_log_cannot_name_another_groups_meeting(rec, world):
    from django.core.exceptions import ValidationError

    meeting = _past_meeting(rec, world)
    start, _end = times(9)
    with pytest.raises(ValidationError) as caught:
        rec.log(meeting_id=meeting.pk + 1000, meeting_occurrence=meeting.start)
    assert caught.value.code == "unknown_meeting"
    with pytest.raises(ValidationError):
        rec.log(meeting_id=meeting.pk, meeting_occurrence=start)


@pytest.mark.parametrize(
    ("role", "shows"),
    [
        ("tutor", "1 draft to submit"),
        ("counsellor", "1 log to confirm"),
        ("coordinator", "Sessions and payments of Org A Helsinki"),
    ],
)
def test_dashboard_shows_what_waits_on_each_role(world, client_for, role, shows):
    page = body(client_for(role).get(reverse("dashboard")))
    assert shows in page


def test_dashboard_section_is_absent_for_people_without_logs(world, client_for):
    assert 'id="rec-dash-h"' not in body(client_for("member").get(reverse("dashboard")))


def test_dashboard_section_uses_one_query(rec, world, django_assert_num_queries):
    from django.test import RequestFactory
    from tandem.recognition.hooks import dashboard

    request = RequestFactory().get("/")
    request.user = rec.coordinator
    with django_assert_num_queries(1):
        dashboard(request)
    _more_logs(rec, 3, "confirmed")
    with django_assert_num_queries(1):
        dashboard(request)


def test_dashboard_figures_count_what_waits_on_each_person(rec, world):
    from tandem.accounts.models import Organisation, OrganisationRole
    from tandem.recognition.queries import dashboard_figures, to_approve, to_confirm

    before = {
        who: dashboard_figures(getattr(rec, who)) for who in ("tutor", "counsellor", "coordinator")
    }
    states = ["draft"] * 2 + ["submitted"] * 3 + ["confirmed"]
    for days_ago, to in enumerate(states, start=50):
        rec.log(days_ago=days_ago, hour=6, hours=1, to=to)
    # A second organisation to coordinate lists both, without multiplying the counts.
    extra = Organisation.objects.create(name="Org C", country="FI")
    OrganisationRole.objects.create(
        organisation=extra, user=rec.coordinator, role=OrganisationRole.Role.COORDINATOR
    )
    tutor = dashboard_figures(rec.tutor)
    assert tutor["drafts"] == before["tutor"]["drafts"] + 2
    assert tutor["logged"] and tutor["organisations"] == []
    counsellor = dashboard_figures(rec.counsellor)
    assert counsellor["confirm"] == to_confirm(rec.counsellor).count()
    assert counsellor["confirm"] == before["counsellor"]["confirm"] + 3
    assert not counsellor["logged"]
    coordinator = dashboard_figures(rec.coordinator)
    assert coordinator["approve"] == to_approve(rec.coordinator).count()
    assert coordinator["approve"] == before["coordinator"]["approve"] + 1
    assert [o["name"] for o in coordinator["organisations"]] == sorted(
        [world.orgs["a"].name, "Org C"]
    )
    assert dashboard_figures(world.people["member"]) == {
        "drafts": 0,
        "confirm": 0,
        "approve": 0,
        "logged": False,
        "organisations": [],
    }


@pytest.mark.parametrize(
    ("role", "label"),
    [
        ("tutor", "Log a session"),
        ("counsellor", "Logs to confirm"),
        ("coordinator", "Session logs"),
    ],
)
def test_the_group_menu_links_to_the_roles_part(world, client_for, role, label):
    space = world.spaces["group_a"]
    page = body(client_for(role).get(reverse("spaces:home", args=[space.pk])))
    assert label in page


def test_bulk_approval_ignores_logs_outside_the_coordinators_queue(rec, world, client_for):
    own_org = rec.log(to="confirmed")
    log_b = world.objects["log_b"]
    response = client_for("other_coordinator").post(
        reverse("recognition:approve_bulk"), {"log": [own_org.pk, log_b.pk, "x"]}
    )
    assert response.status_code == 302
    assert SessionLog.objects.get(pk=own_org.pk).state == "confirmed"


def test_ending_a_rate_card_keeps_its_other_terms(world, client_for):
    card = world.objects["rate_a"]
    client = client_for("coordinator")
    response = client.post(
        reverse("recognition:rate_end", args=[card.pk]), {"valid_until": "1999-01-01"}, follow=True
    )
    assert "must end on or after" in body(response)
    client.post(reverse("recognition:rate_end", args=[card.pk]), {"valid_until": "2099-12-31"})
    card.refresh_from_db()
    assert str(card.valid_until) == "2099-12-31" and card.fee_per_session == RATE_A


def test_the_approval_queue_shows_what_each_log_would_come_to(world, client_for):
    # 41.37 per session + 20.00 per hour x (2 h + 0.5 h preparation)
    page = body(client_for("coordinator").get(reverse("recognition:to_approve")))
    assert "91.37 EUR" in page


def test_statements_show_the_paid_preparation_apart(rec, world, client_for):
    log = rec.log(days_ago=2, hour=6, hours=1, to="approved", preparation_minutes=30)
    statement = log.statement_line.statement
    assert statement.pk == world.objects["statement_open"].pk
    page = body(
        client_for("coordinator").get(reverse("recognition:statement_detail", args=[statement.pk]))
    )
    assert '<th scope="col">Preparation</th>' in page
    assert '<td data-label="Preparation">0.50</td>' in page
    raw = client_for("tutor").get(reverse("recognition:statement_csv", args=[statement.pk]))
    rows = list(csv.DictReader(io.StringIO(raw.content.decode("utf-8-sig"))))
    mine = next(row for row in rows if row["session_log_id"] == str(log.pk))
    assert (mine["hours"], mine["preparation_hours"]) == ("1.00", "0.50")
    # 41.37 a session + 20.00 an hour × (1 hour + half an hour of paid preparation)
    assert mine["amount"] == "71.37"

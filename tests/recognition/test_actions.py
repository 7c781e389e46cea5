"""The path of a session log and each bad input the issue names: a clear error, no change."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from tandem.accounts.models import OrganisationRole, User
from tandem.core.models import Notification
from tandem.recognition import actions
from tandem.recognition.models import AuditRow, Period, RateCard, SessionLog, StatementLine
from tandem.spaces.models import Membership, Role

from .conftest import times


def snapshot():
    return (
        list(SessionLog.objects.order_by("id").values()),
        AuditRow.objects.count(),
        StatementLine.objects.count(),
        RateCard.objects.count(),
        Period.objects.count(),
    )


def assert_refused(call, code=None, exception=ValidationError):
    before = snapshot()
    with pytest.raises(exception) as caught:
        call()
    assert snapshot() == before
    if code is not None:
        assert caught.value.code == code
    text = " ".join(caught.value.messages) if exception is ValidationError else str(caught.value)
    assert text.strip(), "the error says what is wrong"
    return caught.value


def test_a_log_goes_from_draft_to_paid_with_an_audit_row_per_step(rec, world):
    log = rec.log(to="approved", preparation_minutes=30)
    assert log.state == "approved"
    # 41.37 per session + 20.00 per hour x (2 h + 0.5 h preparation, paid in group A)
    assert log.amount == Decimal("91.37")
    assert (log.hours, log.preparation_hours, log.currency) == (
        Decimal("2.00"),
        Decimal("0.50"),
        "EUR",
    )
    period = log.statement_line.statement.period
    actions.close_period(
        actor=rec.coordinator, organisation=rec.org, start=period.start, end=period.end
    )
    statement = actions.mark_statement_paid(
        actor=rec.coordinator, statement=log.statement_line.statement
    )
    log.refresh_from_db()
    assert log.state == "paid" and statement.is_paid
    steps = list(AuditRow.objects.filter(log=log).values_list("from_state", "to_state"))
    assert steps == [
        ("", "draft"),
        ("draft", "submitted"),
        ("submitted", "confirmed"),
        ("confirmed", "approved"),
        ("approved", "paid"),
    ]


def test_submitting_notifies_the_counsellor_and_confirming_the_coordinators(rec):
    log = rec.log(to="submitted")
    assert Notification.objects.filter(user=rec.counsellor, kind="recognition.submitted").exists()
    actions.confirm_log(actor=rec.counsellor, log=log)
    assert Notification.objects.filter(user=rec.coordinator, kind="recognition.confirmed").exists()


def test_a_returned_log_goes_back_to_the_tutor_with_the_reason_and_can_be_resubmitted(rec):
    log = rec.log(to="confirmed")
    actions.return_log(actor=rec.coordinator, log=log, reason="Two members are missing.")
    log.refresh_from_db()
    assert log.state == "draft" and log.returned_reason == "Two members are missing."
    assert Notification.objects.filter(user=rec.tutor, kind="recognition.returned").exists()
    row = AuditRow.objects.filter(log=log).last()
    assert (row.from_state, row.to_state, row.reason) == (
        "confirmed",
        "draft",
        "Two members are missing.",
    )
    start, end = times(10, 7, 3)
    actions.update_log(
        actor=rec.tutor,
        log=log,
        counsellor=rec.counsellor,
        start=start,
        end=end,
        attendees=[rec.member],
    )
    actions.submit_log(actor=rec.tutor, log=log)
    log.refresh_from_db()
    assert log.state == "submitted" and log.returned_reason == ""


def test_sending_back_needs_a_reason(rec):
    log = rec.log(to="submitted")
    assert_refused(
        lambda: actions.return_log(actor=rec.counsellor, log=log, reason="  "), "reason_required"
    )


def test_session_in_the_future_is_refused(rec):
    start = timezone.now() + timedelta(hours=2)
    assert_refused(lambda: rec.log(start=start, end=start + timedelta(hours=1)), "in_future")


def test_session_ending_before_it_starts_is_refused(rec):
    start, end = times(10)
    assert_refused(lambda: rec.log(start=end, end=start), "end_before_start")


def test_session_over_twelve_hours_is_refused(rec):
    start, _end = times(10, hour=1)
    assert_refused(
        lambda: rec.log(start=start, end=start + timedelta(hours=12, minutes=1)), "too_long"
    )


def test_overlapping_sessions_of_one_tutor_are_refused(rec):
    rec.log(days_ago=10, hour=7, hours=2)
    start, end = times(10, hour=8, hours=2)
    assert_refused(lambda: rec.log(start=start, end=end), "overlap")


def test_log_for_a_group_the_tutor_does_not_co_lead_is_refused(rec, world):
    assert_refused(lambda: rec.log(space=world.spaces["group_b"]), exception=PermissionDenied)


def test_member_cannot_log_a_session(rec):
    assert_refused(lambda: rec.log(actor=rec.member), exception=PermissionDenied)


def test_attendees_who_are_not_group_members_are_refused(rec, world):
    assert_refused(
        lambda: rec.log(attendees=[rec.member, world.people["outsider"]]), "attendee_not_member"
    )


def test_counsellor_named_must_co_lead_the_group(rec, world):
    assert_refused(lambda: rec.log(counsellor=world.people["member"]), "not_counsellor")


def test_counsellor_cannot_confirm_a_log_they_did_not_co_lead(rec, world):
    log = rec.log(to="submitted")
    other = User.objects.create_user(username="counsellor2", display_name="Second Counsellor")
    Membership.objects.create(space=rec.group, user=other, role=Role.COUNSELLOR)
    assert_refused(lambda: actions.confirm_log(actor=other, log=log), exception=PermissionDenied)


def test_tutor_cannot_confirm_own_log(rec):
    log = rec.log(to="submitted")
    assert_refused(
        lambda: actions.confirm_log(actor=rec.tutor, log=log), exception=PermissionDenied
    )


def test_tutor_cannot_approve_own_log_even_as_coordinator(rec):
    OrganisationRole.objects.create(organisation=rec.org, user=rec.tutor, role="coordinator")
    log = rec.log(to="confirmed")
    error = assert_refused(
        lambda: actions.approve_log(actor=rec.tutor, log=log), exception=PermissionDenied
    )
    assert "own" in str(error)


def test_confirming_counsellor_cannot_approve_even_as_coordinator(rec):
    OrganisationRole.objects.create(organisation=rec.org, user=rec.counsellor, role="coordinator")
    log = rec.log(to="confirmed")
    assert_refused(
        lambda: actions.approve_log(actor=rec.counsellor, log=log), exception=PermissionDenied
    )


def test_coordinator_of_another_organisation_cannot_approve(rec, world):
    log = rec.log(to="confirmed")
    assert_refused(
        lambda: actions.approve_log(actor=world.people["other_coordinator"], log=log),
        exception=PermissionDenied,
    )


def test_approving_into_a_closed_period_is_refused(rec):
    log = rec.log(to="confirmed", days_ago=100)
    start, end = actions._month(log.date)
    if not Period.objects.filter(organisation=rec.org, start=start).exists():
        actions.close_period(actor=rec.coordinator, organisation=rec.org, start=start, end=end)
    assert_refused(lambda: actions.approve_log(actor=rec.coordinator, log=log), "period_closed")


def test_a_period_of_the_coordinators_choosing_gets_the_sessions_of_its_days(rec, world):
    day = timezone.localdate() - timedelta(days=120)
    period = actions.open_period(
        actor=rec.coordinator, organisation=rec.org, start=day, end=day + timedelta(days=13)
    )
    log = rec.log(to="approved", days_ago=(timezone.localdate() - day).days - 3)
    assert log.statement_line.statement.period == period
    assert AuditRow.objects.filter(action="period.opened").count() == 1
    actions.close_period(
        actor=rec.coordinator, organisation=rec.org, start=period.start, end=period.end
    )
    other = rec.log(to="confirmed", days_ago=(timezone.localdate() - day).days - 5)
    assert_refused(lambda: actions.approve_log(actor=rec.coordinator, log=other), "period_closed")


def test_a_period_over_days_of_another_is_refused(rec, world):
    taken = world.objects["statement_open"].period
    assert_refused(
        lambda: actions.open_period(
            actor=rec.coordinator,
            organisation=rec.org,
            start=taken.start - timedelta(days=3),
            end=taken.start + timedelta(days=3),
        ),
        "period_overlaps_other",
    )
    assert_refused(
        lambda: actions.open_period(
            actor=rec.tutor, organisation=rec.org, start=taken.end, end=taken.end
        ),
        exception=PermissionDenied,
    )


def test_the_second_of_two_approvals_gets_a_clear_message(rec, world):
    second = User.objects.create_user(username="coordinator2", display_name="Second Coordinator")
    OrganisationRole.objects.create(organisation=rec.org, user=second, role="coordinator")
    log = rec.log(to="confirmed")
    stale = SessionLog.objects.get(pk=log.pk)  # what the second coordinator's page showed
    actions.approve_log(actor=rec.coordinator, log=log)
    with translation.override("en"):
        error = assert_refused(
            lambda: actions.approve_log(actor=second, log=stale), "already_approved"
        )
    assert rec.coordinator.name in error.messages[0]
    assert StatementLine.objects.filter(log=log).count() == 1


def test_approval_needs_a_rate_card_in_force(rec, world):
    RateCard.objects.filter(organisation=rec.org).update(
        valid_until=timezone.localdate() - timedelta(days=3000)
    )
    log = rec.log(to="confirmed")
    assert_refused(lambda: actions.approve_log(actor=rec.coordinator, log=log), "no_rate")


@pytest.mark.parametrize(
    ("fee", "code"),
    [
        ("-1", "negative_fee"),
        ("abc", "not_a_number"),
        ("1.234", "bad_precision"),
        ("NaN", "not_a_number"),
    ],
)
def test_negative_or_non_numeric_rate_is_refused(rec, fee, code):
    assert_refused(
        lambda: actions.create_rate_card(
            actor=rec.coordinator,
            organisation=rec.org,
            currency="SEK",
            fee_per_hour=fee,
            valid_from=timezone.localdate(),
        ),
        code,
    )


def test_overlapping_rate_cards_in_one_currency_are_refused(rec):
    assert_refused(
        lambda: actions.create_rate_card(
            actor=rec.coordinator,
            organisation=rec.org,
            currency="EUR",
            fee_per_session="10",
            valid_from=timezone.localdate(),
        ),
        "rate_overlap",
    )


def test_only_coordinators_set_rates(rec):
    assert_refused(
        lambda: actions.create_rate_card(
            actor=rec.tutor,
            organisation=rec.org,
            currency="SEK",
            fee_per_session="10",
            valid_from=timezone.localdate(),
        ),
        exception=PermissionDenied,
    )


def test_a_new_rate_never_changes_an_approved_amount(rec):
    log = rec.log(to="approved")
    card = RateCard.objects.get(organisation=rec.org, currency="EUR")
    actions.end_rate_card(actor=rec.coordinator, card=card, valid_until=timezone.localdate())
    actions.create_rate_card(
        actor=rec.coordinator,
        organisation=rec.org,
        currency="EUR",
        fee_per_session="999",
        valid_from=timezone.localdate() + timedelta(days=1),
    )
    assert SessionLog.objects.get(pk=log.pk).amount == log.amount


def test_an_adjustment_points_at_the_original_and_lands_on_the_next_open_statement(rec, world):
    paid_log = world.objects["log_paid"]
    paid_log.refresh_from_db()
    adjustment = actions.add_adjustment(
        actor=rec.coordinator, log=paid_log, amount="-10.50", reason="Ended early."
    )
    line = adjustment.statement_line
    assert adjustment.log_id == paid_log.pk
    assert not line.statement.closed and line.amount == Decimal("-10.50")
    assert line.statement.pk != paid_log.statement_line.statement_id
    paid_log.refresh_from_db()
    assert paid_log.state == "paid"


def test_adjustment_needs_a_reason_and_a_number(rec, world):
    log = world.objects["log_approved"]
    assert_refused(
        lambda: actions.add_adjustment(actor=rec.coordinator, log=log, amount="5", reason=""),
        "reason_required",
    )
    assert_refused(
        lambda: actions.add_adjustment(actor=rec.coordinator, log=log, amount="x", reason="r"),
        "not_a_number",
    )
    assert_refused(
        lambda: actions.add_adjustment(actor=rec.tutor, log=log, amount="5", reason="r"),
        exception=PermissionDenied,
    )


def test_a_statement_is_paid_only_once_its_period_is_closed(rec, world):
    statement = world.objects["statement_open"]
    assert_refused(
        lambda: actions.mark_statement_paid(actor=rec.coordinator, statement=statement),
        "statement_open",
    )


def test_errors_are_translated(rec):
    from django.utils.translation import gettext

    start, end = times(10)
    for language in ("fi", "ar", "en"):
        with translation.override(language), pytest.raises(ValidationError) as caught:
            rec.log(start=end, end=start)
        with translation.override(language):
            assert caught.value.messages == [gettext("The session must end after it starts.")]

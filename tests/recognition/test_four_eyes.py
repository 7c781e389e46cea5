"""No single person makes money alone: one actor holding several accounts.

A coordinator who invites a tutor and a counsellor, signs both up, logs as
the one and confirms as the other must not be able to approve the result;
every route to money (confirm, approve, bulk approve, adjust, close, pay)
is tried.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from tandem.accounts.models import OrganisationRole, User
from tandem.recognition import actions
from tandem.recognition.models import SessionLog, Statement, StatementLine
from tandem.spaces import actions as space_actions
from tandem.spaces.models import Membership, Role

from .conftest import times


def sign_up(world, *, role, inviter, username):
    invitation = space_actions.create_invitation(
        actor=inviter, space=world.spaces["group_a"], role=role
    )
    return space_actions.join_as_new_person(
        invitation=invitation, username=username, password="a long enough password 1"
    )


@pytest.fixture
def ghosts(world):
    """The attack: one coordinator's own tutor and counsellor, and a confirmed 12-hour log."""
    coordinator = world.people["coordinator"]
    tutor = sign_up(world, role=Role.TUTOR, inviter=coordinator, username="ghost-tutor")
    counsellor = sign_up(
        world, role=Role.COUNSELLOR, inviter=coordinator, username="ghost-counsellor"
    )
    start, end = times(days_ago=6, hour=6, hours=12)
    log = actions.create_log(
        actor=tutor,
        space=world.spaces["group_a"],
        counsellor=counsellor,
        start=start,
        end=end,
        preparation_minutes=600,
    )
    actions.submit_log(actor=tutor, log=log)
    actions.confirm_log(actor=counsellor, log=log)
    log.refresh_from_db()
    return tutor, counsellor, log


def second_coordinator(world):
    second = User.objects.create_user(username="coordinator2", display_name="Second Coordinator")
    OrganisationRole.objects.create(organisation=world.orgs["a"], user=second, role="coordinator")
    return second


def codes(error):
    return {e.code for e in error.value.error_list}


def no_money_for(tutor):
    assert not StatementLine.objects.filter(statement__tutor=tutor).exists()
    assert not SessionLog.objects.filter(tutor=tutor, state__in=["approved", "paid"]).exists()


def test_one_coordinator_cannot_pay_a_tutor_who_does_not_exist(world, ghosts):
    tutor, _counsellor, log = ghosts
    with pytest.raises(ValidationError) as error:
        actions.approve_log(actor=world.people["coordinator"], log=log)
    assert codes(error) == {"needs_countersign"}
    text = " ".join(error.value.messages)
    assert "ghost-tutor" in text and "ghost-counsellor" in text
    assert "Another coordinator of Org A Helsinki or the operator" in text
    log.refresh_from_db()
    assert log.state == "confirmed" and log.amount is None
    no_money_for(tutor)


def test_the_membership_remembers_who_granted_the_role(world, ghosts):
    tutor, counsellor, _log = ghosts
    coordinator = world.people["coordinator"]
    assert Membership.objects.get(user=tutor).granted_by == coordinator
    assert Membership.objects.get(user=counsellor).granted_by == coordinator
    member = User.objects.create_user(username="added")
    added = space_actions.add_member(
        actor=coordinator, space=world.spaces["group_a"], user=member, role=Role.MEMBER
    )
    assert added.granted_by == coordinator


def test_bulk_approval_refuses_the_ghosts_log_and_says_who_can_countersign(
    world, ghosts, client_for
):
    tutor, _counsellor, log = ghosts
    client = client_for("coordinator")
    response = client.post(reverse("recognition:approve_bulk"), {"log": [log.pk]}, follow=True)
    page = response.content.decode()
    assert "Nobody but you has vouched for ghost-tutor" in page
    assert "or the operator must verify this role" in page
    no_money_for(tutor)


def test_the_single_approval_page_refuses_it_too(world, ghosts, client_for):
    tutor, _counsellor, log = ghosts
    response = client_for("coordinator").post(
        reverse("recognition:log_approve", args=[log.pk]), follow=True
    )
    assert "Nobody but you has vouched for ghost-counsellor" in response.content.decode()
    no_money_for(tutor)


def test_the_granter_cannot_verify_what_they_granted(world, ghosts):
    tutor, _counsellor, _log = ghosts
    membership = Membership.objects.get(user=tutor)
    with pytest.raises(PermissionDenied):
        space_actions.verify_membership(actor=world.people["coordinator"], membership=membership)
    for role in ("tutor", "counsellor", "member", "other_coordinator"):
        with pytest.raises(PermissionDenied):
            space_actions.verify_membership(actor=world.people[role], membership=membership)
    with pytest.raises(PermissionDenied):
        space_actions.verify_membership(actor=tutor, membership=membership)
    assert Membership.objects.get(user=tutor).verified_by is None


def test_a_second_coordinator_countersigns_and_then_the_first_may_approve(world, ghosts):
    tutor, counsellor, log = ghosts
    second = second_coordinator(world)
    space_actions.verify_membership(actor=second, membership=Membership.objects.get(user=tutor))
    with pytest.raises(ValidationError) as error:
        actions.approve_log(actor=world.people["coordinator"], log=log)
    assert "ghost-counsellor" in " ".join(error.value.messages)
    assert "ghost-tutor" not in " ".join(error.value.messages)
    space_actions.verify_membership(
        actor=second, membership=Membership.objects.get(user=counsellor)
    )
    log = actions.approve_log(actor=world.people["coordinator"], log=log)
    card = world.objects["rate_a"]
    assert log.amount == card.fee_per_session + card.fee_per_hour * 22


def test_a_second_coordinator_may_approve_on_the_first_ones_grant(world, ghosts):
    _tutor, _counsellor, log = ghosts
    assert actions.approve_log(actor=second_coordinator(world), log=log).state == "approved"


def test_with_one_coordinator_the_operator_countersigns(world, ghosts):
    tutor, counsellor, log = ghosts
    for person in (tutor, counsellor):
        space_actions.verify_membership(
            actor=world.people["staff"], membership=Membership.objects.get(user=person)
        )
    assert actions.approve_log(actor=world.people["coordinator"], log=log).state == "approved"


def test_a_counsellor_the_tutor_invited_cannot_confirm_the_tutors_work(world):
    coordinator = world.people["coordinator"]
    tutor = sign_up(world, role=Role.TUTOR, inviter=coordinator, username="ghost-tutor")
    counsellor = sign_up(world, role=Role.COUNSELLOR, inviter=tutor, username="ghost-counsellor")
    start, end = times(days_ago=6, hour=6, hours=12)
    log = actions.create_log(
        actor=tutor, space=world.spaces["group_a"], counsellor=counsellor, start=start, end=end
    )
    actions.submit_log(actor=tutor, log=log)
    with pytest.raises(ValidationError) as error:
        actions.confirm_log(actor=counsellor, log=log)
    assert error.value.code == "counsellor_not_vouched"
    assert SessionLog.objects.get(pk=log.pk).state == "submitted"
    # The coordinator verifies the counsellor: they may confirm, yet the same
    # coordinator still cannot approve, for they alone vouched for both.
    space_actions.verify_membership(
        actor=coordinator, membership=Membership.objects.get(user=counsellor)
    )
    actions.confirm_log(actor=counsellor, log=log)
    with pytest.raises(ValidationError) as error:
        actions.approve_log(actor=coordinator, log=log)
    assert codes(error) == {"needs_countersign"}
    no_money_for(tutor)


def test_a_tutor_removed_after_confirmation_is_not_paid_on_nobodys_word(world, ghosts):
    tutor, _counsellor, log = ghosts
    membership = Membership.objects.get(user=tutor)
    space_actions.remove_member(actor=world.people["coordinator"], membership=membership)
    with pytest.raises(ValidationError) as error:
        actions.approve_log(actor=world.people["coordinator"], log=log)
    assert "no longer" in " ".join(error.value.messages)
    no_money_for(tutor)


def test_a_role_changed_by_one_coordinator_needs_a_new_countersignature(world):
    second = second_coordinator(world)
    member = sign_up(world, role=Role.MEMBER, inviter=second, username="ghost-member")
    membership = Membership.objects.get(user=member)
    changed = space_actions.change_role(
        actor=world.people["coordinator"], membership=membership, role=Role.COUNSELLOR
    )
    assert changed.granted_by == world.people["coordinator"] and changed.verified_by is None
    verified = space_actions.verify_membership(actor=second, membership=changed)
    again = space_actions.change_role(
        actor=world.people["coordinator"], membership=verified, role=Role.TUTOR
    )
    assert again.verified_by is None and again.verified_at is None


def test_closing_and_paying_turn_no_ghost_work_into_money(world, ghosts):
    tutor, _counsellor, log = ghosts
    coordinator = world.people["coordinator"]
    with pytest.raises(ValidationError):
        actions.approve_log(actor=coordinator, log=log)
    period = actions._period_for(world.orgs["a"].pk, log.date, create=False)
    start, end = (period.start, period.end) if period else actions._month(log.date)
    actions.close_period(actor=coordinator, organisation=world.orgs["a"], start=start, end=end)
    open_statements = Statement.objects.filter(
        organisation=world.orgs["a"], closed=True, paid_at=None
    )
    for statement in open_statements:
        actions.mark_statement_paid(actor=coordinator, statement=statement)
    no_money_for(tutor)
    with pytest.raises(ValidationError):
        actions.approve_log(actor=coordinator, log=log)
    assert SessionLog.objects.get(pk=log.pk).state == "confirmed"


def test_a_coordinator_cannot_mark_their_own_statement_paid(world, rec):
    OrganisationRole.objects.filter(user=rec.tutor).delete()
    OrganisationRole.objects.create(organisation=rec.org, user=rec.tutor, role="coordinator")
    statement = world.objects["statement_open"]
    period = statement.period
    actions.close_period(
        actor=rec.coordinator, organisation=rec.org, start=period.start, end=period.end
    )
    statement.refresh_from_db()
    with pytest.raises(PermissionDenied):
        actions.mark_statement_paid(actor=rec.tutor, statement=statement)
    assert not Statement.objects.get(pk=statement.pk).is_paid
    actions.mark_statement_paid(actor=rec.coordinator, statement=statement)


def test_a_positive_adjustment_needs_the_tutors_role_vouched_for(world, rec):
    log = world.objects["log_approved"]
    # a role given before Tandem recorded who gave it: unknown, nobody vouched
    Membership.objects.filter(user=rec.tutor, space=rec.group).update(granted_by=None)
    with pytest.raises(ValidationError) as error:
        actions.add_adjustment(actor=rec.coordinator, log=log, amount="20.00", reason="Bonus.")
    assert codes(error) == {"needs_countersign"}
    # a correction downwards makes no money
    actions.add_adjustment(actor=rec.coordinator, log=log, amount="-5.00", reason="Ended early.")
    space_actions.verify_membership(
        actor=world.people["staff"],
        membership=Membership.objects.get(user=rec.tutor, space=rec.group),
    )
    actions.add_adjustment(actor=rec.coordinator, log=log, amount="5.00", reason="Back again.")


def test_unknown_granters_of_old_roles_wait_for_verification(world, rec):
    confirmed = rec.log(to="confirmed", days_ago=9)
    submitted = rec.log(to="submitted", days_ago=8)
    Membership.objects.filter(space=rec.group).update(granted_by=None)
    with pytest.raises(ValidationError) as error:
        actions.approve_log(actor=rec.coordinator, log=confirmed)
    assert codes(error) == {"needs_countersign"}
    with pytest.raises(ValidationError) as error:
        actions.confirm_log(actor=rec.counsellor, log=submitted)
    assert error.value.code == "counsellor_not_vouched"
    # one verification by the operator of each role, and both go on
    for membership in Membership.objects.filter(space=rec.group, role__in=["tutor", "counsellor"]):
        space_actions.verify_membership(actor=world.people["staff"], membership=membership)
    actions.confirm_log(actor=rec.counsellor, log=submitted)
    assert actions.approve_log(actor=rec.coordinator, log=confirmed).state == "approved"


def test_the_roles_page_lists_what_waits_and_verifies(world, ghosts, client_for):
    tutor, counsellor, _log = ghosts
    second = second_coordinator(world)
    url = reverse("recognition:roles_to_verify", args=[world.orgs["a"].pk])
    page = client_for("coordinator").get(url).content.decode()
    assert "ghost-tutor" in page and "Not by you" in page
    client = client_for("coordinator")
    client.force_login(second)
    page = client.get(url).content.decode()
    assert "Verify ghost-tutor" in page
    membership = Membership.objects.get(user=tutor)
    client.post(reverse("recognition:role_verify", args=[world.orgs["a"].pk, membership.pk]))
    membership.refresh_from_db()
    assert membership.verified_by == second and membership.verified_at <= timezone.now()
    assert "Verify ghost-tutor" not in client.get(url).content.decode()
    # the granter's own POST is refused and changes nothing
    other = Membership.objects.get(user=counsellor)
    client_for("coordinator").post(
        reverse("recognition:role_verify", args=[world.orgs["a"].pk, other.pk])
    )
    assert Membership.objects.get(pk=other.pk).verified_by is None


def test_the_roles_page_reads_in_constant_queries(world, client_for, django_assert_num_queries):
    client = client_for("staff")
    url = reverse("recognition:roles_to_verify", args=[world.orgs["a"].pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(12):
        sign_up(world, role=Role.TUTOR, inviter=world.people["coordinator"], username=f"t{number}")
    with django_assert_num_queries(len(few)):
        client.get(url)

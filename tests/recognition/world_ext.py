"""Session logs, rates and statements in the fixture world.

Organisation A: a rate card, a paid statement (last period, closed), an
approved log on an open statement, a submitted and a draft log, all the
tutor's. Organisation B: a second tutor and counsellor in group B with an
approved log at a rate no one outside B may see.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from tandem.accounts.models import User
from tandem.core.models import Notification
from tandem.recognition import actions
from tandem.spaces.models import Membership, Role

# Amounts whose figures must never show outside their tutor and organisation.
RATE_A = Decimal("41.37")
RATE_B = Decimal("977.13")


def session_times(days_ago, hour=16, hours=2):
    day = timezone.now() - timedelta(days=days_ago)
    start = day.replace(hour=hour, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=hours)


def _log(world, *, tutor, counsellor, space, days_ago, key, attendees=()):
    start, end = session_times(days_ago)
    owner = next(k for k, s in world.spaces.items() if s.pk == space.pk)
    log = actions.create_log(
        actor=tutor,
        space=space,
        counsellor=counsellor,
        start=start,
        end=end,
        preparation_minutes=30,
        attendees=attendees,
        topics=world.canary(owner, f"{key} topics"),
        methods=world.canary(owner, f"{key} methods"),
        notes=world.canary(owner, f"{key} notes"),
    )
    world.objects[key] = log
    return log


def _through(log, *, world, tutor, counsellor, coordinator, to):
    if to in ("submitted", "confirmed", "approved"):
        actions.submit_log(actor=tutor, log=log)
    if to in ("confirmed", "approved"):
        actions.confirm_log(actor=counsellor, log=log)
    if to == "approved":
        actions.approve_log(actor=coordinator, log=log)
    log.refresh_from_db()
    return log


def extend(world):
    people, spaces, orgs = world.people, world.spaces, world.orgs
    long_ago = timezone.localdate() - timedelta(days=3650)
    world.objects["rate_a"] = actions.create_rate_card(
        actor=people["coordinator"],
        organisation=orgs["a"],
        currency="EUR",
        fee_per_session=RATE_A,
        fee_per_hour=Decimal("20.00"),
        preparation_paid=True,
        valid_from=long_ago,
    )
    world.objects["rate_b"] = actions.create_rate_card(
        actor=people["other_coordinator"],
        organisation=orgs["b"],
        currency="EUR",
        fee_per_session=RATE_B,
        valid_from=long_ago,
    )
    a = {
        "world": world,
        "tutor": people["tutor"],
        "counsellor": people["counsellor"],
        "coordinator": people["coordinator"],
    }
    group_a = spaces["group_a"]
    member = [people["member"]]
    # Last period's log, paid.
    old = _log(
        world,
        tutor=a["tutor"],
        counsellor=a["counsellor"],
        space=group_a,
        days_ago=62,
        key="log_paid",
        attendees=member,
    )
    _through(old, to="approved", **a)
    period = old.statement_line.statement.period
    actions.close_period(
        actor=people["coordinator"], organisation=orgs["a"], start=period.start, end=period.end
    )
    world.objects["statement_paid"] = actions.mark_statement_paid(
        actor=people["coordinator"], statement=old.statement_line.statement
    )
    approved = _log(
        world,
        tutor=a["tutor"],
        counsellor=a["counsellor"],
        space=group_a,
        days_ago=2,
        key="log_approved",
        attendees=member,
    )
    _through(approved, to="approved", **a)
    world.objects["statement_open"] = approved.statement_line.statement
    # A large correction the coordinator proposed: it waits for a second coordinator.
    world.objects["adjustment_request"] = actions.request_adjustment(
        actor=people["coordinator"], log=approved, amount="60.00", reason="Two sessions in one."
    )
    world.objects["log_confirmed"] = _through(
        _log(
            world,
            tutor=a["tutor"],
            counsellor=a["counsellor"],
            space=group_a,
            days_ago=3,
            key="log_confirmed",
        ),
        to="confirmed",
        **a,
    )
    world.objects["log_submitted"] = _through(
        _log(
            world,
            tutor=a["tutor"],
            counsellor=a["counsellor"],
            space=group_a,
            days_ago=4,
            key="log_submitted",
        ),
        to="submitted",
        **a,
    )
    _log(
        world,
        tutor=a["tutor"],
        counsellor=a["counsellor"],
        space=group_a,
        days_ago=5,
        key="log_draft",
    )

    # Group B gets its own co-leads, who are none of the matrix's roles.
    group_b = spaces["group_b"]
    tutor_b = User.objects.create_user(username="tutor_b", display_name="Tutor B")
    counsellor_b = User.objects.create_user(username="counsellor_b", display_name="Counsellor B")
    Membership.objects.bulk_create(
        [
            Membership(space=group_b, user=tutor_b, role=Role.TUTOR, granted_by=people["staff"]),
            Membership(
                space=group_b, user=counsellor_b, role=Role.COUNSELLOR, granted_by=people["staff"]
            ),
        ]
    )
    world.people_extra = {"tutor_b": tutor_b, "counsellor_b": counsellor_b}
    log_b = _log(
        world,
        tutor=tutor_b,
        counsellor=counsellor_b,
        space=group_b,
        days_ago=2,
        key="log_b",
        attendees=[people["outsider"]],
    )
    _through(
        log_b,
        world=world,
        tutor=tutor_b,
        counsellor=counsellor_b,
        coordinator=people["other_coordinator"],
        to="approved",
    )
    world.objects["statement_b"] = log_b.statement_line.statement
    # The notifications these made would only surprise other apps' tests.
    Notification.objects.filter(kind__startswith="recognition.").delete()

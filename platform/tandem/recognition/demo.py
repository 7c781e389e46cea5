"""Demo session logs: a rate card for the Finnish organisation and the group's past
Tuesday sessions in every state, one of them on a paid statement. Safe to run again.

The co-leads' roles, given by the first coordinator, are verified by the second
(four eyes), so the first can approve their logs."""

import datetime as dt
import zoneinfo
from decimal import Decimal

from django.utils import timezone

from tandem.spaces import actions as space_actions
from tandem.spaces.models import Membership, Role

from . import actions
from .models import RateCard, SessionLog

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")

# weeks ago -> the state the demo leaves that session's log in
SESSIONS = [(7, "paid"), (3, "approved"), (2, "confirmed"), (1, "submitted"), (0, "draft")]


def _tuesday(weeks_ago):
    today = timezone.now().astimezone(HELSINKI).date()
    day = today - dt.timedelta(days=(today.weekday() - 1) % 7 + 7 * weeks_ago)
    start = dt.datetime.combine(day, dt.time(17), tzinfo=HELSINKI)
    return start, start + dt.timedelta(hours=2)


def seed(demo):
    people, group, org = demo["people"], demo["group"], demo["orgs"]["FI"]
    tutor, counsellor, coordinator = people["tutor"], people["counsellor"], people["coordinator"]
    second = people.get("coordinator2")
    if second is not None:
        for membership in Membership.objects.filter(
            space=group, role__in=[Role.TUTOR, Role.COUNSELLOR], verified_by__isnull=True
        ).exclude(granted_by=second):
            space_actions.verify_membership(actor=second, membership=membership)
    if not RateCard.objects.filter(organisation=org).exists():
        actions.create_rate_card(
            actor=coordinator,
            organisation=org,
            currency="EUR",
            fee_per_session=Decimal("35.00"),
            fee_per_hour=Decimal("22.50"),
            preparation_paid=True,
            valid_from=dt.date(timezone.now().year - 1, 1, 1),
        )
    members = [people[name] for name in ("yusuf", "olena", "hodan", "reza", "elif")]
    for weeks_ago, state in SESSIONS:
        start, end = _tuesday(weeks_ago)
        if end > timezone.now() or SessionLog.objects.filter(tutor=tutor, start=start).exists():
            continue
        log = actions.create_log(
            actor=tutor,
            space=group,
            counsellor=counsellor,
            start=start,
            end=end,
            preparation_minutes=30,
            attendees=members[: 3 + weeks_ago % 3],
            topics="CV and cover letter; how to call an employer",
            methods="Pair work, role play of a phone call",
            notes="Two members want a language course next month.",
        )
        if state == "draft":
            continue
        actions.submit_log(actor=tutor, log=log)
        if state == "submitted":
            continue
        actions.confirm_log(actor=counsellor, log=log)
        if state == "confirmed":
            continue
        log = actions.approve_log(actor=coordinator, log=log)
        if state == "paid":
            statement = log.statement_line.statement
            period = statement.period
            if not period.is_closed:
                actions.close_period(
                    actor=coordinator, organisation=org, start=period.start, end=period.end
                )
            statement.refresh_from_db()
            actions.mark_statement_paid(actor=coordinator, statement=statement)

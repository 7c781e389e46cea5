"""Who may open each page and download of session logs, rates and statements.

The world (tests/recognition/world_ext.py) gives group A's tutor logs in
every state, a paid and an open statement, and organisation B a log of its
own tutor at a rate only B's coordinator may see.
"""

from . import SIGNED_IN, Route, expect

COORDINATOR = {"coordinator"}
COORDINATORS = {"coordinator", "other_coordinator"}
COUNSELLORS = {"counsellor"}
LOG_READERS = {"tutor", "counsellor", "coordinator"}
STATEMENT_READERS = {"tutor", "coordinator"}
POST_ONLY = expect(set(), others=405, anonymous="login")


def log(key):
    return lambda world: {"log_id": world.objects[key].pk}


def statement(key):
    return lambda world: {"statement_id": world.objects[key].pk}


def org_a(world):
    return {"organisation_id": world.orgs["a"].pk}


ROUTES = {
    "recognition:my_sessions": Route(get=expect(SIGNED_IN)),
    "recognition:to_confirm": Route(
        get=expect(COUNSELLORS), why="only those who co-lead a group as counsellor"
    ),
    "recognition:to_approve": Route(
        get=expect(COORDINATORS), why="only coordinators of an organisation"
    ),
    "recognition:approve_review": Route(
        get=POST_ONLY,
        post=expect(SIGNED_IN, ok_status="redirect", coordinator=200),
        post_data=lambda world: {"log": [world.objects["log_confirmed"].pk]},
        why="others have nothing of it in their queue: back to the queue",
    ),
    "recognition:approve_bulk": Route(
        get=POST_ONLY,
        post=expect(SIGNED_IN, ok_status="redirect"),
        post_data=lambda world: {"log": [world.objects["log_confirmed"].pk]},
    ),
    "recognition:log_detail": Route(kwargs=log("log_submitted"), get=expect(LOG_READERS)),
    "recognition:log_edit": Route(
        kwargs=log("log_draft"),
        get=expect({"tutor"}),
        post=expect({"tutor"}),
        post_data=lambda world: {"date": "not a date"},
    ),
    "recognition:log_submit": Route(
        kwargs=log("log_draft"),
        get=POST_ONLY,
        post=expect(LOG_READERS, ok_status="redirect"),
        why="counsellor and coordinator see the log and are told they cannot submit it",
    ),
    "recognition:log_confirm": Route(
        kwargs=log("log_submitted"),
        get=POST_ONLY,
        post=expect(LOG_READERS, ok_status="redirect"),
    ),
    "recognition:log_approve": Route(
        kwargs=log("log_confirmed"),
        get=POST_ONLY,
        post=expect(LOG_READERS, ok_status="redirect"),
    ),
    "recognition:log_return": Route(
        kwargs=log("log_submitted"),
        get=POST_ONLY,
        post=expect(LOG_READERS, ok_status="redirect"),
        post_data=lambda world: {"reason": "Add the members present."},
    ),
    "recognition:log_adjust": Route(
        kwargs=log("log_approved"),
        get=expect(COORDINATOR),
        post=expect(COORDINATOR, ok_status="redirect"),
        post_data=lambda world: {
            "amount": "-5.00",
            "reason": "Ended 15 minutes early.",
            "confirm": "yes",
        },
    ),
    "recognition:adjustment_approve": Route(
        kwargs=lambda world: {"request_id": world.objects["adjustment_request"].pk},
        get=POST_ONLY,
        post=expect(COORDINATOR, ok_status="redirect"),
        why="the coordinator proposed it: told that another coordinator must approve it",
    ),
    "recognition:log_new": Route(
        kwargs=lambda world: {"space_id": world.spaces["group_a"].pk},
        get=expect({"tutor"}),
        post=expect({"tutor"}),
        post_data=lambda world: {"date": ""},
    ),
    "recognition:my_statements": Route(get=expect(SIGNED_IN)),
    "recognition:statement_detail": Route(
        kwargs=statement("statement_open"), get=expect(STATEMENT_READERS)
    ),
    "recognition:statement_csv": Route(
        kwargs=statement("statement_paid"), get=expect(STATEMENT_READERS)
    ),
    "recognition:statement_pdf": Route(
        kwargs=statement("statement_paid"), get=expect(STATEMENT_READERS)
    ),
    "recognition:statement_paid": Route(
        kwargs=statement("statement_open"),
        get=POST_ONLY,
        post=expect(COORDINATOR, ok_status="redirect"),
        why="an open statement: the coordinator is told to close the period first",
    ),
    "recognition:organisation": Route(kwargs=org_a, get=expect(COORDINATOR)),
    "recognition:organisation_statements": Route(kwargs=org_a, get=expect(COORDINATOR)),
    "recognition:period_open": Route(
        kwargs=org_a,
        get=POST_ONLY,
        post=expect(COORDINATOR, ok_status="redirect"),
        post_data=lambda world: {"open-start": "2091-01-01", "open-end": "2091-01-14"},
    ),
    "recognition:period_close": Route(
        kwargs=org_a,
        get=POST_ONLY,
        post=expect(COORDINATOR, ok_status="redirect"),
        post_data=lambda world: {"close-start": "2090-01-01", "close-end": "2090-01-31"},
    ),
    "recognition:roles_to_verify": Route(
        kwargs=org_a,
        get=expect(COORDINATOR | {"staff"}),
        reveals=frozenset({"group_a"}),
        why="the operator verifies co-leads' roles and sees the groups' names to do it",
    ),
    "recognition:role_verify": Route(
        kwargs=lambda world: {
            "organisation_id": world.orgs["a"].pk,
            "membership_id": world.spaces["group_a"].memberships.get(user=world.people["tutor"]).pk,
        },
        get=POST_ONLY,
        post=expect(COORDINATOR | {"staff"}, ok_status="redirect"),
        why="the operator granted the tutor's role in the world: told it cannot verify it",
    ),
    "recognition:rates": Route(
        kwargs=org_a,
        get=expect(COORDINATOR),
        post=expect(COORDINATOR, ok_status="redirect"),
        post_data=lambda world: {
            "currency": "SEK",
            "fee_per_session": "300",
            "valid_from": "2020-01-01",
        },
    ),
    "recognition:rate_end": Route(
        kwargs=lambda world: {"card_id": world.objects["rate_a"].pk},
        get=POST_ONLY,
        post=expect(COORDINATOR, ok_status="redirect"),
        post_data=lambda world: {"valid_until": "2099-12-31"},
    ),
}

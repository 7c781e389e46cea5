from tandem.meetings.recurrence import key_of

from . import ALL, GROUP_A, GROUP_A_LEADS, SIGNED_IN, Route, expect

VIEWERS = GROUP_A | {"coordinator"}
ORGANISERS = GROUP_A_LEADS | {"coordinator"}
# The organisation's coordinator schedules and sees attendance, but does not
# answer or check in: they are not a member of the group.
TAKING_PART = GROUP_A


def space(world):
    return {"space_id": world.spaces["group_a"].pk}


def meeting(world):
    return {"space_id": world.spaces["group_a"].pk, "meeting_id": world.objects["meeting_a"].pk}


def agenda_item(world):
    m = world.objects["meeting_a"]
    return {**meeting(world), "item_id": m.agenda.first().pk}


def first(world):
    return {"on": key_of(world.objects["meeting_a"].start)}


def new_meeting(world):
    return {
        "title": "Kallio session",
        "kind": "session",
        "start": "2030-01-08T10:00",
        "end": "2030-01-08T12:00",
        "time_zone": "Europe/Helsinki",
    }


POST_ONLY = expect(set(), others=405, anonymous="login")

ROUTES = {
    "meetings:mine": Route(get=expect(SIGNED_IN)),
    "meetings:feeds": Route(
        get=expect(SIGNED_IN),
        post=expect(SIGNED_IN, ok_status="redirect"),
        post_data=lambda world: {"do": "renew"},
    ),
    "meetings:feed": Route(
        kwargs=lambda world: {"token": world.objects["feed_member"].token},
        get=expect(ALL),
        why="a feed URL's secret token is its only key: calendar programs cannot sign in",
        reveals=frozenset({"group_a"}),
    ),
    "meetings:calendar": Route(kwargs=space, get=expect(VIEWERS)),
    "meetings:create": Route(
        kwargs=space,
        get=expect(ORGANISERS),
        post=expect(ORGANISERS, ok_status="redirect"),
        post_data=new_meeting,
    ),
    "meetings:import": Route(
        kwargs=space,
        get=expect(ORGANISERS),
        post=expect(ORGANISERS),
        why="a POST without a file shows the form again with its error",
    ),
    "meetings:import_confirm": Route(
        kwargs=lambda world: {**space(world), "import_id": world.objects["import_a"].pk},
        get=expect({"tutor"}),
        post=expect({"tutor"}, ok_status="redirect"),
        why="a checked file waits for the person who uploaded it",
    ),
    "meetings:detail": Route(kwargs=meeting, get=expect(VIEWERS)),
    "meetings:edit": Route(
        kwargs=meeting,
        get=expect(ORGANISERS),
        post=expect(ORGANISERS, ok_status="redirect"),
        post_data=new_meeting,
    ),
    "meetings:move": Route(
        kwargs=meeting,
        get=expect(ORGANISERS),
        post=expect(ORGANISERS, ok_status="redirect"),
        post_data=lambda world: {
            **first(world),
            "start": "2030-01-08T10:00",
            "end": "2030-01-08T12:00",
        },
    ),
    "meetings:cancel": Route(
        kwargs=meeting,
        get=POST_ONLY,
        post=expect(ORGANISERS, ok_status="redirect"),
        post_data=first,
    ),
    "meetings:rsvp": Route(
        kwargs=meeting,
        get=POST_ONLY,
        post=expect(TAKING_PART, ok_status="redirect"),
        post_data=lambda world: {**first(world), "answer": "yes"},
    ),
    "meetings:agenda_add": Route(
        kwargs=meeting,
        get=POST_ONLY,
        post=expect(ORGANISERS, ok_status="redirect"),
        post_data=lambda world: {"title": "Café", "kind": "learning_cafe"},
    ),
    "meetings:agenda_remove": Route(
        kwargs=agenda_item,
        get=POST_ONLY,
        post=expect(ORGANISERS, ok_status="redirect"),
    ),
    "meetings:check_in": Route(
        kwargs=meeting,
        get=expect(TAKING_PART),
        post=expect(TAKING_PART),
        why="the world's session is days away: the code is refused and the form shown again",
        post_data=lambda world: {
            **first(world),
            "code": world.objects["meeting_a"].occurrences.get().check_in_code,
        },
    ),
    "meetings:check_in_qr": Route(kwargs=meeting, get=expect(ORGANISERS)),
    "meetings:attendance": Route(
        kwargs=meeting,
        get=expect(ORGANISERS),
        post=expect(ORGANISERS, ok_status="redirect"),
        post_data=lambda world: {**first(world), "present": [world.people["member"].pk]},
    ),
    "meetings:attendance_csv": Route(kwargs=meeting, get=expect(ORGANISERS)),
    "meetings:close": Route(
        kwargs=meeting,
        get=POST_ONLY,
        post=expect(ORGANISERS, ok_status="redirect"),
        post_data=lambda world: {**first(world), "minutes": "Short"},
    ),
    "meetings:ics": Route(kwargs=meeting, get=expect(VIEWERS)),
}

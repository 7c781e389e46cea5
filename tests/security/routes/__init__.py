"""Who may open each URL of the project.

One module per app, each with ``ROUTES = {url_name: Route(...)}``. The
matrix test fails for any URL pattern that no module lists, so a new page
cannot be added without deciding who may see it.
"""

from dataclasses import dataclass, field

ALL = {
    "anonymous",
    "outsider",
    "member",
    "tutor",
    "counsellor",
    "participant",
    "facilitator",
    "coordinator",
    "other_coordinator",
    "staff",
}
SIGNED_IN = ALL - {"anonymous"}
GROUP_A = {"member", "tutor", "counsellor"}
GROUP_A_LEADS = {"tutor", "counsellor"}
PRACTICE = {"participant", "facilitator"}


def expect(ok, *, ok_status=200, others="denied", anonymous="login", **special):
    """Map every role to an outcome: ``ok`` roles get ``ok_status``."""
    outcome = {}
    for role in ALL:
        if role in special:
            outcome[role] = special[role]
        elif role in ok:
            outcome[role] = ok_status
        elif role == "anonymous":
            outcome[role] = anonymous
        else:
            outcome[role] = others
    return outcome


@dataclass
class Route:
    """``kwargs(world)`` builds the URL's arguments; ``get``/``post`` map role -> outcome.

    An outcome is a status code, "login" (redirect to sign-in), "denied"
    (403 or 404), "redirect" (any redirect but to sign-in) or "skip" (this
    method is not tried, with the reason in ``why``).
    """

    kwargs: object = None
    get: dict = field(default_factory=dict)
    post: dict = field(default_factory=dict)
    post_data: object = None
    why: str = ""
    # Spaces whose canaries this URL may show to anyone it answers (an
    # invitation shows the name of the space it is for).
    reveals: frozenset = frozenset()

from . import ALL, SIGNED_IN, Route, expect

ROUTES = {
    "dashboard": Route(get=expect(SIGNED_IN)),
    "healthz": Route(get=expect(ALL)),
    "notifications": Route(get=expect(SIGNED_IN)),
    "notifications_read": Route(
        get=expect(set(), others=405, anonymous="login"),
        post=expect(SIGNED_IN, ok_status="redirect"),
    ),
    "set_language": Route(
        get=expect(ALL, ok_status=405),
        post=expect(ALL, ok_status="redirect"),
        post_data=lambda world: {"language": "fi", "next": "/"},
    ),
}

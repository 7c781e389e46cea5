from . import ALL, SIGNED_IN, Route, expect

PUBLIC = expect(ALL, ok_status="any")

ROUTES = {
    "accounts:profile": Route(get=expect(SIGNED_IN)),
}
# django-allauth's own pages: public (sign-in, sign-up, password reset) or
# for the signed-in person only; they never show anything of a space.
ALLAUTH_PUBLIC = [
    "account_signup",
    "account_login",
    "account_logout",
    "account_inactive",
    "account_email_verification_sent",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    "account_confirm_email",
    "account_reset_password_from_key",
    "account_request_login_code",
    "account_confirm_login_code",
    "account_confirm_password_reset_code",
    "account_request_password_reset_code",
    "account_complete_password_reset",
]
ALLAUTH_PRIVATE = [
    "account_change_password",
    "account_set_password",
    "account_email",
    "account_reauthenticate",
    "account_request_reauthentication_code",
    "account_confirm_reauthentication_code",
]

ARGS = {"key": "abc", "uidb36": "1", "token": "abc"}
for name in ALLAUTH_PUBLIC:
    ROUTES[name] = Route(kwargs=ARGS, get=PUBLIC, post=PUBLIC, post_data=lambda w: {})
for name in ALLAUTH_PRIVATE:
    ROUTES[name] = Route(kwargs=ARGS, get=expect(SIGNED_IN, ok_status="any"))

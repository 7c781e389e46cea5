from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit as allauth_ratelimit
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tandem.core import mail, ratelimit

# One neutral answer for a username that is taken or reserved (see
# accounts.forms.SignupForm for why a username cannot be hidden at sign-up).
USERNAME_UNAVAILABLE = _("This username is not available. Please choose another.")


class AccountAdapter(DefaultAccountAdapter):
    """Tandem's rules for django-allauth's sign-up and sign-in.

    Failed sign-ins are limited per (account, address) and, much higher, per
    account: someone guessing a person's password from one address slows only
    themself (``login_failed`` "5/5m/key" counts that pair), while the
    account-wide ceiling (``login_failed_account``), which one address cannot
    reach at the per-pair pace, still stops a guess spread over many.
    """

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_taken": USERNAME_UNAVAILABLE,
        "username_blacklisted": USERNAME_UNAVAILABLE,
    }

    def is_open_for_signup(self, request):
        return getattr(settings, "TANDEM_OPEN_SIGNUP", True)

    def format_email_subject(self, subject):
        return mail.subject_line(super().format_email_subject(subject))

    def get_client_ip(self, request):
        return ratelimit.client_ip(request)

    def _login(self, credentials):
        return credentials.get("email", credentials.get("username", "")).lower()

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth's one key for the failed sign-ins of an account ("key" rates),
        # made per address too; a successful password reset clears it as before.
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}@{ratelimit.client_ip(request)}"

    def pre_authenticate(self, request, **credentials):
        super().pre_authenticate(request, **credentials)
        if not allauth_ratelimit.consume(
            request, action="login_failed_account", key=self._login(credentials), dry_run=True
        ):
            raise self.validation_error("too_many_login_attempts")

    def authentication_failed(self, request, **credentials):
        allauth_ratelimit.consume(
            request, action="login_failed_account", key=self._login(credentials)
        )

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from tandem.core import mail


class AccountAdapter(DefaultAccountAdapter):
    """Tandem's rules for django-allauth's sign-up and sign-in."""

    def is_open_for_signup(self, request):
        return getattr(settings, "TANDEM_OPEN_SIGNUP", True)

    def format_email_subject(self, subject):
        return mail.subject_line(super().format_email_subject(subject))

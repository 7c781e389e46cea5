import zoneinfo

from allauth.account import app_settings as allauth_settings
from allauth.account import forms as allauth_forms
from allauth.account.internal.flows import signup as signup_flow
from allauth.account.internal.flows.login import perform_login
from allauth.account.internal.userkit import filter_users_by_email
from allauth.account.models import Login
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LanguageSkill, User

TIME_ZONES = sorted(
    z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith("Etc/")
)


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"), choices=[(z, z.replace("_", " ")) for z in TIME_ZONES]
    )

    class Meta:
        model = User
        fields = ["display_name", "interface_language", "time_zone", "country", "email_digest"]


class LanguageSkillForm(forms.Form):
    language = forms.CharField(label=_("Language"), max_length=40, required=False)
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[("", "—"), *LanguageSkill.Level.choices],
        required=False,
    )


LanguageSkillFormSet = forms.formset_factory(LanguageSkillForm, extra=2, max_num=12)


class SignupForm(allauth_forms.SignupForm):
    """Sign-up that answers the same whether or not an e-mail address is known.

    With an e-mail address, every sign-up ends on the "check your e-mail" page:
    a new address gets its confirmation link, a known one a note that it already
    has an account and how to reset its password (allauth's enumeration guard,
    which allauth itself applies only when verification is mandatory). The new
    account is made but not signed in, exactly as the known address's answer.
    Without an address (many members have none) the person is signed in at once.

    Usernames cannot be hidden the same way: a person choosing one must be told
    it is not available, and members without e-mail have no other channel for
    that answer. A username alone opens nothing (sign-ins are limited per account
    and address) and sign-up tries are limited per address; the message is one
    neutral wording for a taken or a reserved name, and never reveals an e-mail.
    """

    def validate_unique_email(self, value):
        self.account_already_exists = bool(filter_users_by_email(value))
        return value

    def try_save(self, request):
        email = self.cleaned_data.get("email")
        if not email:
            return super().try_save(request)
        mandatory = allauth_settings.EmailVerificationMethod.MANDATORY
        if self.account_already_exists:
            login = Login(user=None, email=email, signup=True, email_verification=mandatory)
            return None, perform_login(request, login)
        user = self.save(request)
        return user, signup_flow.complete_signup(request, user=user, email_verification=mandatory)

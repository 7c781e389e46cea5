import zoneinfo

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

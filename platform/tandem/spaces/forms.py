from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PEER_GROUP_ROLES, PRACTITIONER_ROLES, Role, Space


def role_choices(space):
    roles = PEER_GROUP_ROLES if space.is_peer_group else PRACTITIONER_ROLES
    return [(r.value, Role(r).label) for r in roles]


class InvitationForm(forms.Form):
    role = forms.ChoiceField(label=_("They join as"))
    max_uses = forms.IntegerField(
        label=_("How many people may join with it"), min_value=1, max_value=500, initial=30
    )

    def __init__(self, *args, space, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(space)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, space, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(space)


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The code has 8 letters and numbers. Spaces and dashes do not matter."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class NewPersonForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name, as others see it"), max_length=80, required=False
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("You sign in with it. Letters, numbers and @ . + - _ only."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords are not the same."))
        return data


class SpaceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("You can use **bold**, *italics*, lists and links."),
    )
    rules = forms.CharField(
        label=_("Group rules"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to new members before their first message."),
    )


class NewSpaceForm(SpaceForm):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Space.Kind.choices)
    field_order = ["organisation", "kind", "name", "description", "rules"]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

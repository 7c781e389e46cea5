import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import AgendaItem, Meeting, Rsvp


class WallClockField(forms.DateTimeField):
    """A date and time as written, in no zone yet: the meeting's zone is applied later."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        text = str(value).strip().replace(" ", "T")
        try:
            return dt.datetime.fromisoformat(text).replace(tzinfo=None, second=0, microsecond=0)
        except ValueError:
            raise ValidationError(_("Enter a date and time."), code="invalid") from None

    def prepare_value(self, value):
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    kind = forms.ChoiceField(label=_("Kind"), choices=Meeting.Kind.choices)
    start = WallClockField(label=_("Starts"))
    end = WallClockField(label=_("Ends"))
    time_zone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        help_text=_("The time zone of the place where the meeting is, such as Europe/Helsinki."),
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off", "dir": "ltr"}),
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    online_link = forms.CharField(
        label=_("Online link"),
        max_length=500,
        required=False,
        widget=forms.URLInput(attrs={"dir": "ltr"}),
    )
    languages = forms.CharField(
        label=_("Languages"),
        max_length=200,
        required=False,
        help_text=_("The languages spoken at the meeting, separated by commas."),
    )
    capacity = forms.IntegerField(
        label=_("Places"), required=False, min_value=1, help_text=_("Leave empty for no limit.")
    )
    repeat = forms.ChoiceField(label=_("Repeats"), choices=Meeting.Repeat.choices, required=False)
    repeat_until = forms.DateField(
        label=_("Repeat until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    repeat_count = forms.IntegerField(label=_("Or a number of times"), required=False, min_value=1)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("You can use *italics*, **bold**, lists and links."),
    )


class MoveForm(forms.Form):
    start = WallClockField(label=_("New start"))
    end = WallClockField(label=_("New end"))


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Are you coming?"), choices=Rsvp.Answer.choices, widget=forms.RadioSelect
    )
    interpreter = forms.BooleanField(label=_("I need an interpreter"), required=False)
    interpreter_language = forms.CharField(
        label=_("Interpreter for which language?"), max_length=60, required=False
    )
    childcare = forms.BooleanField(label=_("I need childcare"), required=False)
    accessibility = forms.CharField(
        label=_("Accessibility: what helps you take part?"), max_length=300, required=False
    )
    other_needs = forms.CharField(label=_("Anything else"), max_length=300, required=False)


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "dir": "ltr"}
        ),
    )


class CloseForm(forms.Form):
    minutes = forms.CharField(
        label=_("Short minutes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attendee_count = forms.IntegerField(
        label=_("How many people came"),
        required=False,
        min_value=0,
        max_value=10000,
        help_text=_("Leave empty to use the number of check-ins."),
    )


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=160)
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaItem.Kind.choices)
    start = WallClockField(label=_("Starts"))
    end = WallClockField(label=_("Ends"))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Calendar file (.ics)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".ics,text/calendar"}),
    )


class PreferenceForm(forms.Form):
    reminders = forms.BooleanField(label=_("Remind me of meetings I said yes to"), required=False)
    email_reminders = forms.BooleanField(
        label=_("Also by e-mail, when I have an address"), required=False
    )


def add_errors(form, error):
    """Put an action's ValidationError on the form's fields (or the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)

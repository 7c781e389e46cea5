import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem.spaces.models import Membership, Role

from .models import CURRENCIES, MAX_PREPARATION_MINUTES


class DateInput(forms.DateInput):
    """A native date picker: its value is always ISO 8601, whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class SessionLogForm(forms.Form):
    """When, how long, with whom: times are read in the person's own time zone."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(
        label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label=_("End time"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("Or give the duration below."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=1, max_value=24 * 60
    )
    meeting = forms.IntegerField(required=False, widget=forms.HiddenInput)
    occurrence = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    counsellor = PersonChoiceField(label=_("Co-leading counsellor"), queryset=None)
    attendees = PeopleChoiceField(
        label=_("Members present"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preparation_minutes = forms.IntegerField(
        label=_("Preparation (minutes)"),
        min_value=0,
        max_value=MAX_PREPARATION_MINUTES,
        initial=0,
        required=False,
    )
    topics = forms.CharField(
        label=_("Topics"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    methods = forms.CharField(
        label=_("Methods"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    notes = forms.CharField(
        label=_("Short notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )

    def __init__(self, *args, space, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        people = get_user_model().objects.order_by("display_name", "username")
        self.fields["counsellor"].queryset = people.filter(
            memberships__space=space, memberships__role=Role.COUNSELLOR
        )
        self.fields["attendees"].queryset = people.filter(
            pk__in=Membership.objects.filter(space=space, role=Role.MEMBER).values("user_id")
        )
        if not self.is_bound and not self.initial.get("counsellor"):
            counsellors = list(self.fields["counsellor"].queryset.values_list("pk", flat=True)[:2])
            if len(counsellors) == 1:  # the group's only counsellor co-led it
                self.initial["counsellor"] = counsellors[0]

    def clean(self):
        data = super().clean()
        day, start_time = data.get("date"), data.get("start_time")
        end_time, duration = data.get("end_time"), data.get("duration_minutes")
        if day is None or start_time is None:
            return data
        if end_time is None and not duration:
            raise forms.ValidationError(
                _("Give the end time or the duration."), code="end_required"
            )
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(day, start_time, tzinfo=zone)
        if end_time is not None:
            end = datetime.datetime.combine(day, end_time, tzinfo=zone)
        else:
            end = start + datetime.timedelta(minutes=duration)
        data["start"], data["end"] = start, end
        data["preparation_minutes"] = data.get("preparation_minutes") or 0
        return data

    @classmethod
    def initial_for(cls, log):
        start = timezone.localtime(log.start)
        end = timezone.localtime(log.end)
        return {
            "date": start.date(),
            "start_time": start.time().replace(second=0, microsecond=0),
            "end_time": end.time().replace(second=0, microsecond=0),
            "counsellor": log.counsellor_id,
            "attendees": [a.pk for a in log.attendees.all()],
            "preparation_minutes": log.preparation_minutes,
            "topics": log.topics,
            "methods": log.methods,
            "notes": log.notes,
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it goes back"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RateCardForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCIES, initial="EUR")
    fee_per_session = forms.DecimalField(
        label=_("Fee per session"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    fee_per_hour = forms.DecimalField(
        label=_("Fee per hour"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    preparation_paid = forms.BooleanField(label=_("Preparation time is paid"), required=False)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput())
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty while it is in force."),
    )


class EndRateForm(forms.Form):
    """A card's last day and, optionally, the fees of the card that follows it."""

    valid_until = forms.DateField(label=_("Last day"), widget=DateInput())
    fee_per_session = forms.DecimalField(
        label=_("Next card: fee per session"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
    )
    fee_per_hour = forms.DecimalField(
        label=_("Next card: fee per hour"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
    )
    preparation_paid = forms.BooleanField(
        label=_("Next card: preparation time is paid"), required=False
    )

    def successor(self):
        data = self.cleaned_data
        if data.get("fee_per_session") is None and data.get("fee_per_hour") is None:
            return None
        return {
            "fee_per_session": data.get("fee_per_session"),
            "fee_per_hour": data.get("fee_per_hour"),
            "preparation_paid": data.get("preparation_paid", False),
        }


class RangeForm(forms.Form):
    start = forms.DateField(label=_("First day"), widget=DateInput())
    end = forms.DateField(label=_("Last day"), widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(
                _("The last day must be on or after the first day."), code="period_reversed"
            )
        return data


class AdjustmentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Negative to take back, positive to add."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    reverses = forms.IntegerField(required=False, widget=forms.HiddenInput)

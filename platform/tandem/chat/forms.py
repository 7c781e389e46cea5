from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .actions import MAX_MUTE_HOURS


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        max_length=settings.TANDEM["MESSAGE_MAX_CHARS"],
    )
    client_id = forms.CharField(widget=forms.HiddenInput, max_length=64)
    reply_to = forms.IntegerField(widget=forms.HiddenInput, required=False)
    lang = forms.CharField(widget=forms.HiddenInput, required=False, max_length=16)


class EditForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
        max_length=settings.TANDEM["MESSAGE_MAX_CHARS"],
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this message? (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MuteForm(forms.Form):
    hours = forms.IntegerField(
        label=_("For how many hours? (0 lifts a pause)"),
        min_value=0,
        max_value=MAX_MUTE_HOURS,
        initial=24,
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Topic name"), max_length=80)

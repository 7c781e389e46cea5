"""Times of meetings: the meeting's own local time, and the viewer's beside it."""

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from tandem.meetings import recurrence

register = template.Library()


def _city(zone_name):
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")


@register.simple_tag
def meeting_time(value, zone_name, show_date=False):
    """“10:00 Helsinki · 09:00 your time”, or just “10:00” when both are the same."""
    if value is None:
        return ""
    viewer = timezone.localtime(value)
    local = value.astimezone(recurrence.zone(zone_name))
    iso = value.astimezone(recurrence.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    date_format = "D j M"

    def stamp(moment, with_date):
        time = formats.date_format(moment, "H:i")
        if with_date:
            return f"{formats.date_format(moment, date_format)} {time}"
        return time

    if viewer.replace(tzinfo=None) == local.replace(tzinfo=None):
        return format_html('<time datetime="{}">{}</time>', iso, stamp(viewer, show_date))
    return format_html(
        '<time datetime="{}">{} {}</time> · <span class="your-time">{}</span>',
        iso,
        stamp(local, show_date),
        _city(zone_name),
        _("%(time)s your time") % {"time": stamp(viewer, viewer.date() != local.date())},
    )


@register.filter
def occurrence_key(value):
    return recurrence.key_of(value)


@register.filter
def city(zone_name):
    return _city(zone_name or "")

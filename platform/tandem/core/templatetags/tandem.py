from django import template
from django.utils import timezone

from tandem.core.hooks import space_links

register = template.Library()


@register.simple_tag(takes_context=True)
def space_menu(context, space):
    """The space's menu: its home and members, then what each app adds."""
    return space_links(context["request"].user, space)


@register.filter
def local_time(value, zone):
    """A datetime in a given zone (a meeting's own, say)."""
    import zoneinfo

    if value is None:
        return ""
    try:
        return timezone.localtime(value, zoneinfo.ZoneInfo(zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return value


@register.filter
def machine_time(value):
    """A datetime for ``<time datetime>``: ISO 8601 to the second in the shown zone.

    Django's ``date:'c'`` keeps microseconds, which HTML allows only up to three digits of.
    """
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(microsecond=0).isoformat()

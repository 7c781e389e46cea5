from django import template
from django.utils import timezone

from tandem.core.hooks import space_links
from tandem.core.richtext import one_line

register = template.Library()


@register.simple_tag(takes_context=True)
def space_menu(context, space):
    """The space's menu: its home and members, then what each app adds."""
    return space_links(context["request"].user, space)


@register.simple_tag(takes_context=True)
def my_membership(context, space):
    """The signed-in person's membership in ``space`` (read with their roles, no query)."""
    from tandem.spaces.permissions import membership_in

    return membership_in(context["request"].user, space)


@register.simple_tag(takes_context=True)
def may(context, perm, space):
    from tandem.spaces.permissions import can

    return can(context["request"].user, perm, space)


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


@register.filter
def plain_text(value):
    """Text written with markup, as the words a reader sees (for quotes)."""
    return one_line(value)


@register.filter
def role_label(value):
    """A space role's name in the reader's language ("" for none)."""
    from tandem.spaces.models import Role

    return Role(value).label if value in Role.values else ""

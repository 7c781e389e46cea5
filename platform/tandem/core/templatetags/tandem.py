import re

from django import template
from django.utils import formats, timezone, translation
from django.utils.safestring import mark_safe

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


# The regions whose conventions Tandem's own formats follow, per language
# (``tandem/formats/``): English in Europe is ``en-150``.
INTL_REGIONS = {"en": "en-150"}


@register.simple_tag
def intl_locale():
    """The locale for the browser's ``Intl.DateTimeFormat``, matching the server's formats.

    The server writes Gregorian dates with Latin digits, on a 24-hour clock when
    the language's ``TIME_FORMAT`` uses one (``H``/``G``), so live times read the
    same as reloaded ones.
    """
    language = translation.get_language() or "en"
    clock = "h23" if set(formats.get_format("TIME_FORMAT", language)) & {"H", "G"} else "h12"
    return f"{INTL_REGIONS.get(language, language)}-u-ca-gregory-hc-{clock}-nu-latn"


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>")
_COLSPAN = re.compile(r"""\bcolspan\s*=\s*["']?(\d+)""")


def _label_cells(html):
    """Give each body cell a ``data-label``: its column's header text.

    Phones show each row as a card of "label: value" lines (``table.stacked`` in
    tandem.css); the header row is then hidden, so each cell names its column.
    A cell that spans every column (an empty list's row) and a totals row's heading
    get no label.
    """
    headers, out, pos = [], [], 0
    section, row, column, header_text = None, [], 0, None
    for tag in _TAG.finditer(html):
        closing, name, attrs = tag.group(1), tag.group(2).lower(), tag.group(3)
        if header_text is not None:
            header_text.append(html[pos : tag.start()])
        out.append(html[pos : tag.start()])
        pos = tag.end()
        text = tag.group(0)
        if name in {"thead", "tbody", "tfoot"}:
            section = None if closing else name
        elif name == "tr" and not closing:
            row, column = [], 0
        elif name in {"th", "td"} and not closing:
            span = int(_COLSPAN.search(attrs).group(1)) if _COLSPAN.search(attrs) else 1
            if section == "thead":
                header_text = []
                row.append(span)
            elif section == "tfoot" and name == "th":
                pass  # a totals row's own heading ("Total") names itself
            elif section in {"tbody", "tfoot"} and "data-label" not in attrs:
                label = " ".join(headers[column : column + span]).strip()
                if label and (span < len(headers) or len(headers) == 1):
                    escaped = label.replace('"', "&quot;")
                    text = f'<{name} data-label="{escaped}"{attrs}>'
            column += span
        elif name in {"th", "td"} and closing and section == "thead" and header_text is not None:
            words = _TAG.sub("", "".join(header_text)).split()
            headers.extend([" ".join(words)] + [""] * (row[-1] - 1))
            header_text = None
        elif name == "table" and not closing and "stacked" not in attrs:
            if "class=" in attrs:
                text = text.replace('class="', 'class="stacked ', 1)
            else:
                text = text.replace("<table", '<table class="stacked"', 1)
        out.append(text)
    out.append(html[pos:])
    return "".join(out)


class LabelledTableNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        return mark_safe(_label_cells(self.nodelist.render(context)))  # noqa: S308 (rendered by the template, escaped there)


@register.tag
def labelled_table(parser, token):
    """``{% labelled_table %}<table>…</table>{% endlabelled_table %}``: cards on phones."""
    nodelist = parser.parse(("endlabelled_table",))
    parser.delete_first_token()
    return LabelledTableNode(nodelist)

"""The one rich-text path: a small markdown subset, then bleach.

Everything people write that is shown as formatted text goes through
``render``, once, when it is written; the stored HTML is then safe to show.
"""

import bleach
from bleach.linkifier import DEFAULT_CALLBACKS
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "a", "ul", "ol", "li"})
ALLOWED_ATTRIBUTES = {"a": ["href", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"

_markdown = MarkdownIt("zero", {"breaks": True, "html": False, "linkify": False}).enable(
    ["emphasis", "link", "list", "newline", "paragraph"]
)


def _set_rel(attrs, new=False):
    attrs[(None, "rel")] = LINK_REL
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[],
)


def render(text):
    """Markdown subset to sanitised HTML; raw HTML in the input stays text."""
    html = _markdown.render(text or "")
    clean = _cleaner.clean(html)
    return bleach.linkify(
        clean, callbacks=[*DEFAULT_CALLBACKS, _set_rel], parse_email=False
    ).strip()

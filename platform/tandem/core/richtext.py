"""The one rich-text path: a small markdown subset, then bleach.

Everything people write that is shown as formatted text goes through
``render``, once, when it is written; the stored HTML is then safe to show.
"""

import threading
import unicodedata
from functools import partial
from html.parser import HTMLParser

import bleach
from bleach.linkifier import DEFAULT_CALLBACKS, LinkifyFilter
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


_local = threading.local()


def _cleaner():
    """This thread's cleaner (bleach's parser keeps state, so one per thread).

    It sanitises and then linkifies in the same pass over the HTML.
    """
    cleaner = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = bleach.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[
                partial(LinkifyFilter, callbacks=[*DEFAULT_CALLBACKS, _set_rel], parse_email=False)
            ],
        )
    return cleaner


def render(text):
    """Markdown subset to sanitised HTML; raw HTML in the input stays text."""
    return _cleaner().clean(_markdown.render(text or "")).strip()


class _TextOnly(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "p", "li"):
            self.parts.append(" ")


def to_plain_text(text):
    """What a reader sees of ``text``, without its markup: for quotes and excerpts."""
    parser = _TextOnly()
    parser.feed(_markdown.render(text or ""))
    parser.close()
    return " ".join("".join(parser.parts).split())


def is_blank(text):
    """True when ``text`` would show nothing: spaces, zero-width and control characters."""
    return all(ch.isspace() or unicodedata.category(ch) in ("Cf", "Zs", "Cc") for ch in text or "")

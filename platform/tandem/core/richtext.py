"""The one rich-text path: a small markdown subset, then bleach.

Everything people write that is shown as formatted text goes through
``render``, once, when it is written; the stored HTML is then safe to show.
"""

import html
import re
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


# "@name" (a username or a one-word display name) or "@[Display Name]" (any name).
MENTION_RE = re.compile(r"(?<![\w@])@(\[[^\]\n<>@]{1,80}\]|[\w][\w.-]{0,149})")
_TAG_RE = re.compile(r"(<[^>]*>)")


def mention_token(raw):
    """How a mention is compared: "@[Amina Tutor]" and "@amina." both to plain lower words."""
    raw = raw.strip("[]") if raw.startswith("[") else raw.rstrip(".-")
    return " ".join(raw.split()).casefold()


def _highlight(safe_html, mentions):
    """Wrap the mentions that named someone in the sanitised HTML (text, never inside links)."""
    parts = _TAG_RE.split(safe_html)
    in_link = 0
    for i, part in enumerate(parts):
        if i % 2:
            if part.startswith("<a"):
                in_link += 1
            elif part.startswith("</a"):
                in_link = max(0, in_link - 1)
            continue
        if in_link or "@" not in part:
            continue

        def wrap(match):
            raw = html.unescape(match.group(1))
            if mention_token(raw) not in mentions:
                return match.group(0)
            shown = raw[1:-1] if raw.startswith("[") else raw
            return f'<span class="mention">@{html.escape(shown, quote=False)}</span>'

        parts[i] = MENTION_RE.sub(wrap, part)
    return "".join(parts)


def render(text, mentions=()):
    """Markdown subset to sanitised HTML; raw HTML in the input stays text.

    ``mentions``: tokens (``mention_token``) that named a person; those are
    shown highlighted.
    """
    cleaned = _cleaner().clean(_markdown.render(text or "")).strip()
    return _highlight(cleaned, set(mentions)) if mentions else cleaned


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

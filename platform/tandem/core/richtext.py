"""The one rich-text path: a small markdown subset, then bleach.

Everything people write that is shown as formatted text goes through
``render``, once, when it is written; the stored HTML is then safe to show.
"""

import html
import re
import threading
import unicodedata
from functools import partial

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


def to_plain_text(text):
    """The same markdown subset as plain text, for places that cannot show HTML.

    Emphasis marks go; paragraphs, line breaks and list items stay; a link keeps its
    address after its words. Calendar descriptions and reply quotes use it.
    """
    out, lists = [], []
    for token in _markdown.parse(text or ""):
        kind = token.type
        if kind == "inline":
            out.append(_inline_text(token.children or []))
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([kind == "ordered_list_open", int(token.attrGet("start") or 1)])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            out.append("\n" if lists else "\n\n")
        elif kind == "list_item_open":
            ordered, number = lists[-1]
            out.append("  " * (len(lists) - 1) + (f"{number}. " if ordered else "- "))
            lists[-1][1] += 1
        elif kind in ("paragraph_close", "list_item_close"):
            if out and not out[-1].endswith("\n"):
                out.append("\n")
            if kind == "paragraph_close" and not lists:
                out.append("\n")
    return re.sub(r"\n{3,}", "\n\n", "".join(out)).strip()


def _inline_text(children):
    parts, href, words = [], None, []
    for child in children:
        if child.type == "text":
            (words if href is not None else parts).append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            (words if href is not None else parts).append("\n")
        elif child.type == "link_open":
            href, words = str(child.attrGet("href") or ""), []
        elif child.type == "link_close":
            label = "".join(words)
            parts.append(
                label if not href or href in (label, f"mailto:{label}") else f"{label} ({href})"
            )
            href = None
    return "".join(parts)


def one_line(text):
    """``to_plain_text`` on one line, for quotes and excerpts."""
    return " ".join(to_plain_text(text).split())


def is_blank(text):
    """True when ``text`` would show nothing: spaces, zero-width and control characters."""
    return all(ch.isspace() or unicodedata.category(ch) in ("Cf", "Zs", "Cc") for ch in text or "")

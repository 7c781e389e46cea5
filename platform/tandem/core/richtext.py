"""The one rich-text path: a small markdown subset, then bleach.

Everything people write that is shown as formatted text goes through
``render``, once, when it is written; the stored HTML is then safe to show.
"""

import re
import threading
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


def render(text):
    """Markdown subset to sanitised HTML; raw HTML in the input stays text."""
    return _cleaner().clean(_markdown.render(text or "")).strip()


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

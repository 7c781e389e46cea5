"""The chat's parts of shared pages: a space menu link and unread counts."""

from django.urls import reverse
from django.utils.translation import gettext as _

from tandem.core import hooks
from tandem.spaces.permissions import Perm, can

from . import queries


def chat_link(user, space):
    if not can(user, Perm.READ_CHAT, space):
        return None
    return (_("Chat"), reverse("chat:index", args=[space.pk]))


def _counted(user):
    """The person's unread counts, counted once per request (the header and the page share)."""
    rows = getattr(user, "_unread_rows", None)
    if rows is None:
        rows = queries.unread_counts(user)
        for row in rows:
            row["url"] = reverse(
                "chat:conversation", args=[row["space_id"], row["conversation_id"]]
            )
        user._unread_rows = rows
    return rows


def unread_rows(user):
    """Unread messages per conversation, each with its link, in one query."""
    return _counted(user)


def unread_section(request):
    """The dashboard's "New messages"; kept (hidden) when empty, so a page can fill it live."""
    return {"template": "chat/partials/dashboard_unread.html", "unread": unread_rows(request.user)}


def unread_messages(user):
    """``(count, more)`` for the header's badge: the unread messages of every conversation."""
    rows = _counted(user)
    return sum(row["count"] for row in rows), any(row["more"] for row in rows)


def register():
    hooks.space_link(10)(chat_link)
    hooks.dashboard_section(10)(unread_section)
    hooks.unread_counter(10)(unread_messages)

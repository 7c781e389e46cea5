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


def unread_section(request):
    """Unread messages per conversation, in one query."""
    rows = queries.unread_counts(request.user)
    if not rows:
        return None
    for row in rows:
        row["url"] = reverse("chat:conversation", args=[row["space_id"], row["conversation_id"]])
    return {"template": "chat/partials/dashboard_unread.html", "unread": rows}


def register():
    hooks.space_link(10)(chat_link)
    hooks.dashboard_section(10)(unread_section)

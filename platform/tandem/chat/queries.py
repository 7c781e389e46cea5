"""Reads of the chat, and the fetchers views and the socket use."""

from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from tandem.realtime import frames
from tandem.spaces.models import Membership
from tandem.spaces.permissions import Perm
from tandem.spaces.queries import access_space

from .models import ChatEvent, Conversation, Message, ReadState, Report

EXCERPT_CHARS = 80


def access_conversation(user, space_id, conversation_id, perm=Perm.READ_CHAT):
    """The space and one of its conversations, if ``user`` may do ``perm`` in the space.

    Raises Http404 for people with no part in the space or for a conversation of
    another space, PermissionDenied for a part without the permission.
    """
    space = access_space(user, space_id, perm)
    conversation = get_object_or_404(Conversation, pk=conversation_id, space=space)
    conversation.space = space
    return space, conversation


def access_message(user, space_id, message_id, perm=Perm.READ_CHAT):
    """A message of a conversation in the space, with the same refusals as above."""
    space = access_space(user, space_id, perm)
    message = get_object_or_404(
        Message.objects.select_related("conversation", "author"),
        pk=message_id,
        conversation__space=space,
    )
    message.conversation.space = space
    return space, message


def conversations_of(space):
    return list(Conversation.objects.filter(space=space).order_by("-is_main", "title", "pk"))


def _with_relations(queryset):
    return queryset.select_related("author", "reply_to", "reply_to__author")


def message_page(conversation, *, before=None, size=50):
    """The newest ``size`` messages before position ``before`` (keyset), oldest first,
    and whether older ones exist."""
    rows = Message.objects.filter(conversation=conversation)
    if before is not None:
        rows = rows.filter(seq__lt=before)
    rows = list(_with_relations(rows).order_by("-seq")[: size + 1])
    has_older = len(rows) > size
    rows = rows[:size]
    rows.reverse()
    return rows, has_older


def author_data(user):
    if user is None:
        return None
    return {"id": user.pk, "name": user.name}


def message_data(message):
    """The message as every client sees it (the same for every reader, so built once)."""
    visible = message.is_visible
    reply = None
    if message.reply_to_id and message.reply_to is not None:
        parent = message.reply_to
        reply = {
            "id": parent.pk,
            "seq": parent.seq,
            "author": author_data(parent.author),
            "excerpt": parent.body[:EXCERPT_CHARS] if parent.is_visible else "",
        }
    return {
        "id": message.pk,
        "seq": message.seq,
        "conversation": message.conversation_id,
        "author": author_data(message.author),
        "html": message.body_html if visible else "",
        "text": message.body if visible else "",
        "lang": message.lang,
        "created": message.created.isoformat(),
        "edited": message.edited.isoformat() if message.edited else None,
        "deleted": message.deleted is not None,
        "hidden": message.hidden is not None,
        "reply_to": reply,
    }


def event_name(kind):
    return f"chat.{kind}"


def events_after(conversation_id, after, limit):
    """Stored events after position ``after``: ``[(seq, frame_text)]``, oldest first.

    Each event carries the message as it is now (an old "posted" of a message
    since edited shows the edited text; clients replace by message id).
    """
    rows = (
        ChatEvent.objects.filter(conversation_id=conversation_id, seq__gt=after)
        .select_related("message__author", "message__reply_to", "message__reply_to__author")
        .order_by("seq")[:limit]
    )
    topic = f"chat.{conversation_id}"
    return [
        (row.seq, frames.event(topic, row.seq, event_name(row.kind), message_data(row.message)))
        for row in rows
    ]


def last_read_seq(user, conversation):
    return (
        ReadState.objects.filter(user=user, conversation=conversation)
        .values_list("last_read_seq", flat=True)
        .first()
        or 0
    )


def membership_of(user, space):
    return Membership.objects.filter(space=space, user_id=user.pk).first()


def unread_counts(user):
    """Unread messages per conversation of every space the person is a member of.

    One query. Coordinators who are not members count nothing: they do not
    read the chat.
    """
    read_to = ReadState.objects.filter(
        conversation=OuterRef("conversation"), user_id=user.pk
    ).values("last_read_seq")[:1]
    return list(
        Message.objects.filter(
            conversation__space__memberships__user_id=user.pk,
            conversation__space__archived=False,
            deleted__isnull=True,
            hidden__isnull=True,
        )
        .exclude(author_id=user.pk)
        .annotate(read_to=Coalesce(Subquery(read_to), 0))
        .filter(seq__gt=F("read_to"))
        .values(
            "conversation_id",
            "conversation__title",
            "conversation__is_main",
            "conversation__space_id",
            "conversation__space__name",
        )
        .annotate(count=Count("id"))
        .order_by("conversation__space__name", "-conversation__is_main", "conversation__title")
    )


def open_reports(space):
    return (
        Report.objects.filter(message__conversation__space=space, outcome=Report.Outcome.OPEN)
        .select_related("message", "message__author", "message__conversation", "reporter")
        .order_by("-created", "-pk")
    )


def get_report(space, report_id):
    try:
        return Report.objects.select_related("message", "message__conversation").get(
            pk=report_id, message__conversation__space=space
        )
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def client_id_used(author, client_id):
    return Message.objects.filter(author_id=author.pk, client_id=client_id).exists()


def message_with_client_id(author, client_id):
    """The author's message with this client id, if any (unique: no ordering needed)."""
    rows = _with_relations(Message.objects.filter(author_id=author.pk, client_id=client_id))
    return next(iter(rows.order_by()[:1]), None)


def reply_target(conversation, message_id):
    try:
        message_id = int(message_id)
    except (TypeError, ValueError):
        return None
    return (
        Message.objects.select_related("author")
        .filter(conversation=conversation, pk=message_id)
        .first()
    )

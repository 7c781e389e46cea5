"""Reads of the chat, and the fetchers views and the socket use."""

from django.db.models import F, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from tandem.core.richtext import one_line
from tandem.realtime import frames
from tandem.spaces.models import Membership
from tandem.spaces.permissions import Perm, membership_in
from tandem.spaces.queries import access_space, check_access

from .models import ChatEvent, Conversation, Message, ReadState, Report

EXCERPT_CHARS = 80
# Unread counts stop one past this; pages show more as "99+".
UNREAD_MAX = 99


def access_conversation(user, space_id, conversation_id, perm=Perm.READ_CHAT):
    """The space and one of its conversations, if ``user`` may do ``perm`` in the space.

    Raises Http404 for people with no part in the space or for a conversation of
    another space, PermissionDenied for a part without the permission. The
    conversation comes with its space, in one query.
    """
    try:
        conversation = Conversation.objects.select_related("space__organisation").get(
            pk=conversation_id, space_id=space_id
        )
    except (Conversation.DoesNotExist, ValueError, TypeError):
        access_space(user, space_id, perm)  # the space's own refusals come first
        raise Http404 from None
    check_access(user, conversation.space, perm)
    return conversation.space, conversation


def access_message(user, space_id, message_id, perm=Perm.READ_CHAT):
    """A message of a conversation in the space, with the same refusals as above.

    A message from before the person may read (``Membership.history_from``) is
    not found (Http404).
    """
    space = access_space(user, space_id, perm)
    message = get_object_or_404(
        Message.objects.select_related("conversation", "author"),
        pk=message_id,
        conversation__space=space,
    )
    message.conversation.space = space
    if message.seq < history_floor(message.conversation, membership_in(user, space)):
        raise Http404
    return space, message


def history_floor(conversation, membership):
    """The first position of ``conversation`` the member may read (0: all of it).

    A person who joined with the history closed (``history_from``) reads the
    messages posted from then on; edits, deletions and hides of older messages
    stay closed too, since they are events about messages they may not see.
    """
    since = membership.history_from if membership is not None else None
    if since is None:
        return 0
    first = (
        Message.objects.filter(conversation_id=conversation.pk, created__gte=since)
        .order_by("seq")
        .values_list("seq", flat=True)[:1]
    )
    found = next(iter(first), None)
    if found is not None:
        return found
    head = Conversation.objects.filter(pk=conversation.pk).values_list("last_seq", flat=True)
    return next(iter(head), 0) + 1


def _author_role(prefix=""):
    """The author's role in the message's space, read in the same query."""
    return Subquery(
        Membership.objects.filter(
            space_id=OuterRef(f"{prefix}conversation__space_id"),
            user_id=OuterRef(f"{prefix}author_id"),
        ).values("role")[:1]
    )


def _with_relations(queryset):
    return queryset.select_related("author", "reply_to", "reply_to__author").annotate(
        author_role=_author_role()
    )


def message_page(conversation, *, before=None, size=50, floor=0):
    """The newest ``size`` messages before position ``before`` (keyset), oldest first,
    and whether older ones exist; none before position ``floor``."""
    rows = Message.objects.filter(conversation=conversation)
    if floor:
        rows = rows.filter(seq__gte=floor)
    if before is not None:
        rows = rows.filter(seq__lt=before)
    rows = list(_with_relations(rows).order_by("-seq")[: size + 1])
    has_older = len(rows) > size
    rows = rows[:size]
    rows.reverse()
    return rows, has_older


def excerpt(body):
    """The start of a message as plain words, for a reply's quote (no raw markup)."""
    text = one_line(body)
    return text if len(text) <= EXCERPT_CHARS else f"{text[: EXCERPT_CHARS - 1]}…"


def author_data(user, role=None):
    """Who wrote it, with their role in the space: a name alone can pass for a co-lead."""
    if user is None:
        return None
    return {"id": user.pk, "name": user.name, "role": role or ""}


def message_data(message, floor=0):
    """The message as every client sees it (the same for every reader, so built once).

    ``floor``: for a reader whose history starts there, a reply to a message from
    before it carries no quote of that message.
    """
    visible = message.is_visible
    reply = None
    if message.reply_to_id and message.reply_to is not None and message.reply_to.seq >= floor:
        parent = message.reply_to
        reply = {
            "id": parent.pk,
            "seq": parent.seq,
            "author": author_data(parent.author),
            "excerpt": excerpt(parent.body) if parent.is_visible else "",
        }
    return {
        "id": message.pk,
        "seq": message.seq,
        "conversation": message.conversation_id,
        "author": author_data(message.author, getattr(message, "author_role", None)),
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


def events_after(conversation_id, after, limit, floor=0):
    """Stored events after position ``after``: ``[(seq, frame_text)]``, oldest first.

    Each event carries the message as it is now (an old "posted" of a message
    since edited shows the edited text; clients replace by message id). An
    event about a message from before ``floor`` is a bare "closed" frame at its
    position: the reader's stream stays gap-free and shows nothing of it.
    """
    rows = (
        ChatEvent.objects.filter(conversation_id=conversation_id, seq__gt=after)
        .select_related("message__author", "message__reply_to", "message__reply_to__author")
        .annotate(author_role=_author_role("message__"))
        .order_by("seq")[:limit]
    )
    topic = f"chat.{conversation_id}"
    for row in rows:
        row.message.author_role = row.author_role
    return [
        (
            row.seq,
            frames.event(topic, row.seq, event_name(row.kind), message_data(row.message, floor))
            if row.message.seq >= floor
            else frames.closed(topic, row.seq),
        )
        for row in rows
    ]


def _with_unread(conversations, user):
    """``conversations`` (a queryset) with the person's read position and unread count.

    ``read_to`` is the person's position (0 before their first visit); ``unread``
    counts visible messages by others after it, exactly up to UNREAD_MAX and as
    UNREAD_MAX + 1 beyond. Each count walks the (conversation, seq) index from the
    read position and stops at the first message past the cap: its cost depends
    on what came since the last visit, up to the cap, not on the history.
    """
    read_to = ReadState.objects.filter(conversation=OuterRef("pk"), user_id=user.pk)
    conversations = conversations.annotate(
        read_to=Coalesce(Subquery(read_to.values("last_read_seq")[:1]), 0)
    )
    unread = (
        Message.objects.filter(
            conversation=OuterRef("pk"),
            seq__gt=OuterRef("read_to"),
            deleted__isnull=True,
            hidden__isnull=True,
        )
        .exclude(author_id=user.pk)
        .order_by("seq")
    )
    # Where counting stops: the message one past the cap, or the head.
    conversations = conversations.alias(
        count_to=Coalesce(
            Subquery(unread.values("seq")[UNREAD_MAX : UNREAD_MAX + 1]), F("last_seq")
        )
    )
    counted = unread.filter(seq__lte=OuterRef("count_to")).order_by()
    return conversations.annotate(
        unread=Subquery(
            counted.annotate(n=Func(F("pk"), function="COUNT")).values("n"),
            output_field=IntegerField(),
        )
    )


def _capped(count):
    """(count to show, whether there are more): 120 unread show as 99 with more."""
    return min(count, UNREAD_MAX), count > UNREAD_MAX


def conversations_with_unread(space, user):
    """The space's conversations, each with ``read_to``, ``unread`` and ``unread_more``.

    One query, like ``unread_counts``.
    """
    conversations = list(
        _with_unread(Conversation.objects.filter(space=space), user).order_by(
            "-is_main", "title", "pk"
        )
    )
    for conversation in conversations:
        conversation.space = space
        conversation.unread, conversation.unread_more = _capped(conversation.unread)
    return conversations


def unread_counts(user):
    """Conversations with unread messages in the spaces the person is a member of.

    One query, whose cost grows with the person's conversations, not with their
    history. Coordinators who are not members count nothing: they do not read
    the chat.
    """
    rows = (
        _with_unread(
            Conversation.objects.filter(space__memberships__user_id=user.pk, space__archived=False),
            user,
        )
        .filter(last_seq__gt=F("read_to"))
        .values(
            "title",
            "is_main",
            "space_id",
            "unread",
            conversation_id=F("pk"),
            space_name=F("space__name"),
        )
        .order_by("space__name", "-is_main", "title", "pk")
    )
    found = []
    for row in rows:
        if row["unread"]:
            row["count"], row["more"] = _capped(row.pop("unread"))
            found.append(row)
    return found


def open_reports(space, membership=None):
    """Open reports of the space; none of messages from before the reader's history starts."""
    rows = Report.objects.filter(message__conversation__space=space, outcome=Report.Outcome.OPEN)
    if membership is not None and membership.history_from is not None:
        rows = rows.filter(message__created__gte=membership.history_from)
    return rows.select_related(
        "message", "message__author", "message__conversation", "reporter"
    ).order_by("-created", "-pk")


def get_report(space, report_id):
    try:
        return Report.objects.select_related("message", "message__conversation").get(
            pk=report_id, message__conversation__space=space
        )
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def message_with_client_id(author, client_id):
    """The author's message with this client id, if any (unique: no ordering needed)."""
    rows = _with_relations(Message.objects.filter(author_id=author.pk, client_id=client_id))
    return next(iter(rows.order_by()[:1]), None)


def reply_target(conversation, message_id, floor=0):
    try:
        message_id = int(message_id)
    except (TypeError, ValueError):
        return None
    return (
        Message.objects.select_related("author")
        .filter(conversation=conversation, pk=message_id, seq__gte=floor)
        .first()
    )

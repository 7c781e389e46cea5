"""Every write to the chat goes through here: views, the socket and commands alike.

Each stored change (a post, an edit, a deletion, a hide) takes the
conversation's next position while its row is locked, writes a ``ChatEvent``
at that position, and is broadcast with it only after commit.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.core import audit, notifications, ratelimit, richtext
from tandem.realtime import publish
from tandem.spaces import actions as space_actions
from tandem.spaces.models import Membership
from tandem.spaces.permissions import ROLE_PERMS, Perm, can, membership_in

from . import queries
from .models import ChatEvent, Conversation, Message, ReadState, Report

CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
LANG_RE = re.compile(r"^[a-zA-Z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$")
MAX_MUTE_HOURS = 24 * 30


def main_conversation(*, space):
    """The space's main conversation, made the first time anyone asks for it."""
    found = Conversation.objects.filter(space=space, is_main=True).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return Conversation.objects.create(space=space, is_main=True)
    except IntegrityError:
        return Conversation.objects.get(space=space, is_main=True)


def create_topic(*, actor, space, title):
    """A further conversation in the space; co-leads (who moderate) may add one."""
    if not can(actor, Perm.MODERATE, space):
        raise PermissionDenied
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Give the topic a name."), code="title_missing")
    if len(title) > 80:
        raise ValidationError(_("A topic name can be 80 characters long."), code="title_long")
    with transaction.atomic():
        conversation = Conversation.objects.create(space=space, title=title, created_by=actor)
        audit.record(
            actor=actor,
            action="chat.topic_created",
            space=space,
            target=f"conversation:{conversation.pk}",
        )
    return conversation


def conversation_url(conversation, seq=None):
    url = reverse("chat:conversation", args=[conversation.space_id, conversation.pk])
    return f"{url}#m-{seq}" if seq else url


def detect_lang(text, fallback=""):
    """The language a message is in: by its script, else the author's own choice."""
    persian = set("پچژگ")
    counts = {"arabic": 0, "cyrillic": 0, "latin": 0}
    for ch in text:
        code = ord(ch)
        if ch in persian:
            return "fa"
        if 0x0600 <= code <= 0x06FF:
            counts["arabic"] += 1
        elif 0x0400 <= code <= 0x04FF:
            counts["cyrillic"] += 1
        elif ch.isalpha() and code < 0x250:
            counts["latin"] += 1
    script = max(counts, key=counts.get)
    if counts[script] == 0:
        return fallback
    if script == "arabic":
        return fallback if fallback in ("ar", "fa") else "ar"
    if script == "cyrillic":
        return fallback if fallback in ("uk", "ru") else "uk"
    return fallback if fallback not in ("ar", "fa", "uk", "") else ""


def _clean_body(body):
    body = (body or "").strip() if isinstance(body, str) else None
    # zero-width spaces and other invisible characters alone are no message
    if not body or richtext.is_blank(body):
        raise ValidationError(_("Write something first."), code="empty")
    if "\x00" in body:
        # The form refuses it too; the socket and commands come through here alone.
        raise ValidationError(
            _("The text contains a character that cannot be stored (a null character)."),
            code="invalid_character",
        )
    limit = settings.TANDEM["MESSAGE_MAX_CHARS"]
    if len(body) > limit:
        raise ValidationError(
            _("A message can be %(limit)d characters long.") % {"limit": limit}, code="too_long"
        )
    return body


def _clean_lang(lang, body, actor):
    if isinstance(lang, str) and LANG_RE.match(lang):
        return lang.lower()
    return detect_lang(body, getattr(actor, "interface_language", "") or "")


def _may_post(actor, space):
    if not can(actor, Perm.POST_CHAT, space):
        raise PermissionDenied
    membership = membership_in(actor, space)
    if membership is None:
        raise PermissionDenied
    if membership.rules_accepted is None:
        raise ValidationError(
            _("Please read the group rules before your first message."),
            code="rules_not_accepted",
        )
    _not_muted(membership)
    return membership


def _not_muted(membership):
    if membership.muted_until and membership.muted_until > timezone.now():
        raise ValidationError(
            _("A co-lead has paused your messages in this group for now."), code="muted"
        )


def _same_post(existing, conversation, body):
    # a deleted message keeps no text to compare: its retry is the same post
    if existing.conversation_id != conversation.pk or (
        existing.body != body and existing.deleted is None
    ):
        raise ValidationError(
            _("This message id was already used for another message."),
            code="client_id_reused",
        )
    return existing


def _advance(conversation_id):
    """Take the conversation's next position; the update holds its row lock until commit.

    One statement (SQLite and PostgreSQL both return the updated value), where a
    locking read and a save would be two on the hottest write path.
    """
    meta, quote = Conversation._meta, connection.ops.quote_name
    table, key = quote(meta.db_table), quote(meta.pk.column)
    head = quote(meta.get_field("last_seq").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {head} = {head} + 1 WHERE {key} = %s RETURNING {head}",  # noqa: S608
            [conversation_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise Conversation.DoesNotExist
    return row[0]


def _broadcast(conversation_id, seq, kind, message):
    data = queries.message_data(message)
    name = queries.event_name(kind)
    # Readers whose history starts after the quoted message get the event without its quote.
    parent = message.reply_to if message.reply_to_id else None
    unquoted = (
        (parent.seq, queries.message_data(message, floor=parent.seq + 1))
        if parent is not None
        else None
    )
    transaction.on_commit(
        lambda: publish.topic_event(
            f"chat.{conversation_id}", seq, name, data, origin=message.seq, unquoted=unquoted
        )
    )
    # Every other member's unread count may have changed, in pages not following this topic.
    transaction.on_commit(lambda: _unread_changed(conversation_id, message.author_id))


def _unread_changed(conversation_id, author_id):
    space = Conversation.objects.filter(pk=conversation_id).values("space_id")[:1]
    readers = Membership.objects.filter(space_id=space).exclude(user_id=author_id)
    publish.unread_changed(readers.values_list("user_id", flat=True))


def post_message(*, actor, conversation, body, client_id, reply_to=None, lang=""):
    """Post to a conversation, once per ``client_id``.

    Locks the conversation row to take the position. The same ``client_id`` with
    the same text returns the message already stored (however many times it comes,
    at once or later); with another text it raises ValidationError
    ("client_id_reused"). Raises PermissionDenied for people who may not post here,
    ValidationError for empty or long text, unread rules, a mute or the rate limit.
    """
    space = conversation.space
    body = _clean_body(body)
    if not isinstance(client_id, str) or not CLIENT_ID_RE.match(client_id):
        raise ValidationError(_("The message has no valid id."), code="client_id_invalid")
    membership = _may_post(actor, space)
    parent = None
    if reply_to not in (None, ""):
        floor = queries.history_floor(conversation, membership)
        parent = queries.reply_target(conversation, reply_to, floor=floor)
        if parent is None:
            raise ValidationError(
                _("The message you reply to is not in this conversation."), code="reply_missing"
            )
    lang = _clean_lang(lang, body, actor)
    body_html, mentioned = _render(space, body, actor)
    try:
        with transaction.atomic():
            seq = _advance(conversation.pk)
            # A retry meets the unique constraint on (author, client id) here, before
            # the rate limit counts it, and returns the message already stored.
            message = Message.objects.create(
                conversation_id=conversation.pk,
                author=actor,
                body=body,
                body_html=body_html,
                lang=lang,
                client_id=client_id,
                seq=seq,
                reply_to=parent,
            )
            if not ratelimit.hit(
                f"chat.post:{actor.pk}", limit=settings.TANDEM["POSTS_PER_MINUTE"], window=60
            ):
                raise ValidationError(
                    _("You are sending messages very fast. Wait a minute and try again."),
                    code="rate_limited",
                )
            message.author = actor
            message.author_role = membership.role
            message.reply_to = parent
            ChatEvent.objects.create(
                conversation_id=conversation.pk,
                seq=seq,
                kind=ChatEvent.Kind.POSTED,
                message=message,
            )
            _notify_people(actor, conversation, message, parent, [m.user for m in mentioned])
            _broadcast(conversation.pk, seq, ChatEvent.Kind.POSTED, message)
    except IntegrityError:
        # This client id is taken: a retry, a copy racing in, or another message's id.
        existing = queries.message_with_client_id(actor, client_id)
        if existing is None:
            raise
        return _same_post(existing, conversation, body)
    return message


def _mentions(space, body, actor):
    """``(memberships mentioned, tokens that named someone)`` in ``body``.

    A mention is "@username", "@Name" for a one-word display name, or
    "@[Display Name]" (what the autocomplete inserts) for any display name;
    all compared without regard to case. One query, only when there is an "@".
    """
    tokens = {richtext.mention_token(raw) for raw in richtext.MENTION_RE.findall(body)}
    tokens.discard("")
    if not tokens:
        return [], set()
    found, named = [], set()
    for membership in Membership.objects.filter(space=space).select_related("user"):
        user = membership.user
        names = {user.username.casefold(), " ".join(user.display_name.split()).casefold()}
        hits = tokens & names
        if hits:
            named |= hits
            if user.pk != actor.pk:
                found.append(membership)
    return found, named


def _render(space, body, actor):
    """The body's HTML, its mentions highlighted, and who they name."""
    mentioned, named = _mentions(space, body, actor)
    return richtext.render(body, mentions=named), mentioned


def _notify_people(actor, conversation, message, parent, mentioned):
    space = conversation.space
    url = conversation_url(conversation, message.seq)
    if mentioned:
        notifications.notify(
            users=mentioned,
            kind="chat.mention",
            text=lambda: (
                _("%(name)s mentioned you in %(space)s") % {"name": actor.name, "space": space.name}
            ),
            url=url,
            space=space,
        )
    if (
        parent is not None
        and parent.author_id
        and parent.author_id != actor.pk
        and parent.author_id not in {p.pk for p in mentioned}
        and Membership.objects.filter(space=space, user_id=parent.author_id).exists()
    ):
        notifications.notify(
            users=[parent.author],
            kind="chat.reply",
            text=lambda: (
                _("%(name)s replied to you in %(space)s")
                % {"name": actor.name, "space": space.name}
            ),
            url=url,
            space=space,
        )


def _own_message(actor, message):
    if message.author_id != actor.pk or not can(actor, Perm.POST_CHAT, message.conversation.space):
        raise PermissionDenied
    if message.deleted or message.hidden:
        raise ValidationError(_("This message can no longer be changed."), code="gone")


def _change(message, kind, **fields):
    """Apply ``fields`` to the message and store the change at the next position."""
    seq = _advance(message.conversation_id)
    if not hasattr(message, "author_role"):
        message.author_role = (
            Membership.objects.filter(
                space_id=message.conversation.space_id, user_id=message.author_id
            )
            .values_list("role", flat=True)
            .first()
        )
    for name, value in fields.items():
        setattr(message, name, value)
    Message.objects.filter(pk=message.pk).update(**fields)
    ChatEvent.objects.create(
        conversation_id=message.conversation_id, seq=seq, kind=kind, message=message
    )
    _broadcast(message.conversation_id, seq, kind, message)
    return seq


def edit_message(*, actor, message, body):
    """Change one's own message; it shows as edited. Locks the conversation row.

    Editing is saying something again, so a muted member cannot.
    """
    _own_message(actor, message)
    _not_muted(membership_in(actor, message.conversation.space))
    body = _clean_body(body)
    if body == message.body:
        return message
    with transaction.atomic():
        _change(
            message,
            ChatEvent.Kind.EDITED,
            body=body,
            body_html=_render(message.conversation.space, body, actor)[0],
            edited=timezone.now(),
        )
    return message


def delete_message(*, actor, message):
    """Delete one's own message; it shows as deleted. Locks the conversation row.

    The text goes with it, from the row itself: nobody (reports, co-leads, the
    admin) reads a deleted message again.
    """
    _own_message(actor, message)
    with transaction.atomic():
        _change(message, ChatEvent.Kind.DELETED, deleted=timezone.now(), body="", body_html="")
        audit.record(
            actor=actor,
            action="chat.message_deleted",
            space=message.conversation.space,
            target=f"message:{message.pk}",
        )
    return message


def report_message(*, actor, message, reason=""):
    """Any reader may report a message to the co-leads, once."""
    space = message.conversation.space
    if not can(actor, Perm.READ_CHAT, space) or message.author_id == actor.pk:
        raise PermissionDenied
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    with transaction.atomic():
        report, created = Report.objects.get_or_create(
            message=message, reporter=actor, defaults={"reason": reason[:500]}
        )
        if created:
            audit.record(
                actor=actor,
                action="chat.message_reported",
                space=space,
                target=f"message:{message.pk}",
                report=report.pk,
            )
            # everyone whose role in the space may moderate hears of it
            moderating = [role for role, perms in ROLE_PERMS.items() if Perm.MODERATE in perms]
            leads = [
                m.user
                for m in Membership.objects.filter(space=space, role__in=moderating)
                .exclude(user_id=actor.pk)
                .select_related("user")
            ]
            notifications.notify(
                users=leads,
                kind="chat.report",
                text=lambda: _("A message in %(space)s was reported") % {"space": space.name},
                url=reverse("chat:reports", args=[space.pk]),
                space=space,
            )
    return report


def _reason(reason):
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise ValidationError(_("Say why, for the record."), code="reason_missing")
    return reason[:300]


def hide_message(*, actor, message, reason):
    """A co-lead hides a message, with a reason kept for audit; open reports close."""
    space = message.conversation.space
    if not can(actor, Perm.MODERATE, space):
        raise PermissionDenied
    reason = _reason(reason)
    if message.hidden:
        return message
    with transaction.atomic():
        now = timezone.now()
        _change(
            message,
            ChatEvent.Kind.HIDDEN,
            hidden=now,
            hidden_reason=reason,
            hidden_by_id=actor.pk,
        )
        reporters = list(
            Report.objects.filter(message=message, outcome=Report.Outcome.OPEN)
            .exclude(reporter=None)
            .select_related("reporter")
        )
        Report.objects.filter(message=message, outcome=Report.Outcome.OPEN).update(
            outcome=Report.Outcome.HIDDEN, resolved=now, resolved_by=actor
        )
        audit.record(
            actor=actor,
            action="chat.message_hidden",
            space=space,
            target=f"message:{message.pk}",
            reason=reason,
            author=message.author_id,
        )
        url = conversation_url(message.conversation)
        if message.author_id and message.author_id != actor.pk:
            notifications.notify(
                users=[message.author],
                kind="chat.moderation",
                text=lambda: (
                    _("A co-lead hid your message in %(space)s: %(reason)s")
                    % {"space": space.name, "reason": reason}
                ),
                url=url,
                space=space,
            )
        if reporters:
            notifications.notify(
                users=[r.reporter for r in reporters],
                kind="chat.moderation",
                text=lambda: (
                    _("The message you reported in %(space)s is now hidden.")
                    % {"space": space.name}
                ),
                url=url,
                space=space,
            )
    return message


def dismiss_report(*, actor, report):
    """A co-lead closes a report without hiding the message."""
    space = report.message.conversation.space
    if not can(actor, Perm.MODERATE, space):
        raise PermissionDenied
    with transaction.atomic():
        updated = Report.objects.filter(pk=report.pk, outcome=Report.Outcome.OPEN).update(
            outcome=Report.Outcome.DISMISSED, resolved=timezone.now(), resolved_by=actor
        )
        if updated:
            audit.record(
                actor=actor,
                action="chat.report_dismissed",
                space=space,
                target=f"report:{report.pk}",
            )
    return report


def mute_member(*, actor, membership, hours, reason):
    """A co-lead pauses a member's posting for ``hours`` (0 lifts a mute)."""
    space = membership.space
    if not can(actor, Perm.MODERATE, space):
        raise PermissionDenied
    if membership.user_id == actor.pk or membership.is_co_lead:
        raise ValidationError(_("Co-leads cannot be muted here."), code="cannot_mute")
    try:
        hours = int(hours)
    except (TypeError, ValueError):
        hours = -1
    if not 0 <= hours <= MAX_MUTE_HOURS:
        raise ValidationError(
            _("Choose from 0 to %(max)d hours.") % {"max": MAX_MUTE_HOURS}, code="hours_range"
        )
    reason = _reason(reason) if hours else (reason or "")[:300]
    until = timezone.now() + timedelta(hours=hours) if hours else None
    with transaction.atomic():
        Membership.objects.filter(pk=membership.pk).update(muted_until=until)
        membership.muted_until = until
        audit.record(
            actor=actor,
            action="chat.member_muted" if hours else "chat.member_unmuted",
            space=space,
            target=f"user:{membership.user_id}",
            hours=hours,
            reason=reason,
        )
        if hours:
            notifications.notify(
                users=[membership.user],
                kind="chat.moderation",
                text=lambda: (
                    _("A co-lead paused your messages in %(space)s for %(hours)d hours.")
                    % {"space": space.name, "hours": hours}
                ),
                space=space,
            )
    return membership


def remove_member(*, actor, membership, reason):
    """A co-lead removes a member from the space (their sockets stop at once)."""
    if not can(actor, Perm.MODERATE, membership.space):
        raise PermissionDenied
    reason = _reason(reason)
    space_actions.remove_member(actor=actor, membership=membership, reason=reason)


def mark_read(*, actor, conversation, seq=None):
    """Remember that ``actor`` has read ``conversation`` up to ``seq`` (default: all).

    A position never moves back, nor past the conversation's head.
    """
    if not can(actor, Perm.READ_CHAT, conversation.space):
        raise PermissionDenied
    head = Conversation.objects.filter(pk=conversation.pk).values_list("last_seq", flat=True)[0]
    seq = head if seq is None else max(0, min(int(seq), head))
    moved = ReadState.objects.filter(
        user=actor, conversation=conversation, last_read_seq__lt=seq
    ).update(last_read_seq=seq)
    if not moved:
        _state, moved = ReadState.objects.get_or_create(
            user=actor, conversation=conversation, defaults={"last_read_seq": seq}
        )
    if moved:
        # The person's other pages (a tab, the header) count again.
        transaction.on_commit(lambda: publish.unread_changed([actor.pk]))
    return seq

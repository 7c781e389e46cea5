"""Where the chat is live: ``chat.<conversation id>`` topics and their socket actions.

Handlers run in the database thread. They read the frame's fields, fetch the
objects and call ``actions``, which check permission again with fresh roles.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from tandem.realtime.topics import Grant, TopicKind, register
from tandem.spaces.models import Membership
from tandem.spaces.permissions import Perm, can, membership_in

from . import actions, queries
from .models import Conversation, Message


def authorize(user, key):
    conversation = Conversation.objects.select_related("space").filter(pk=key).first()
    if conversation is None or not can(user, Perm.READ_CHAT, conversation.space):
        return None
    return Grant(
        topic=f"chat.{key}",
        space_id=conversation.space_id,
        head=conversation.last_seq,
        context=conversation.pk,
        floor=queries.history_floor(conversation, membership_in(user, conversation.space)),
    )


def backlog(grant, after, limit):
    return queries.events_after(grant.context, after, limit, floor=grant.floor)


def _invalid(field):
    return ValidationError(
        _("The field “%(field)s” is missing or wrong.") % {"field": field}, code="invalid"
    )


def _int(frame, field, *, required=True):
    value = frame.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _invalid(field)
    return value


def _text(frame, field, *, required=True):
    value = frame.get(field, None if required else "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _invalid(field)
    return value


def _conversation(grant):
    return Conversation.objects.select_related("space").get(pk=grant.context)


def _message(grant, frame):
    message_id = _int(frame, "message")
    message = (
        Message.objects.select_related("conversation__space", "author")
        .filter(pk=message_id, conversation_id=grant.context)
        .first()
    )
    if message is None or message.seq < grant.floor:
        raise Message.DoesNotExist
    return message


def _ack(message):
    return {"id": message.pk, "seq": message.seq, "client_id": message.client_id}


def post(user, grant, frame):
    conversation = _conversation(grant)
    message = actions.post_message(
        actor=user,
        conversation=conversation,
        body=_text(frame, "body"),
        client_id=_text(frame, "client_id"),
        reply_to=_int(frame, "reply_to", required=False),
        lang=_text(frame, "lang", required=False),
    )
    return _ack(message)


def edit(user, grant, frame):
    message = _message(grant, frame)
    actions.edit_message(actor=user, message=message, body=_text(frame, "body"))
    return {"id": message.pk, "seq": message.seq}


def delete(user, grant, frame):
    message = _message(grant, frame)
    actions.delete_message(actor=user, message=message)
    return {"id": message.pk, "seq": message.seq}


def report(user, grant, frame):
    message = _message(grant, frame)
    row = actions.report_message(
        actor=user, message=message, reason=_text(frame, "reason", required=False)
    )
    return {"id": message.pk, "report": row.pk}


def moderate(user, grant, frame):
    """``action``: "hide" a message, or "mute" / "remove" its author."""
    what = frame.get("action")
    message = _message(grant, frame)
    space = message.conversation.space
    if not can(user, Perm.MODERATE, space):
        raise PermissionDenied
    reason = _text(frame, "reason", required=False)
    if what == "hide":
        actions.hide_message(actor=user, message=message, reason=reason)
        return {"id": message.pk, "action": what}
    if what in ("mute", "remove"):
        membership = (
            Membership.objects.select_related("user", "space")
            .filter(space=space, user_id=message.author_id)
            .first()
        )
        if membership is None:
            raise Membership.DoesNotExist
        if what == "mute":
            hours = frame.get("hours", 24)
            if not isinstance(hours, int) or isinstance(hours, bool):
                raise _invalid("hours")
            actions.mute_member(actor=user, membership=membership, hours=hours, reason=reason)
        else:
            actions.remove_member(actor=user, membership=membership, reason=reason)
        return {"id": message.pk, "action": what, "user": membership.user_id}
    raise _invalid("action")


def read(user, grant, frame):
    conversation = _conversation(grant)
    seq = actions.mark_read(actor=user, conversation=conversation, seq=_int(frame, "seq"))
    return {"seq": seq}


def register_chat_topic():
    register(
        TopicKind(
            name="chat",
            authorize=authorize,
            backlog=backlog,
            actions={
                "post": post,
                "edit": edit,
                "delete": delete,
                "report": report,
                "moderate": moderate,
                "read": read,
            },
        )
    )

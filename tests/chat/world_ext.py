"""The chat's part of the fixture world: a main conversation in each space with
messages, a topic, a report and a hidden message, each text a canary."""

from django.utils import timezone
from tandem.chat import actions
from tandem.chat.models import ChatEvent, Conversation, Message, Report
from tandem.core import richtext


def _post(world, space_key, conversation, author, label, **extra):
    body = world.canary(space_key, label)
    locked = Conversation.objects.get(pk=conversation.pk)
    locked.last_seq += 1
    locked.save(update_fields=["last_seq"])
    message = Message.objects.create(
        conversation=conversation,
        author=author,
        body=body,
        body_html=richtext.render(body),
        lang="en",
        client_id=f"world-{label}-{locked.last_seq}-{conversation.pk}",
        seq=locked.last_seq,
        **extra,
    )
    ChatEvent.objects.create(
        conversation=conversation, seq=message.seq, kind=ChatEvent.Kind.POSTED, message=message
    )
    conversation.last_seq = locked.last_seq
    return message


def extend(world):
    people = world.people
    authors = {"group_a": "member", "group_b": "outsider", "practice": "participant"}
    for key, role in authors.items():
        conversation = actions.main_conversation(space=world.spaces[key])
        world.objects[f"conversation_{key}"] = conversation
        world.objects[f"message_{key}"] = _post(world, key, conversation, people[role], "message")
    group_a = world.spaces["group_a"]
    conversation = world.objects["conversation_group_a"]
    world.objects["message_group_a_tutor"] = _post(
        world, "group_a", conversation, people["tutor"], "tutormessage"
    )
    world.objects["message_group_a_hidden"] = _post(
        world,
        "group_a",
        conversation,
        people["counsellor"],
        "hiddenmessage",
        hidden=timezone.now(),
        hidden_reason=world.canary("group_a", "hiddenreason"),
        hidden_by=people["tutor"],
    )
    world.objects["report_group_a"] = Report.objects.create(
        message=world.objects["message_group_a_tutor"],
        reporter=people["member"],
        reason=world.canary("group_a", "reportreason"),
    )
    world.objects["topic_group_a"] = Conversation.objects.create(
        space=group_a, title=world.canary("group_a", "topic")[:80], created_by=people["tutor"]
    )

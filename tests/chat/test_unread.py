"""Unread counts: others' visible messages after the read position, capped, in one query."""

import pytest
from django.urls import reverse
from django.utils import timezone
from tandem.chat import actions, queries
from tandem.chat.models import Conversation, Message
from tandem.chat.queries import UNREAD_MAX
from tandem.spaces.models import Space

from tests.realtime.helpers import accept_rules


@pytest.fixture
def chat(world, settings):
    settings.TANDEM = {**settings.TANDEM, "POSTS_PER_MINUTE": 10_000}
    for role in ("member", "tutor", "counsellor"):
        accept_rules(world.people[role], world.spaces["group_a"])
    conversation = world.objects["conversation_group_a"]
    conversation.refresh_from_db()
    return conversation


def post(world, conversation, role, body):
    conversation.space = world.spaces["group_a"]
    return actions.post_message(
        actor=world.people[role],
        conversation=conversation,
        body=body,
        client_id=f"u-{conversation.pk}-{body}".replace(" ", "-").replace(",", ""),
    )


def bulk(conversation, author, count):
    """``count`` messages by ``author`` at the conversation's next positions."""
    head = Conversation.objects.get(pk=conversation.pk).last_seq
    Message.objects.bulk_create(
        Message(
            conversation=conversation,
            author=author,
            body=f"bulk {seq}",
            body_html=f"<p>bulk {seq}</p>",
            client_id=f"bulk-{conversation.pk}-{seq}",
            seq=seq,
        )
        for seq in range(head + 1, head + count + 1)
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_seq=head + count)


def counts(user):
    rows = queries.unread_counts(user)
    return {row["conversation_id"]: (row["count"], row["more"]) for row in rows}


def mark_read(world, conversation, seq=None):
    conversation.space = world.spaces["group_a"]
    actions.mark_read(actor=world.people["member"], conversation=conversation, seq=seq)


def test_counts_others_visible_messages_after_the_read_position(
    world, chat, django_assert_num_queries
):
    member = world.people["member"]
    topic = world.objects["topic_group_a"]
    # The world: the member's own message, the tutor's, and a hidden one.
    assert counts(member) == {chat.pk: (1, False)}
    one = post(world, chat, "tutor", "one")
    post(world, chat, "tutor", "two")
    post(world, chat, "member", "mine")
    post(world, topic, "counsellor", "topic")
    with django_assert_num_queries(1):
        assert counts(member) == {chat.pk: (3, False), topic.pk: (1, False)}
    actions.delete_message(actor=world.people["tutor"], message=one)
    actions.hide_message(
        actor=world.people["counsellor"], message=world.objects["message_group_a_tutor"], reason="x"
    )
    assert counts(member) == {chat.pk: (1, False), topic.pk: (1, False)}
    mark_read(world, chat)
    mark_read(world, topic)
    assert counts(member) == {}
    three = post(world, chat, "tutor", "three")
    post(world, chat, "counsellor", "four")
    assert counts(member) == {chat.pk: (2, False)}
    mark_read(world, chat, seq=three.seq)
    assert counts(member) == {chat.pk: (1, False)}
    # An edit takes a new position but the message stays read.
    mark_read(world, chat)
    actions.edit_message(actor=world.people["tutor"], message=three, body="three, edited")
    assert counts(member) == {}


def test_counts_are_exact_below_the_cap_and_stop_at_it(world, chat):
    member = world.people["member"]
    mark_read(world, chat)
    bulk(chat, world.people["tutor"], UNREAD_MAX - 1)
    bulk(chat, member, 20)  # the person's own messages never count
    assert counts(member) == {chat.pk: (UNREAD_MAX - 1, False)}
    bulk(chat, world.people["tutor"], 1)
    assert counts(member) == {chat.pk: (UNREAD_MAX, False)}
    bulk(chat, world.people["counsellor"], 1)
    assert counts(member) == {chat.pk: (UNREAD_MAX, True)}
    bulk(chat, world.people["counsellor"], 500)
    assert counts(member) == {chat.pk: (UNREAD_MAX, True)}
    head = Conversation.objects.get(pk=chat.pk).last_seq
    mark_read(world, chat, seq=head - (UNREAD_MAX - 1))
    assert counts(member) == {chat.pk: (UNREAD_MAX - 1, False)}


def test_people_who_are_not_members_and_archived_spaces_count_nothing(world, chat):
    post(world, chat, "tutor", "news")
    assert counts(world.people["coordinator"]) == {}
    assert chat.pk in counts(world.people["member"])
    Space.objects.filter(pk=chat.space_id).update(archived=True)
    assert counts(world.people["member"]) == {}


def test_pages_show_the_cap_as_more(world, client_for, chat):
    topic = world.objects["topic_group_a"]
    bulk(topic, world.people["tutor"], UNREAD_MAX + 30)
    client = client_for("member")
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert f"{UNREAD_MAX}+ new messages" in dashboard
    page = client.get(reverse("chat:conversation", args=[chat.space_id, chat.pk])).content.decode()
    assert f"{UNREAD_MAX}+ new" in page
    # The topic's own page marks it read.
    client.get(reverse("chat:conversation", args=[chat.space_id, topic.pk]))
    assert f"{UNREAD_MAX}+ new" not in client.get(reverse("dashboard")).content.decode()


def test_a_message_by_a_former_member_counts(world, chat):
    mark_read(world, chat)
    message = post(world, chat, "tutor", "from someone who left")
    Message.objects.filter(pk=message.pk).update(author=None, edited=timezone.now())
    assert counts(world.people["member"]) == {chat.pk: (1, False)}


# -- the counts pages show live, and the header's badge -------------------------------------


def test_the_unread_endpoint_gives_the_counts_as_pages_show_them(world, chat, client_for):
    topic = world.objects["topic_group_a"]
    post(world, chat, "tutor", "one")
    post(world, topic, "counsellor", "topic one")
    post(world, topic, "counsellor", "topic two")
    client = client_for("member")
    data = client.get(reverse("chat:unread")).json()
    # The world's tutor message, and "one"; two in the topic.
    assert data["conversations"] == {str(chat.pk): "2 new", str(topic.pk): "2 new"}
    assert data["badge"] == {"count": 4, "text": "4 new"}
    assert "2 new messages" in data["section"] and "data-unread-section" in data["section"]


def test_the_header_badge_counts_messages_and_notifications_without_javascript(
    world, chat, client_for
):
    from tandem.core import notifications

    member = world.people["member"]
    client = client_for("member")
    page = client.get(reverse("notifications")).content.decode()
    assert "data-unread-badge>1 new</span>" in page  # the world's tutor message
    notifications.notify(users=[member], kind="chat.mention", text=lambda: "hi")
    post(world, chat, "tutor", "two")
    page = client.get(reverse("dashboard")).content.decode()
    assert "data-unread-badge>3 new</span>" in page
    mark_read(world, chat)
    notifications.mark_read(actor=member)
    page = client.get(reverse("dashboard")).content.decode()
    assert "data-unread-badge hidden></span>" in page
    # The dashboard keeps its (hidden) "New messages" for the page to fill live.
    assert "data-unread-section hidden" in page


def test_the_unread_endpoint_uses_the_same_queries_with_few_and_many(world, chat, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("member")
    client.get(reverse("chat:unread"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("chat:unread"))
    for n in range(5):
        topic = actions.create_topic(
            actor=world.people["tutor"], space=world.spaces["group_a"], title=f"Topic {n}"
        )
        post(world, topic, "tutor", f"in topic {n}")
    bulk(chat, world.people["tutor"], 150)
    with CaptureQueriesContext(connection) as many:
        data = client.get(reverse("chat:unread")).json()
    assert len(many) == len(few)
    assert data["conversations"][str(chat.pk)] == "99+ new"
    assert data["badge"]["text"] == "99+ new"

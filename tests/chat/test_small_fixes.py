"""Invisible messages, reply quotes without raw markup, and a pause that says what it did."""

import pytest
from django.urls import reverse
from tandem.chat import actions
from tandem.chat.models import Message

from tests.realtime.helpers import accept_rules, open_socket

INVISIBLE = "\u200b\u200b\u200c\u2060\ufeff \u200f"


@pytest.fixture
def chat(world, settings):
    settings.TANDEM = {**settings.TANDEM, "POSTS_PER_MINUTE": 10_000}
    for role in ("member", "tutor", "counsellor"):
        accept_rules(world.people[role], world.spaces["group_a"])
    conversation = world.objects["conversation_group_a"]
    conversation.refresh_from_db()
    return conversation


def _url(chat):
    return reverse("chat:conversation", args=[chat.space_id, chat.pk])


def test_a_message_of_zero_width_spaces_is_refused_on_the_form(world, client_for, chat):
    before = Message.objects.count()
    response = client_for("member").post(_url(chat), {"body": INVISIBLE, "client_id": "zw-1"})
    assert response.status_code == 200
    assert "Write something first." in response.content.decode()
    assert Message.objects.count() == before


def test_a_message_of_zero_width_spaces_is_refused_by_the_action(world, chat):
    with pytest.raises(actions.ValidationError) as caught:
        actions.post_message(
            actor=world.people["member"], conversation=chat, body=INVISIBLE, client_id="zw-2"
        )
    assert caught.value.code == "empty"


@pytest.mark.django_db(transaction=True)
async def test_a_message_of_zero_width_spaces_is_refused_on_the_socket(world):
    from channels.db import database_sync_to_async

    member = world.people["member"]
    await database_sync_to_async(accept_rules)(member, world.spaces["group_a"])
    socket = await open_socket(member)
    topic = world.objects["conversation_group_a"].topic
    assert (await socket.request({"type": "subscribe", "topic": topic}))["type"] == "subscribed"
    reply = await socket.request(
        {"type": "post", "topic": topic, "body": INVISIBLE, "client_id": "zw-3"}
    )
    assert reply["type"] == "error" and reply["code"] == "empty"
    await socket.close()
    count = await database_sync_to_async(Message.objects.filter(client_id="zw-3").count)()
    assert count == 0


def test_plain_text_drops_markup_but_keeps_words():
    from tandem.core.richtext import one_line

    assert one_line("**Bold** and *soft*\n\n[a link](https://example.org)") == (
        "Bold and soft a link (https://example.org)"
    )
    assert one_line("1 < 2 & <b>x</b>") == "1 < 2 & <b>x</b>"


def test_reply_quotes_show_words_not_markdown(world, client_for, chat):
    parent = actions.post_message(
        actor=world.people["tutor"],
        conversation=chat,
        body="**Important**: bring your *CV*",
        client_id="rq-1",
    )
    child = actions.post_message(
        actor=world.people["member"],
        conversation=chat,
        body="Thanks",
        client_id="rq-2",
        reply_to=parent.pk,
    )
    body = client_for("member").get(_url(chat)).content.decode()
    assert "Important: bring your CV" in body
    assert "**Important**" not in body
    from tandem.chat import queries

    child.refresh_from_db()
    assert queries.message_data(child)["reply_to"]["excerpt"] == "Important: bring your CV"
    replying = client_for("member").get(_url(chat) + f"?reply_to={parent.pk}").content.decode()
    assert "**Important**" not in replying


def test_pausing_says_who_and_until_when_in_the_readers_zone(world, client_for, chat):
    tutor = world.people["tutor"]
    tutor.time_zone = "America/New_York"
    tutor.save(update_fields=["time_zone"])
    mute = reverse("chat:member_mute", args=[chat.space_id, world.people["member"].pk])
    response = client_for("tutor").post(mute, {"hours": "2", "reason": "calm"}, follow=True)
    text = response.content.decode()
    assert "Done." not in text
    assert "Member Person cannot post until" in text
    assert "America/New_York" in text
    response = client_for("tutor").post(mute, {"hours": "0", "reason": ""}, follow=True)
    assert "Member Person can post again." in response.content.decode()

"""Mentions by display name: "@[Display Name]", "@Name" for one word, "@username"."""

import pytest
from django.urls import reverse
from tandem.chat import actions
from tandem.core.models import Notification
from tandem.core.richtext import render

from tests.realtime.helpers import accept_rules


@pytest.fixture
def chat(world, settings):
    settings.TANDEM = {**settings.TANDEM, "POSTS_PER_MINUTE": 10_000}
    for role in ("member", "tutor", "counsellor"):
        accept_rules(world.people[role], world.spaces["group_a"])
    conversation = world.objects["conversation_group_a"]
    conversation.refresh_from_db()
    return conversation


def _post(world, chat, role, body, client_id):
    return actions.post_message(
        actor=world.people[role], conversation=chat, body=body, client_id=client_id
    )


def _mentioned():
    return set(
        Notification.objects.filter(kind="chat.mention").values_list("user__username", flat=True)
    )


def test_a_multi_word_display_name_in_brackets_notifies(world, chat):
    message = _post(world, chat, "member", "thanks @[tutor person] for today", "m-1")
    assert _mentioned() == {"tutor"}
    assert '<span class="mention">@tutor person</span>' in message.body_html


def test_a_one_word_display_name_notifies(world, chat):
    tutor = world.people["tutor"]
    tutor.display_name = "Amina"
    tutor.save(update_fields=["display_name"])
    message = _post(world, chat, "member", "@Amina see you", "m-2")
    assert _mentioned() == {"tutor"}
    assert '<span class="mention">@Amina</span>' in message.body_html


def test_the_username_still_notifies(world, chat):
    _post(world, chat, "member", "@counsellor hello", "m-3")
    assert _mentioned() == {"counsellor"}


def test_names_of_people_outside_the_space_are_not_highlighted(world, chat):
    message = _post(world, chat, "member", "@[Outsider Person] and @nobody", "m-4")
    assert _mentioned() == set()
    assert "mention" not in message.body_html


def test_an_edit_highlights_again(world, chat):
    message = _post(world, chat, "member", "plain", "m-5")
    message.conversation.space = chat.space
    actions.edit_message(actor=world.people["member"], message=message, body="now @[Tutor Person]")
    assert '<span class="mention">@Tutor Person</span>' in message.body_html


def test_mentions_are_not_made_inside_links_or_from_markup():
    html = render("[@tutor](https://example.org/@tutor) <b>@tutor</b>", mentions={"tutor"})
    assert html.count('class="mention"') == 1  # the one in the escaped text only
    assert 'href="https://example.org/@tutor"' in html


def test_the_message_box_offers_the_spaces_people(world, client_for, chat):
    page = client_for("member").get(reverse("chat:conversation", args=[chat.space_id, chat.pk]))
    text = page.content.decode()
    assert 'id="mention-people"' in text and "Tutor Person" in text
    assert 'role="listbox"' in text
    assert "Outsider Person" not in text

"""Leaving a space from its menu, erasing a person, and deleted messages keeping nothing."""

import pytest
from django.test import Client
from django.urls import reverse
from tandem.accounts.models import User
from tandem.chat import actions as chat_actions
from tandem.chat.models import Message, Report
from tandem.core.models import AuditEntry, Notification
from tandem.spaces.models import Membership

from tests.realtime.helpers import accept_rules


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def operator(world):
    return _client(world.people["staff"])


def test_erasing_someone_who_attended_an_approved_session_says_why_not(world, operator):
    member = world.people["member"]
    url = reverse("admin:accounts_user_delete", args=[member.pk])
    page = operator.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "an approved session this person attended" in text
    assert "Active" in text
    response = operator.post(url, {"post": "yes"})
    assert response.status_code < 500
    assert User.objects.filter(pk=member.pk).exists()


def test_erasing_someone_without_paid_sessions_still_works(world, operator):
    participant = world.people["participant"]
    url = reverse("admin:accounts_user_delete", args=[participant.pk])
    assert "an approved session" not in operator.get(url).content.decode()
    assert operator.post(url, {"post": "yes"}).status_code == 302
    assert not User.objects.filter(pk=participant.pk).exists()


def test_a_member_leaves_from_the_spaces_menu_after_confirming(world):
    space = world.spaces["group_a"]
    client = _client(world.people["member"])
    home = client.get(reverse("spaces:home", args=[space.pk])).content.decode()
    leave = reverse("spaces:leave", args=[space.pk])
    assert f'href="{leave}"' in home
    page = client.get(leave)
    assert (
        page.status_code == 200
        and "To come back you need a new invitation." in page.content.decode()
    )
    assert Membership.objects.filter(space=space, user=world.people["member"]).exists()
    response = client.post(leave)
    assert response.status_code == 302
    assert not Membership.objects.filter(space=space, user=world.people["member"]).exists()
    assert AuditEntry.objects.filter(action="membership.left").exists()
    assert client.get(reverse("spaces:home", args=[space.pk])).status_code == 404


def test_the_only_tutor_leaving_is_told_and_coordinators_hear_of_it(world):
    space = world.spaces["group_a"]
    client = _client(world.people["tutor"])
    leave = reverse("spaces:leave", args=[space.pk])
    assert (
        "only working-life tutor. Without you the group is not complete"
        in client.get(leave).content.decode()
    )
    after = client.post(leave, follow=True).content.decode()
    assert "now has no working-life tutor" in after
    assert Notification.objects.filter(
        user=world.people["coordinator"], kind="space.co_lead_missing"
    ).exists()


def test_a_coordinator_has_nothing_to_leave(world):
    space = world.spaces["group_a"]
    client = _client(world.people["coordinator"])
    home = client.get(reverse("spaces:home", args=[space.pk])).content.decode()
    assert reverse("spaces:leave", args=[space.pk]) not in home
    assert client.get(reverse("spaces:leave", args=[space.pk])).status_code == 403


def test_a_deleted_message_keeps_no_text_anywhere(world):
    space = world.spaces["group_a"]
    member = world.people["member"]
    accept_rules(member, space)
    conversation = world.objects["conversation_group_a"]
    conversation.refresh_from_db()
    message = chat_actions.post_message(
        actor=member, conversation=conversation, body="my SECRETWORD phone", client_id="d-1"
    )
    Report.objects.create(message=message, reporter=world.people["counsellor"], reason="")
    chat_actions.delete_message(actor=member, message=message)
    row = Message.objects.get(pk=message.pk)
    assert row.deleted is not None
    assert "SECRETWORD" not in row.body + row.body_html
    reports = _client(world.people["tutor"]).get(reverse("chat:reports", args=[space.pk]))
    assert "SECRETWORD" not in reports.content.decode()
    assert "The author deleted this message." in reports.content.decode()
    chat = reverse("chat:conversation", args=[space.pk, conversation.pk])
    assert "SECRETWORD" not in _client(world.people["tutor"]).get(chat).content.decode()
    # a retry of the post that was deleted is the same post, not a new one
    again = chat_actions.post_message(
        actor=member, conversation=conversation, body="my SECRETWORD phone", client_id="d-1"
    )
    assert again.pk == message.pk

"""A coordinator sees a peer group's pay, not its chat: joining one is the group's choice.

The attack: a coordinator makes a member invitation for a peer group and accepts it
themselves, then reads (and replays over the socket) the group's whole history.
"""

import pytest
from channels.db import database_sync_to_async
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from tandem.chat import actions as chat_actions
from tandem.chat.models import Message
from tandem.core.models import AuditEntry, Notification
from tandem.spaces import actions
from tandem.spaces.models import Invitation, JoinRequest, Membership, Role

from tests.realtime.helpers import accept_rules, open_socket


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _invite_through_the_page(client, space):
    response = client.post(
        reverse("spaces:invitations", args=[space.pk]), {"role": "member", "max_uses": "5"}
    )
    assert response.status_code == 302
    return Invitation.objects.filter(space=space).latest("created")


def _chat_url(world):
    conversation = world.objects["conversation_group_a"]
    return reverse("chat:conversation", args=[conversation.space_id, conversation.pk])


def test_nobody_joins_with_an_invitation_they_made(world):
    coordinator = world.people["coordinator"]
    client = _client(coordinator)
    space = world.spaces["group_a"]
    assert client.get(_chat_url(world)).status_code == 403
    invitation = _invite_through_the_page(client, space)
    response = client.post(reverse("spaces:join_link", args=[invitation.token]), follow=True)
    assert "You made this invitation, so you cannot join with it." in response.content.decode()
    assert not Membership.objects.filter(space=space, user=coordinator).exists()
    assert client.get(_chat_url(world)).status_code == 403


def test_a_tutor_cannot_join_another_role_with_own_invitation(world):
    tutor = world.people["tutor"]
    invitation = actions.create_invitation(
        actor=world.people["coordinator"], space=world.spaces["practice"], role=Role.PARTICIPANT
    )
    invitation.created_by = tutor
    with pytest.raises(ValidationError) as caught:
        actions.accept_invitation(actor=tutor, invitation=invitation)
    assert caught.value.code == "own_invitation"


def _coordinator_asks(world):
    """A co-lead's invitation reaches the coordinator, who asks to join with it."""
    coordinator = world.people["coordinator"]
    invitation = actions.create_invitation(
        actor=world.people["tutor"], space=world.spaces["group_a"], role=Role.MEMBER
    )
    client = _client(coordinator)
    response = client.post(reverse("spaces:join_link", args=[invitation.token]), follow=True)
    assert "Your request is sent." in response.content.decode()
    return client, JoinRequest.objects.get(space=world.spaces["group_a"], user=coordinator)


def test_a_coordinator_joins_a_peer_group_only_when_a_co_lead_approves(world):
    space = world.spaces["group_a"]
    coordinator = world.people["coordinator"]
    client, request = _coordinator_asks(world)
    assert request.outcome == "pending"
    assert not Membership.objects.filter(space=space, user=coordinator).exists()
    assert client.get(_chat_url(world)).status_code == 403
    # the co-leads are told, and only they may answer
    assert Notification.objects.filter(
        user=world.people["tutor"], kind="space.join_request"
    ).exists()
    assert Notification.objects.filter(
        user=world.people["counsellor"], kind="space.join_request"
    ).exists()
    decide = reverse("spaces:join_request_decide", args=[space.pk, request.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    assert _client(world.people["member"]).post(decide, {"decision": "approve"}).status_code == 403
    with pytest.raises(PermissionDenied):
        actions.decide_join_request(actor=coordinator, request=request, approve=True)
    listing = _client(world.people["counsellor"]).get(
        reverse("spaces:join_requests", args=[space.pk])
    )
    assert listing.status_code == 200 and "Coordinator Person" in listing.content.decode()
    response = _client(world.people["counsellor"]).post(decide, {"decision": "approve"})
    assert response.status_code == 302
    membership = Membership.objects.get(space=space, user=coordinator)
    assert membership.role == Role.MEMBER and membership.history_from is not None
    assert Notification.objects.filter(user=coordinator, kind="space.join_request").exists()
    # the group is told who joined and in which role
    told = Notification.objects.get(user=world.people["member"], kind="space.joined")
    assert "Coordinator Person" in told.text and "member" in told.text
    assert AuditEntry.objects.filter(action="membership.request_approved").exists()


def test_a_declined_coordinator_stays_out(world):
    space = world.spaces["group_a"]
    client, request = _coordinator_asks(world)
    decide = reverse("spaces:join_request_decide", args=[space.pk, request.pk])
    _client(world.people["tutor"]).post(decide, {"decision": "decline"})
    request.refresh_from_db()
    assert request.outcome == "declined"
    assert client.get(_chat_url(world)).status_code == 403
    again = _client(world.people["counsellor"]).post(decide, {"decision": "approve"}, follow=True)
    assert "Someone has already answered this request." in again.content.decode()
    assert not Membership.objects.filter(space=space, user=world.people["coordinator"]).exists()


def test_nobody_adds_a_coordinator_to_a_peer_group_but_its_co_leads(world):
    space = world.spaces["group_a"]
    for actor in ("coordinator", "staff"):
        with pytest.raises(ValidationError) as caught:
            actions.add_member(
                actor=world.people[actor],
                space=space,
                user=world.people["coordinator"],
                role=Role.MEMBER,
            )
        assert caught.value.code == "needs_co_lead_approval"
    membership = actions.add_member(
        actor=world.people["tutor"], space=space, user=world.people["coordinator"], role="member"
    )
    assert membership.history_from is not None


def _approved_coordinator(world):
    space = world.spaces["group_a"]
    _unused, request = _coordinator_asks(world)
    actions.decide_join_request(actor=world.people["tutor"], request=request, approve=True)
    return Membership.objects.get(space=space, user=world.people["coordinator"])


def test_the_history_before_joining_stays_closed_on_every_page(world):
    old = world.objects["message_group_a"]
    conversation = world.objects["conversation_group_a"]
    membership = _approved_coordinator(world)
    coordinator = world.people["coordinator"]
    accept_rules(coordinator, conversation.space)
    accept_rules(world.people["member"], conversation.space)
    conversation.refresh_from_db()
    new = chat_actions.post_message(
        actor=world.people["member"],
        conversation=conversation,
        body="after you came",
        client_id="n1",
    )
    client = _client(coordinator)
    page = client.get(_chat_url(world)).content.decode()
    assert "after you came" in page
    assert old.body not in page
    assert "Coordinator Person, a coordinator of Org A Helsinki" in page
    older = client.get(_chat_url(world) + f"?before={new.seq}").content.decode()
    assert old.body not in older
    space_id = conversation.space_id
    report = reverse("chat:message_report", args=[space_id, old.pk])
    assert client.get(report).status_code == 404
    replying = client.get(_chat_url(world) + f"?reply_to={old.pk}").content.decode()
    assert old.body not in replying
    with pytest.raises(ValidationError):
        chat_actions.post_message(
            actor=coordinator, conversation=conversation, body="hi", client_id="c1", reply_to=old.pk
        )
    # the group still sees everything, and names the coordinator in its chat
    member_page = _client(world.people["member"]).get(_chat_url(world)).content.decode()
    assert old.body in member_page and "Coordinator Person, a coordinator" in member_page
    # a co-lead opens the history, audited
    opened = reverse("spaces:member_open_history", args=[space_id, membership.pk])
    assert client.post(opened).status_code == 403
    assert _client(world.people["member"]).post(opened).status_code == 403
    assert _client(world.people["counsellor"]).post(opened).status_code == 302
    assert AuditEntry.objects.filter(action="membership.history_opened").exists()
    assert old.body in client.get(_chat_url(world)).content.decode()


@pytest.mark.django_db(transaction=True)
async def test_the_socket_does_not_replay_the_history_before_joining(world):
    conversation = world.objects["conversation_group_a"]
    old = world.objects["message_group_a"]
    membership = await database_sync_to_async(_approved_coordinator)(world)
    coordinator = world.people["coordinator"]

    def post_and_edit_old():
        accept_rules(world.people["member"], conversation.space)
        conversation.refresh_from_db()
        chat_actions.post_message(
            actor=world.people["member"],
            conversation=conversation,
            body="hello everyone",
            client_id="after-1",
        )

    await database_sync_to_async(post_and_edit_old)()
    socket = await open_socket(coordinator)
    assert socket.connected
    reply = await socket.request({"type": "subscribe", "topic": conversation.topic, "after": 0})
    assert reply["type"] == "subscribed"
    frames = await socket.drain()
    shown = [f for f in frames if f.get("type") == "event" and f.get("event") != "closed"]
    texts = [f["data"]["text"] for f in shown]
    assert texts == ["hello everyone"]
    assert old.body not in str(frames)
    # the positions stay gap-free: every one up to the head came, most of them closed
    seqs = [f["seq"] for f in frames if f.get("type") == "event"]
    assert seqs == list(range(1, reply["head"] + 1))

    # live: an edit of a message from before joining reaches the coordinator as closed
    def edit_old():
        message = Message.objects.select_related("conversation__space").get(pk=old.pk)
        chat_actions.edit_message(
            actor=world.people["member"], message=message, body="edited secret CANARYEDIT"
        )

    await database_sync_to_async(edit_old)()
    live = await socket.drain(wait=0.5)
    assert live and all(f.get("event") == "closed" for f in live if f.get("type") == "event")
    assert "CANARYEDIT" not in str(live)
    # acting on an old message over the socket finds nothing
    answer = await socket.request(
        {"type": "report", "topic": conversation.topic, "message": old.pk}
    )
    assert answer["type"] == "error" and answer["code"] == "not_found"
    await socket.close()

    # a co-lead opens the history: the whole of it replays
    await database_sync_to_async(actions.open_history)(
        actor=world.people["counsellor"], membership=membership
    )
    socket = await open_socket(coordinator)
    reply = await socket.request({"type": "subscribe", "topic": conversation.topic, "after": 0})
    frames = await socket.drain()
    assert "CANARYEDIT" in str(frames)
    assert not [f for f in frames if f.get("event") == "closed"]
    await socket.close()


def _reply_to_the_old_message(world):
    old = world.objects["message_group_a"]
    conversation = world.objects["conversation_group_a"]
    accept_rules(world.people["member"], conversation.space)
    conversation.refresh_from_db()
    return chat_actions.post_message(
        actor=world.people["member"],
        conversation=conversation,
        body="answering that old one",
        client_id="quote-1",
        reply_to=old.pk,
    )


def test_a_reply_does_not_quote_the_history_before_joining_on_the_page(world):
    old = world.objects["message_group_a"]
    _approved_coordinator(world)
    _reply_to_the_old_message(world)
    page = _client(world.people["coordinator"]).get(_chat_url(world)).content.decode()
    assert "answering that old one" in page
    assert old.body not in page
    member_page = _client(world.people["counsellor"]).get(_chat_url(world)).content.decode()
    assert old.body in member_page  # the group still sees the quote


@pytest.mark.django_db(transaction=True)
async def test_a_reply_does_not_quote_the_history_before_joining_on_the_socket(world):
    old = world.objects["message_group_a"]
    conversation = world.objects["conversation_group_a"]
    await database_sync_to_async(_approved_coordinator)(world)
    socket = await open_socket(world.people["coordinator"])
    reply = await socket.request({"type": "subscribe", "topic": conversation.topic})
    assert reply["type"] == "subscribed"
    await database_sync_to_async(_reply_to_the_old_message)(world)
    live = await socket.drain(wait=0.5)
    assert any(f.get("type") == "event" and f.get("event") != "closed" for f in live)
    assert old.body not in str(live)
    await socket.close()
    again = await open_socket(world.people["coordinator"])
    await again.request({"type": "subscribe", "topic": conversation.topic, "after": 0})
    backlog = await again.drain()
    assert "answering that old one" in str(backlog)
    assert old.body not in str(backlog)
    await again.close()


def test_a_coordinator_made_co_lead_sees_no_reports_from_before_joining(world):
    old = world.objects["message_group_a"]
    space = old.conversation.space
    chat_actions.report_message(actor=world.people["tutor"], message=old, reason="rude")
    actions.add_member(
        actor=world.people["counsellor"],
        space=space,
        user=world.people["coordinator"],
        role="tutor",
    )
    url = reverse("chat:reports", args=[space.pk])
    page = _client(world.people["coordinator"]).get(url).content.decode()
    assert old.body not in page and "rude" not in page
    assert old.body in _client(world.people["counsellor"]).get(url).content.decode()

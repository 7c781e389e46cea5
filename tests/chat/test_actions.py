"""Chat actions: posting once, positions, mentions, moderation, all audited."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from tandem.chat import actions, queries
from tandem.chat.models import ChatEvent, Conversation, Message, Report
from tandem.core.models import AuditEntry, Notification
from tandem.spaces.models import Membership
from tandem.spaces.permissions import forget_roles

from tests.realtime.helpers import accept_rules


@pytest.fixture
def chat(world, settings):
    # Tests post many messages quickly; the rate limit has tests of its own.
    settings.TANDEM = {**settings.TANDEM, "POSTS_PER_MINUTE": 10_000}
    for role in ("member", "tutor", "counsellor"):
        accept_rules(world.people[role], world.spaces["group_a"])
    conversation = world.objects["conversation_group_a"]
    conversation.refresh_from_db()
    return conversation


def post(world, chat, role, body, client_id, **extra):
    return actions.post_message(
        actor=world.people[role], conversation=chat, body=body, client_id=client_id, **extra
    )


def test_post_takes_the_next_position_and_stores_an_event(world, chat):
    head = chat.last_seq
    message = post(world, chat, "member", "hello", "a-1")
    assert message.seq == head + 1
    assert ChatEvent.objects.get(conversation=chat, seq=message.seq).kind == "posted"
    chat.refresh_from_db()
    assert chat.last_seq == message.seq


def test_same_client_id_same_text_returns_the_stored_message(world, chat):
    first = post(world, chat, "member", "once", "a-2")
    again = post(world, chat, "member", "once", "a-2")
    assert again.pk == first.pk
    assert Message.objects.filter(client_id="a-2").count() == 1


def test_a_retry_at_the_rate_limit_returns_the_stored_message(world, chat, settings):
    settings.TANDEM = {**settings.TANDEM, "POSTS_PER_MINUTE": 2}
    post(world, chat, "member", "one", "r-1")
    second = post(world, chat, "member", "two", "r-2")
    with pytest.raises(ValidationError) as error:
        post(world, chat, "member", "three", "r-3")
    assert error.value.code == "rate_limited"
    head = Conversation.objects.get(pk=chat.pk).last_seq
    assert post(world, chat, "member", "two", "r-2").pk == second.pk
    # The refused post left nothing: no message, and the position was not taken.
    assert not Message.objects.filter(client_id="r-3").exists()
    assert Conversation.objects.get(pk=chat.pk).last_seq == head == second.seq


def test_same_client_id_other_text_is_refused(world, chat):
    post(world, chat, "member", "once", "a-3")
    with pytest.raises(ValidationError) as error:
        post(world, chat, "member", "twice", "a-3")
    assert error.value.code == "client_id_reused"


def test_client_ids_are_per_author(world, chat):
    one = post(world, chat, "member", "mine", "shared-id")
    other = post(world, chat, "tutor", "mine", "shared-id")
    assert one.pk != other.pk


@pytest.mark.parametrize(
    ("body", "code"), [("", "empty"), ("   ", "empty"), ("x" * 4001, "too_long")]
)
def test_empty_or_long_text_is_refused_and_nothing_stored(world, chat, body, code):
    count = Message.objects.count()
    with pytest.raises(ValidationError) as error:
        post(world, chat, "member", body, "bad-1")
    assert error.value.code == code
    assert str(error.value.messages[0])
    assert Message.objects.count() == count


@pytest.mark.parametrize("client_id", ["", "has space", "x" * 65, "<script>"])
def test_bad_client_ids_are_refused(world, chat, client_id):
    with pytest.raises(ValidationError):
        post(world, chat, "member", "hi", client_id)


@pytest.mark.parametrize("role", ["coordinator", "other_coordinator", "outsider", "staff"])
def test_people_outside_the_group_cannot_post(world, chat, role):
    with pytest.raises(PermissionDenied):
        post(world, chat, role, "hi", "no-1")


def test_archived_space_takes_no_posts(world, chat):
    world.spaces["group_a"].archived = True
    world.spaces["group_a"].save()
    chat.space.archived = True
    with pytest.raises(PermissionDenied):
        post(world, chat, "member", "hi", "arch-1")


def test_reply_must_be_in_the_same_conversation(world, chat):
    foreign = world.objects["message_group_b"]
    with pytest.raises(ValidationError) as error:
        post(world, chat, "member", "hi", "re-1", reply_to=foreign.pk)
    assert error.value.code == "reply_missing"


def test_mention_and_reply_notify_members_only(world, chat, django_capture_on_commit_callbacks):
    parent = post(world, chat, "tutor", "question", "q-1")
    with django_capture_on_commit_callbacks(execute=True):
        post(
            world,
            chat,
            "member",
            "@counsellor and @coordinator and @outsider look",
            "men-1",
            reply_to=parent.pk,
        )
    kinds = dict(Notification.objects.values_list("user__username", "kind"))
    assert kinds == {"counsellor": "chat.mention", "tutor": "chat.reply"}


def test_mentions_are_in_the_recipients_language(world, chat):
    counsellor = world.people["counsellor"]
    counsellor.interface_language = "fi"
    counsellor.save()
    post(world, chat, "member", "hi @counsellor @tutor", "lang-1")
    params = {"name": world.people["member"].name, "space": chat.space.name}
    english = "{name} mentioned you in {space}".format(**params)
    with translation.override("fi"):
        finnish = gettext("%(name)s mentioned you in %(space)s") % params
    assert finnish != english
    assert Notification.objects.get(user=counsellor).text == finnish
    assert Notification.objects.get(user=world.people["tutor"]).text == english


def test_a_muted_member_cannot_edit_either(world, chat):
    message = post(world, chat, "member", "before", "mute-edit-1")
    membership = Membership.objects.select_related("space", "user").get(
        user=world.people["member"], space=world.spaces["group_a"]
    )
    actions.mute_member(actor=world.people["tutor"], membership=membership, hours=1, reason="calm")
    forget_roles(world.people["member"])
    with pytest.raises(ValidationError) as error:
        actions.edit_message(actor=world.people["member"], message=message, body="after")
    assert error.value.code == "muted"
    message.refresh_from_db()
    assert message.body == "before" and not message.edited


def test_everyone_who_may_moderate_hears_of_a_report(world, chat, django_user_model):
    practice = world.spaces["practice"]
    reader = django_user_model.objects.create_user(username="second_participant")
    Membership.objects.create(space=practice, user=reader, role="participant")
    message = world.objects["message_practice"]
    actions.report_message(actor=reader, message=message, reason="rude")
    told = set(
        Notification.objects.filter(kind="chat.report").values_list("user__username", flat=True)
    )
    assert told == {"facilitator"}  # participants, the author among them, do not moderate


def test_language_is_chosen_or_detected(world, chat):
    assert post(world, chat, "member", "hello", "l-1", lang="sv").lang == "sv"
    assert post(world, chat, "member", "مرحبا بكم", "l-2").lang == "ar"
    assert post(world, chat, "member", "سلام، چطوری؟", "l-3").lang == "fa"
    assert post(world, chat, "member", "Привіт усім", "l-4").lang == "uk"
    assert post(world, chat, "member", "hi", "l-5", lang="<bad>").lang in ("", "en")


def test_edit_and_delete_are_own_and_take_positions(world, chat):
    message = post(world, chat, "member", "first", "e-1")
    with pytest.raises(PermissionDenied):
        actions.edit_message(actor=world.people["tutor"], message=message, body="x")
    actions.edit_message(actor=world.people["member"], message=message, body="**second**")
    message.refresh_from_db()
    assert message.edited and message.body_html == "<p><strong>second</strong></p>"
    actions.delete_message(actor=world.people["member"], message=message)
    kinds = list(
        ChatEvent.objects.filter(message=message).order_by("seq").values_list("kind", flat=True)
    )
    assert kinds == ["posted", "edited", "deleted"]
    with pytest.raises(ValidationError):
        actions.edit_message(actor=world.people["member"], message=message, body="again")


def test_hide_needs_a_co_lead_and_a_reason_and_is_audited(world, chat):
    message = post(world, chat, "member", "rude words", "h-1")
    actions.report_message(actor=world.people["counsellor"], message=message, reason="rude")
    with pytest.raises(PermissionDenied):
        actions.hide_message(actor=world.people["member"], message=message, reason="x")
    with pytest.raises(ValidationError):
        actions.hide_message(actor=world.people["tutor"], message=message, reason="  ")
    actions.hide_message(actor=world.people["tutor"], message=message, reason="rude")
    message.refresh_from_db()
    assert message.hidden and message.hidden_reason == "rude"
    assert Report.objects.get(message=message).outcome == "hidden"
    assert AuditEntry.objects.filter(action="chat.message_hidden").count() == 1
    assert AuditEntry.objects.filter(action="chat.message_reported").count() == 1
    assert queries.message_data(message)["html"] == ""


def test_a_person_reports_a_message_once(world, chat):
    message = world.objects["message_group_a_tutor"]
    message.conversation.space = world.spaces["group_a"]
    first = actions.report_message(actor=world.people["counsellor"], message=message)
    again = actions.report_message(actor=world.people["counsellor"], message=message)
    assert first.pk == again.pk


def test_one_cannot_report_own_message(world, chat):
    message = post(world, chat, "member", "mine", "own-1")
    with pytest.raises(PermissionDenied):
        actions.report_message(actor=world.people["member"], message=message)


def test_mute_and_remove_are_for_co_leads_and_audited(world, chat):
    membership = Membership.objects.select_related("space", "user").get(
        user=world.people["member"], space=world.spaces["group_a"]
    )
    with pytest.raises(PermissionDenied):
        actions.mute_member(
            actor=world.people["member"], membership=membership, hours=1, reason="x"
        )
    with pytest.raises(ValidationError):
        actions.mute_member(
            actor=world.people["tutor"], membership=membership, hours=-3, reason="x"
        )
    actions.mute_member(actor=world.people["tutor"], membership=membership, hours=1, reason="calm")
    # The member's next post is a new request or socket action, which reads their roles afresh.
    forget_roles(world.people["member"])
    with pytest.raises(ValidationError) as error:
        post(world, chat, "member", "hi", "mute-1")
    assert error.value.code == "muted"
    actions.mute_member(actor=world.people["tutor"], membership=membership, hours=0, reason="")
    forget_roles(world.people["member"])
    post(world, chat, "member", "hi", "mute-2")
    actions.remove_member(actor=world.people["counsellor"], membership=membership, reason="left")
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "chat.member_muted",
        "chat.member_unmuted",
        "membership.removed",
    }


def test_co_leads_cannot_be_muted(world, chat):
    membership = Membership.objects.select_related("space", "user").get(
        user=world.people["tutor"], space=world.spaces["group_a"]
    )
    with pytest.raises(ValidationError):
        actions.mute_member(
            actor=world.people["counsellor"], membership=membership, hours=1, reason="x"
        )


def test_topics_are_added_by_co_leads(world, chat):
    with pytest.raises(PermissionDenied):
        actions.create_topic(actor=world.people["member"], space=chat.space, title="x")
    with pytest.raises(ValidationError):
        actions.create_topic(actor=world.people["tutor"], space=chat.space, title=" ")
    topic = actions.create_topic(actor=world.people["tutor"], space=chat.space, title="Courses")
    assert not topic.is_main


def test_one_main_conversation_per_space(world):
    space = world.spaces["group_b"]
    assert actions.main_conversation(space=space).pk == actions.main_conversation(space=space).pk
    assert Conversation.objects.filter(space=space, is_main=True).count() == 1


def test_unread_counts_in_one_query(world, chat, django_assert_num_queries):
    post(world, chat, "tutor", "one", "u-1")
    post(world, chat, "tutor", "two", "u-2")
    with django_assert_num_queries(1):
        rows = queries.unread_counts(world.people["member"])
    by_conversation = {r["conversation_id"]: r["count"] for r in rows}
    # The tutor's world message and two new ones (the hidden one does not count).
    assert by_conversation[chat.pk] == 3
    actions.mark_read(actor=world.people["member"], conversation=chat)
    assert queries.unread_counts(world.people["member"]) == []
    # Coordinators who are not members read nothing, so count nothing.
    assert queries.unread_counts(world.people["coordinator"]) == []


def test_events_after_a_position_are_in_order_with_current_state(world, chat):
    head = chat.last_seq
    one = post(world, chat, "member", "one", "ev-1")
    post(world, chat, "member", "two", "ev-2")
    actions.edit_message(actor=world.people["member"], message=one, body="one, edited")
    rows = queries.events_after(chat.pk, head, 100)
    assert [seq for seq, _frame in rows] == [head + 1, head + 2, head + 3]
    assert "one, edited" in rows[0][1]


def test_mention_digest_emails_people_who_were_away(world, chat, mailoutbox):
    from datetime import timedelta

    from django.utils import timezone

    post(world, chat, "member", "@counsellor @tutor hello", "d-1")
    world.people["tutor"].email_digest = False
    world.people["tutor"].save()
    Notification.objects.update(created=timezone.now() - timedelta(hours=2))
    call_command("send_mention_digest", stdout=io.StringIO())
    assert [m.to for m in mailoutbox] == [[world.people["counsellor"].email]]
    assert "/spaces/" in mailoutbox[0].body
    assert Notification.objects.get(user=world.people["counsellor"]).emailed
    assert Notification.objects.get(user=world.people["tutor"]).emailed is None
    call_command("send_mention_digest", stdout=io.StringIO())
    assert len(mailoutbox) == 1


def test_mention_digest_skips_people_who_left_the_space(world, chat, mailoutbox):
    from datetime import timedelta

    from django.utils import timezone

    post(world, chat, "member", "@counsellor hello", "d-left")
    Notification.objects.update(created=timezone.now() - timedelta(hours=2))
    Membership.objects.filter(user=world.people["counsellor"], space=chat.space).delete()
    call_command("send_mention_digest", stdout=io.StringIO())
    assert mailoutbox == []


def test_mention_digest_skips_fresh_and_read_notifications(world, chat, mailoutbox):
    post(world, chat, "member", "@counsellor hello", "d-2")
    call_command("send_mention_digest", stdout=io.StringIO())
    assert mailoutbox == []


def test_mention_digest_a_failing_address_stops_nobody_and_is_tried_again(
    world, chat, mailoutbox, monkeypatch
):
    from datetime import timedelta
    from smtplib import SMTPRecipientsRefused

    from django.core.mail.backends.locmem import EmailBackend
    from django.utils import timezone

    post(world, chat, "member", "@counsellor @tutor hello", "d-fail")
    Notification.objects.update(created=timezone.now() - timedelta(hours=2))
    real = EmailBackend.send_messages
    refused = world.people["counsellor"].email

    def send_messages(self, messages):
        if any(refused in m.to for m in messages):
            raise SMTPRecipientsRefused({refused: (550, b"no such person")})
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send_messages)
    call_command("send_mention_digest", stdout=io.StringIO())
    assert [m.to for m in mailoutbox] == [[world.people["tutor"].email]]
    assert Notification.objects.get(user=world.people["counsellor"]).emailed is None
    monkeypatch.setattr(EmailBackend, "send_messages", real)
    call_command("send_mention_digest", stdout=io.StringIO())
    assert [m.to for m in mailoutbox][1:] == [[refused]]

"""Operators do not read a group's chat: the admin shows no message text."""

from django.test import Client
from django.urls import reverse
from tandem.chat import actions
from tandem.chat.models import Report

from tests.realtime.helpers import accept_rules


def test_admin_shows_no_message_text_or_report_reason(world):
    space = world.spaces["group_a"]
    accept_rules(world.people["member"], space)
    conversation = actions.main_conversation(space=space)
    message = actions.post_message(
        actor=world.people["member"],
        conversation=conversation,
        body="Private words about my job interview",
        client_id="c-admin-1",
    )
    message = getattr(message, "message", message)
    report = Report.objects.create(
        message=message, reporter=world.people["tutor"], reason="Secret reason"
    )
    staff = Client()
    staff.force_login(world.people["staff"])
    pages = [
        reverse("admin:chat_message_changelist"),
        reverse("admin:chat_message_change", args=[message.pk]),
        reverse("admin:chat_report_changelist"),
        reverse("admin:chat_report_change", args=[report.pk]),
    ]
    for url in pages:
        response = staff.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "job interview" not in body, url
        assert "Secret reason" not in body, url

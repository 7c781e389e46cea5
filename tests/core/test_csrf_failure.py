"""A post whose token no longer holds keeps what the person typed."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from tandem.chat.models import Message
from tandem.spaces import actions as space_actions

TEXT = 'See you <b>Monday</b> & bring "the CV"\nsecond line'


def _fields(html):
    """The names and values a browser would post from the page's resend form."""
    form = re.search(
        r'<form method="post" action="([^"]*)"[^>]*id="resend-form">(.*?)</form>', html, re.S
    )
    assert form, html
    action, body = unescape(form.group(1)), form.group(2)
    data = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body):
        data[unescape(name)] = unescape(value)
    for name, value in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', body, re.S
    ):
        # A browser drops the one line break that opens a textarea's content.
        data[unescape(name)] = unescape(value.removeprefix("\n"))
    return action, data


@pytest.fixture
def member_client(world):
    member = world.people["member"]
    conversation = world.objects["conversation_group_a"]
    space_actions.accept_rules(actor=member, space=conversation.space)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    url = reverse("chat:conversation", args=[conversation.space_id, conversation.pk])
    assert client.get(url).status_code == 200
    return client, url, conversation


def test_a_post_with_a_stale_token_shows_the_text_again(member_client):
    client, url, conversation = member_client
    before = Message.objects.filter(conversation=conversation).count()
    response = client.post(
        url,
        {
            "body": TEXT,
            "client_id": "resend-1",
            "lang": "",
            "reply_to": "",
            "csrfmiddlewaretoken": "x" * 64,
        },
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "<b>Monday</b>" not in html
    assert "&lt;b&gt;Monday&lt;/b&gt;" in html  # escaped, in a textarea
    assert re.search(r"<textarea[^>]*name=\"body\"[^>]*>", html)
    assert Message.objects.filter(conversation=conversation).count() == before

    action, data = _fields(html)
    assert action == url
    assert data["body"] == TEXT
    assert data["csrfmiddlewaretoken"] != "x" * 64  # a fresh token
    response = client.post(action, data)
    assert response.status_code == 302
    stored = Message.objects.filter(conversation=conversation, client_id="resend-1").get()
    assert stored.body == TEXT


def test_secrets_are_never_shown_again(world):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("account_login"))
    response = client.post(
        reverse("account_login"),
        {"login": "member", "password": "the secret pass", "csrfmiddlewaretoken": "bad"},
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "the secret pass" not in html
    assert 'name="password"' not in html


def test_a_post_from_another_site_is_not_filled_in(member_client):
    client, url, _conversation = member_client
    response = client.post(
        url,
        {"body": "words of another site", "client_id": "x"},
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert "words of another site" not in response.content.decode()


@pytest.mark.parametrize("language", ["ar", "fi"])
def test_the_page_is_in_the_persons_language(world, member_client, language):
    from django.utils import translation

    client, url, _conversation = member_client
    world.people["member"].__class__.objects.filter(pk=world.people["member"].pk).update(
        interface_language=language
    )
    response = client.post(url, {"body": "hei"})
    with translation.override(language):
        title = translation.gettext("Your form was not sent")
    assert title != "Your form was not sent"
    assert response.status_code == 403
    assert title in response.content.decode()

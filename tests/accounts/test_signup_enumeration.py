"""Sign-up tells nobody whether an e-mail address already has an account."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from tandem.accounts.models import User

from tests.world import PASSWORD

NEW_PASSWORD = "a long new passphrase 42"


def _sign_up(username, email):
    client = Client()
    response = client.post(
        reverse("account_signup"),
        {
            "username": username,
            "email": email,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        follow=True,
    )
    return client, response


def _shown(response, typed_email=None):
    """The page as a person sees it, without what differs on every request (and with
    the address they typed, which it may repeat, put aside)."""
    html = response.content.decode()
    if typed_email:
        html = html.replace(typed_email, "TYPED")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.fixture(autouse=True)
def fresh_limits():
    from django.core.cache import cache

    cache.clear()


def test_a_known_and_a_new_email_get_the_same_answer(world):
    known = world.people["member"].email
    known_client, known_answer = _sign_up("someone-new-1", known)
    new_client, new_answer = _sign_up("someone-new-2", "fresh-person@example.org")

    assert known_answer.redirect_chain == new_answer.redirect_chain
    assert known_answer.status_code == new_answer.status_code == 200
    assert _shown(known_answer, known) == _shown(new_answer, "fresh-person@example.org")
    assert "already" not in _shown(known_answer).lower()
    # Neither is signed in by the answer itself.
    assert SESSION_KEY not in known_client.session
    assert SESSION_KEY not in new_client.session

    # The e-mail says what to do: the known address how to get back in.
    to_known = [m for m in mail.outbox if known in m.to]
    to_new = [m for m in mail.outbox if "fresh-person@example.org" in m.to]
    assert len(to_known) == 1 and len(to_new) == 1
    assert reverse("account_reset_password") in to_known[0].body
    assert "/accounts/confirm-email/" in to_new[0].body
    # Nothing was made for the known address; the new person's account exists.
    assert not User.objects.filter(username="someone-new-1").exists()
    assert User.objects.filter(username="someone-new-2").exists()


def test_the_new_account_signs_in_with_its_password(world):
    _sign_up("someone-new-3", "another-person@example.org")
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": "someone-new-3", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert SESSION_KEY in client.session


def test_without_an_email_the_person_is_signed_in_at_once(world):
    client, response = _sign_up("no-email-person", "")
    assert response.status_code == 200
    assert SESSION_KEY in client.session


def test_a_taken_username_is_refused_without_saying_it_exists(world):
    _client, response = _sign_up("member", "")
    html = _shown(response)
    assert "This username is not available. Please choose another." in html
    assert "already exists" not in html
    assert SESSION_KEY not in _client.session


def test_joining_by_invitation_says_the_same_for_a_taken_username(world):
    from django.core.exceptions import ValidationError
    from tandem.accounts import actions

    with pytest.raises(ValidationError) as error:
        actions.create_account(username="member", password=PASSWORD)
    assert error.value.message_dict["username"] == [
        "This username is not available. Please choose another."
    ]

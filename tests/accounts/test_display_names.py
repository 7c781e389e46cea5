"""Display names that pass for a co-lead are refused; chat shows each person's role."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from tandem.accounts import actions
from tandem.accounts.models import User
from tandem.chat import actions as chat_actions
from tandem.chat import queries as chat_queries
from tandem.spaces import actions as space_actions

from tests.realtime.helpers import accept_rules

# The tutor of group A is "Tutor Person".
COPIES = [
    "Tutor Person",
    "tutor person",
    "TUTOR PERSON",
    "Tutor\u200bPerson",
    "Tutor\u00a0Person",
    "Tutor\u2003 Person",
    "TutorPerson",
    "\u202eTutor Person",
    "Tutor Person\u200f",
    "\u2066Tutor\u2069 \u200dPerson",
    "Ｔｕｔｏｒ Ｐｅｒｓｏｎ",
    "  Tutor   Person  ",
    "𝐓𝐮𝐭𝐨𝐫 𝐏𝐞𝐫𝐬𝐨𝐧",
]


def _profile_data(user, name):
    return {
        "display_name": name,
        "interface_language": "",
        "time_zone": user.time_zone,
        "country": "",
        "email_digest": "on",
        "lang-TOTAL_FORMS": "0",
        "lang-INITIAL_FORMS": "0",
    }


@pytest.mark.parametrize("name", COPIES)
def test_a_member_cannot_take_a_co_leads_name(world, name):
    member = world.people["member"]
    with pytest.raises(ValidationError) as caught:
        actions.update_profile(actor=member, user=member, display_name=name)
    assert caught.value.error_dict["display_name"][0].code == "name_of_co_lead"
    member.refresh_from_db()
    assert member.display_name == "Member Person"


def test_the_profile_page_says_why(world):
    member = world.people["member"]
    client = Client()
    client.force_login(member)
    response = client.post(reverse("accounts:profile"), _profile_data(member, "tutor  PERSON"))
    assert response.status_code == 200
    assert "too close to that of Tutor Person, a co-lead in" in response.content.decode()
    assert User.objects.get(pk=member.pk).display_name == "Member Person"


def test_joining_with_a_co_leads_name_is_refused(world):
    invitation = space_actions.create_invitation(
        actor=world.people["tutor"], space=world.spaces["group_a"], role="member"
    )
    with pytest.raises(ValidationError) as caught:
        space_actions.join_as_new_person(
            invitation=invitation,
            username="newcomer",
            password="a long walk to the harbour",
            display_name="Counsellor\u200bPerson",
        )
    assert "display_name" in caught.value.error_dict
    assert not User.objects.filter(username="newcomer").exists()


def test_other_names_and_other_spaces_are_fine(world):
    outsider = world.people["outsider"]  # group B has no "Tutor Person"
    actions.update_profile(actor=outsider, user=outsider, display_name="Tutor Person")
    member = world.people["member"]
    actions.update_profile(actor=member, user=member, display_name="Tutor Persons")
    # a co-lead keeps their own name
    tutor = world.people["tutor"]
    actions.update_profile(actor=tutor, user=tutor, display_name="Tutor Person")


def test_bidi_controls_and_zero_width_characters_are_taken_out(world):
    member = world.people["member"]
    actions.update_profile(
        actor=member, user=member, display_name="\u202eSam\u200bira\u2067 \u00a0 K\u202c"
    )
    member.refresh_from_db()
    assert member.display_name == "Samira K"


def test_chat_shows_each_persons_role_beside_the_name(world):
    space = world.spaces["group_a"]
    conversation = world.objects["conversation_group_a"]
    for role in ("member", "tutor"):
        accept_rules(world.people[role], space)
    conversation.refresh_from_db()
    message = chat_actions.post_message(
        actor=world.people["tutor"], conversation=conversation, body="hello", client_id="r-1"
    )
    client = Client()
    client.force_login(world.people["member"])
    page = client.get(reverse("chat:conversation", args=[space.pk, conversation.pk]))
    text = page.content.decode()
    assert '<span class="role role-tutor">working-life tutor</span>' in text
    assert '<span class="role role-member">member</span>' in text
    # the live frame carries it too
    assert chat_queries.message_data(message)["author"]["role"] == "tutor"
    rows = chat_queries.events_after(conversation.pk, message.seq - 1, 10)
    assert '"role":"tutor"' in rows[0][1]

"""Invitations: who may make them, codes and links, limits, joining with them."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tandem.accounts.models import User
from tandem.core.models import AuditEntry
from tandem.spaces import actions
from tandem.spaces.models import Invitation, Membership, Role

STRONG = "a long walk to the harbour"
_addresses = iter(range(1, 250))


def fresh_client():
    """A visitor from an address of their own, so rate limits do not carry over."""
    return Client(REMOTE_ADDR=f"10.20.{next(_addresses)}.7")


def invite(world, role=Role.MEMBER, space="group_a", actor="tutor", **kwargs):
    return actions.create_invitation(
        actor=world.people[actor], space=world.spaces[space], role=role, **kwargs
    )


def join_data(username="samira", password=STRONG, **extra):
    return {
        "display_name": "Samira",
        "username": username,
        "password1": password,
        "password2": extra.pop("password2", password),
        **extra,
    }


@pytest.mark.parametrize(
    ("actor", "space", "role"),
    [
        ("tutor", "group_a", Role.MEMBER),
        ("counsellor", "group_a", Role.MEMBER),
        ("tutor", "group_a", Role.COUNSELLOR),
        ("counsellor", "group_a", Role.TUTOR),
        ("coordinator", "group_a", Role.TUTOR),
        ("facilitator", "practice", Role.PARTICIPANT),
        ("coordinator", "practice", Role.FACILITATOR),
    ],
)
def test_leads_may_invite(world, actor, space, role):
    invitation = invite(world, role=role, space=space, actor=actor)
    assert invitation.space == world.spaces[space]
    assert len(invitation.code) == 8
    assert len(invitation.token) >= 40
    assert AuditEntry.objects.filter(
        action="invitation.created", target=f"invitation:{invitation.pk}"
    ).exists()


@pytest.mark.parametrize(
    ("actor", "space", "role"),
    [
        ("member", "group_a", Role.MEMBER),
        ("outsider", "group_a", Role.MEMBER),
        ("participant", "practice", Role.PARTICIPANT),
        ("other_coordinator", "group_a", Role.MEMBER),
        ("staff", "group_a", Role.MEMBER),
        # A facilitator invites participants, but not other leads.
        ("facilitator", "practice", Role.FACILITATOR),
        ("facilitator", "practice", Role.COORDINATOR),
    ],
)
def test_others_may_not_invite(world, actor, space, role):
    before = Invitation.objects.count()
    with pytest.raises(PermissionDenied):
        invite(world, role=role, space=space, actor=actor)
    assert Invitation.objects.count() == before


def test_a_role_of_the_other_kind_of_space_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        invite(world, role=Role.PARTICIPANT)
    assert caught.value.code == "role_not_in_kind"


@pytest.mark.parametrize("max_uses", [0, 501])
def test_max_uses_out_of_range_is_refused(world, max_uses):
    with pytest.raises(ValidationError) as caught:
        invite(world, max_uses=max_uses)
    assert caught.value.code == "max_uses_range"


def test_invitation_form_refuses_bad_input_and_makes_nothing(world, client_for):
    before = Invitation.objects.count()
    response = client_for("tutor").post(
        reverse("spaces:invitations", args=[world.spaces["group_a"].pk]),
        {"role": "participant", "max_uses": "0"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"role", "max_uses"}
    assert Invitation.objects.count() == before


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("abcd2345", "ABCD2345"),
        (" ab-cd 23 45 ", "ABCD2345"),
        ("AB—CD.23_45", "ABCD2345"),
        ("", ""),
        (None, ""),
    ],
)
def test_codes_are_normalised(typed, expected):
    assert actions.normalise_code(typed) == expected


def test_codes_avoid_letters_that_look_alike(world):
    codes = "".join(invite(world).code for _ in range(20))
    assert not set(codes) & set("01OIL")


def test_code_typed_in_small_letters_with_dashes_leads_to_the_invitation(world):
    invitation = invite(world)
    typed = f"{invitation.code[:4].lower()}-{invitation.code[4:].lower()}"
    response = fresh_client().post(reverse("spaces:join"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("spaces:join_link", args=[invitation.token])


def test_wrong_code_gets_a_clear_error(world):
    response = fresh_client().post(reverse("spaces:join"), {"code": "ZZZZ-ZZZZ"})
    assert response.status_code == 200
    assert "This code does not work" in response.content.decode()


def test_guessing_codes_is_rate_limited(world, settings, one_rate_window):
    settings.TANDEM = {**settings.TANDEM, "JOIN_ATTEMPTS_PER_MINUTE": 3}
    invitation = invite(world)
    client = fresh_client()
    for _ in range(3):
        assert client.post(reverse("spaces:join"), {"code": "WRONG234"}).status_code == 200
    # Once the limit is reached even the right code waits.
    response = client.post(reverse("spaces:join"), {"code": invitation.code})
    assert response.status_code == 429
    assert "Please wait" in response.content.decode()
    # Another address is not held back.
    assert fresh_client().post(reverse("spaces:join"), {"code": invitation.code}).status_code == 302


def test_new_person_without_email_joins_with_a_link(world):
    invitation = invite(world)
    client = fresh_client()
    response = client.post(reverse("spaces:join_link", args=[invitation.token]), join_data())
    space = world.spaces["group_a"]
    assert response.status_code == 302
    assert response["Location"] == reverse("spaces:home", args=[space.pk])
    person = User.objects.get(username="samira")
    assert person.email == ""
    assert person.display_name == "Samira"
    assert person.check_password(STRONG)
    assert Membership.objects.get(space=space, user=person).role == Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.uses == 1
    assert AuditEntry.objects.filter(
        action="membership.joined", space=space, target=f"user:{person.pk}"
    ).exists()
    # Signed in at once: the space opens.
    assert client.get(reverse("spaces:home", args=[space.pk])).status_code == 200


def test_joining_keeps_the_role_of_the_invitation(world):
    invitation = invite(world, role=Role.COUNSELLOR)
    fresh_client().post(reverse("spaces:join_link", args=[invitation.token]), join_data())
    person = User.objects.get(username="samira")
    assert person.memberships.get().role == Role.COUNSELLOR


def _nothing_made(invitation, before_users):
    invitation.refresh_from_db()
    assert invitation.uses == 0
    assert User.objects.count() == before_users


@pytest.mark.parametrize("taken", ["member", "MEMBER", " Member "])
def test_a_username_taken_is_explained_and_nothing_is_made(world, taken):
    invitation = invite(world)
    before = User.objects.count()
    response = fresh_client().post(
        reverse("spaces:join_link", args=[invitation.token]), join_data(username=taken)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [
        "This username is not available. Please choose another."
    ]
    _nothing_made(invitation, before)


@pytest.mark.parametrize("weak", ["12345678", "password", "short", "samira-samira"])
def test_a_weak_password_is_explained_and_nothing_is_made(world, weak):
    invitation = invite(world)
    before = User.objects.count()
    response = fresh_client().post(
        reverse("spaces:join_link", args=[invitation.token]),
        join_data(username="samira-samira", password=weak),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors.keys() == {"password1"}
    assert errors["password1"]
    assert "errorlist" in response.content.decode()
    _nothing_made(invitation, before)


def test_a_username_with_spaces_inside_is_explained_and_nothing_is_made(world):
    invitation = invite(world)
    before = User.objects.count()
    response = fresh_client().post(
        reverse("spaces:join_link", args=[invitation.token]), join_data(username="sam ira")
    )
    assert response.status_code == 200
    assert "username" in response.context["form"].errors
    _nothing_made(invitation, before)


def test_two_different_passwords_are_explained_and_nothing_is_made(world):
    invitation = invite(world)
    before = User.objects.count()
    response = fresh_client().post(
        reverse("spaces:join_link", args=[invitation.token]),
        join_data(password2="another long sentence"),
    )
    assert response.context["form"].errors["password2"] == ["The two passwords are not the same."]
    _nothing_made(invitation, before)


def test_expired_invitation_no_longer_works(world):
    invitation = invite(world)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires=timezone.now() - timedelta(minutes=1)
    )
    before = User.objects.count()
    client = fresh_client()
    response = client.post(reverse("spaces:join_link", args=[invitation.token]), join_data())
    assert response.status_code == 200
    assert "has expired or is no longer valid" in response.content.decode()
    _nothing_made(invitation, before)
    response = client.post(reverse("spaces:join"), {"code": invitation.code})
    assert "This code does not work" in response.content.decode()


def test_invitation_stops_after_its_last_use(world):
    invitation = invite(world, max_uses=1)
    first = fresh_client().post(
        reverse("spaces:join_link", args=[invitation.token]), join_data("first-one")
    )
    assert first.status_code == 302
    before = User.objects.count()
    second = fresh_client().post(
        reverse("spaces:join_link", args=[invitation.token]), join_data("second-one")
    )
    assert second.status_code == 200
    assert "has expired or is no longer valid" in second.content.decode()
    assert User.objects.count() == before
    invitation.refresh_from_db()
    assert invitation.uses == 1
    with pytest.raises(ValidationError) as caught:
        actions.accept_invitation(actor=world.people["outsider"], invitation=invitation)
    assert caught.value.code == "invitation_unusable"


def test_revoked_invitation_no_longer_works_and_is_audited(world, client_for):
    invitation = invite(world)
    response = client_for("counsellor").post(
        reverse("spaces:invitation_revoke", args=[world.spaces["group_a"].pk, invitation.pk])
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked is not None
    assert not invitation.is_usable()
    assert AuditEntry.objects.filter(
        action="invitation.revoked", target=f"invitation:{invitation.pk}"
    ).exists()
    response = client_for("outsider").post(reverse("spaces:join_link", args=[invitation.token]))
    assert not Membership.objects.filter(
        space=world.spaces["group_a"], user=world.people["outsider"]
    ).exists()


def test_members_may_not_revoke(world):
    invitation = invite(world)
    with pytest.raises(PermissionDenied):
        actions.revoke_invitation(actor=world.people["member"], invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.revoked is None


def test_signed_in_person_joins_with_one_click(world, client_for):
    invitation = invite(world)
    client = client_for("outsider")
    url = reverse("spaces:join_link", args=[invitation.token])
    page = client.get(url)
    assert page.status_code == 200
    assert Membership.objects.filter(user=world.people["outsider"]).count() == 1
    response = client.post(url)
    space = world.spaces["group_a"]
    assert response["Location"] == reverse("spaces:home", args=[space.pk])
    assert Membership.objects.get(space=space, user=world.people["outsider"]).role == Role.MEMBER
    # Following the link again changes nothing and uses nothing.
    client.post(url)
    invitation.refresh_from_db()
    assert invitation.uses == 1


def test_a_member_following_an_invitation_keeps_their_role(world, client_for):
    invitation = invite(world, role=Role.MEMBER)
    client_for("tutor").post(reverse("spaces:join_link", args=[invitation.token]))
    membership = Membership.objects.get(space=world.spaces["group_a"], user=world.people["tutor"])
    assert membership.role == Role.TUTOR
    invitation.refresh_from_db()
    assert invitation.uses == 0


def test_unknown_link_is_not_found(world):
    assert fresh_client().get(reverse("spaces:join_link", args=["nope"])).status_code == 404


def test_qr_code_holds_the_join_link(world, client_for):
    invitation = invite(world)
    response = client_for("tutor").get(
        reverse("spaces:invitation_qr", args=[world.spaces["group_a"].pk, invitation.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content

"""Accounts without e-mail, and the demo data."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from tandem.accounts import actions
from tandem.accounts.models import LanguageSkill, Organisation, OrganisationRole, User
from tandem.spaces.models import Membership, Space


def test_account_without_email(db):
    person = actions.create_account(username="hodan2", password="a long walk to the harbour")
    assert person.email == ""
    assert person.check_password("a long walk to the harbour")
    assert str(person) == "hodan2"


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [
        ("taken", "a long walk to the harbour", "username"),
        ("TAKEN", "a long walk to the harbour", "username"),
        ("has space", "a long walk to the harbour", "username"),
        ("", "a long walk to the harbour", "username"),
        ("fresh", "123", "password"),
        ("fresh", "password", "password"),
    ],
)
def test_bad_accounts_are_refused_per_field_and_nothing_is_made(db, username, password, field):
    User.objects.create_user(username="taken", password="x")
    before = User.objects.count()
    with pytest.raises(ValidationError) as caught:
        actions.create_account(username=username, password=password)
    assert field in caught.value.message_dict
    assert User.objects.count() == before


def test_only_operators_set_organisation_roles(world):
    organisation = world.orgs["a"]
    with pytest.raises(ValidationError):
        actions.set_organisation_role(
            actor=world.people["coordinator"],
            organisation=organisation,
            user=world.people["member"],
            role="coordinator",
        )
    actions.set_organisation_role(
        actor=world.people["staff"],
        organisation=organisation,
        user=world.people["member"],
        role="coordinator",
    )
    assert OrganisationRole.objects.get(user=world.people["member"]).role == "coordinator"


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (User, Organisation, OrganisationRole, Space, Membership, LanguageSkill)
    }


def test_seed_demo_is_idempotent(db):
    call_command("seed_demo", stdout=io.StringIO())
    first = counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first


def test_seed_demo_makes_what_the_programme_needs(db):
    call_command("seed_demo", stdout=io.StringIO())
    assert set(Organisation.objects.values_list("country", flat=True)) >= {"FI", "SE", "BE"}
    group = Space.objects.get(kind=Space.Kind.PEER_GROUP, name__startswith="Kallio")
    roles = list(group.memberships.values_list("role", flat=True))
    assert roles.count("tutor") == 1
    assert roles.count("counsellor") == 1
    assert roles.count("member") >= 3
    practice = Space.objects.get(kind=Space.Kind.PRACTITIONER)
    countries = set(practice.memberships.values_list("user__country", flat=True))
    assert countries >= {"FI", "SE", "BE"}
    assert User.objects.get(username="yusuf").check_password("tandem-demo")


def test_seed_demo_prints_the_logins(db, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "tandem-demo" in out
    for username in ("coordinator", "tutor", "counsellor", "yusuf"):
        assert username in out

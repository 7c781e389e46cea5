"""Saving one's profile: languages with CEFR levels, time zone, language, country."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from tandem.accounts import actions
from tandem.accounts.models import LanguageSkill, validate_time_zone


def profile_data(**changes):
    data = {
        "display_name": "Meri",
        "interface_language": "fi",
        "time_zone": "Europe/Stockholm",
        "country": "SE",
        "email_digest": "on",
        "lang-TOTAL_FORMS": "2",
        "lang-INITIAL_FORMS": "0",
        "lang-MIN_NUM_FORMS": "0",
        "lang-MAX_NUM_FORMS": "12",
        "lang-0-language": "Swedish",
        "lang-0-level": "B1",
        "lang-1-language": "Tigrinya",
        "lang-1-level": "native",
    }
    data.update(changes)
    return data


def test_profile_saves_languages_with_levels(world, client_for):
    response = client_for("member").post(reverse("accounts:profile"), profile_data())
    assert response.status_code == 302
    person = world.people["member"]
    person.refresh_from_db()
    assert (person.display_name, person.interface_language) == ("Meri", "fi")
    assert (person.time_zone, person.country) == ("Europe/Stockholm", "SE")
    skills = {s.language: s.level for s in LanguageSkill.objects.filter(user=person)}
    assert skills == {"Swedish": "B1", "Tigrinya": "native"}
    page = client_for("member").get(reverse("accounts:profile")).content.decode()
    assert 'value="Swedish"' in page


def test_saving_again_replaces_the_languages(world, client_for):
    client = client_for("member")
    client.post(reverse("accounts:profile"), profile_data())
    client.post(
        reverse("accounts:profile"),
        profile_data(**{"lang-0-level": "B2", "lang-1-language": "", "lang-1-level": ""}),
    )
    assert list(
        LanguageSkill.objects.filter(user=world.people["member"]).values_list("language", "level")
    ) == [("Swedish", "B2")]


def unchanged(world):
    person = world.people["member"]
    before = (person.display_name, person.time_zone, person.country)
    person.refresh_from_db()
    assert (person.display_name, person.time_zone, person.country) == before
    assert not LanguageSkill.objects.filter(user=person).exists()


@pytest.mark.parametrize("zone", ["Mars/Olympus", "europe/helsinki", "", "UTC; DROP"])
def test_unknown_time_zone_is_refused_and_nothing_changes(world, client_for, zone):
    response = client_for("member").post(reverse("accounts:profile"), profile_data(time_zone=zone))
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    unchanged(world)


def test_time_zone_validator_names_the_zone():
    with pytest.raises(ValidationError) as caught:
        validate_time_zone("Mars/Olympus")
    assert caught.value.code == "unknown_time_zone"
    assert "Mars/Olympus" in caught.value.messages[0]
    validate_time_zone("Africa/Mogadishu")


def test_action_refuses_an_unknown_time_zone(world):
    person = world.people["member"]
    with pytest.raises(ValidationError):
        actions.update_profile(actor=person, user=person, time_zone="Nowhere/Land")
    person.refresh_from_db()
    assert person.time_zone != "Nowhere/Land"


def test_a_language_listed_twice_is_refused_and_nothing_changes(world, client_for):
    response = client_for("member").post(
        reverse("accounts:profile"),
        profile_data(**{"lang-1-language": "swedish", "lang-1-level": "A1"}),
    )
    assert response.status_code == 200
    assert "Each language can be listed once." in response.content.decode()
    unchanged(world)


def test_a_language_without_a_level_is_refused_and_nothing_changes(world, client_for):
    response = client_for("member").post(
        reverse("accounts:profile"), profile_data(**{"lang-0-level": ""})
    )
    assert response.status_code == 200
    assert "Choose a level." in response.content.decode()
    unchanged(world)


def test_a_level_outside_the_cefr_scale_is_refused(world, client_for):
    response = client_for("member").post(
        reverse("accounts:profile"), profile_data(**{"lang-0-level": "D7"})
    )
    assert response.status_code == 200
    unchanged(world)


def test_nobody_changes_another_persons_profile(world):
    with pytest.raises(ValidationError) as caught:
        actions.update_profile(
            actor=world.people["tutor"], user=world.people["member"], display_name="Hacked"
        )
    assert caught.value.code == "not_own"
    world.people["member"].refresh_from_db()
    assert world.people["member"].display_name != "Hacked"


def test_only_profile_fields_can_be_changed(world):
    person = world.people["member"]
    with pytest.raises(ValueError):
        actions.update_profile(actor=person, user=person, is_staff=True)


def test_interface_language_follows_the_persons_choice(world, client_for):
    client = client_for("member")
    client.post(reverse("accounts:profile"), profile_data(interface_language="ar"))
    response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="fi")
    assert '<html lang="ar" dir="rtl" ' in response.content.decode()


def test_without_a_choice_the_browsers_language_is_used(world, client_for):
    client = client_for("member")
    client.post(reverse("accounts:profile"), profile_data(interface_language=""))
    response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="fa")
    assert '<html lang="fa" dir="rtl" ' in response.content.decode()


def test_language_switcher_remembers_the_choice_on_the_profile(world, client_for):
    client = client_for("member")
    response = client.post(reverse("set_language"), {"language": "uk", "next": "/"})
    assert response.status_code == 302
    world.people["member"].refresh_from_db()
    assert world.people["member"].interface_language == "uk"


def test_language_switcher_ignores_a_next_url_elsewhere(world, client_for):
    response = client_for("member").post(
        reverse("set_language"), {"language": "sv", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"

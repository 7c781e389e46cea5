from django.urls import reverse


def test_arabic_page_is_right_to_left(client_for):
    client = client_for("member")
    response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="ar")
    assert '<html lang="ar" dir="rtl" ' in response.content.decode()


def test_persons_choice_wins_over_browser(world, client_for):
    member = world.people["member"]
    member.interface_language = "fi"
    member.save()
    response = client_for("member").get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="ar")
    assert '<html lang="fi" dir="ltr" ' in response.content.decode()


def test_browser_language_for_anonymous(client):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="fa")
    assert 'lang="fa" dir="rtl"' in response.content.decode()


def test_language_switcher_saves_choice(world, client_for):
    client = client_for("member")
    response = client.post(reverse("set_language"), {"language": "sv", "next": "/"})
    assert response.status_code == 302
    world.people["member"].refresh_from_db()
    assert world.people["member"].interface_language == "sv"


def test_language_switcher_refuses_foreign_next(client):
    response = client.post(
        reverse("set_language"), {"language": "sv", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_times_in_persons_time_zone(world, client_for):
    member = world.people["member"]
    member.time_zone = "America/Bogota"
    member.save()
    body = client_for("member").get(reverse("dashboard")).content.decode()
    assert "America/Bogota" in body


def test_notifications_are_personal(world, client_for, django_capture_on_commit_callbacks):
    from tandem.core.notifications import notify

    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[world.people["tutor"]], kind="test", text=lambda: "For the tutor only")
    assert (
        "For the tutor only" in client_for("tutor").get(reverse("notifications")).content.decode()
    )
    assert (
        "For the tutor only"
        not in client_for("member").get(reverse("notifications")).content.decode()
    )

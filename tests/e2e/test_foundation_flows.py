"""The foundation's journeys in a real browser: demo logins, joining with a code."""

from pathlib import Path

import pytest

from tests.e2e.conftest import PASSWORD, sign_in

DEMO_LOGINS = [
    "coordinator",
    "tutor",
    "counsellor",
    "yusuf",
    "olena",
    "hodan",
    "reza",
    "elif",
    "anna-se",
    "pieter-be",
    "claire-be",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.mark.parametrize("username", DEMO_LOGINS)
def test_demo_login_reaches_the_dashboard_with_its_spaces(username, browser, server_url):
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_in(page, server_url, username, PASSWORD)
        assert page.locator("h1").is_visible()
        # Every demo person is in at least one space, shown as a card.
        assert page.locator(".cards .card").count() >= 1
    finally:
        context.close()


def test_wrong_password_is_refused_with_a_clear_message(page_as, server_url):
    page = page_as(None)
    page.goto(f"{server_url}/accounts/login/")
    page.fill("input[name=login]", "tutor")
    page.fill("input[name=password]", "not the password")
    page.locator("main form button[type=submit]").first.click()
    assert page.url.startswith(f"{server_url}/accounts/login/")
    assert page.get_by_text("not correct", exact=False).first.is_visible()


def test_person_without_email_joins_with_a_code_end_to_end(
    page_as, server_url, e2e_data, axe_check
):
    page = page_as(None)
    page.goto(f"{server_url}/")
    # Not signed in: the sign-in page offers joining with a code.
    page.get_by_role("link", name="Join with a code").first.click()
    code = e2e_data["invitation"]["code"]
    # People read codes aloud and type them in pieces, in small letters.
    page.get_by_label("Code").fill(f"{code[:4].lower()} - {code[4:]}")
    page.get_by_role("button", name="Continue").click()
    assert page.url.endswith(f"/join/{e2e_data['invitation']['token']}/")
    assert page.get_by_role("heading", name="Join Kallio job-seekers' group").is_visible()
    axe_check(page)
    page.get_by_label("Your name, as others see it").fill("Samira")
    page.get_by_label("Username").fill("samira-e2e")
    page.locator("#id_password1").fill("a long walk to the harbour")
    page.get_by_label("Password again").fill("a long walk to the harbour")
    page.get_by_role("button", name="Join").click()
    assert page.url == f"{server_url}/spaces/{e2e_data['spaces']['group']}/"
    assert page.get_by_text("Welcome!", exact=False).is_visible()
    # The new person signs out and in again with the username alone.
    page.get_by_role("button", name="Sign out").click()
    if "/accounts/logout/" in page.url:
        page.locator("main form button[type=submit]").click()
    sign_in(page, server_url, "samira-e2e", "a long walk to the harbour")
    my_spaces = page.locator("section[aria-labelledby=my-spaces]")
    assert my_spaces.get_by_role("link", name="Kallio job-seekers' group").is_visible()


def test_wrong_code_gets_a_clear_message_and_no_account(page_as, server_url):
    page = page_as(None)
    page.goto(f"{server_url}/join/")
    page.get_by_label("Code").fill("ZZZZ-ZZZZ")
    page.get_by_role("button", name="Continue").click()
    assert page.url == f"{server_url}/join/"
    assert page.get_by_text("This code does not work", exact=False).is_visible()


def test_weak_password_when_joining_is_explained_and_the_form_kept(page_as, server_url, e2e_data):
    page = page_as(None)
    page.goto(f"{server_url}/join/{e2e_data['invitation']['token']}/")
    page.get_by_label("Username").fill("weak-e2e")
    page.locator("#id_password1").fill("12345678")
    page.get_by_label("Password again").fill("12345678")
    page.get_by_role("button", name="Join").click()
    assert "/join/" in page.url
    assert page.locator(".errorlist").first.is_visible()
    assert page.get_by_label("Username").input_value() == "weak-e2e"


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("width", [1280, 360])
def test_dashboard_screenshots(language, width, page_as, server_url):
    """Screenshots for people to look at (saved in screenshots/, not tracked)."""
    page = page_as("tutor", language=language, width=width)
    page.goto(f"{server_url}/")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"dashboard-{language}-{width}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_space_and_sign_in_screenshots(language, page_as, server_url, e2e_data):
    group = e2e_data["spaces"]["group"]
    page = page_as("tutor", language=language, width=360)
    SCREENSHOTS.mkdir(exist_ok=True)
    for name, path in [
        ("space-home", f"/spaces/{group}/"),
        ("members", f"/spaces/{group}/members/"),
        ("invitations", f"/spaces/{group}/invitations/"),
        ("profile", "/profile/"),
        ("email", "/accounts/email/"),
        ("password-change", "/accounts/password/change/"),
    ]:
        page.goto(server_url + path)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{language}-360.png"), full_page=True)
    visitor = page_as(None, language=language, width=360)
    for name, path in [
        ("sign-in", "/accounts/login/"),
        ("sign-up", "/accounts/signup/"),
        ("password-reset", "/accounts/password/reset/"),
        ("join", "/join/"),
    ]:
        visitor.goto(server_url + path)
        visitor.screenshot(path=str(SCREENSHOTS / f"{name}-{language}-360.png"), full_page=True)

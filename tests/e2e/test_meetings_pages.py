"""The meeting pages in a real browser: axe in English and Arabic, phones and
wide screens, and screenshots of the month grid and the phone agenda."""

import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots"
PHONE = 360
WIDE = 1280


def _pages():
    # (who looks, path builder)
    def meeting(key, suffix=""):
        def path(d):
            m = d["meetings"]
            space = d["spaces"]["group"] if key == "weekly" else d["spaces"]["practice"]
            return f"/spaces/{space}/meetings/{m[key]}/{suffix}"

        return path

    return {
        "calendar_group": ("tutor", lambda d: f"/spaces/{d['spaces']['group']}/meetings/"),
        "calendar_group_member": ("yusuf", lambda d: f"/spaces/{d['spaces']['group']}/meetings/"),
        "calendar_practice": (
            "anna-se",
            lambda d: (
                f"/spaces/{d['spaces']['practice']}/meetings/"
                f"?month={d['meetings']['seminar_month']}"
            ),
        ),
        "my_calendar": ("counsellor", lambda d: "/meetings/"),
        "dashboard": ("counsellor", lambda d: "/"),
        "session": ("olena", meeting("weekly")),
        "session_organiser": ("tutor", meeting("weekly")),
        "seminar_with_agenda": ("coordinator", meeting("seminar")),
        "online_meeting": ("pieter-be", meeting("online")),
        "attendance": ("tutor", meeting("weekly", "attendance/")),
        "check_in": ("olena", meeting("weekly", "check-in/")),
        "move": ("tutor", meeting("weekly", "move/")),
        "edit": ("coordinator", meeting("seminar", "edit/")),
        "new_meeting": ("tutor", lambda d: f"/spaces/{d['spaces']['group']}/meetings/new/"),
        "import": ("coordinator", lambda d: f"/spaces/{d['spaces']['practice']}/meetings/import/"),
        "feeds": ("yusuf", lambda d: "/meetings/feeds/"),
    }


PAGES = _pages()


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("name", list(PAGES))
def test_meeting_page_passes_axe_wide_and_fits_a_phone(
    name, language, page_as, server_url, e2e_data, axe_check, no_horizontal_scroll, no_broken_words
):
    who, path = PAGES[name]
    page = page_as(who, language=language, width=WIDE)
    response = page.goto(server_url + path(e2e_data))
    assert response.status == 200, f"{path(e2e_data)} answered {response.status}"
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    axe_check(page)
    no_broken_words(page)
    # The same page on a small phone (the calendar turns into the agenda list).
    page.set_viewport_size({"width": PHONE, "height": 740})
    no_horizontal_scroll(page)
    no_broken_words(page)
    axe_check(page)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_wide_screen_shows_the_month_grid(language, page_as, server_url, e2e_data):
    page = page_as("tutor", language=language, width=WIDE, height=1000)
    page.goto(f"{server_url}/spaces/{e2e_data['spaces']['group']}/meetings/")
    assert page.locator(".month-grid").is_visible()
    assert not page.locator(".agenda-list").is_visible()
    assert page.locator(".month-grid .day-items a").count() >= 3
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"meetings-month-grid-wide-{language}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_phone_shows_the_agenda_list(language, page_as, server_url, e2e_data):
    page = page_as("yusuf", language=language, width=PHONE, height=780)
    page.goto(f"{server_url}/spaces/{e2e_data['spaces']['group']}/meetings/")
    assert page.locator(".agenda-list").is_visible()
    assert not page.locator(".month-grid").is_visible()
    assert page.locator(".agenda-list .agenda-item").count() >= 3
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"meetings-agenda-phone-{language}.png"), full_page=True)


def test_answer_and_check_in_from_a_phone(page_as, server_url, e2e_data):
    """The tutor shows a code; a member answers yes and checks in with it."""
    space, weekly = e2e_data["spaces"]["group"], e2e_data["meetings"]["now_on"]
    tutor = page_as("tutor", width=WIDE)
    tutor.goto(f"{server_url}/spaces/{space}/meetings/{weekly}/attendance/")
    tutor.get_by_role("button", name="Show a check-in code").click()
    code = tutor.locator(".check-in-code .code").inner_text().strip()
    assert len(code) == 6
    SHOTS.mkdir(exist_ok=True)
    tutor.screenshot(path=str(SHOTS / "meetings-check-in-code.png"), full_page=True)

    member = page_as("elif", width=PHONE)
    member.goto(f"{server_url}/spaces/{space}/meetings/{weekly}/")
    member.get_by_label("Yes").check()
    member.get_by_role("button", name="Save my answer").click()
    assert "your answer is saved" in member.locator(".messages").inner_text()
    member.goto(f"{server_url}/spaces/{space}/meetings/{weekly}/check-in/")
    member.get_by_label("Check-in code").fill(code.lower())
    member.get_by_role("button", name="I am here").click()
    assert "You are checked in" in member.locator(".messages").inner_text()


def test_meeting_pages_screenshots(page_as, server_url, e2e_data):
    """For a look by eye: a seminar with its agenda, a session on a phone in Arabic."""
    practice, group = e2e_data["spaces"]["practice"], e2e_data["spaces"]["group"]
    SHOTS.mkdir(exist_ok=True)
    page = page_as("coordinator", width=WIDE)
    page.goto(f"{server_url}/spaces/{practice}/meetings/{e2e_data['meetings']['seminar']}/")
    assert page.locator("#agenda li").count() == 5
    assert page.locator(".your-time").first.is_visible()  # Stockholm meeting, Helsinki viewer
    page.screenshot(path=str(SHOTS / "meetings-seminar-wide.png"), full_page=True)
    phone = page_as("yusuf", language="ar", width=PHONE)
    phone.goto(f"{server_url}/spaces/{group}/meetings/{e2e_data['meetings']['weekly']}/")
    phone.screenshot(path=str(SHOTS / "meetings-session-phone-ar.png"), full_page=True)

"""The shared layout in a real browser: the phone header, mixed-direction text,
dates and times in the person's formats, and screenshots of the main pages."""

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PHONE = 360
WIDE = 1280

# The pages people use most, each as (who looks, path builder).
MAIN_PAGES = {
    "dashboard": ("tutor", lambda d: "/"),
    "chat": ("yusuf", lambda d: f"/spaces/{d['spaces']['group']}/chat/"),
    "calendar": ("tutor", lambda d: f"/spaces/{d['spaces']['group']}/meetings/"),
    "statement": ("tutor", lambda d: f"/statements/{d['recognition']['statement']}/"),
}


@pytest.mark.parametrize("width", [PHONE, WIDE])
@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("name", list(MAIN_PAGES))
def test_main_page_keeps_words_whole_and_shows_its_heading_first(
    name, language, width, page_as, server_url, e2e_data, no_broken_words, no_horizontal_scroll
):
    who, path = MAIN_PAGES[name]
    page = page_as(who, language=language, width=width, height=640)
    response = page.goto(server_url + path(e2e_data))
    assert response.status == 200
    no_horizontal_scroll(page)
    no_broken_words(page)
    if width == PHONE:
        # The page's own content shows without scrolling: the header is one short row.
        top = page.locator("main h1").first.bounding_box()["y"]
        assert top <= 120, f"the main heading starts {top:.0f}px down on a phone"
        header = page.locator(".site-header").bounding_box()["height"]
        assert header <= 64, f"the phone header is {header:.0f}px high"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"layout-{name}-{language}-{width}.png"), full_page=True)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_phone_menu_opens_without_javascript(language, page_as, server_url):
    page = page_as("tutor", language=language, width=PHONE, height=640, javascript=False)
    page.goto(f"{server_url}/")
    profile = page.locator(".site-header nav a[href='/profile/']")
    assert not profile.is_visible()
    page.locator(".site-menu > summary").click()
    assert profile.is_visible()
    assert page.locator("#language-select").is_visible()
    profile.click()
    assert page.url == f"{server_url}/profile/"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_wide_screen_shows_the_menu_without_a_button(language, page_as, server_url):
    page = page_as("tutor", language=language, width=WIDE, javascript=False)
    page.goto(f"{server_url}/")
    assert page.locator(".site-header nav a[href='/profile/']").is_visible()
    assert page.locator("#language-select").is_visible()
    assert not page.locator(".site-menu > summary").is_visible()


# In an Arabic page, each block follows the page (right to left, text at the right);
# an English title or name inside it is isolated (<bdi>), not turned into a
# left-to-right block.
BLOCK_DIRECTIONS = """
(selector) => [...document.querySelectorAll(selector)].map(block => {
  const range = document.createRange();
  range.selectNodeContents(block);
  const text = range.getBoundingClientRect();
  const box = block.getBoundingClientRect();
  const style = getComputedStyle(block);
  return {
    html: block.outerHTML.slice(0, 120),
    direction: style.direction,
    gapAtRight: Math.round(box.right - parseFloat(style.paddingRight) - text.right),
    isolated: !!block.querySelector("bdi"),
  };
})
"""
AUTO_BLOCKS = """
() => [...document.querySelectorAll('[dir="auto"]:not(textarea, input)')]
  .filter(element => getComputedStyle(element).display !== "inline")
  .map(element => element.outerHTML.slice(0, 120))
"""


@pytest.mark.parametrize(
    ("who", "path", "selector"),
    [
        (
            "tutor",
            lambda d: f"/spaces/{d['spaces']['group']}/meetings/{d['meetings']['now_on']}/",
            "#meeting-title, .facts dd:has(bdi)",
        ),
        ("tutor", lambda d: f"/statements/{d['recognition']['statement']}/", ".rec-facts dd"),
        ("tutor", lambda d: "/sessions/", "tbody td:has(bdi)"),
        # Messages are not isolated in a <bdi>: each paragraph takes its direction from its text.
        ("yusuf", lambda d: f"/spaces/{d['spaces']['group']}/chat/", ".chat-body p"),
    ],
    ids=["meeting", "statement", "session_list", "chat"],
)
def test_latin_text_in_arabic_pages_sits_at_the_right(
    who, path, selector, page_as, server_url, e2e_data
):
    page = page_as(who, language="ar", width=WIDE)
    page.goto(server_url + path(e2e_data))
    assert page.evaluate(AUTO_BLOCKS) == []
    blocks = page.evaluate(BLOCK_DIRECTIONS, selector)
    assert blocks, f"nothing matched {selector}"
    for block in blocks:
        assert block["direction"] == "rtl", block
        assert block["gapAtRight"] <= 2, f"text not at the right: {block}"
    if "chat-body" not in selector:
        assert any(block["isolated"] for block in blocks), blocks


def _expected_clock(moment, language):
    """Tandem's formats: a 24-hour clock, with a dot in Finnish ("G.i")."""
    if language == "fi":
        return f"{moment.hour}.{moment:%M}"
    return f"{moment:%H:%M}"


@pytest.mark.parametrize("language", ["en", "fi"])
def test_chat_times_are_the_persons_zone_and_format_live_and_reloaded(
    language, page_as, server_url, e2e_data
):
    # Yusuf lives in Helsinki; the server runs in UTC.
    page = page_as("yusuf", language=language, width=WIDE)
    page.goto(f"{server_url}/spaces/{e2e_data['spaces']['group']}/chat/")
    page.wait_for_selector('[data-live-status][data-state="live"]')
    text = f"Layout check in {language}: the time of this message"
    page.fill("#post-form textarea", text)
    page.locator("#post-form button[type=submit]").click()
    message = page.locator(".chat-message[data-id]", has_text=text)
    message.wait_for()
    live = message.locator(".chat-time time")
    live_text = live.inner_text().strip()
    page.reload()
    reloaded = page.locator(".chat-message[data-id]", has_text=text).locator(".chat-time time")
    reloaded_text = reloaded.inner_text().strip()
    moment = dt.datetime.fromisoformat(reloaded.get_attribute("datetime"))
    local = moment.astimezone(zoneinfo.ZoneInfo("Europe/Helsinki"))
    assert moment.utcoffset() == local.utcoffset()
    assert reloaded_text == _expected_clock(local, language)
    assert live_text == reloaded_text


@pytest.mark.parametrize("language", ["en", "fi"])
def test_notification_times_are_the_persons_zone_and_format(
    language, page_as, server_url, e2e_data
):
    yusuf = page_as("yusuf", width=WIDE)
    yusuf.goto(f"{server_url}/spaces/{e2e_data['spaces']['group']}/chat/")
    yusuf.wait_for_selector('[data-live-status][data-state="live"]')
    yusuf.fill("#post-form textarea", f"@hodan a notice to read in {language}")
    yusuf.locator("#post-form button[type=submit]").click()
    yusuf.locator(".chat-message[data-id]", has_text=f"read in {language}").wait_for()
    page = page_as("hodan", language=language, width=WIDE)
    page.goto(f"{server_url}/notifications/")
    times = page.locator("#notification-list time")
    assert times.count() >= 1
    for index in range(times.count()):
        element = times.nth(index)
        moment = dt.datetime.fromisoformat(element.get_attribute("datetime"))
        local = moment.astimezone(zoneinfo.ZoneInfo("Europe/Helsinki"))
        assert moment.utcoffset() == local.utcoffset()
        if language == "en":
            date = f"{local:%d/%m/%Y}"
        else:
            date = f"{local.day}.{local.month}.{local.year}"
        assert element.inner_text().strip() == f"{date} {_expected_clock(local, language)}"


def test_english_calendar_weeks_start_on_monday_and_dates_put_the_day_first(
    page_as, server_url, e2e_data
):
    page = page_as("tutor", language="en", width=WIDE)
    page.goto(f"{server_url}/spaces/{e2e_data['spaces']['group']}/meetings/")
    first = page.locator(".month-grid thead th abbr").first.get_attribute("title")
    assert first == "Monday"
    page.goto(f"{server_url}/statements/{e2e_data['recognition']['statement']}/")
    heading = page.locator("main h1").inner_text()
    start, end = re.findall(r"(\d{2})/(\d{2})/(\d{4})", heading)
    # A statement covers a month: from its first day to its last.
    assert start[0] == "01", heading
    assert int(end[0]) >= 28, heading
    assert start[1] == end[1], heading

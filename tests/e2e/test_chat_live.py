"""The peer group's chat, live in two browsers: offline and back, axe, screenshots."""

import re
from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
WIDE = 1280
PHONE = 360
STATUS = "[data-live-status]"

# Records every state the live-status line takes, from the page's first script on.
WATCH_STATUS = """
() => {
  window.__liveStates = [];
  const element = document.querySelector('[data-live-status]');
  const note = () => {
    const states = window.__liveStates;
    if (states[states.length - 1] !== element.dataset.state) states.push(element.dataset.state);
  };
  if (element.dataset.state) note();
  new MutationObserver(note).observe(element, {attributes: true, attributeFilter: ['data-state']});
}
"""


def chat_url(server_url, e2e_data):
    return f"{server_url}/spaces/{e2e_data['spaces']['group']}/chat/"


def open_chat(page, url):
    page.goto(url)
    page.wait_for_selector(f'{STATUS}[data-state="live"]')
    page.evaluate(WATCH_STATUS)


def post(page, text):
    """Write and send through the page's form; returns once the server acknowledged it."""
    page.fill("#post-form textarea", text)
    page.locator("#post-form button[type=submit]").click()
    page.locator(".chat-message[data-id]", has_text=text).wait_for()


def log_of(page):
    """The messages the page shows: (seq, id, text), top to bottom."""
    return page.eval_on_selector_all(
        "#chat-log .chat-message",
        """els => els.map(el => [Number(el.dataset.seq), Number(el.dataset.id),
                                 (el.querySelector('.chat-body')?.innerText || '').trim()])""",
    )


def test_member_back_from_offline_sees_every_message_once_in_order(page_as, server_url, e2e_data):
    url = chat_url(server_url, e2e_data)
    olena = page_as("olena", width=WIDE)
    yusuf = page_as("yusuf", width=WIDE)
    open_chat(olena, url)
    open_chat(yusuf, url)

    post(olena, "Hei Yusuf, are you coming on Tuesday?")
    yusuf.locator(".chat-message", has_text="are you coming on Tuesday?").wait_for()

    yusuf.context.set_offline(True)
    yusuf.wait_for_selector(f'{STATUS}[data-state="offline"]')
    assert "Offline" in yusuf.locator(STATUS).inner_text()

    missed = [f"While you were away, note {n}: bring your CV" for n in range(1, 6)]
    for text in missed:
        post(olena, text)
    assert yusuf.locator(".chat-message", has_text="While you were away").count() == 0
    SCREENSHOTS.mkdir(exist_ok=True)
    yusuf.screenshot(path=str(SCREENSHOTS / "chat-en-offline.png"))

    yusuf.context.set_offline(False)
    yusuf.wait_for_selector(f'{STATUS}[data-state="live"]')
    yusuf.locator(".chat-message", has_text=missed[-1]).wait_for()
    post(olena, "Welcome back!")
    yusuf.locator(".chat-message", has_text="Welcome back!").wait_for()

    seen = log_of(yusuf)
    seqs = [seq for seq, _id, _text in seen]
    assert seqs == sorted(set(seqs)), f"repeated or out of order: {seqs}"
    texts = [text for _seq, _id, text in seen]
    for text in [*missed, "Welcome back!"]:
        assert texts.count(text) == 1, f"{text!r} shown {texts.count(text)} times"
    assert [t for t in texts if t in missed] == missed
    # Both browsers show the same messages, in the same order.
    assert [(s, i) for s, i, _t in seen] == [(s, i) for s, i, _t in log_of(olena)]

    states = yusuf.evaluate("window.__liveStates")
    assert states[0] == "live" and states[-1] == "live"
    assert "offline" in states
    assert re.search(r"offline,(reconnecting,)+live", ",".join(states)), states


@pytest.mark.parametrize("language", ["en", "ar"])
def test_chat_page_passes_axe(language, page_as, server_url, e2e_data, axe_check):
    page = page_as("olena", language=language, width=WIDE)
    open_chat(page, chat_url(server_url, e2e_data))
    axe_check(page)


@pytest.mark.parametrize("width", [WIDE, PHONE])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_chat_screenshots(
    language, width, page_as, server_url, e2e_data, no_horizontal_scroll, no_broken_words
):
    """Screenshots for people to look at (saved in screenshots/, not tracked)."""
    page = page_as("yusuf", language=language, width=width, height=900)
    open_chat(page, chat_url(server_url, e2e_data))
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    no_horizontal_scroll(page)
    no_broken_words(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"chat-{language}-{width}.png"), full_page=True)

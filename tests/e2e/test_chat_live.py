"""The peer group's chat, live in two browsers: offline and back, axe, screenshots."""

import json
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


def test_a_post_too_large_for_the_socket_is_refused_and_its_text_given_back(
    page_as, server_url, e2e_data
):
    """Longer than the socket's frame limit (the box's own limit lifted, as a paste could)."""
    olena = page_as("olena", width=WIDE)
    open_chat(olena, chat_url(server_url, e2e_data))
    text = "Too long for one frame. " + "x" * 17000
    olena.evaluate("document.querySelector('#post-form textarea').removeAttribute('maxlength')")
    olena.fill("#post-form textarea", text)
    olena.locator("#post-form button[type=submit]").click()
    alert = olena.locator("#chat-alert")
    alert.wait_for(timeout=5000)
    assert "too long" in alert.inner_text()
    assert olena.input_value("#post-form textarea") == text
    assert olena.locator(".chat-pending").count() == 0
    assert olena.locator(".chat-message", has_text="Too long for one frame").count() == 0
    # The socket goes on: a shorter post is sent and stored.
    post(olena, "Shorter now.")


def test_a_socket_that_sends_no_hello_is_given_up_and_the_page_reconnects(
    page_as, server_url, e2e_data
):
    """The first socket opens but stays silent (a proxy that hangs); the page tries again."""
    page = page_as("olena", width=WIDE)
    attempts = []

    def route(socket):
        attempts.append(socket.url)
        if len(attempts) > 1:
            socket.connect_to_server()
        # The first one is left open and silent: no hello ever comes.

    page.route_web_socket(re.compile(r"/ws/$"), route)
    page.goto(chat_url(server_url, e2e_data))
    page.wait_for_selector(f'{STATUS}[data-state="live"]', timeout=12000)
    assert len(attempts) >= 2
    post(page, "Through the second socket.")


def test_a_post_whose_ack_comes_after_the_wait_is_shown_once(page_as, server_url, e2e_data):
    """The server stores the post and its event arrives at once, but its ack is held back
    past the page's 15-second wait; when it comes, it settles the post."""
    page = page_as("olena", width=WIDE)
    held = []

    def route(socket):
        server = socket.connect_to_server()
        socket.on_message(server.send)

        def from_server(message):
            frame = json.loads(message)
            if not held and frame.get("type") == "ack" and frame.get("client_id", "")[:2] == "w-":
                held.append(message)
                return
            socket.send(message)

        server.on_message(from_server)
        sockets.append(socket)

    sockets = []
    page.route_web_socket(re.compile(r"/ws/$"), route)
    open_chat(page, chat_url(server_url, e2e_data))
    text = "An answer that takes its time."
    page.fill("#post-form textarea", text)
    page.locator("#post-form button[type=submit]").click()
    page.wait_for_timeout(16000)  # past the page's 15-second wait for an answer
    assert held, "the ack was not held back"
    mine = page.locator("#chat-log .chat-message", has_text=text)
    sockets[-1].send(held[0])  # the late ack
    page.wait_for_function("() => !document.querySelector('#chat-log .chat-pending')", timeout=5000)
    page.wait_for_timeout(500)
    assert mine.count() == 1, [mine.nth(i).inner_text() for i in range(mine.count())]
    assert page.input_value("#post-form textarea") == ""


def test_a_post_whose_ack_is_lost_is_sent_again_on_the_same_socket(page_as, server_url, e2e_data):
    """The first ack never comes; the page sends the post again with the same client id
    on the same live socket after a pause, and the post is stored and shown once."""
    page = page_as("olena", width=WIDE)
    sockets, posts, dropped = [], [], []

    def route(socket):
        server = socket.connect_to_server()

        def from_page(message):
            frame = json.loads(message)
            if frame.get("type") == "post":
                posts.append((len(sockets), frame["client_id"]))
            server.send(message)

        def from_server(message):
            frame = json.loads(message)
            if (
                not dropped
                and frame.get("type") == "ack"
                and frame.get("client_id", "")[:2] == "w-"
            ):
                dropped.append(message)
                return
            socket.send(message)

        socket.on_message(from_page)
        server.on_message(from_server)
        sockets.append(socket)

    page.route_web_socket(re.compile(r"/ws/$"), route)
    open_chat(page, chat_url(server_url, e2e_data))
    text = "Lost its first answer."
    page.fill("#post-form textarea", text)
    page.locator("#post-form button[type=submit]").click()
    page.wait_for_function(
        "() => !document.querySelector('#chat-log .chat-pending')", timeout=25000
    )
    assert dropped
    assert len(posts) == 2 and posts[0] == posts[1], posts  # same socket, same client id
    assert len(sockets) == 1
    assert page.locator("#chat-log .chat-message", has_text=text).count() == 1


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


def test_mention_by_display_name_with_the_keyboard(page_as, server_url, e2e_data, axe_check):
    """ "@Ami", arrow keys and Enter insert "@[Amina Tutor]"; the tutor is highlighted and
    her role shows beside her name."""
    url = chat_url(server_url, e2e_data)
    olena = page_as("olena", width=PHONE)
    open_chat(olena, url)
    box = olena.locator("#post-form textarea")
    box.click()
    box.press_sequentially("Thanks @Mi")
    listbox = olena.locator("#mention-list")
    listbox.wait_for(state="visible")
    assert box.get_attribute("aria-controls") == "mention-list"
    active = box.get_attribute("aria-activedescendant")
    assert active and olena.locator(f"#{active}").get_attribute("aria-selected") == "true"
    assert "Mikko Counsellor" in olena.locator(f"#{active}").inner_text()
    # the list is open while the axe check runs: it must pass that way too
    axe_check(olena)
    box.press("Escape")
    assert listbox.is_hidden()
    assert box.get_attribute("aria-activedescendant") is None
    box.fill("")
    box.press_sequentially("Thanks @")
    listbox.wait_for(state="visible")
    names = listbox.locator("[role=option]").all_inner_texts()
    target = next(i for i, text in enumerate(names) if "Amina Tutor" in text)
    for _step in range(target):
        box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert "Amina Tutor" in olena.locator(f"#{active}").inner_text()
    box.press("Enter")
    assert box.input_value() == "Thanks @[Amina Tutor] "
    assert listbox.is_hidden()
    box.press_sequentially("see you")
    olena.locator("#post-form button[type=submit]").click()
    message = olena.locator(".chat-message[data-id]", has_text="see you")
    message.wait_for()
    assert message.locator(".mention").inner_text() == "@Amina Tutor"
    assert message.locator(".role").count() == 1  # Olena's own role beside her name

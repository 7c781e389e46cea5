"""The notification list is live: a mention shows up without a reload."""


def test_mention_appears_live_on_the_notification_list(page_as, server_url, e2e_data, axe_check):
    olena = page_as("olena")
    olena.goto(f"{server_url}/notifications/")
    olena.wait_for_selector('[data-live-status][data-state="live"]')
    axe_check(olena)
    yusuf = page_as("yusuf")
    yusuf.goto(f"{server_url}/spaces/{e2e_data['spaces']['group']}/chat/")
    yusuf.wait_for_selector('[data-live-status][data-state="live"]')
    yusuf.fill("#post-form textarea", "@olena see you at the job fair")
    yusuf.locator("#post-form button[type=submit]").click()
    notice = olena.locator("#notification-list li", has_text="Yusuf")
    notice.wait_for(timeout=15000)
    assert olena.locator("#notification-list li").first.inner_text() == notice.inner_text()
    assert olena.locator("[data-empty]").count() == 0
    assert "job fair" not in olena.content()  # the notice names who and where, not what


BADGE = "header [data-unread-badge]"


def _badge_count(page):
    text = page.locator(BADGE).inner_text().strip() if page.locator(BADGE).is_visible() else ""
    return int(text.split()[0].rstrip("+")) if text else 0


def test_unread_counts_follow_a_new_post_without_a_reload(page_as, server_url, e2e_data):
    """Yusuf has the dashboard open, and a topic of the group in another tab; Olena posts
    in the group's main conversation. The dashboard's count, the topic tabs and the badge
    beside "Notifications" show it, with no reload."""
    group = e2e_data["spaces"]["group"]
    tutor = page_as("tutor")
    tutor.goto(f"{server_url}/spaces/{group}/chat/topics/new/")
    tutor.fill("input[name=title]", "Unread counts, live")
    tutor.locator("main button[type=submit]").click()
    tutor.wait_for_url("**/chat/*/")
    topic_url = tutor.url

    yusuf_chat = page_as("yusuf")
    yusuf_chat.goto(f"{server_url}/spaces/{group}/chat/")  # reads the main conversation
    yusuf_chat.wait_for_selector('[data-live-status][data-state="live"]')
    main = yusuf_chat.locator("#chat").get_attribute("data-topic").split(".")[1]
    yusuf_chat.goto(topic_url)
    yusuf_chat.wait_for_selector('[data-live-status][data-state="live"]')
    tab = yusuf_chat.locator(f'[data-unread-conversation="{main}"]')
    assert tab.locator(".badge").count() == 0

    dashboard = page_as("yusuf")
    with dashboard.expect_websocket() as opened:
        dashboard.goto(f"{server_url}/")
    # The dashboard follows the person's own topic before Olena posts.
    opened.value.wait_for_event("framereceived", lambda payload: '"subscribed"' in payload)
    before = _badge_count(dashboard)
    assert _badge_count(yusuf_chat) == before
    main_row = dashboard.locator(f'[data-unread-section] a[href$="/chat/{main}/"]')
    assert main_row.count() == 0

    olena = page_as("olena")
    olena.goto(f"{server_url}/spaces/{group}/chat/")
    olena.wait_for_selector('[data-live-status][data-state="live"]')
    olena.fill("#post-form textarea", "Who is coming to the CV workshop?")
    olena.locator("#post-form button[type=submit]").click()
    olena.locator(".chat-message[data-id]", has_text="CV workshop").wait_for()

    tab.locator(".badge", has_text="1 new").wait_for(timeout=10000)
    main_row.wait_for(timeout=10000)
    section = dashboard.locator("[data-unread-section]")
    assert section.is_visible()
    row = section.locator("li", has=dashboard.locator(f'a[href$="/chat/{main}/"]'))
    assert "1 new message" in row.inner_text()
    dashboard.wait_for_function(
        f"() => document.querySelector('{BADGE}').innerText.trim().startsWith('{before + 1} ')"
    )
    yusuf_chat.wait_for_function(
        f"() => document.querySelector('{BADGE}').innerText.trim().startsWith('{before + 1} ')"
    )
    # What a reload shows is the same.
    dashboard.reload()
    assert _badge_count(dashboard) == before + 1

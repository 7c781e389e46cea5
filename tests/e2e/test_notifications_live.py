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

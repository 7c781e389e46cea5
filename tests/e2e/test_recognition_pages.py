"""Session logs and statements in a real browser: axe in English and Arabic,
phones, and the coordinator's bulk approval with its one confirmation."""

import pytest

PHONE = 360
WIDE = 1280


def _pages():
    def log(state):
        return lambda d: f"/sessions/{d['recognition']['logs'][state]}/"

    def org(suffix):
        return lambda d: f"/organisations/{d['recognition']['organisation']}/{suffix}"

    return {
        "my_sessions": ("tutor", lambda d: "/sessions/"),
        "log_draft": ("tutor", log("draft")),
        "log_edit": ("tutor", lambda d: f"/sessions/{d['recognition']['logs']['draft']}/edit/"),
        "log_new": ("tutor", lambda d: f"/spaces/{d['spaces']['group']}/sessions/new/"),
        "log_paid_tutor": ("tutor", log("paid")),
        "to_confirm": ("counsellor", lambda d: "/sessions/to-confirm/"),
        "log_to_confirm": ("counsellor", log("submitted")),
        "to_approve": ("coordinator", lambda d: "/sessions/to-approve/"),
        "log_to_approve": ("coordinator", log("confirmed")),
        "log_adjust": (
            "coordinator",
            lambda d: f"/sessions/{d['recognition']['logs']['paid']}/adjust/",
        ),
        "overview": ("coordinator", org("recognition/")),
        "rates": ("coordinator", org("rates/")),
        "org_statements": ("coordinator", org("statements/")),
        "roles_to_verify": ("coordinator", org("recognition/roles/")),
        "statement": ("tutor", lambda d: f"/statements/{d['recognition']['statement']}/"),
        "my_statements": ("tutor", lambda d: "/statements/"),
        "dashboard": ("coordinator", lambda d: "/"),
    }


PAGES = _pages()


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("name", list(PAGES))
def test_recognition_page_has_no_accessibility_violations(
    name, language, page_as, server_url, e2e_data, axe_check, no_broken_words
):
    who, path = PAGES[name]
    page = page_as(who, language=language, width=WIDE)
    response = page.goto(server_url + path(e2e_data))
    assert response.status == 200, f"{path(e2e_data)} answered {response.status}"
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    axe_check(page)
    no_broken_words(page)
    # On a phone the tables turn into cards; still no word, number or date split.
    page.set_viewport_size({"width": PHONE, "height": 740})
    no_broken_words(page)


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("name", ["my_sessions", "log_new", "to_approve", "overview", "statement"])
def test_recognition_page_fits_a_phone(
    name, language, page_as, server_url, e2e_data, no_horizontal_scroll, axe_check, no_broken_words
):
    who, path = PAGES[name]
    page = page_as(who, language=language, width=PHONE)
    response = page.goto(server_url + path(e2e_data))
    assert response.status == 200
    no_horizontal_scroll(page)
    no_broken_words(page)
    axe_check(page)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_pay_pages_on_a_phone_fit_and_are_captured(
    language, page_as, server_url, e2e_data, no_horizontal_scroll, tmp_path_factory
):
    """The statement, the session list and the approval review at 360 px, as pictures
    (under ``var/screenshots/`` when TANDEM_SCREENSHOTS is set) for a person to look at."""
    import os
    from pathlib import Path

    folder = (
        Path(os.environ["TANDEM_SCREENSHOTS"])
        if os.environ.get("TANDEM_SCREENSHOTS")
        else tmp_path_factory.mktemp("screens")
    )
    folder.mkdir(parents=True, exist_ok=True)
    tutor = page_as("tutor", language=language, width=PHONE)
    for name, path in (
        ("statement", f"/statements/{e2e_data['recognition']['statement']}/"),
        ("sessions", "/sessions/"),
    ):
        assert tutor.goto(server_url + path).status == 200
        no_horizontal_scroll(tutor)
        tutor.screenshot(path=str(folder / f"{name}-{language}.png"), full_page=True)
    coordinator = page_as("coordinator", language=language, width=PHONE)
    coordinator.goto(f"{server_url}/sessions/to-approve/")
    coordinator.locator("input[name=log]").first.check()
    coordinator.locator("form[action$='/review/'] button[type=submit]").click()
    assert coordinator.locator(".rec-batch-total").count() == 1
    no_horizontal_scroll(coordinator)
    coordinator.screenshot(path=str(folder / f"review-{language}.png"), full_page=True)


@pytest.mark.parametrize("width", [WIDE, PHONE])
@pytest.mark.parametrize("language", ["en", "ar"])
def test_approval_review_keeps_words_whole(
    language, width, page_as, server_url, e2e_data, no_broken_words
):
    page = page_as("coordinator", language=language, width=width)
    page.goto(f"{server_url}/sessions/to-approve/")
    page.locator("input[name=log]").first.check()
    page.locator("form[action$='/review/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("main table").count() >= 1
    no_broken_words(page)


def test_coordinator_approves_through_one_confirmation(page_as, server_url, e2e_data, axe_check):
    page = page_as("coordinator", width=WIDE)
    page.goto(f"{server_url}/sessions/to-approve/")
    boxes = page.locator("input[name=log]")
    assert boxes.count() >= 1
    boxes.first.check()
    page.get_by_role("button", name="Review the chosen logs").click()
    assert "Approve these session logs?" in page.locator("h1").inner_text()
    axe_check(page)
    page.get_by_role("button", name="Approve 1 log").click()
    assert "One session log approved." in page.locator(".messages").inner_text()

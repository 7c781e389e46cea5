"""Every foundation page that opens by GET: no axe violations, in English and
Arabic, no sideways scrolling on a 360 px wide phone, and no word split across
lines, wide or on the phone."""

import pytest

PHONE = 360


def _pages():
    # (who looks, path builder); None is a visitor who is not signed in.
    return {
        "dashboard": ("tutor", lambda d: "/"),
        "space_home_group": ("tutor", lambda d: f"/spaces/{d['spaces']['group']}/"),
        "space_home_practice": ("coordinator", lambda d: f"/spaces/{d['spaces']['practice']}/"),
        "members": ("tutor", lambda d: f"/spaces/{d['spaces']['group']}/members/"),
        "members_as_member": ("olena", lambda d: f"/spaces/{d['spaces']['group']}/members/"),
        "rules": ("olena", lambda d: f"/spaces/{d['spaces']['group']}/rules/"),
        "invitations": ("tutor", lambda d: f"/spaces/{d['spaces']['group']}/invitations/"),
        "join": (None, lambda d: "/join/"),
        "join_signed_in": ("anna-se", lambda d: "/join/"),
        "join_link": (None, lambda d: f"/join/{d['invitation']['token']}/"),
        "join_link_signed_in": ("anna-se", lambda d: f"/join/{d['invitation']['token']}/"),
        "profile": ("yusuf", lambda d: "/profile/"),
        "notifications": ("tutor", lambda d: "/notifications/"),
        "sign_in": (None, lambda d: "/accounts/login/"),
        "sign_up": (None, lambda d: "/accounts/signup/"),
        "password_reset": (None, lambda d: "/accounts/password/reset/"),
        "password_change": ("counsellor", lambda d: "/accounts/password/change/"),
        "email": ("counsellor", lambda d: "/accounts/email/"),
        "sign_out": ("counsellor", lambda d: "/accounts/logout/"),
    }


PAGES = _pages()


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("name", list(PAGES))
def test_page_passes_axe_wide_and_fits_a_phone(
    name, language, page_as, server_url, e2e_data, axe_check, no_horizontal_scroll, no_broken_words
):
    who, path = PAGES[name]
    page = page_as(who, language=language, width=1280)
    response = page.goto(server_url + path(e2e_data))
    assert response.status == 200, f"{path(e2e_data)} answered {response.status}"
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    axe_check(page)
    no_broken_words(page)
    # The same page on a small phone: nothing scrolls sideways, still no violations.
    page.set_viewport_size({"width": PHONE, "height": 740})
    no_horizontal_scroll(page)
    no_broken_words(page)
    axe_check(page)

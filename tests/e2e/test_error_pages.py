"""The forbidden and not-found pages: the site's layout, the person's language, no axe
violations, and a way on."""

import pytest


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize(
    ("who", "path", "status"),
    [
        # A member may not manage the group's invitations.
        ("olena", lambda d: f"/spaces/{d['spaces']['group']}/invitations/", 403),
        ("olena", lambda d: "/no-such-page/", 404),
        (None, lambda d: "/no-such-page/", 404),
    ],
)
def test_error_page_passes_axe(
    who, path, status, language, page_as, server_url, e2e_data, axe_check, no_horizontal_scroll
):
    page = page_as(who, language=language, width=1280)
    response = page.goto(server_url + path(e2e_data))
    assert response.status == status
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert page.locator("main h1").count() == 1
    assert page.locator("main a").count() >= 1
    axe_check(page)
    page.set_viewport_size({"width": 360, "height": 740})
    no_horizontal_scroll(page)
    axe_check(page)

"""The harness itself: the server answers, sign-in works, the checks catch problems."""

import pytest


def test_live_server_serves_the_sign_in_page(page_as, server_url):
    page = page_as(None)
    page.goto(f"{server_url}/accounts/login/")
    assert page.locator("input[name=login]").is_visible()


def test_page_as_signs_in_through_the_login_form(page_as, server_url):
    page = page_as("tutor")
    page.goto(f"{server_url}/")
    assert page.url == f"{server_url}/"
    assert "Kallio" in page.content()


def test_page_as_switches_the_interface_language(page_as, server_url):
    page = page_as("tutor", language="ar")
    page.goto(f"{server_url}/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"


def test_axe_check_fails_on_a_violation(page_as, server_url, axe_check):
    page = page_as(None)
    page.goto(f"{server_url}/accounts/login/")
    page.evaluate("document.querySelector('html').removeAttribute('lang')")
    with pytest.raises(pytest.fail.Exception, match="html-has-lang"):
        axe_check(page)


def test_no_broken_words_fails_on_a_number_split_across_lines(page_as, server_url, no_broken_words):
    page = page_as(None, width=360)
    page.goto(f"{server_url}/accounts/login/")
    no_broken_words(page)
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<p><span class="badge" style="display: inline-block; inline-size: 3ch;'
        " white-space: normal; overflow-wrap: anywhere\">1234567.89</span></p>')"
    )
    with pytest.raises(pytest.fail.Exception, match=r"1234567\.89"):
        no_broken_words(page)


def test_no_broken_words_lets_a_line_end_after_a_hyphen(page_as, server_url, no_broken_words):
    page = page_as(None, width=360)
    page.goto(f"{server_url}/accounts/login/")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<p><span class="badge" style="display: inline-block; inline-size: 10ch; padding: 0;'
        " white-space: normal\">migrant-job-seekers</span></p>')"
    )
    assert page.locator(".badge").bounding_box()["height"] > 40  # on two lines
    no_broken_words(page)


def test_no_horizontal_scroll_fails_on_a_too_wide_element(
    page_as, server_url, no_horizontal_scroll
):
    page = page_as(None, width=360)
    page.goto(f"{server_url}/accounts/login/")
    no_horizontal_scroll(page)
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<div class="too-wide" style="width: 900px">wide</div>\')'
    )
    with pytest.raises(pytest.fail.Exception, match="too-wide"):
        no_horizontal_scroll(page)

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

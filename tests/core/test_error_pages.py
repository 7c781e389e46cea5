"""Error pages: in the site's layout, in the person's language, saying what to do next."""

import re

import pytest
from django.test import Client
from django.utils import translation

LANGUAGES = ["en", "ar"]

PAGES = {
    400: "This request could not be read",
    403: "You cannot open this page",
    404: "Page not found",
    429: "Please wait",
    500: "Something went wrong on our side",
}


@pytest.fixture(autouse=True)
def production_errors(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.core.error_urls"


def _get(status, language):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
    if status == 400:
        return client.get("/", HTTP_HOST="not-our-host.example")
    if status == 403:
        return client.get("/test-denied/")
    if status == 404:
        return client.get("/no-such-page/")
    if status == 500:
        return client.get("/test-broken/")
    raise AssertionError(status)


def _expected(text, language):
    with translation.override(language):
        translated = translation.gettext(text)
    if language != "en":
        assert translated != text, f"{text!r} has no {language} translation"
    return translated


def _check(response, status, language):
    assert response.status_code == status
    html = response.content.decode()
    assert re.search(r"<main\b", html), html[:300]
    assert f'lang="{language}"' in html
    assert ('dir="rtl"' in html) == (language == "ar")
    assert _expected(PAGES[status], language) in html
    assert "<h1>" in html


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("status", [403, 404])
def test_error_page_in_layout_and_language(db, status, language):
    _check(_get(status, language), status, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_bad_request_page_in_language(db, language):
    _check(_get(400, language), 400, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_server_error_page_needs_no_database(language):
    """No ``db`` fixture: any query while rendering the 500 page would raise."""
    _check(_get(500, language), 500, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_too_many_tries_page_in_language(db, language, settings, one_rate_window):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    for _attempt in range(settings.TANDEM["JOIN_ATTEMPTS_PER_MINUTE"]):
        client.post("/join/", {"code": "ABCD-EFGH"})
    _check(client.post("/join/", {"code": "ABCD-EFGH"}), 429, language)


def test_not_found_says_what_to_do_next(db):
    html = _get(404, "en").content.decode()
    assert 'href="/accounts/login/"' in html

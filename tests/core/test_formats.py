"""Dates and times in the formats of the person's language, the same in the browser."""

import datetime as dt

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, translation

DECEMBER_FIRST = dt.datetime(2026, 12, 1, 14, 5)


@pytest.mark.parametrize("language", ["en", "so"])
def test_english_and_somali_put_the_day_first_on_a_24_hour_clock_from_monday(language):
    with translation.override(language):
        assert formats.date_format(DECEMBER_FIRST, "SHORT_DATE_FORMAT") == "01/12/2026"
        assert formats.time_format(DECEMBER_FIRST, "TIME_FORMAT") == "14:05"
        assert formats.date_format(DECEMBER_FIRST, "SHORT_DATETIME_FORMAT") == "01/12/2026 14:05"
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


def test_english_long_date_is_day_month_year():
    with translation.override("en"):
        assert formats.date_format(DECEMBER_FIRST, "DATE_FORMAT") == "1 December 2026"


def test_other_languages_keep_their_own_formats():
    with translation.override("fi"):
        assert formats.date_format(DECEMBER_FIRST, "SHORT_DATETIME_FORMAT") == "1.12.2026 14.05"
    with translation.override("sv"):
        assert formats.date_format(DECEMBER_FIRST, "SHORT_DATE_FORMAT") == "2026-12-01"


def test_english_date_fields_read_a_day_first_date():
    with translation.override("en"):
        assert forms.DateField().clean("01/12/2026") == dt.date(2026, 12, 1)
        assert forms.DateField().clean("2026-12-01") == dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("language", "locale"),
    [
        ("en", "en-150-u-ca-gregory-hc-h23-nu-latn"),
        ("fi", "fi-u-ca-gregory-hc-h23-nu-latn"),
        ("ar", "ar-u-ca-gregory-hc-h12-nu-latn"),
        ("fa", "fa-u-ca-gregory-hc-h23-nu-latn"),
    ],
)
def test_browser_locale_follows_the_servers_clock_calendar_and_digits(language, locale):
    with translation.override(language):
        assert Template("{% load tandem %}{% intl_locale %}").render(Context()) == locale


def test_page_names_its_browser_locale(client_for):
    body = client_for("member").get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="ar")
    assert 'data-locale="ar-u-ca-gregory-hc-h12-nu-latn"' in body.content.decode()


LABELLED = Template(
    "{% load tandem %}{% labelled_table %}<table><thead><tr>"
    '<th scope="col"><span class="visually-hidden">Choose</span></th>'
    '<th scope="col">Date &amp; time</th><th scope="col">Hours</th>'
    "</tr></thead><tbody>"
    '<tr><td><input type="checkbox"></td><td class="when">01/12/2026</td><td>2.00</td></tr>'
    '<tr><td colspan="3">No lines.</td></tr>'
    '<tr><td colspan="2">Carried over</td><td>1.00</td></tr>'
    '</tbody><tfoot><tr><th scope="row" colspan="2">Total</th><td>2.00</td></tr></tfoot>'
    "</table>{% endlabelled_table %}"
)


def test_labelled_table_names_each_cell_after_its_column():
    html = LABELLED.render(Context())
    assert '<table class="stacked">' in html
    assert '<td data-label="Choose">' in html
    assert '<td data-label="Date &amp; time" class="when">01/12/2026</td>' in html
    assert '<td data-label="Hours">2.00</td>' in html


def test_labelled_table_leaves_full_width_cells_unlabelled_and_spans_columns():
    html = LABELLED.render(Context())
    assert '<td colspan="3">No lines.</td>' in html
    assert '<td data-label="Choose Date &amp; time" colspan="2">Carried over</td>' in html


def test_labelled_table_leaves_a_totals_heading_to_name_itself():
    html = LABELLED.render(Context())
    assert '<th scope="row" colspan="2">Total</th>' in html


def test_labelled_table_escapes_quotes_in_headers():
    template = Template(
        '{% load tandem %}{% labelled_table %}<table><thead><tr><th>The "rate"</th></tr></thead>'
        "<tbody><tr><td>1</td></tr></tbody></table>{% endlabelled_table %}"
    )
    assert '<td data-label="The &quot;rate&quot;">1</td>' in template.render(Context())


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_arabic_and_persian_weeks_start_on_monday_with_their_own_formats(language):
    with translation.override(language):
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1
        assert formats.get_format("DATE_FORMAT") == {"ar": "j F، Y", "fa": "j F Y"}[language]

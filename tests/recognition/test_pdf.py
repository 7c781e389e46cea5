"""The PDF statement reads in the reader's language: direction, numbers and dates."""

import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import formats, translation

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


def _pdf_as(world, client_for, statement, language, tmp_path):
    tutor = world.people["tutor"]
    tutor.interface_language = language
    tutor.save(update_fields=["interface_language"])
    response = client_for("tutor").get(reverse("recognition:statement_pdf", args=[statement.pk]))
    assert response.status_code == 200
    path = tmp_path / f"statement-{language}.pdf"
    path.write_bytes(response.content)
    return path


def _words(path):
    """(text, x) of every word pdftotext finds, with its left edge."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    return [
        (text, float(x))
        for x, text in re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', html)
    ]


def _x(words, text):
    """Right-to-left runs come back in visual order: letters reversed, date parts swapped."""
    return next(
        x for word, x in words if text in (word, word[::-1], "/".join(reversed(word.split("/"))))
    )


def test_arabic_pdf_is_laid_out_right_to_left(arabic_statement, world, client_for, tmp_path):
    words = _words(_pdf_as(world, client_for, arabic_statement, "ar", tmp_path))
    with translation.override("ar"):
        date_heading, amount_heading = translation.gettext("Date"), translation.gettext("Amount")
        start = formats.date_format(arabic_statement.period.start, "SHORT_DATE_FORMAT")
        end = formats.date_format(arabic_statement.period.end, "SHORT_DATE_FORMAT")
    clean = [(re.sub("[\u200e\u200f\u2066-\u2069]", "", w), x) for w, x in words]
    # the first column (date) on the right, the amount on the left
    assert _x(clean, date_heading.split()[0]) > _x(clean, amount_heading.split()[0])
    # the period reads from the right: its first day right of its last day
    start_clean = re.sub("[\u200e\u200f]", "", start)
    end_clean = re.sub("[\u200e\u200f]", "", end)
    assert _x(clean, start_clean) > _x(clean, end_clean)


def test_pdf_and_page_format_amounts_alike_in_finnish(
    arabic_statement, world, client_for, tmp_path
):
    path = _pdf_as(world, client_for, arabic_statement, "fi", tmp_path)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    page = (
        client_for("tutor")
        .get(reverse("recognition:statement_detail", args=[arabic_statement.pk]))
        .content.decode()
    )
    log = world.objects["log_paid"]
    log.refresh_from_db()
    amount = f"{log.amount:.2f}".replace(".", ",")
    assert amount in page
    assert amount in text and f"{log.amount:.2f}" not in text
    with translation.override("fi"):
        assert formats.date_format(log.date, "SHORT_DATE_FORMAT") in text

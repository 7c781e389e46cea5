"""Statements as CSV (for payroll) and PDF (to print), any script included.

The CSV is UTF-8 with a byte-order mark, so spreadsheet programs read Arabic
and Cyrillic names right, with fixed columns a payroll import can map once.
The PDF uses a TrueType font found on the system at run time (none is
shipped); Arabic is shaped with HarfBuzz. Without such a font the PDF is still
made, with a built-in Latin font and a visible note saying names may be cut.
"""

import csv
import io
import logging
import pathlib

from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import chain

logger = logging.getLogger(__name__)

CSV_COLUMNS = [
    "statement_id",
    "organisation",
    "period_start",
    "period_end",
    "tutor_username",
    "tutor_name",
    "currency",
    "line_type",
    "date",
    "peer_group",
    "hours",
    "preparation_hours",
    "amount",
    "session_log_id",
    "adjusts_log_id",
    "reason",
    "statement_paid",
]

# Fonts tried in order: each covers Latin, Cyrillic and Arabic, or is paired
# with a fallback that covers what it lacks.
FONT_CANDIDATES = [
    (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    (
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    ),
    ("/usr/share/fonts/noto/NotoSans-Regular.ttf", "/usr/share/fonts/noto/NotoSans-Bold.ttf"),
    ("/usr/local/share/fonts/DejaVuSans.ttf", "/usr/local/share/fonts/DejaVuSans-Bold.ttf"),
    ("/Library/Fonts/Arial Unicode.ttf", None),
]
FALLBACK_CANDIDATES = [
    "/usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf",
    "/usr/share/fonts/noto/NotoSansArabic-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
]


def filename(statement, extension):
    tutor = slugify(statement.tutor.username) or "tutor"
    day = f"{statement.period.start:%Y-%m-%d}"
    return f"statement-{day}-{tutor}-{statement.currency}-{statement.pk}.{extension}"


def _cell(value):
    """Keep spreadsheet programs from running a name as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def statement_csv(statement, lines):
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for line in lines:
        log = line.log
        adjustment = line.adjustment
        writer.writerow(
            [
                _cell(x)
                for x in [
                    statement.pk,
                    statement.organisation.name,
                    statement.period.start.isoformat(),
                    statement.period.end.isoformat(),
                    statement.tutor.username,
                    statement.tutor.name,
                    statement.currency,
                    "session" if log else "adjustment",
                    line.date.isoformat(),
                    log.space.name if log else "",
                    f"{line.hours:.2f}",
                    f"{line.preparation_hours:.2f}",
                    f"{line.amount:.2f}",
                    log.pk if log else "",
                    adjustment.log_id if adjustment else "",
                    adjustment.reason if adjustment else "",
                    "yes" if statement.is_paid else "no",
                ]
            ]
        )
    return out.getvalue().encode("utf-8")


def find_fonts():
    """(regular, bold or None, fallback or None) from the system, or None."""
    for regular, bold in FONT_CANDIDATES:
        if pathlib.Path(regular).is_file():
            bold = bold if bold and pathlib.Path(bold).is_file() else None
            fallback = next(
                (f for f in FALLBACK_CANDIDATES if f != regular and pathlib.Path(f).is_file()),
                None,
            )
            return regular, bold, fallback
    return None


def _shaping_available():
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return False
    return True


def _fit(pdf, value, width):
    """Cut ``value`` with an ellipsis so it stays inside a cell ``width`` mm wide."""
    if pdf.get_string_width(value) <= width:
        return value
    while value and pdf.get_string_width(value + "…") > width:
        value = value[:-1]
    return value.rstrip() + "…"


def statement_pdf(statement, lines):
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(format="A4")
    pdf.set_title(_("Statement"))
    pdf.set_creator("Tandem")
    pdf.set_auto_page_break(auto=True, margin=15)
    fonts = find_fonts()
    if fonts:
        regular, bold, fallback = fonts
        pdf.add_font("body", "", regular)
        pdf.add_font("body", "B", bold or regular)
        if fallback:
            pdf.add_font("fallback", "", fallback)
            pdf.set_fallback_fonts(["fallback"])
        if _shaping_available():
            pdf.set_text_shaping(True)
        family = "body"

        def text(value):
            return str(value)
    else:
        logger.warning("No TrueType font found for PDF statements; names may lose letters.")
        family = "helvetica"

        def text(value):
            return str(value).encode("latin-1", "replace").decode("latin-1")

    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.cell(0, 10, text(_("Statement of sessions led")), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(family, "", 11)
    if not fonts:
        pdf.set_text_color(164, 22, 26)
        pdf.multi_cell(
            0,
            6,
            text(_("No font for all scripts was found: letters outside Latin show as “?”.")),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_text_color(0, 0, 0)
    facts = [
        (_("Tutor"), statement.tutor.name),
        (_("Organisation"), statement.organisation.name),
        (
            _("Period"),
            f"{formats.date_format(statement.period.start, 'SHORT_DATE_FORMAT')} – "
            f"{formats.date_format(statement.period.end, 'SHORT_DATE_FORMAT')}",
        ),
        (_("Currency"), statement.currency),
        (
            _("State"),
            _("paid on %(date)s")
            % {
                "date": formats.date_format(
                    timezone.localtime(statement.paid_at), "SHORT_DATE_FORMAT"
                )
            }
            if statement.is_paid
            else (_("closed, not yet paid") if statement.closed else _("open")),
        ),
    ]
    for label, value in facts:
        pdf.set_font(family, "B", 11)
        pdf.cell(40, 7, text(label))
        pdf.set_font(family, "", 11)
        pdf.cell(0, 7, text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    widths = (26, 70, 24, 26, 34)
    headings = (
        _("Date"),
        _("Peer group or correction"),
        _("Hours"),
        _("Preparation"),
        _("Amount"),
    )
    pdf.set_font(family, "B", 10)
    pdf.set_fill_color(230, 234, 238)
    for width, heading in zip(widths, headings, strict=True):
        pdf.cell(width, 8, text(heading), border=1, fill=True)
    pdf.ln()
    pdf.set_font(family, "", 10)
    total_hours = total_preparation = total = 0
    for line in lines:
        what = (
            line.log.space.name
            if line.log
            else _("Correction of the session of %(date)s: %(reason)s")
            % {
                "date": formats.date_format(line.adjustment.log.date, "SHORT_DATE_FORMAT"),
                "reason": line.adjustment.reason,
            }
        )
        cells = (
            formats.date_format(line.date, "SHORT_DATE_FORMAT"),
            what,
            f"{line.hours:.2f}",
            f"{line.preparation_hours:.2f}",
            f"{line.amount:.2f}",
        )
        for index, (width, value) in enumerate(zip(widths, cells, strict=True)):
            pdf.cell(
                width,
                7,
                _fit(pdf, text(value), width - 2),
                border=1,
                align="R" if index >= 2 else "L",
            )
        pdf.ln()
        total_hours += line.hours
        total_preparation += line.preparation_hours
        total += line.amount
    pdf.set_font(family, "B", 10)
    pdf.cell(widths[0] + widths[1], 8, text(_("Total")), border=1)
    pdf.cell(widths[2], 8, f"{total_hours:.2f}", border=1, align="R")
    pdf.cell(widths[3], 8, f"{total_preparation:.2f}", border=1, align="R")
    pdf.cell(widths[4], 8, text(f"{total:.2f} {statement.currency}"), border=1, align="R")
    pdf.ln(12)
    pdf.set_font(family, "", 8)
    pdf.cell(
        0,
        5,
        text(
            _("Statement %(number)s, printed %(date)s")
            % {
                "number": statement.pk,
                "date": formats.date_format(timezone.localdate(), "SHORT_DATE_FORMAT"),
            }
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    head = chain.head()
    if head:
        pdf.cell(
            0,
            5,
            text(_("Audit chain head: row %(row)s, %(hash)s") % {"row": head[0], "hash": head[1]}),
        )
    return bytes(pdf.output())

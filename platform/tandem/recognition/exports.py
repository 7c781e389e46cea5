"""Statements as CSV (for payroll) and PDF (to print), any script included.

The CSV is UTF-8 with a byte-order mark, so spreadsheet programs read Arabic
and Cyrillic names right, with fixed columns a payroll import can map once.
The PDF uses a TrueType font found on the system at run time (none is
shipped); Arabic is shaped with HarfBuzz. Without such a font the PDF is still
made, with a built-in Latin font and a visible note saying names may be cut.
"""

import copy
import csv
import io
import logging
import pathlib
import threading
import unicodedata

from django.utils import formats, timezone, translation
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


# Parsed fonts, one per file and style, kept for the life of the process: parsing a
# TrueType file is most of the cost of a statement.
_PARSED_FONTS = {}
_FONTS_LOCK = threading.Lock()


def _add_font(pdf, family, style, path):
    """``pdf.add_font``, with the parsing done once per process.

    Each document shares the parsed, read-only parts (widths, glyph ids, cmap,
    descriptor, the HarfBuzz face) and gets its own record of the glyphs it uses
    and a fresh lazily read ``TTFont``, because embedding the used glyphs subsets
    that object in place.
    """
    from fontTools import ttLib
    from fpdf import FPDF
    from fpdf.fonts import SubsetMap

    key = (family, style, path)
    with _FONTS_LOCK:
        template = _PARSED_FONTS.get(key)
        if template is None:
            scratch = FPDF()
            scratch.add_font(family, style, path)
            template = _PARSED_FONTS[key] = next(iter(scratch.fonts.values()))
    font = copy.copy(template)
    font.i = len(pdf.fonts) + 1
    font.ttfont = ttLib.TTFont(path, recalcTimestamp=False, lazy=True)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    pdf.fonts[font.fontkey] = font


def _fit(pdf, value, width):
    """Cut ``value`` with an ellipsis so it stays inside a cell ``width`` mm wide."""
    if pdf.get_string_width(value) <= width:
        return value
    while value and pdf.get_string_width(value + "…") > width:
        value = value[:-1]
    return value.rstrip() + "…"


def _needs_shaping(value):
    """Only right-to-left and joined scripts go through HarfBuzz: it is the slow path."""
    return any(
        ord(ch) >= 0x0590 and unicodedata.bidirectional(ch) in ("R", "AL", "NSM") for ch in value
    )


def _money(value):
    return formats.number_format(value, 2, use_l10n=True, force_grouping=True)


def _hours(value):
    return formats.number_format(value, 2, use_l10n=True)


def _day(value):
    return formats.date_format(value, "SHORT_DATE_FORMAT")


class _Page:
    """Writes cells in the reader's direction: right to left mirrors the columns."""

    def __init__(self, pdf, family, *, rtl, shaping, text):
        self.pdf, self.family, self.rtl, self.shaping, self.text = pdf, family, rtl, shaping, text

    def _shape_for(self, value):
        if self.shaping:
            if _needs_shaping(value):
                self.pdf.set_text_shaping(True, direction="rtl" if self.rtl else None)
            else:
                self.pdf.set_text_shaping(False)

    def cell(self, width, height, value, *, number=False, **options):
        value = self.text(value)
        self._shape_for(value)
        align = "R" if number or self.rtl else "L"
        if width and not number:  # numbers always fit their column
            value = _fit(self.pdf, value, width - 2)
        self.pdf.cell(width, height, value, align=options.pop("align", align), **options)

    def row(self, cells, height, **options):
        """``cells``: (width, value, is_number) in reading order."""
        if self.rtl:  # flush with the right margin, as the lines above
            self.pdf.set_x(self.pdf.w - self.pdf.r_margin - sum(c[0] for c in cells))
        for width, value, number in reversed(cells) if self.rtl else cells:
            self.cell(width, height, value, number=number, **options)
        self.pdf.ln()

    def line(self, height, value, style="", size=11):
        from fpdf.enums import XPos, YPos

        self.pdf.set_font(self.family, style, size)
        value = self.text(value)
        self._shape_for(value)
        self.pdf.multi_cell(
            0, height, value, align="R" if self.rtl else "L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )


def statement_pdf(statement, lines, totals=None):
    """The statement as a PDF in the active language: its words, number and date formats
    and its direction (columns mirrored for right-to-left languages)."""
    from fpdf import FPDF

    from . import queries

    if totals is None:
        totals = queries.statement_totals(statement)
    rtl = translation.get_language_bidi()
    pdf = FPDF(format="A4")
    pdf.set_title(_("Statement"))
    pdf.set_creator("Tandem")
    pdf.set_lang(translation.get_language() or "en")
    pdf.set_auto_page_break(auto=True, margin=15)
    fonts = find_fonts()
    shaping = False
    if fonts:
        regular, bold, fallback = fonts
        _add_font(pdf, "body", "", regular)
        _add_font(pdf, "body", "B", bold or regular)
        if fallback:
            _add_font(pdf, "fallback", "", fallback)
            pdf.set_fallback_fonts(["fallback"])
        shaping = _shaping_available()
        family = "body"

        def text(value):
            return str(value)
    else:
        logger.warning("No TrueType font found for PDF statements; names may lose letters.")
        family = "helvetica"

        def text(value):
            return str(value).encode("latin-1", "replace").decode("latin-1")

    page = _Page(pdf, family, rtl=rtl, shaping=shaping, text=text)
    pdf.add_page()
    page.line(10, _("Statement of sessions led"), "B", 16)
    if not fonts:
        pdf.set_text_color(164, 22, 26)
        page.line(6, _("No font for all scripts was found: letters outside Latin show as “?”."))
        pdf.set_text_color(0, 0, 0)
    start, end = _day(statement.period.start), _day(statement.period.end)
    # Right to left, each date is an isolated left-to-right run and the range reads
    # from the right: first day on the right, last day on the left.
    period = f"\u2067\u2066{start}\u2069 – \u2066{end}\u2069\u2069" if rtl else f"{start} – {end}"
    facts = [
        (_("Tutor"), statement.tutor.name),
        (_("Organisation"), statement.organisation.name),
        (_("Period"), period),
        (_("Currency"), statement.currency),
        (
            _("State"),
            _("paid on %(date)s") % {"date": _day(timezone.localtime(statement.paid_at))}
            if statement.is_paid
            else (_("closed, not yet paid") if statement.closed else _("open")),
        ),
    ]
    for label, value in facts:
        pair = [(40, label, "B"), (pdf.epw - 40, value, "")]
        for width, content, style in reversed(pair) if rtl else pair:
            pdf.set_font(family, style, 11)
            page.cell(width, 7, content)
        pdf.ln()
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
    page.row([(w, h, False) for w, h in zip(widths, headings, strict=True)], 8, border=1, fill=True)
    pdf.set_font(family, "", 10)
    for line in lines:
        what = (
            line.log.space.name
            if line.log
            else _("Correction of the session of %(date)s: %(reason)s")
            % {"date": _day(line.adjustment.log.date), "reason": line.adjustment.reason}
        )
        page.row(
            [
                (widths[0], _day(line.date), False),
                (widths[1], what, False),
                (widths[2], _hours(line.hours), True),
                (widths[3], _hours(line.preparation_hours), True),
                (widths[4], _money(line.amount), True),
            ],
            7,
            border=1,
        )
    pdf.set_font(family, "B", 10)
    page.row(
        [
            (widths[0] + widths[1], _("Total"), False),
            (widths[2], _hours(totals["hours"]), True),
            (widths[3], _hours(totals["preparation"]), True),
            (widths[4], f"{_money(totals['amount'])} {statement.currency}", True),
        ],
        8,
        border=1,
    )
    pdf.ln(4)
    page.line(
        5,
        _("Statement %(number)s, printed %(date)s")
        % {"number": statement.pk, "date": _day(timezone.localdate())},
        size=8,
    )
    head = chain.head()
    if head:
        page.line(
            5,
            _("Audit chain head: row %(row)s, %(hash)s") % {"row": head[0], "hash": head[1]},
            size=8,
        )
    return bytes(pdf.output())

"""PDF through WeasyPrint: an HTML table laid out on A4 landscape pages with the header repeated."""

import dataclasses
import logging
import math

from django.template.loader import render_to_string

from ..selectors import MEASURE_COLUMNS, display

# WeasyPrint logs each layout step at INFO: noise in worker logs, one line per step per report.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


# A4 landscape within the @page margins of the template, and the 8pt body text: enough to tell a row
# that fits on a page from one that cannot.
TABLE_WIDTH_MM, PAGE_BODY_MM, CHAR_MM, LINE_MM = 273, 150, 1.7, 3.6


def fits_on_a_page(cells, widths_mm) -> bool:
    """Whether a row can be kept whole on a page (else it must split, or it would push the page's header
    off and overflow)."""
    tallest = 0
    for value, width in zip(cells, widths_mm, strict=False):
        per_line = max(1, int((width - 2.4) / CHAR_MM))
        lines = sum(max(1, math.ceil(len(line) / per_line)) for line in str(value).split("\n"))
        tallest = max(tallest, lines)
    return tallest * LINE_MM < PAGE_BODY_MM


def render_html(document) -> str:
    """The HTML WeasyPrint lays out (also what tests read: the PDF is this, paginated)."""
    total = sum(c.width for c in document.columns) or 1
    columns = [{"label": c.label, "share": round(c.width * 100 / total, 2)} for c in document.columns]
    widths_mm = [c["share"] * TABLE_WIDTH_MM / 100 for c in columns]
    return render_to_string(
        "reports/pdf/report.html",
        {
            "document": _Displayed(document, widths_mm),
            "columns": columns,
            "ncols": len(columns),
            "measure_columns": MEASURE_COLUMNS,
        },
    )


def write_pdf(document, fileobj) -> int:
    from weasyprint import HTML  # heavy import: only where a PDF is made

    counter = _Counting(document)
    html = render_html(counter)
    HTML(string=html).write_pdf(fileobj)
    return counter.written


class _Counting:
    """Wraps a document so the rows the template consumed are counted."""

    def __init__(self, document):
        self._document = document
        self.written = 0

    def __getattr__(self, name):
        return getattr(self._document, name)

    @property
    def rows(self):
        for row in self._document.rows:
            if not row.is_section and not row.is_continuation:
                self.written += 1
            yield row


class _Displayed(_Counting):
    """Rows with their numbers as the page prints them («133,3», «—»), and whether each fits on a page."""

    def __init__(self, document, widths_mm):
        super().__init__(document)
        self._widths_mm = widths_mm

    @property
    def rows(self):
        for row in self._document.rows:
            shown = dataclasses.replace(row, cells=[display(v) for v in row.cells])
            shown.fits_page = row.is_section or fits_on_a_page(shown.cells, self._widths_mm)
            yield shown

"""PDF through WeasyPrint: an HTML table laid out on A4 landscape pages with the header repeated."""

import logging

from django.template.loader import render_to_string

# WeasyPrint logs each layout step at INFO: noise in worker logs, one line per step per report.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render_html(document) -> str:
    """The HTML WeasyPrint lays out (also what tests read: the PDF is this, paginated)."""
    total = sum(c.width for c in document.columns) or 1
    columns = [{"label": c.label, "share": round(c.width * 100 / total, 2)} for c in document.columns]
    return render_to_string(
        "reports/pdf/report.html",
        {"document": document, "columns": columns, "ncols": len(columns)},
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
            if not row.is_section:
                self.written += 1
            yield row

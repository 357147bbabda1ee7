"""Writers lay a `ReportDocument` out as a file; each takes the document and a binary file object."""

from .docx import write_docx
from .pdf import render_html, write_pdf
from .xlsx import write_xlsx

WRITERS = {"xlsx": write_xlsx, "pdf": write_pdf, "docx": write_docx}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

__all__ = ["CONTENT_TYPES", "WRITERS", "render_html", "write_docx", "write_pdf", "write_xlsx"]

"""An information letter as a Word document on an A4 letterhead (seed 004's layout): the sender's block and
the addressee side by side, the title, the text, the signature and the performer at the foot."""

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .docx import _ILLEGAL_XML

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"left_margin": Mm(30), "right_margin": Mm(15), "top_margin": Mm(20), "bottom_margin": Mm(20)}


def _clean(text) -> str:
    return _ILLEGAL_XML.sub("", "" if text is None else str(text))


def _no_borders(table) -> None:
    """Letterhead and signature tables are layout only: no grid lines."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _cell_lines(cell, lines, *, bold=False, align=None, size=None) -> None:
    first = True
    for line in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        if align is not None:
            paragraph.alignment = align
        run = paragraph.add_run(_clean(line))
        run.bold = bold
        if size is not None:
            run.font.size = size


def write_letter_docx(letter, fileobj) -> int:
    """Write a `reports.services.LetterDocument`; returns the number of text paragraphs."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side, value in MARGINS.items():
        setattr(section, side, value)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(14)
    style.paragraph_format.space_after = Pt(0)

    head = doc.add_table(rows=1, cols=2)
    _no_borders(head)
    sender_cell, addressee_cell = head.rows[0].cells
    _cell_lines(sender_cell, [letter.sender.upper()], bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=Pt(12))
    for line in ["", letter.date_line] + ([letter.reference] if letter.reference else []):
        paragraph = sender_cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(_clean(line)).font.size = Pt(12)
    _cell_lines(addressee_cell, letter.addressee)

    doc.add_paragraph()
    for text, bold in ((letter.title, True), (letter.subject, True)):
        paragraph = doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(_clean(text)).bold = bold
    doc.add_paragraph()

    for text in letter.paragraphs:
        paragraph = doc.add_paragraph(_clean(text))
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Mm(12.5)
        paragraph.paragraph_format.space_after = Pt(6)

    doc.add_paragraph()
    signature = doc.add_table(rows=1, cols=2)
    _no_borders(signature)
    post_cell, name_cell = signature.rows[0].cells
    _cell_lines(post_cell, letter.signatory_post)
    _cell_lines(name_cell, [letter.signatory_name], align=WD_ALIGN_PARAGRAPH.RIGHT)

    if letter.performer:
        doc.add_paragraph()
        paragraph = doc.add_paragraph()
        paragraph.add_run(_clean(letter.performer)).font.size = Pt(10)
    doc.save(fileobj)
    return len(letter.paragraphs)

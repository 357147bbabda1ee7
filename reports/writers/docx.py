"""DOCX through python-docx: the table as municipal offices file it (A4 landscape, header repeated)."""

import copy
import re

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell

from ..selectors import MEASURE_COLUMNS, display

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Mm(297), Mm(210), Mm(15)


def _repeat_as_header(row) -> None:
    """Mark a table row as a header row: Word repeats it at the top of every page (w:tblHeader)."""
    tr_pr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def _keep_on_one_page(tr) -> None:
    """Word does not split the row across pages (w:cantSplit)."""
    tr_pr = tr.get_or_add_trPr()
    flag = OxmlElement("w:cantSplit")
    flag.set(qn("w:val"), "true")
    tr_pr.insert(0, flag)  # before w:tblHeader, as the schema orders them


_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _set_cell(cell, value, *, bold=False, center=False, italic=False) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run()
    if bold:
        run.bold = True
    if italic:
        run.italic = True
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # python-docx's text setter walks the text a character at a time; lines with <w:br/> between them
    # are the same markup, built directly.
    r = run._r
    text = _ILLEGAL_XML.sub("", "" if value is None else str(value))
    for i, line in enumerate(text.split("\n")):
        if i:
            r.append(OxmlElement("w:br"))
        if line:
            t = OxmlElement("w:t")
            t.text = line
            t.set(qn("xml:space"), "preserve")
            r.append(t)


def write_docx(document, fileobj) -> int:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(11)
    style.paragraph_format.space_after = Pt(0)

    for text, bold in (
        (document.title, True),
        (document.subtitle, True),
        (document.municipality, False),
        (document.approving_act, False),
        (document.entries_line, False),
    ):
        if text:
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run(text).bold = bold
    doc.add_paragraph()

    ncols = len(document.columns)
    table = doc.add_table(rows=2, cols=ncols)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    usable = PAGE_WIDTH - 2 * MARGIN
    total = sum(c.width for c in document.columns) or 1
    for column, spec in zip(table.columns, document.columns, strict=True):
        column.width = int(usable * spec.width / total)
    header, numbers = table.rows
    for i, (cell, spec) in enumerate(zip(header.cells, document.columns, strict=True)):
        _set_cell(cell, spec.label, bold=True, center=True)
        _set_cell(numbers.cells[i], i + 1, center=True)
    _repeat_as_header(header)
    _repeat_as_header(numbers)

    # Body rows are copies of one prepared empty row: python-docx's add_row sets every cell's width one
    # element at a time, and `_Row.cells` rebuilds the whole table's grid on each call (quadratic).
    template = table.add_row()._tr
    table._tbl.remove(template)
    _keep_on_one_page(template)
    _keep_on_one_page(header._tr)
    _keep_on_one_page(numbers._tr)
    written = 0
    measure_cells, pending = None, 0  # the measure's first cells, merged down over its KPI rows
    for row in document.rows:
        tr = copy.deepcopy(template)
        table._tbl.append(tr)
        cells = [_Cell(tc, table) for tc in tr.tc_lst]
        if row.is_section:
            merged = cells[0].merge(cells[-1])
            _set_cell(merged, row.section, bold=True)
            continue
        for i, (cell, value) in enumerate(zip(cells, row.cells, strict=True)):
            if row.is_continuation and i < MEASURE_COLUMNS:
                continue
            _set_cell(cell, display(value), bold=row.is_total, italic=row.is_missing)
        if row.span > 1:
            measure_cells, pending = cells[:MEASURE_COLUMNS], row.span - 1
        elif row.is_continuation and measure_cells is not None:
            pending -= 1
            if pending == 0:
                for top, bottom in zip(measure_cells, cells[:MEASURE_COLUMNS], strict=True):
                    top.merge(bottom)
                measure_cells = None
        if not row.is_continuation:
            written += 1

    for summary in document.summaries:
        doc.add_paragraph()
        doc.add_paragraph().add_run(summary.title).bold = True
        t = doc.add_table(rows=0, cols=2)
        t.style = "Table Grid"
        for label, value in summary.rows:
            a, b = t.add_row().cells
            _set_cell(a, label)
            _set_cell(b, display(value))
    if document.signature:
        doc.add_paragraph()
        for line in document.signature:
            doc.add_paragraph(line)
    doc.save(fileobj)
    return written

"""XLSX through openpyxl's write-only mode: rows stream to the file, memory stays flat in rows."""

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from openness_portal.spreadsheets import looks_like_formula

from ..selectors import MEASURE_COLUMNS

# Text starting with these is a formula (or an injection) to spreadsheet software: always written as text.

_thin = Side(style="thin", color="808080")
_border = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)


def _styles() -> list[NamedStyle]:
    body = NamedStyle(
        name="report_body",
        font=Font(name="Times New Roman", size=11),
        alignment=Alignment(wrap_text=True, vertical="top"),
        border=_border,
    )
    header = NamedStyle(
        name="report_header",
        font=Font(name="Times New Roman", size=11, bold=True),
        alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"),
        border=_border,
        fill=PatternFill("solid", fgColor="D9E1F2"),
    )
    section = NamedStyle(
        name="report_section",
        font=Font(name="Times New Roman", size=11, bold=True),
        alignment=Alignment(wrap_text=True, vertical="top"),
        border=_border,
        fill=PatternFill("solid", fgColor="F2F2F2"),
    )
    title = NamedStyle(
        name="report_title",
        font=Font(name="Times New Roman", size=13, bold=True),
        alignment=Alignment(wrap_text=True, horizontal="center"),
    )
    plain = NamedStyle(
        name="report_plain", font=Font(name="Times New Roman", size=11), alignment=Alignment(wrap_text=True)
    )
    total = NamedStyle(
        name="report_total",
        font=Font(name="Times New Roman", size=11, bold=True),
        alignment=Alignment(wrap_text=True, vertical="top"),
        border=Border(left=_thin, right=_thin, top=Side(style="medium"), bottom=_thin),
        fill=PatternFill("solid", fgColor="F2F2F2"),
    )
    missing = NamedStyle(
        name="report_missing",
        font=Font(name="Times New Roman", size=11, italic=True, color="7F7F7F"),
        alignment=Alignment(wrap_text=True, vertical="top"),
        border=_border,
    )
    return [body, header, section, title, plain, total, missing]


class _StreamingSheet(WriteOnlyWorksheet):
    """A write-only sheet whose rows arrive as lists of ready cells.

    openpyxl's own write-only `append` re-binds every value and, for a styled cell, raises and catches a
    ValueError and allocates a fresh cell: twice the time of appending bare values. Rows are written as
    soon as they are appended, so one styled cell per (column, style) can be reused row after row.
    """

    def _values_to_row(self, values, row_idx):
        for col_idx, cell in enumerate(values, 1):
            if cell is None:
                continue
            cell.column = col_idx
            cell.row = row_idx
            yield cell


class _Cells:
    """Reusable styled cells; every str is written as text, so it can never become a formula."""

    def __init__(self, ws):
        self.ws = ws
        self._cells: dict[tuple, WriteOnlyCell] = {}

    def _cell(self, col: int, style: str, quoted: bool, number_format: str = "") -> WriteOnlyCell:
        key = (col, style, quoted, number_format)
        cell = self._cells.get(key)
        if cell is None:
            cell = self._cells[key] = WriteOnlyCell(self.ws)
            cell.style = style
            if number_format:
                cell.number_format = number_format
            if quoted:
                # Marked quote-prefixed too, so that editing the cell in Excel keeps it text.
                cell.quotePrefix = True
        return cell

    def row(self, values, style: str = "report_body", number_formats=None) -> list[WriteOnlyCell]:
        """Text as text, numbers as numeric cells (with `number_formats[col]`), no value as «—»."""
        cells = []
        for col, value in enumerate(values):
            if value is None:
                value = "—"
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell = self._cell(col, style, looks_like_formula(value))
                # Set directly: openpyxl's setter reads a leading «=» as a formula (in both modes).
                cell._value = value
                cell.data_type = "s"
            else:
                cell = self._cell(col, style, False, (number_formats or {}).get(col, ""))
                cell._value = value
                cell.data_type = "n"
            cells.append(cell)
        return cells


def _sheet(wb, title: str) -> _StreamingSheet:
    ws = _StreamingSheet(parent=wb, title=title)
    wb._add_sheet(ws)  # what Workbook.create_sheet does in write-only mode, with our sheet class
    return ws


def write_xlsx(document, fileobj) -> int:
    """Write the report; returns the number of table rows written."""
    wb = Workbook(write_only=True)
    for style in _styles():
        wb.add_named_style(style)
    ws = _sheet(wb, str(document.sheet_title))
    ncols = len(document.columns)
    last_col = get_column_letter(ncols)
    for i, column in enumerate(document.columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.right.text = "стр. &P из &N"

    cells = _Cells(ws)
    titles = [
        (text, style)
        for text, style in (
            (document.title, "report_title"),
            (document.subtitle, "report_title"),
            (document.municipality, "report_plain"),
            (document.approving_act, "report_plain"),
            (document.entries_line, "report_plain"),
        )
        if text
    ]
    header_row = len(titles) + 2
    # Write-only sheets emit their views with the first row: freeze and print titles come first.
    ws.freeze_panes = f"A{header_row + 2}"
    ws.print_title_rows = f"{header_row}:{header_row + 1}"
    for row_idx, (text, style) in enumerate(titles, start=1):
        ws.append(cells.row([text], style))
        ws.merged_cells.add(f"A{row_idx}:{last_col}{row_idx}")
    ws.append([])
    ws.append(cells.row([str(c.label) for c in document.columns], "report_header"))
    ws.append(cells.row(list(range(1, ncols + 1)), "report_header"))
    row_idx = header_row + 1

    written = 0
    blank = [""] * (ncols - 1)
    for row in document.rows:
        row_idx += 1
        if row.is_section:
            ws.append(cells.row([row.section, *blank], "report_section"))
            ws.merged_cells.add(f"A{row_idx}:{last_col}{row_idx}")
        else:
            style = "report_total" if row.is_total else "report_missing" if row.is_missing else "report_body"
            ws.append(cells.row(row.cells, style, row.number_formats))
            if row.span > 1:  # the measure's cells over its KPI rows
                for col in range(1, MEASURE_COLUMNS + 1):
                    letter = get_column_letter(col)
                    ws.merged_cells.add(f"{letter}{row_idx}:{letter}{row_idx + row.span - 1}")
            if not row.is_continuation:
                written += 1

    if document.signature:
        ws.append([])
        for line in document.signature:
            ws.append(cells.row([line], "report_plain"))

    if document.summaries:
        summary = _sheet(wb, "Сводка")
        summary.column_dimensions["A"].width = 60
        summary.column_dimensions["B"].width = 20
        cells = _Cells(summary)
        summary.append(cells.row([document.title], "report_title"))
        for table in document.summaries:
            summary.append([])
            summary.append(cells.row([table.title, ""], "report_header"))
            for label, value in table.rows:
                summary.append(cells.row([label, value]))
    wb.save(fileobj)
    return written

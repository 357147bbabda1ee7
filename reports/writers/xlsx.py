"""XLSX through openpyxl's write-only mode: rows stream to the file, memory stays flat in rows."""

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

# Text starting with these is a formula (or an injection) to spreadsheet software: always written as text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

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
    return [body, header, section, title, plain]


class _CellMaker:
    """Builds WriteOnlyCells; any str is forced to a text cell so it can never become a formula."""

    def __init__(self, ws):
        self.ws = ws

    def __call__(self, value, style: str = "report_body"):
        cell = WriteOnlyCell(self.ws, value=value)
        cell.style = style
        if isinstance(value, str):
            # openpyxl reads a leading «=» as a formula in both modes: force the text type, and mark
            # the cell quote-prefixed so that editing it in Excel keeps it text as well.
            cell.data_type = "s"
            if value.startswith(FORMULA_TRIGGERS):
                cell.quotePrefix = True
        return cell


def write_xlsx(document, fileobj) -> int:
    """Write the report; returns the number of table rows written."""
    wb = Workbook(write_only=True)
    for style in _styles():
        wb.add_named_style(style)
    ws = wb.create_sheet(str(document.sheet_title))
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

    cell = _CellMaker(ws)
    titles = [
        (text, style)
        for text, style in (
            (document.title, "report_title"),
            (document.subtitle, "report_title"),
            (document.municipality, "report_plain"),
            (document.approving_act, "report_plain"),
        )
        if text
    ]
    header_row = len(titles) + 2
    # Write-only sheets emit their views with the first row: freeze and print titles come first.
    ws.freeze_panes = f"A{header_row + 2}"
    ws.print_title_rows = f"{header_row}:{header_row + 1}"
    for row_idx, (text, style) in enumerate(titles, start=1):
        ws.append([cell(text, style)])
        ws.merged_cells.add(f"A{row_idx}:{last_col}{row_idx}")
    ws.append([])
    ws.append([cell(str(c.label), "report_header") for c in document.columns])
    ws.append([cell(i, "report_header") for i in range(1, ncols + 1)])
    row_idx = header_row + 1

    written = 0
    for row in document.rows:
        row_idx += 1
        if row.is_section:
            ws.append([cell(row.section, "report_section")] + [cell(None, "report_section")] * (ncols - 1))
            ws.merged_cells.add(f"A{row_idx}:{last_col}{row_idx}")
        else:
            ws.append([cell(value) for value in row.cells])
            written += 1

    if document.summaries:
        summary = wb.create_sheet("Сводка")
        summary.column_dimensions["A"].width = 60
        summary.column_dimensions["B"].width = 20
        cell = _CellMaker(summary)
        summary.append([cell(document.title, "report_title")])
        for table in document.summaries:
            summary.append([])
            summary.append([cell(table.title, "report_header"), cell("", "report_header")])
            for label, value in table.rows:
                summary.append([cell(label), cell(value)])
    wb.save(fileobj)
    return written

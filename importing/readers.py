"""Read the tables of a DOCX or XLSX file into plain rows of text, merged cells spread over their span."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from datetime import date, datetime

from .errors import RoadmapImportError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass
class RawRow:
    number: int  # 1-based: the sheet row in XLSX, the table row in DOCX
    cells: list[str]


@dataclass
class RawTable:
    index: int  # 0-based position in the document (table or sheet)
    kind: str  # "docx" or "xlsx"
    name: str  # sheet name for XLSX, "" for DOCX
    rows: list[RawRow]
    preamble: list[str] = field(default_factory=list)  # paragraphs before the table (DOCX)

    @property
    def label(self) -> str:
        if self.kind == "xlsx":
            return f"лист «{self.name}»"
        return f"таблица {self.index + 1}"


def _clean_cell(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\xad", "")
    return text.strip()


# --- DOCX -----------------------------------------------------------------------------------------------


def _docx_cell_text(tc) -> str:
    from docx.text.paragraph import Paragraph

    # Only the cell's own paragraphs: a table nested in a cell is not part of the plan.
    return "\n".join(Paragraph(p, None).text for p in tc.iterchildren(f"{{{W_NS}}}p"))


def _docx_table_rows(tbl) -> list[RawRow]:
    rows: list[RawRow] = []
    previous: list[str] = []
    for number, tr in enumerate(tbl.tr_lst, start=1):
        cells: list[str] = []
        for tc in tr.tc_lst:
            span = max(1, tc.grid_span or 1)
            col = len(cells)
            if tc.vMerge == "continue":
                # A vertically merged cell repeats the text of the cell above, as Word shows it.
                text = previous[col] if col < len(previous) else ""
            else:
                text = _clean_cell(_docx_cell_text(tc))
            cells.extend([text] * span)
        rows.append(RawRow(number, cells))
        previous = cells
    return rows


def read_docx(data: bytes) -> list[RawTable]:
    import docx
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for a damaged zip or XML
        raise RoadmapImportError(
            "Не удалось прочитать файл: это не документ Word (DOCX) или файл поврежден."
        ) from exc
    tables: list[RawTable] = []
    paragraphs: list[str] = []
    for child in document.element.body.iterchildren():
        if child.tag == f"{{{W_NS}}}p":
            text = _clean_cell(Paragraph(child, None).text)
            if text:
                paragraphs.append(text)
        elif child.tag == f"{{{W_NS}}}tbl":
            tables.append(RawTable(len(tables), "docx", "", _docx_table_rows(child), paragraphs))
            paragraphs = []
    return tables


# --- XLSX -----------------------------------------------------------------------------------------------


def _xlsx_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return _clean_cell(str(value))


def read_xlsx(data: bytes) -> list[RawTable]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:
        raise RoadmapImportError(
            "Не удалось прочитать файл: это не книга Excel (XLSX) или файл поврежден."
        ) from exc
    tables = []
    for index, sheet in enumerate(workbook.worksheets):
        grid = [[_xlsx_value(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        for merged in sheet.merged_cells.ranges:
            top_left = grid[merged.min_row - 1][merged.min_col - 1] if merged.min_row <= len(grid) else ""
            for r in range(merged.min_row - 1, min(merged.max_row, len(grid))):
                for c in range(merged.min_col - 1, min(merged.max_col, len(grid[r]))):
                    grid[r][c] = top_left
        rows = [RawRow(number, cells) for number, cells in enumerate(grid, start=1)]
        tables.append(RawTable(index, "xlsx", sheet.title, rows))
    return tables


def read_tables(data: bytes, filename: str) -> list[RawTable]:
    """All tables of the file, by its extension (or its content when the name says nothing)."""
    if len(data) > MAX_FILE_BYTES:
        raise RoadmapImportError("Файл больше 20 МБ: загрузите таблицу плана отдельно.")
    if not data:
        raise RoadmapImportError("Файл пустой.")
    ext = os.path.splitext(filename or "")[1].lower()
    if ext == ".docx":
        return read_docx(data)
    if ext in (".xlsx", ".xlsm"):
        return read_xlsx(data)
    if ext in (".doc", ".xls"):
        raise RoadmapImportError(
            "Старые форматы .doc и .xls не поддерживаются: сохраните файл как DOCX или XLSX."
        )
    if data[:2] == b"PK":
        try:
            return read_docx(data)
        except RoadmapImportError:
            return read_xlsx(data)
    raise RoadmapImportError("Загрузите документ Word (DOCX) или книгу Excel (XLSX).")

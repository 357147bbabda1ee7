"""Find the plan table among a document's tables, recognise its columns, and classify its rows."""

from __future__ import annotations

import re
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from roadmaps.deadline_parser import DeadlineKind, generate_deadlines, parse_deadline
from roadmaps.executors import ExecutorMatcher, normalise

from .errors import Problem, RoadmapImportError
from .readers import RawRow, RawTable
from .results import ParsedMeasure, ParsedSection, ParseResult
from .text import (
    PLAN_ROLES,
    clean_number,
    collapse,
    deadline_text,
    executor_kind,
    header_role,
    is_column_number_row,
    is_roman,
    lines_of,
    number_from_title,
    parse_kpi_cell,
    split_executor_cell,
    split_section,
    split_title,
)

HEADER_SEARCH_ROWS = 15
MAX_NUMBER = 20  # Measure.number / Section.number max_length
MAX_EXECUTOR = 500
MAX_SECTION_TITLE = 1000
DEFAULT_SECTION = "План мероприятий"


@dataclass
class Layout:
    """Where the header is and which column plays which role."""

    table: RawTable
    header_row: int  # index into table.rows
    roles: dict[str, int]  # role → column index
    headers: list[str]  # header text per column
    extras: dict[int, str]  # kept-aside columns: index → header

    @property
    def score(self) -> int:
        data_rows = len(self.table.rows) - self.header_row - 1
        return len([r for r in PLAN_ROLES if r in self.roles]) * 1000 + data_rows

    @property
    def has_title(self) -> bool:
        return "title" in self.roles


def find_layout(table: RawTable) -> Layout | None:
    """The first row, among the table's first rows, that reads as a plan header (two roles or more)."""
    for index, row in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        best: dict[str, tuple[int, int]] = {}
        seen_texts: set[str] = set()
        for col, text in enumerate(row.cells):
            if not text or text in seen_texts:
                continue  # a header merged over two grid columns repeats its text
            seen_texts.add(text)
            found = header_role(text)
            if found is None:
                continue
            role, score = found
            if role == "extra":
                continue
            if role not in best or score > best[role][1]:
                best[role] = (col, score)
        if len(best) >= 2 and ("title" in best or len(best) >= 3):
            roles = {role: col for role, (col, _score) in best.items()}
            used = set(roles.values())
            extras = {
                col: collapse(text)
                for col, text in enumerate(row.cells)
                if text and col not in used and text not in {row.cells[c] for c in used}
            }
            return Layout(table, index, roles, [collapse(c) for c in row.cells], extras)
    return None


def choose_layout(tables: list[RawTable], table_index: int | None) -> tuple[Layout, list[Layout]]:
    if not tables:
        raise RoadmapImportError(
            "В документе нет ни одной таблицы: план мероприятий должен быть таблицей "
            "(столбцы «№ п/п», «Наименование мероприятия», «Срок исполнения», «Ответственный исполнитель»)."
        )
    layouts = [layout for table in tables if (layout := find_layout(table)) is not None]
    if table_index is not None:
        chosen = [layout for layout in layouts if layout.table.index == table_index]
        if not chosen:
            raise RoadmapImportError(f"Таблица № {table_index + 1} не похожа на план мероприятий.")
        layout = chosen[0]
    else:
        if not layouts:
            raise RoadmapImportError(
                "В документе не найдена таблица плана мероприятий: нет строки заголовка со столбцами "
                "«Наименование мероприятия», «Срок исполнения», «Ответственный исполнитель»."
            )
        with_title = [layout for layout in layouts if layout.has_title]
        layout = max(with_title or layouts, key=lambda item: item.score)
    if not layout.has_title:
        header = layout.table.rows[layout.header_row]
        raise RoadmapImportError(
            Problem(
                "не найден столбец с наименованием мероприятий (ожидается «Наименование мероприятия», "
                "«Мероприятия» или «Механизм (инструмент)»).",
                row=_row_label(layout.table, header),
            )
        )
    return layout, [item for item in layouts if item.has_title]


def _row_label(table: RawTable, row: RawRow) -> str:
    if table.kind == "xlsx":
        return f"{table.label}, строка {row.number}"
    return f"{table.label}, строка {row.number}"


def _column_label(layout: Layout, col: int) -> str:
    header = layout.headers[col] if col < len(layout.headers) else ""
    if layout.table.kind == "xlsx":
        return f"{get_column_letter(col + 1)} «{header}»"
    return f"«{header}»"


_ACT = re.compile(
    r"(?P<kind>распоряжени|постановлени|решени|приказ)\w*[^№]{0,200}?от\s+(?P<date>\d{1,2}\.\d{1,2}\.\d{4}|"
    r"\d{1,2}\s+[а-я]+\s+\d{4})\s*(?:г\.?|года)?\s*№\s*(?P<number>[\w\-/.]+)",
    re.I,
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "января",
            "февраля",
            "марта",
            "апреля",
            "мая",
            "июня",
            "июля",
            "августа",
            "сентября",
            "октября",
            "ноября",
            "декабря",
        ],
        1,
    )
}
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_YEAR_SPAN = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[-–—]\s*((?:19|20)\d{2})(?!\d)")
# «Период реализации плана: 2021–2025 годы» (written by the export, and by some real plans).
# Strict on purpose: «Срок реализации Концепции – до 2030 года» states no span of the plan.
_PERIOD_LINE = re.compile(
    r"(?:период|срок)\w*\s+реализации(?:\s+плана)?\s*[:–—-]\s*((?:19|20)\d{2})"
    r"(?:\s*[-–—]\s*((?:19|20)\d{2}))?\s*(?:год|гг|г\.|$)",
    re.I,
)
# Lines of the export's header that are not the plan's name.
_LABELLED_LINE = re.compile(
    r"^\s*(?:(?:период|срок)\w*\s+реализации|муниципальное образование:|утвержден)", re.I
)


def _act_from(lines: list[str]) -> tuple[str, str, str]:
    """(kind, number, ISO date) of «Приложение к распоряжению … от 13.02.2019 № 148-р», if written."""
    text = " ".join(lines)
    m = _ACT.search(text)
    if not m:
        return "", "", ""
    raw = m["date"]
    try:
        if "." in raw:
            day, month, year = (int(x) for x in raw.split("."))
        else:
            day_s, month_s, year_s = raw.split()
            day, month, year = int(day_s), _MONTHS[month_s.lower()], int(year_s)
        from datetime import date

        iso = date(year, month, day).isoformat()
    except (ValueError, KeyError):
        return "", "", ""
    kinds = {"распоряжени": "order", "постановлени": "resolution", "решени": "decision"}
    return kinds.get(m["kind"].lower(), "other"), m["number"].rstrip("."), iso


def _title_from(lines: list[str]) -> str:
    """The plan's own name among the lines above the table («План мероприятий …», «Дорожная карта …»)."""
    lines = [line for line in lines if line.strip()]
    for i, line in enumerate(lines):
        if re.match(r"^\s*(?:план|«?дорожн|перечень|программ|комплекс)", line, re.I):
            following = []
            for nxt in lines[i + 1 : i + 3] if len(line) < 40 else []:
                if _LABELLED_LINE.match(nxt):
                    break
                following.append(nxt)
            return collapse(" ".join([line, *following]))[:1000]
    unlabelled = [line for line in lines if not _LABELLED_LINE.match(line)]
    return collapse(unlabelled[-1])[:1000] if unlabelled else ""


def _period_from(lines: list[str]) -> tuple[int, int] | None:
    """The span a «Период реализации плана: 2021–2025 годы» line above the table states."""
    for line in lines:
        m = _PERIOD_LINE.search(line)
        if m:
            first = int(m[1])
            return first, int(m[2]) if m[2] else first
    return None


def _spanning(cells: list[str]) -> str | None:
    values = [c for c in cells if c]
    if len(values) >= 2 and len(set(values)) == 1:
        return values[0]
    return None


class _Builder:
    def __init__(self, layout: Layout, municipality, first_year: int | None, last_year: int | None):
        self.layout = layout
        self.table = layout.table
        self.roles = layout.roles
        self.municipality = municipality
        self.fixed_years = (first_year, last_year)
        self.sections: list[ParsedSection] = []
        self.measures: list[ParsedMeasure] = []
        self.cells: list[dict[str, str]] = []  # raw role cells per measure
        self.problems: list[Problem] = []
        self.definitions: dict[str, str] = {}

    def cell(self, row: RawRow, role: str) -> str:
        col = self.roles.get(role)
        if col is None or col >= len(row.cells):
            return ""
        return row.cells[col]

    def role_cells(self, row: RawRow) -> dict[str, str]:
        return {role: self.cell(row, role) for role in PLAN_ROLES}

    # --- pass 1: rows ------------------------------------------------------------------------------------
    def classify(self) -> None:
        rows = [r for r in self.table.rows[self.layout.header_row + 1 :] if any(c.strip() for c in r.cells)]
        header_texts = self.table.rows[self.layout.header_row].cells
        for position, row in enumerate(rows):
            if row.cells == header_texts or is_column_number_row(row.cells):
                continue  # the «1 2 3 4» row, or the header repeated on a new page
            cells = self.role_cells(row)
            span = _spanning([row.cells[c] for c in sorted(set(self.roles.values())) if c < len(row.cells)])
            if span is not None and not (cells["number"] and cells["number"] != span):
                self.add_section(row, span)
                continue
            number_cell, title_cell = cells["number"].strip(), cells["title"].strip()
            others = any(cells[r].strip() for r in ("deadline", "executors", "kpi"))
            if not number_cell and title_cell and not others and split_section(title_cell):
                self.add_section(row, title_cell)
                continue
            if (
                number_cell
                and not title_cell
                and not others
                and (split_section(number_cell) or is_roman(number_cell))
            ):
                # «1. Реализация принципа …» typed in the number column alone.
                self.add_section(row, number_cell)
                continue
            if (
                number_cell
                and title_cell
                and not others
                and self._opens_section(number_cell, rows[position + 1 :])
            ):
                self.add_section(row, f"{clean_number(number_cell)}. {title_cell}")
                continue
            if is_roman(number_cell) and title_cell and not others:
                self.add_section(row, f"{number_cell.strip()}. {title_cell}")
                continue
            if self.measures_continue(row, cells):
                continue
            self.add_measure(row, cells)

    def _opens_section(self, number_cell: str, following: list[RawRow]) -> bool:
        """«1 | Реализация принципа …» with nothing else, followed by «1.1»: a section, not a measure."""
        number = clean_number(number_cell)
        if not number.isdigit():
            return False
        for row in following:
            nxt = clean_number(self.cell(row, "number"))
            if nxt:
                return nxt.startswith(f"{number}.")
        return False

    def measures_continue(self, row: RawRow, cells: dict[str, str]) -> bool:
        """A measure spread over several rows (vertically merged number/title, or both left empty)."""
        if not self.measures:
            return False
        previous = self.cells[-1]
        same_head = cells["number"] == previous["number"] and cells["title"] == previous["title"]
        empty_head = not cells["number"].strip() and not cells["title"].strip()
        if not (same_head or empty_head):
            return False
        for role in ("deadline", "executors", "kpi"):
            if cells[role] and cells[role] != previous[role]:
                previous[role] = f"{previous[role]}\n{cells[role]}".strip()
        for col, header in self.layout.extras.items():
            value = row.cells[col] if col < len(row.cells) else ""
            extra = self.measures[-1].extra
            if value and value != extra.get(header, ""):
                extra[header] = f"{extra.get(header, '')}\n{value}".strip()
        return True

    def add_section(self, row: RawRow, text: str) -> None:
        text = collapse(text)
        found = split_section(text)
        number, title = found if found else ("", text)
        if len(title) > MAX_SECTION_TITLE:
            self.problems.append(
                Problem(
                    f"название раздела длиннее {MAX_SECTION_TITLE} знаков.", row=_row_label(self.table, row)
                )
            )
        if len(number) > MAX_NUMBER:
            number = ""
        self.sections.append(ParsedSection(number, title[:MAX_SECTION_TITLE], row.number))

    def add_measure(self, row: RawRow, cells: dict[str, str]) -> None:
        number = clean_number(cells["number"])
        title_cell = cells["title"]
        if "number" not in self.roles:
            number, title_cell = number_from_title(title_cell)
        title, description = split_title(title_cell)
        if not title:
            col = self.roles["title"]
            self.problems.append(
                Problem(
                    "нет наименования мероприятия"
                    + (f" (номер «{cells['number'].strip()}»)" if cells["number"].strip() else "")
                    + ".",
                    row=_row_label(self.table, row),
                    column=_column_label(self.layout, col),
                )
            )
        if len(number) > MAX_NUMBER:
            self.problems.append(
                Problem(
                    f"номер мероприятия «{number[:40]}» длиннее {MAX_NUMBER} знаков.",
                    row=_row_label(self.table, row),
                    column=_column_label(self.layout, self.roles["number"]),
                )
            )
        if not self.sections:
            self.sections.append(ParsedSection("", DEFAULT_SECTION, 0))
        measure = ParsedMeasure(
            number=number[:MAX_NUMBER],
            title=title,
            description=description,
            section=len(self.sections) - 1,
            row=row.number,
        )
        for col, header in self.layout.extras.items():
            value = row.cells[col] if col < len(row.cells) else ""
            if value:
                measure.extra[header] = value
        self.measures.append(measure)
        self.cells.append(dict(cells))

    # --- pass 2: meaning ---------------------------------------------------------------------------------
    def years(self, title: str, preamble: list[str]) -> tuple[int, int]:
        first, last = self.fixed_years
        if first and last:
            return first, last
        stated = _period_from(preamble)
        span = _YEAR_SPAN.search(title)
        found = [int(y) for c in self.cells for y in _YEAR.findall(c["deadline"])]
        if stated:
            lo, hi = stated
        elif span:
            lo, hi = int(span[1]), int(span[2])
        elif found:
            lo, hi = min(found), max(found)
        else:
            from django.utils import timezone

            lo = hi = (self.municipality.local_today() if self.municipality else timezone.localdate()).year
        first = first or lo
        last = last or max(hi, first)
        return first, last

    def interpret(self, first_year: int, last_year: int) -> None:
        matcher = ExecutorMatcher(self.municipality) if self.municipality is not None else None
        years = range(first_year, last_year + 1)
        # The «(далее – главный юрисконсульт)» definitions of any row hold for the whole table.
        for cells in self.cells:
            self.definitions.update(split_executor_cell(cells["executors"])[1])
        seen_numbers: dict[str, int] = {}
        for measure, cells in zip(self.measures, self.cells, strict=True):
            self._deadline(measure, cells, first_year, last_year)
            self._executors(measure, cells, matcher)
            deadline_years = sorted({d["due_date"][:4] for d in measure.deadlines if d["due_date"]})
            kpis, result, problems = parse_kpi_cell(
                cells["kpi"],
                measure_title=measure.title,
                deadline_years=[int(y) for y in deadline_years] if len(deadline_years) > 1 else [],
                years=years,
            )
            measure.kpis, measure.expected_result = kpis, result
            for problem in problems:
                measure.flag("kpi", problem)
            if measure.number:
                if measure.number in seen_numbers:
                    measure.flag(
                        "number",
                        f"Номер {measure.number} уже встречался (строка {seen_numbers[measure.number]}).",
                    )
                seen_numbers.setdefault(measure.number, measure.row)

    def _deadline(
        self, measure: ParsedMeasure, cells: dict[str, str], first_year: int, last_year: int
    ) -> None:
        text = deadline_text(cells["deadline"])
        measure.deadline_text = text
        parsed = parse_deadline(text, default_year=first_year)
        measure.deadline_kind = parsed.kind.value
        measure.deadlines = [
            {
                "due_date": d.due_date.isoformat() if d.due_date else None,
                "period": d.period,
                "part_label": d.part_label,
                "reporting_only": d.reporting_only,
                "done": d.done,
            }
            for d in generate_deadlines(parsed, first_year, last_year)
        ]
        if not text:
            measure.flag("deadline", "Срок не указан: мероприятие будет отмечено «требует уточнения».")
        elif not parsed.understood:
            unknown = [p.text for p in parsed.parts if not p.understood] if parsed.parts else [text]
            measure.flag(
                "deadline",
                "Срок не распознан: «" + "», «".join(unknown) + "» — сохранится как написан и будет отмечен "
                "«требует уточнения».",
            )
        elif parsed.kind == DeadlineKind.FIXED and any(
            not first_year <= d.year <= last_year for d in parsed.dates
        ):
            measure.flag("deadline", f"Дата срока вне периода плана {first_year}–{last_year}.")

    def _executors(self, measure: ParsedMeasure, cells: dict[str, str], matcher) -> None:
        names, _definitions = split_executor_cell(cells["executors"])
        measure.executors = names
        if not names:
            measure.flag("executors", "Не указан ответственный исполнитель.")
        for name in names:
            if len(name) > MAX_EXECUTOR:
                col = self.roles["executors"]
                self.problems.append(
                    Problem(
                        f"исполнитель длиннее {MAX_EXECUTOR} знаков: «{name[:60]}…» — разделите исполнителей "
                        "точкой с запятой.",
                        row=_row_label(self.table, RawRow(measure.row, [])),
                        column=_column_label(self.layout, col),
                    )
                )
            if (
                matcher is not None
                and executor_kind(name) != "text"  # collectives are kept as text, as expected
                and not resolve(matcher, name, self.definitions).found
            ):
                measure.unmatched_executors.append(name)
        if measure.unmatched_executors:
            measure.flag(
                "executors",
                "Не найдены среди подразделений и должностных лиц: «"
                + "», «".join(measure.unmatched_executors)
                + "».",
            )


def resolve(matcher: ExecutorMatcher, name: str, definitions: dict[str, str]):
    """Match an executor, trying the full name a «(далее – …)» definition gave its short form."""
    found = matcher.match(name)
    if not found.found and normalise(name) in definitions:
        found = matcher.match(definitions[normalise(name)])
    return found


def parse_tables(
    tables: list[RawTable],
    *,
    municipality=None,
    first_year: int | None = None,
    last_year: int | None = None,
    table_index: int | None = None,
) -> ParseResult:
    """Everything the plan table says, or RoadmapImportError naming every row and column that is wrong."""
    layout, candidates = choose_layout(tables, table_index)
    builder = _Builder(layout, municipality, first_year, last_year)
    builder.classify()
    if not builder.measures and not builder.problems:
        raise RoadmapImportError(
            Problem(f"в таблице после заголовка нет ни одного мероприятия ({layout.table.label}).")
        )
    preamble = layout.table.preamble or [
        collapse(" ".join(c for c in dict.fromkeys(row.cells) if c))
        for row in layout.table.rows[: layout.header_row]
    ]
    preamble = [line for line in preamble if line]
    title = _title_from(preamble)
    first, last = builder.years(title, preamble)
    if last < first:
        raise RoadmapImportError("Последний год плана не может быть раньше первого.")
    builder.interpret(first, last)
    if builder.problems:
        raise RoadmapImportError(builder.problems)
    act_kind, act_number, act_date = _act_from(preamble)
    return ParseResult(
        title=title,
        first_year=first,
        last_year=last,
        sections=builder.sections,
        measures=builder.measures,
        columns={role: layout.headers[col] for role, col in layout.roles.items()},
        extra_columns=list(layout.extras.values()),
        table_index=layout.table.index,
        table_label=layout.table.label,
        tables=[f"{c.table.index}: {c.table.label} ({len(c.table.rows)} строк)" for c in candidates],
        act_kind=act_kind,
        act_number=act_number,
        act_date=act_date,
        executor_definitions=builder.definitions,
        preamble=preamble,
    )


__all__ = ["lines_of", "parse_tables", "resolve"]

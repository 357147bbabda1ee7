"""What a parse understood, as plain dataclasses: shown in the preview, printed by the command, then saved."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal

COLUMN_LABELS = {
    "number": "№",
    "title": "Мероприятие",
    "deadline": "Срок",
    "executors": "Исполнители",
    "kpi": "Показатели / результат",
}


@dataclass
class ParsedSection:
    number: str
    title: str
    row: int = 0

    def __str__(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title


@dataclass
class ParsedKpi:
    name: str
    unit: str = ""
    comparator: str = "gte"
    targets: dict[int, Decimal] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "unit": self.unit,
            "comparator": self.comparator,
            "targets": {str(y): _number(v) for y, v in sorted(self.targets.items())},
        }


def _number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class Flag:
    column: str  # a key of COLUMN_LABELS
    message: str


@dataclass
class ParsedMeasure:
    number: str
    title: str
    section: int  # index into ParseResult.sections
    row: int
    description: str = ""
    executors: list[str] = field(default_factory=list)
    deadline_text: str = ""
    deadline_kind: str = "unknown"
    deadlines: list[dict] = field(default_factory=list)
    kpis: list[ParsedKpi] = field(default_factory=list)
    expected_result: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)
    unmatched_executors: list[str] = field(default_factory=list)

    def flag(self, column: str, message: str) -> None:
        self.flags.append(Flag(column, message))

    @property
    def flagged_columns(self) -> set[str]:
        return {f.column for f in self.flags}


@dataclass
class ParseResult:
    title: str
    first_year: int
    last_year: int
    sections: list[ParsedSection]
    measures: list[ParsedMeasure]
    columns: dict[str, str]  # role → header text as written
    extra_columns: list[str]
    table_index: int
    table_label: str
    tables: list[str]  # labels of every plan-like table found, for the user to pick
    act_kind: str = ""
    act_number: str = ""
    act_date: str = ""  # ISO
    executor_definitions: dict[str, str] = field(default_factory=dict)  # «главный юрисконсульт» → full
    preamble: list[str] = field(default_factory=list)  # the lines above the table, as written

    @property
    def flag_count(self) -> int:
        return sum(len(m.flags) for m in self.measures)

    def section_label(self, measure: ParsedMeasure) -> str:
        return str(self.sections[measure.section]) if self.sections else ""

    def to_dict(self) -> dict:
        """The JSON shape of `import_roadmap --json` (and of the preview stored on an ImportJob)."""
        return {
            "title": self.title,
            "preamble": self.preamble,
            "first_year": self.first_year,
            "last_year": self.last_year,
            "table": {"index": self.table_index, "label": self.table_label, "found": self.tables},
            "columns": self.columns,
            "extra_columns": self.extra_columns,
            "act": {"kind": self.act_kind, "number": self.act_number, "date": self.act_date},
            "sections": [{"number": s.number, "title": s.title, "row": s.row} for s in self.sections],
            "measures": [
                {
                    "number": m.number,
                    "title": m.title,
                    "description": m.description,
                    "section": self.section_label(m),
                    "row": m.row,
                    "executors": m.executors,
                    "unmatched_executors": m.unmatched_executors,
                    "deadline_text": m.deadline_text,
                    "deadline_kind": m.deadline_kind,
                    "deadlines": m.deadlines,
                    "kpis": [k.to_dict() for k in m.kpis],
                    "expected_result": m.expected_result,
                    "extra": m.extra,
                    "flags": [f.message for f in m.flags],
                    "flagged_columns": sorted(m.flagged_columns),
                }
                for m in self.measures
            ],
            "flag_count": self.flag_count,
        }


__all__ = ["COLUMN_LABELS", "Flag", "ParseResult", "ParsedKpi", "ParsedMeasure", "ParsedSection", "asdict"]

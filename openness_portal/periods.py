"""Reporting periods as codes: «2021» (a year) and «2022-H1» / «2022-H2» (half-years)."""

import re
from dataclasses import dataclass
from datetime import date

_PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:-H(?P<half>[12]))?$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    half: int | None = None  # None for the whole year

    @classmethod
    def parse(cls, code: str) -> "Period":
        """Read «2021» or «2022-H1»; raises ValueError with a Russian message otherwise."""
        match = _PERIOD_RE.match((code or "").strip().upper())
        if not match or not 1990 <= int(match["year"]) <= 2100:
            raise ValueError(
                f"Неверный отчетный период «{code}»: ожидается год (2021) или полугодие (2022-H1)."
            )
        return cls(int(match["year"]), int(match["half"]) if match["half"] else None)

    @property
    def code(self) -> str:
        return f"{self.year}-H{self.half}" if self.half else str(self.year)

    @property
    def start(self) -> date:
        return date(self.year, 7 if self.half == 2 else 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    @property
    def label(self) -> str:
        if self.half:
            return f"{'I' if self.half == 1 else 'II'} полугодие {self.year} года"
        return f"{self.year} год"

    @property
    def is_year(self) -> bool:
        return self.half is None

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.code


def period_of(day: date, *, half_year: bool = True) -> Period:
    """The half-year (or year) a date falls in."""
    if not half_year:
        return Period(day.year)
    return Period(day.year, 1 if day.month <= 6 else 2)

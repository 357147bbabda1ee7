"""Deadline phrases as people write them in roadmaps («до 1 апреля 2019 года», «ежеквартально», …).

Pure: no database, no Django; working days come in through an injected callable.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any


class DeadlineKind(StrEnum):
    FIXED = "fixed"
    YEARLY = "yearly"
    PERIODIC = "periodic"
    CONTINUOUS = "continuous"
    AS_NEEDED = "as_needed"
    DONE = "done"
    RELATIVE = "relative"
    MULTI = "multi"
    UNKNOWN = "unknown"


class Periodicity(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


class DeadlineEvent(StrEnum):
    REPORT_SUBMITTED = "report_submitted"
    COUNCIL_DECISION = "council_decision"
    DOCUMENT_RECEIVED = "document_received"
    DISCUSSION_CLOSED = "discussion_closed"
    CHANGE_MADE = "change_made"
    DOCUMENT_APPROVED = "document_approved"
    PROCEDURE_ANNOUNCED = "procedure_announced"
    OTHER = "other"


@dataclass(frozen=True)
class ParsedRule:
    kind: DeadlineKind
    text: str
    dates: tuple[date, ...] = ()
    month_day: tuple[int, int] | None = None
    periodicity: Periodicity | None = None
    offset_days: int | None = None
    working_days: bool = False
    event: DeadlineEvent | None = None
    part_label: str = ""
    parts: tuple[ParsedRule, ...] = ()
    period_hint: str = ""
    # Recurring YEARLY «до 1 марта года, следующего за отчетным»: the deadline for year Y falls in Y + 1.
    following_year: bool = False
    # YEARLY «ежегодно до 1 марта 2025 года»: the first period of the series; earlier years get nothing.
    from_year: int | None = None
    # PERIODIC «до 25 числа месяца, следующего за отчетным кварталом»: that day (or N-th working day, with
    # ``working_days``) of the month after each period; None means the period's last day.
    due_day: int | None = None
    # RELATIVE «… с переносом на ближайший рабочий день»: a calendar-day result moves off a day off.
    roll_to_working_day: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form (ISO dates) for a JSONField."""
        return {
            "kind": self.kind.value,
            "text": self.text,
            "dates": [d.isoformat() for d in self.dates],
            "month_day": list(self.month_day) if self.month_day else None,
            "periodicity": self.periodicity.value if self.periodicity else None,
            "offset_days": self.offset_days,
            "working_days": self.working_days,
            "event": self.event.value if self.event else None,
            "part_label": self.part_label,
            "parts": [part.to_dict() for part in self.parts],
            "period_hint": self.period_hint,
            "following_year": self.following_year,
            "from_year": self.from_year,
            "due_day": self.due_day,
            "roll_to_working_day": self.roll_to_working_day,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedRule:
        """The inverse of ``to_dict``; missing keys take their defaults."""
        month_day = data.get("month_day")
        return cls(
            kind=DeadlineKind(data["kind"]),
            text=data.get("text", ""),
            dates=tuple(date.fromisoformat(d) for d in data.get("dates") or ()),
            month_day=(int(month_day[0]), int(month_day[1])) if month_day else None,
            periodicity=Periodicity(data["periodicity"]) if data.get("periodicity") else None,
            offset_days=data.get("offset_days"),
            working_days=bool(data.get("working_days", False)),
            event=DeadlineEvent(data["event"]) if data.get("event") else None,
            part_label=data.get("part_label", ""),
            parts=tuple(cls.from_dict(part) for part in data.get("parts") or ()),
            period_hint=data.get("period_hint", ""),
            following_year=bool(data.get("following_year", False)),
            from_year=data.get("from_year"),
            due_day=data.get("due_day"),
            roll_to_working_day=bool(data.get("roll_to_working_day", False)),
        )

    @property
    def understood(self) -> bool:
        """False when the phrase, or any part of it, needs a coordinator («требует уточнения»)."""
        return self.kind != DeadlineKind.UNKNOWN and all(part.understood for part in self.parts)


@dataclass(frozen=True)
class GeneratedDeadline:
    due_date: date | None
    period: str
    part_label: str = ""
    reporting_only: bool = False
    done: bool = False


# --- labels ------------------------------------------------------------------------------------------

_ROMAN_HALVES = {1: "I", 2: "II"}


def _quarter_label(quarter: int, year: int) -> str:
    return f"{quarter} кв. {year}"


def _half_label(half: int, year: int) -> str:
    return f"{_ROMAN_HALVES[half]} полугодие {year}"


def period_label_for(d: date, periodicity: Periodicity | None) -> str:
    """The label of the period ``d`` falls in: «2019», «1 кв. 2019», «I полугодие 2022», «01.2019»."""
    if periodicity == Periodicity.QUARTER:
        return _quarter_label((d.month - 1) // 3 + 1, d.year)
    if periodicity == Periodicity.HALF_YEAR:
        return _half_label(1 if d.month <= 6 else 2, d.year)
    if periodicity == Periodicity.MONTH:
        return f"{d.month:02d}.{d.year}"
    return str(d.year)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> date:
    # «до 29 февраля» recurs every year; in a common year it means the last day of February.
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


# --- normalisation -----------------------------------------------------------------------------------

_DASHES = re.compile(r"[\u2010-\u2015\u2212\u2043\ufe58\ufe63\uff0d]")


def _clean(text: str) -> str:
    """Unicode-normalised, dashes unified, whitespace collapsed; case and «ё» kept (for labels)."""
    text = unicodedata.normalize("NFKC", text)
    text = _DASHES.sub("-", text)
    return re.sub(r"\s+", " ", text).strip()


_NUMBER_WORDS = {
    r"од(?:ин|ного|ной|на|ну)": 1,
    r"дв(?:а|ух|е)": 2,
    r"тр(?:и|ех)": 3,
    r"четыр(?:е|ех)": 4,
    r"пят(?:ь|и)": 5,
    r"шест(?:ь|и)": 6,
    r"сем(?:ь|и)": 7,
    r"вос(?:емь|еми|ьми)": 8,
    r"девят(?:ь|и)": 9,
    r"десят(?:ь|и)": 10,
    r"пятнадцат(?:ь|и)": 15,
    r"двадцат(?:ь|и)": 20,
    r"тридцат(?:ь|и)": 30,
}
_NUMBER_WORD_RE = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b")


def _number_word_value(word: str) -> int:
    for pattern, value in _NUMBER_WORDS.items():
        if re.fullmatch(pattern, word):
            return value
    raise ValueError(word)


def _normalise(text: str) -> str:
    """Lower case, «е» for «ё», no brackets or commas, «2021года» split, year suffixes («года», «г.») dropped."""
    s = _clean(text).lower().replace("ё", "е")
    # «3 (трех) рабочих дней»: the spelled-out copy of a number is noise.
    s = re.sub(r"(\d+)\s*\(\s*[а-я]+\s*\)", r"\1", s)
    s = re.sub(r"[()\[\]«»\"'*]", " ", s)
    s = re.sub(r"(\d)([а-я])", r"\1 \2", s)
    s = re.sub(r"(\d+)\s*-\s*(?:го|ого|е|ое|й|м|ом|ми|ти|х|и)\b", r"\1", s)  # «1-го апреля», «7-ми дней»
    s = re.sub(r"\b(\d{4})\s+(?:годов|года|году|годы|год|гг|г)\b\.?", r"\1", s)
    s = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", s)  # keep the dots of «25.03.2020», drop the rest
    s = re.sub(r"[,:!?]", " ", s)
    s = re.sub(r"\s+", " ", s).strip(" ;-")
    s = re.sub(r"^сроки?\s+(?:исполнения|реализации)\s*-?\s*", "", s)
    # «в срок до …», but not «в сроки, установленные …», which names no date.
    s = re.sub(r"^(?:в\s+)?срок\s+(?=до\b|не\s+позд|к\b|по\b|\d)", "", s)
    s = re.sub(r"\s*\bвключительно\b", "", s)
    return s.strip()


# --- building blocks ---------------------------------------------------------------------------------

_MONTHS_GENITIVE = {
    "января": 1,
    "февраля": 2,
    "марта": 3,
    "апреля": 4,
    "мая": 5,
    "июня": 6,
    "июля": 7,
    "августа": 8,
    "сентября": 9,
    "октября": 10,
    "ноября": 11,
    "декабря": 12,
}
# A month as a period: nominative («декабрь 2019») or prepositional («в декабре 2019»).
_MONTHS_AS_PERIOD = {
    "январь": 1, "январе": 1, "февраль": 2, "феврале": 2, "март": 3, "марте": 3, "апрель": 4, "апреле": 4,
    "май": 5, "мае": 5, "июнь": 6, "июне": 6, "июль": 7, "июле": 7, "август": 8, "августе": 8,
    "сентябрь": 9, "сентябре": 9, "октябрь": 10, "октябре": 10, "ноябрь": 11, "ноябре": 11,
    "декабрь": 12, "декабре": 12,
}  # fmt: skip


def _month_number(word: str) -> int:
    return _MONTHS_GENITIVE.get(word) or _MONTHS_AS_PERIOD[word]


_ORDINALS = r"[1-4]|iv|i{1,3}|перв\w*|втор\w*|трет\w*|четверт\w*"


def _ordinal_value(word: str) -> int:
    roman = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
    if word.isdigit():
        return int(word)
    if word in roman:
        return roman[word]
    for stem, value in (("перв", 1), ("втор", 2), ("трет", 3), ("четверт", 4)):
        if word.startswith(stem):
            return value
    raise ValueError(word)


_BY = r"(?:(?:в\s+срок\s+)?(?:до|не\s+позднее|не\s+позже|к|по)\s+)"
# Not «по итогам 2017 года», «за 2017 год» or «на 2017 год»: they name the period, not when it is due.
_DURING = r"(?:(?:в|во|в\s+течение|до\s+конца|до\s+окончания|к\s+концу|к\s+окончанию)\s+)"
_YEAR = r"(?P<y>(?:19|20)\d{2})"
_FOLLOWING = (
    r"(?P<follow>(?:\s+года)?\s+следующего\s+(?:года|за\s+отчетным(?:\s+(?:финансовым\s+)?(?:годом|периодом))?"
    r"|за\s+истекшим(?:\s+(?:налоговым|финансовым|отчетным))?\s+(?:годом|периодом)))"
)

_ITEM_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "day",
        re.compile(
            rf"{_BY}?(?P<d>\d{{1,2}})\s+(?P<m>{'|'.join(_MONTHS_GENITIVE)})\b(?:{_FOLLOWING}|\s+{_YEAR}\b)?"
        ),
    ),
    ("numeric", re.compile(rf"{_BY}?(?P<d>\d{{1,2}})\.(?P<m>\d{{1,2}})(?:\.(?P<y>(?:19|20)?\d{{2}}))?\b")),
    (
        "quarters",
        re.compile(
            rf"{_DURING}?(?P<a>{_ORDINALS})\s*-\s*(?P<b>{_ORDINALS})\s+(?:квартал\w*|кв)\b(?:\s+{_YEAR}\b)?"
        ),
    ),
    ("quarter", re.compile(rf"{_DURING}?(?P<n>{_ORDINALS})\s+(?:квартал\w*|кв)\b(?:\s+{_YEAR}\b)?")),
    ("half", re.compile(rf"{_DURING}?(?P<n>[12]|i{{1,2}}|перв\w*|втор\w*)\s+полугоди\w*\b(?:\s+{_YEAR}\b)?")),
    (
        "month",
        re.compile(
            rf"(?:(?:в|во)\s+)?(?P<m>{'|'.join(_MONTHS_AS_PERIOD)})\b(?:\s+{_YEAR}\b)?"
            # A bare genitive («декабря») is half a date; only «до конца декабря» makes it a period.
            rf"|(?:до\s+конца|до\s+окончания|к\s+концу|в\s+течение)\s+"
            rf"(?P<mg>{'|'.join(_MONTHS_GENITIVE)})\b(?:\s+(?P<y2>(?:19|20)\d{{2}})\b)?"
        ),
    ),
    (
        "years",
        re.compile(r"(?:(?:в|в\s+течение)\s+)?(?P<y1>(?:19|20)\d{2})\s*-\s*(?P<y2>(?:19|20)\d{2})\b"),
    ),
    ("year", re.compile(rf"{_DURING}?{_YEAR}\b")),
)
_SEPARATOR = re.compile(r"(?:\s|;|\bи\b)+")
_YEARLY_WORD = re.compile(r"ежегодно\b")


@dataclass
class _Item:
    """One date-like expression of a phrase."""

    due: date | None  # None while the year is missing
    month_day: tuple[int, int]
    hint: str  # period hint for quarter / half-year / month / year expressions, "" for plain dates
    plain: bool  # a day or a whole year: one per year can form a YEARLY list
    following: bool = False
    kind: str = ""


def _read_item(kind: str, m: re.Match[str]) -> list[_Item]:
    if kind in ("day", "numeric"):
        day = int(m["d"])
        month = _MONTHS_GENITIVE[m["m"]] if kind == "day" else int(m["m"])
        date(2000, month, day)  # validates, 29 February included
        year = m["y"]
        if year and len(year) == 2:
            year = "20" + year
        following = bool(m.groupdict().get("follow"))
        if year:
            return [_Item(date(int(year), month, day), (month, day), "", True)]
        return [_Item(None, (month, day), "", True, following)]
    if kind == "quarter":
        quarter = _ordinal_value(m["n"])
        month = quarter * 3
        end_day = calendar.monthrange(2001, month)[1]
        if m["y"]:
            year = int(m["y"])
            return [_Item(_month_end(year, month), (month, end_day), _quarter_label(quarter, year), False)]
        return [_Item(None, (month, end_day), f"{quarter} кв.", False)]
    if kind == "quarters":
        first, last = _ordinal_value(m["a"]), _ordinal_value(m["b"])
        if not first < last:
            raise ValueError("quarters")
        # «I-II кварталы 2024 года»: one span, due when its last quarter ends.
        month = last * 3
        end_day = calendar.monthrange(2001, month)[1]
        span = f"{first}-{last} кв."
        if m["y"]:
            year = int(m["y"])
            return [_Item(_month_end(year, month), (month, end_day), f"{span} {year}", False)]
        return [_Item(None, (month, end_day), span, False)]
    if kind == "half":
        half = _ordinal_value(m["n"])
        month_day = (6, 30) if half == 1 else (12, 31)
        if m["y"]:
            year = int(m["y"])
            return [_Item(date(year, *month_day), month_day, _half_label(half, year), False)]
        return [_Item(None, month_day, f"{_ROMAN_HALVES[half]} полугодие", False)]
    if kind == "month":
        month = _month_number(m["m"] or m["mg"])
        year_text = m["y"] or m["y2"]
        if year_text:
            year = int(year_text)
            end = _month_end(year, month)
            return [_Item(end, (month, end.day), f"{month:02d}.{year}", False)]
        # February's end moves; the 28th is the end that exists every year.
        return [_Item(None, (month, calendar.monthrange(2001, month)[1]), f"{month:02d}", False)]
    if kind == "years":
        first, last = int(m["y1"]), int(m["y2"])
        if not first <= last <= first + 50:
            raise ValueError("years")
        return [_Item(date(y, 12, 31), (12, 31), str(y), True) for y in range(first, last + 1)]
    year = int(m["y"])
    return [_Item(date(year, 12, 31), (12, 31), str(year), True)]


def _scan_items(s: str) -> tuple[list[_Item], bool] | None:
    """Date expressions covering all of ``s`` (with one optional «ежегодно»); None if anything is left over."""
    items: list[_Item] = []
    yearly_word = False
    pos = 0
    while True:
        sep = _SEPARATOR.match(s, pos)
        if sep:
            pos = sep.end()
        if pos >= len(s):
            break
        word = _YEARLY_WORD.match(s, pos)
        if word and not yearly_word:
            yearly_word = True
            pos = word.end()
            continue
        for kind, pattern in _ITEM_PATTERNS:
            m = pattern.match(s, pos)
            if m and m.end() > pos:
                items.extend(replace(item, kind=kind) for item in _read_item(kind, m))
                pos = m.end()
                break
        else:
            return None
    return (items, yearly_word) if items else None


def _rule_from_items(items: list[_Item], yearly_word: bool, default_year: int | None) -> ParsedRule | None:
    if any(item.following for item in items):
        if len(items) != 1:
            return None
        return ParsedRule(DeadlineKind.YEARLY, "", month_day=items[0].month_day, following_year=True)
    missing_year = [item for item in items if item.due is None]
    if yearly_word and len(items) == 1 and items[0].kind != "year":
        # «ежегодно до 1 сентября 2019 года» in a roadmap from 2019: every year. A year after the roadmap's
        # first («ежегодно до 1 марта 2025 года» from 2023) may start the series or end it: flagged.
        first = items[0].due.year if items[0].due else None
        if first is not None and default_year is not None and first != default_year:
            return None
        return ParsedRule(DeadlineKind.YEARLY, "", month_day=items[0].month_day, from_year=first)
    if missing_year:
        if default_year is None:
            if len(items) == 1:
                return ParsedRule(DeadlineKind.YEARLY, "", month_day=items[0].month_day)
            return None
        for item in missing_year:
            item.due = _safe_date(default_year, *item.month_day)
            if item.hint:
                item.hint = (
                    f"{item.hint}.{default_year}" if item.hint.isdigit() else f"{item.hint} {default_year}"
                )
    dated = sorted((item for item in items if item.due is not None), key=lambda item: item.due)
    dates = tuple(item.due for item in dated if item.due is not None)
    if len(set(dates)) != len(dates):
        return None
    years = [d.year for d in dates]
    if len(dates) >= 2 and len(set(years)) == len(years) and all(item.plain for item in dated):
        return ParsedRule(DeadlineKind.YEARLY, "", dates=dates)
    if yearly_word:
        return None  # «ежегодно» with several dates of one year, or with quarters: not a pattern we know
    hint = ""
    if any(item.hint for item in dated):
        hint = "; ".join(item.hint or str(d.year) for item, d in zip(dated, dates, strict=True))
    return ParsedRule(DeadlineKind.FIXED, "", dates=dates, period_hint=hint)


_DONE = re.compile(r"(?:исполнено|выполнено|реализовано)")
_CONTINUOUS = re.compile(r"(?:постоянно|на\s+постоянной\s+основе|в\s+постоянном\s+режиме)")
_AS_NEEDED = re.compile(r"(?:по\s+мере\s+необходимости|по\s+необходимости|при\s+необходимости)")
# «не реже одного раза в квартал» is due at the end of each quarter, like «ежеквартально».
_AT_LEAST = r"(?:(?:по\s+мере\s+необходимости\s+но\s+)?не\s+реже\s+(?:чем\s+)?)?"
_ONCE_PER = rf"{_AT_LEAST}(?:(?:1|один|одного)\s+)?раза?\s+в\s+"
_PERIODIC = (
    (Periodicity.MONTH, re.compile(rf"ежемесячно|{_ONCE_PER}месяц|каждый\s+месяц")),
    (
        Periodicity.QUARTER,
        re.compile(
            rf"ежеквартально|поквартально|{_ONCE_PER}квартал|каждый\s+квартал|"
            rf"{_AT_LEAST}(?:4|четыре|четырех)\s+раза?\s+в\s+год"
        ),
    ),
    (
        Periodicity.HALF_YEAR,
        re.compile(
            rf"ежеполугодно|{_ONCE_PER}(?:полугодие|пол\s*года|6\s+месяцев)|каждое\s+полугодие|"
            # «2 раза в год»: once in each half-year.
            rf"{_AT_LEAST}(?:2|два|двух)\s+раза?\s+в\s+год"
        ),
    ),
    (
        Periodicity.YEAR,
        re.compile(
            rf"ежегодно|{_ONCE_PER}год|каждый\s+год|"
            r"(?:ежегодно\s+)?в\s+течение\s+(?:года|каждого\s+года|отчетного\s+года)"
        ),
    ),
)
_PERIOD_WORDS = {
    "ежемесячно": Periodicity.MONTH,
    "ежеквартально": Periodicity.QUARTER,
    "поквартально": Periodicity.QUARTER,
    "ежеполугодно": Periodicity.HALF_YEAR,
    "ежегодно": Periodicity.YEAR,
}
_PERIOD_UNITS = {
    "месяцем": Periodicity.MONTH,
    "кварталом": Periodicity.QUARTER,
    "полугодием": Periodicity.HALF_YEAR,
    "годом": Periodicity.YEAR,
    "периодом": None,
}
_PERIOD_WORD = "|".join(_PERIOD_WORDS)
# «ежемесячно до 6-го рабочего дня месяца, следующего за отчетным», «до 25 числа месяца, следующего за
# отчетным кварталом»: a day of the month after each period.
_DUE_DAY = re.compile(
    rf"(?:(?P<word>{_PERIOD_WORD})\s+)?(?:в\s+срок\s+)?(?:до|не\s+позднее|не\s+позже)\s+"
    r"(?P<n>\d{1,2})\s+(?:(?P<work>рабочего\s+дня)|числа)\s+"
    r"(?:месяца\s+следующего\s+за\s+отчетным(?:\s+(?P<unit>месяцем|кварталом|полугодием|годом|периодом))?"
    r"|(?P<next>следующего\s+(?:за\s+отчетным\s+)?месяца))"
    rf"(?:\s+(?P<word2>{_PERIOD_WORD}))?"
)


def _parse_due_day(s: str) -> ParsedRule | None:
    m = _DUE_DAY.fullmatch(s)
    if not m or (m["word"] and m["word2"]):
        return None
    by_word = _PERIOD_WORDS.get(m["word"] or m["word2"] or "")
    by_unit = _PERIOD_UNITS.get(m["unit"] or "")
    if (by_word and by_unit and by_word != by_unit) or (m["next"] and by_word != Periodicity.MONTH):
        # «до 10 числа следующего месяца» alone: next after which month, and how often?
        return None
    periodicity = by_word or by_unit
    day = int(m["n"])
    if periodicity is None or not 1 <= day <= (23 if m["work"] else 31):
        return None
    return ParsedRule(
        DeadlineKind.PERIODIC, "", periodicity=periodicity, due_day=day, working_days=bool(m["work"])
    )


_RELATIVE = re.compile(
    r"(?:(?:не\s+позднее|не\s+позже|в\s+течение|в\s+пределах|не\s+более|через|спустя)\s+)?"
    r"(?P<n>\d{1,3})\s+(?:(?P<work>рабоч\w*)|календарн\w*)?\s*(?P<unit>дн\w*|день|недел\w*)"
    r"(?:\s+(?P<rest>(?:от|с|со|после|по|после|начиная|с\s+момента|со\s+дня|с\s+даты)\b.*))?"
)
_SAME_DAY = re.compile(
    r"(?:в\s+соответствии\s+со?\s+срок\w*|в\s+сроки|одновременно\s+с|в\s+день|в\s+дату)\s+(?P<rest>.+)"
)
_EVENTS: tuple[tuple[re.Pattern[str], DeadlineEvent], ...] = (
    (re.compile(r"(?:заверш|оконч|закрыт|подведен)\w*\s.*обсужден"), DeadlineEvent.DISCUSSION_CLOSED),
    (re.compile(r"(?:предостав|представ|сдач|направлен)\w*\s.*отчет"), DeadlineEvent.REPORT_SUBMITTED),
    (
        re.compile(r"решени\w*\s.*(?:дум|совет|собрани)|(?:дум|совет|собрани)\w*\s.*решени"),
        DeadlineEvent.COUNCIL_DECISION,
    ),
    (re.compile(r"объявлен\w*\s.*процедур|процедур\w*\s.*объявлен"), DeadlineEvent.PROCEDURE_ANNOUNCED),
    (re.compile(r"поступлен|получен"), DeadlineEvent.DOCUMENT_RECEIVED),
    (re.compile(r"внесени\w*\s.*изменени|изменени"), DeadlineEvent.CHANGE_MADE),
    (re.compile(r"утвержд|подписан"), DeadlineEvent.DOCUMENT_APPROVED),
)


def _event_of(rest: str) -> DeadlineEvent:
    for pattern, event in _EVENTS:
        if pattern.search(rest):
            return event
    return DeadlineEvent.OTHER


# «…, а если он приходится на выходной — на следующий рабочий день», «с переносом на ближайший рабочий день».
_ROLL = re.compile(
    r"\s+(?:а\s+)?(?:с\s+переносом|с\s+переходом|если|в\s+случае|при\s+этом|при\s+совпадении|при\s+выпадении)\b"
    r"[^;]*?\bрабоч\w*\s+(?:день|дня)$"
)
_ROLL_BACK = re.compile(r"предыдущ|предшеству|накануне")
# An event we do not know, named after a period («после окончания отчетного квартала»), is a periodic
# rule in disguise: better flagged than counted from whatever event comes first.
_PERIOD_IN_EVENT = re.compile(r"квартал|месяц|полугоди|отчетн|\bгод")


def _parse_relative(s: str) -> ParsedRule | None:
    roll = _ROLL.search(s)
    if roll:
        if _ROLL_BACK.search(roll[0]):
            return None
        s = s[: roll.start()].strip()
    m = _RELATIVE.fullmatch(s)
    if m and (m["rest"] or re.match(r"не\s+позднее|не\s+позже|в\s+течение|в\s+пределах|через", s)):
        days = int(m["n"]) * (7 if m["unit"].startswith("недел") else 1)
        event = _event_of(m["rest"] or "")
        if event == DeadlineEvent.OTHER and _PERIOD_IN_EVENT.search(m["rest"] or ""):
            return None
        return ParsedRule(
            DeadlineKind.RELATIVE,
            "",
            offset_days=days,
            working_days=bool(m["work"]),
            event=event,
            roll_to_working_day=bool(roll),
        )
    if roll:
        return None
    m = _SAME_DAY.fullmatch(s)
    # «в сроки, установленные законом» names no event we could ever record, so it stays unknown.
    if m and (event := _event_of(m["rest"])) != DeadlineEvent.OTHER:
        return ParsedRule(DeadlineKind.RELATIVE, "", offset_days=0, event=event)
    return None


def _parse_single(s: str, default_year: int | None) -> ParsedRule | None:
    """The meaning of one normalised phrase, or None."""
    if not s:
        return None
    if _DONE.fullmatch(s):
        return ParsedRule(DeadlineKind.DONE, "")
    if _CONTINUOUS.fullmatch(s):
        return ParsedRule(DeadlineKind.CONTINUOUS, "")
    if _AS_NEEDED.fullmatch(s):
        return ParsedRule(DeadlineKind.AS_NEEDED, "")
    for periodicity, pattern in _PERIODIC:
        if pattern.fullmatch(s):
            return ParsedRule(DeadlineKind.PERIODIC, "", periodicity=periodicity)
    due_day = _parse_due_day(s)
    if due_day:
        return due_day
    # Spelled-out numbers only matter for relative offsets («трех рабочих дней»).
    relative = _parse_relative(_NUMBER_WORD_RE.sub(lambda m: str(_number_word_value(m[1])), s))
    if relative:
        return relative
    scanned = _scan_items(s)
    if scanned:
        return _rule_from_items(*scanned, default_year)
    return _parse_reported_period(s, default_year)


_REPORTED_FOR = re.compile(r"(?P<body>.+)\s+за\s+(?P<period>[^;]+)")


def _parse_reported_period(s: str, default_year: int | None) -> ParsedRule | None:
    """«до 1 марта 2024 года (за 2023 год)»: one deadline, labelled with the period it reports on."""
    m = _REPORTED_FOR.fullmatch(s)
    scanned = _scan_items(m["period"]) if m else None
    if not m or not scanned or scanned[1] or len(scanned[0]) != 1:
        return None
    period = scanned[0][0]
    if period.due is None or period.kind in ("day", "numeric", "years"):
        return None
    label = period.hint or str(period.due.year)
    body = _parse_single(m["body"], None)
    if body is None or body.period_hint or body.following_year:
        return None
    if body.kind == DeadlineKind.FIXED and len(body.dates) == 1 and body.dates[0] > period.due:
        return replace(body, period_hint=label)
    if body.kind == DeadlineKind.YEARLY and body.month_day and not body.dates:
        if body.from_year is None:
            # «до 1 марта (за 2023 год)»: the first such day after the period ends.
            due = _safe_date(period.due.year, *body.month_day)
            if due <= period.due:
                due = _safe_date(period.due.year + 1, *body.month_day)
            return ParsedRule(DeadlineKind.FIXED, "", dates=(due,), period_hint=label)
        if period.kind == "year" and body.from_year == period.due.year + 1:
            # «ежегодно до 1 марта 2024 года (за 2023 год)»: each year's report is due the next March.
            return replace(body, following_year=True, from_year=period.due.year)
    return None


_LABELLED = re.compile(r"(?P<label>[^\d;]+?)\s+-\s+(?P<body>.+)")
_PERIOD_IN_LABEL = re.compile(
    r"\bза\b|квартал|полугоди|\bгод|месяц|ежегодн|ежекварт|ежемесячн|ежеполугод", re.IGNORECASE
)


def _split_label(piece: str) -> list[tuple[str, str]]:
    """(label, body) of «ведение базы – постоянно»; «постоянно, отчет – до 1 марта» is two parts."""
    m = _LABELLED.fullmatch(piece)
    if not m or _parse_single(_normalise(m["label"]), None) is not None:
        return [("", piece)]
    label, body = m["label"].strip(" ,."), m["body"].strip()
    head, comma, last = label.rpartition(",")
    if comma and _parse_single(_normalise(head), None) is not None:
        label, pairs = last.strip(" ,."), [("", head.strip())]
    else:
        pairs = []
    if _PERIOD_IN_LABEL.search(label):
        # «за I квартал – до 10 апреля»: the label changes what the date means; it is not a name.
        return [("", piece)]
    return [*pairs, (label, body)]


def _with_text(rule: ParsedRule, text: str, part_label: str = "") -> ParsedRule:
    return replace(rule, text=text, part_label=part_label)


_ONGOING = (DeadlineKind.CONTINUOUS, DeadlineKind.PERIODIC, DeadlineKind.AS_NEEDED)
_REPORT_LABEL = re.compile(r"отч[её]т|доклад|информаци", re.IGNORECASE)


def _parse(text: str, default_year: int | None) -> ParsedRule:
    cleaned = _clean(text)
    whole = _parse_single(_normalise(cleaned), default_year)
    if whole is not None:
        return _with_text(whole, text)
    pieces = [piece.strip() for piece in cleaned.split(";") if piece.strip(" ,.")]
    labelled = [pair for piece in pieces for pair in _split_label(piece)]
    if len(labelled) < 2 and not any(label for label, _ in labelled):
        return ParsedRule(DeadlineKind.UNKNOWN, text)
    rules = [_parse_single(_normalise(body), default_year) for _, body in labelled]
    if any(rule is not None and rule.kind in _ONGOING for rule in rules):
        # Next to ongoing work, a report without a year («постоянно, отчет – до 1 марта») is yearly.
        rules = [
            _parse_single(_normalise(body), None) if _REPORT_LABEL.search(label) else rule
            for (label, body), rule in zip(labelled, rules, strict=True)
        ]
    parts = []
    for (label, body), rule in zip(labelled, rules, strict=True):
        parts.append(_with_text(rule or ParsedRule(DeadlineKind.UNKNOWN, ""), body, label))
    if not any(part.understood for part in parts):
        return ParsedRule(DeadlineKind.UNKNOWN, text)
    return ParsedRule(DeadlineKind.MULTI, text, parts=tuple(parts))


def parse_deadline(text: str, *, default_year: int | None = None) -> ParsedRule:
    """The meaning of a deadline phrase; UNKNOWN (never an exception) for anything not understood.

    A day or quarter without a year falls in ``default_year``; with no ``default_year`` it recurs yearly.
    """
    if not isinstance(text, str) or not text.strip():
        return ParsedRule(DeadlineKind.UNKNOWN, "")
    try:
        return _parse(text, default_year)
    except Exception:
        # The contract is «never raise»: a phrase we trip over is one a coordinator must read.
        return ParsedRule(DeadlineKind.UNKNOWN, text)


# --- generation --------------------------------------------------------------------------------------


def _periodic_ends(periodicity: Periodicity, year: int) -> list[date]:
    months = {
        Periodicity.MONTH: range(1, 13),
        Periodicity.QUARTER: (3, 6, 9, 12),
        Periodicity.HALF_YEAR: (6, 12),
        Periodicity.YEAR: (12,),
    }[periodicity]
    return [_month_end(year, month) for month in months]


_WorkingDays = Callable[[date, int], date]


def _production_calendar_add_working_days(d: date, n: int) -> date:
    # The production calendar without the database exceptions: keeps generation pure.
    from openness_portal.workdays.calendar import WorkdayCalendar

    return WorkdayCalendar().add_working_days(d, n)


def _due_after_period(rule: ParsedRule, period_end: date, add_working_days: _WorkingDays) -> date:
    """The due date of a PERIODIC rule for the period ending ``period_end``."""
    if rule.due_day is None:
        return period_end
    if rule.working_days:
        # The N-th working day of the next month: N working days after the period's last day.
        return add_working_days(period_end, rule.due_day)
    following = period_end + timedelta(days=1)
    return _safe_date(following.year, following.month, rule.due_day)


def _generate(
    rule: ParsedRule, years: range, label: str, add_working_days: _WorkingDays
) -> list[GeneratedDeadline]:
    kind = rule.kind
    if kind == DeadlineKind.FIXED:
        hints = rule.period_hint.split("; ") if rule.period_hint else []
        if len(hints) != len(rule.dates):
            hints = [str(d.year) for d in rule.dates]
        return [GeneratedDeadline(d, hint, label) for d, hint in zip(rule.dates, hints, strict=True)]
    if kind == DeadlineKind.YEARLY:
        if rule.dates:
            return [GeneratedDeadline(d, str(d.year), label) for d in rule.dates]
        if rule.month_day is None:
            return []
        shift = 1 if rule.following_year else 0
        if rule.from_year is not None:
            # The phrase's own year is due even if it lies beyond the roadmap; earlier years are not.
            years = range(max(years.start, rule.from_year), max(years.stop, rule.from_year + 1))
        return [GeneratedDeadline(_safe_date(y + shift, *rule.month_day), str(y), label) for y in years]
    if kind == DeadlineKind.PERIODIC and rule.periodicity:
        return [
            GeneratedDeadline(
                _due_after_period(rule, end, add_working_days), period_label_for(end, rule.periodicity), label
            )
            for y in years
            for end in _periodic_ends(rule.periodicity, y)
        ]
    if kind in (DeadlineKind.CONTINUOUS, DeadlineKind.AS_NEEDED):
        return [GeneratedDeadline(None, str(y), label, reporting_only=True) for y in years]
    if kind == DeadlineKind.DONE:
        return [GeneratedDeadline(None, str(years.start), label, done=True)]
    if kind == DeadlineKind.MULTI:
        return [
            row for part in rule.parts for row in _generate(part, years, part.part_label, add_working_days)
        ]
    return []


def generate_deadlines(
    rule: ParsedRule,
    first_year: int,
    last_year: int,
    *,
    add_working_days: _WorkingDays | None = None,
) -> list[GeneratedDeadline]:
    """Concrete deadlines of a rule over the roadmap's years, by due date (undated rows last).

    «N-th working day» rules count with ``add_working_days`` (default: the production calendar).
    """
    counter = add_working_days or _production_calendar_add_working_days
    rows = _generate(rule, range(first_year, last_year + 1), rule.part_label, counter)
    return sorted(rows, key=lambda row: (row.due_date is None, row.due_date or date.min))


def relative_due_date(
    rule: ParsedRule,
    event_date: date,
    add_working_days: Callable[[date, int], date],
    *,
    roll_to_working_day: bool = False,
) -> date:
    """The due date of a RELATIVE rule once its event happened; ValueError for other rules.

    ``roll_to_working_day`` moves a calendar-day result off a day off (Civil Code art. 193).
    """
    if rule.kind != DeadlineKind.RELATIVE:
        raise ValueError(f"Срок «{rule.text}» не отсчитывается от события.")
    offset = rule.offset_days or 0
    if rule.working_days:
        return add_working_days(event_date, offset)
    due = event_date + timedelta(days=offset)
    return add_working_days(due, 0) if roll_to_working_day else due


__all__ = [
    "DeadlineEvent",
    "DeadlineKind",
    "GeneratedDeadline",
    "ParsedRule",
    "Periodicity",
    "generate_deadlines",
    "parse_deadline",
    "period_label_for",
    "relative_due_date",
]

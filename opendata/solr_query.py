"""The subset of Solr's query syntax that CKAN clients and harvesters send in `q` and `fq`, parsed into a
tree that `ckan.py` turns into a Django `Q`.

Supported: `field:value`, `field:"quoted value"`, `field:(a OR b)`, `AND`/`&&`, `OR`/`||`, `NOT`/`-`/`!`,
`+`, parentheses, ranges `[a TO b]`, `{a TO b}` (and mixed) with `*`, and dates with Solr date maths
(`NOW`, `NOW-1DAY`, `NOW/DAY`, `2024-01-01T00:00:00Z+1MONTH`).

Juxtaposed clauses are ANDed with the lowest precedence: ckanext-harvest joins its terms with a space,
`organization:a OR organization:b metadata_modified:[X TO *]`, and means (a OR b) AND modified.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils.dateparse import parse_datetime


class QuerySyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    field: str | None  # None: a full-text word or phrase
    value: str
    quoted: bool = False


@dataclass(frozen=True)
class Range:
    field: str
    low: str
    high: str
    include_low: bool = True
    include_high: bool = True


@dataclass(frozen=True)
class And:
    parts: tuple


@dataclass(frozen=True)
class Or:
    parts: tuple


@dataclass(frozen=True)
class Not:
    part: object


MATCH_ALL = And(())

TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<and>&&)
  | (?P<or>\|\|)
  | (?P<range>[\[{]\s*(?P<low>"[^"]*"|[^\s\]}]+)\s+TO\s+(?P<high>"[^"]*"|[^\s\]}]+)\s*[\]}])
  | (?P<quoted>"(?:[^"\\]|\\.)*")
  | (?P<field>[A-Za-z_][\w.]*):(?!\s)
  | (?P<matchall>\*:\*)
  | (?P<prefix>[-+!])(?=\S)
  | (?P<word>[^\s()"\[{][^\s()"]*)
    """,
    re.VERBOSE,
)


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        match = TOKEN_RE.match(text, position)
        if match is None:
            raise QuerySyntaxError(f"Cannot parse query at position {position}: {text}")
        position = match.end()
        # lastgroup names the innermost group that matched: a range reports its bounds' groups
        kind = "range" if match.group("range") else match.lastgroup
        if kind == "ws":
            continue
        value = match.group(0)
        if kind == "word" and value in ("AND", "OR", "NOT"):
            kind = value.lower()
        tokens.append((kind, value))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = tokenize(text)
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position][0] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def fail(self):
        raise QuerySyntaxError(f"Cannot parse query: {self.text}")

    def parse(self):
        node = self.sequence(None)
        if self.peek() is not None:
            self.fail()
        return node

    def sequence(self, field):
        parts = []
        while self.peek() not in (None, "close"):
            parts.append(self.disjunction(field))
        if not parts:
            self.fail()
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def disjunction(self, field):
        parts = [self.conjunction(field)]
        while self.peek() == "or":
            self.take()
            parts.append(self.conjunction(field))
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def conjunction(self, field):
        parts = [self.unary(field)]
        while self.peek() == "and":
            self.take()
            parts.append(self.unary(field))
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def unary(self, field):
        kind = self.peek()
        if kind == "not" or (kind == "prefix" and self.tokens[self.position][1] in "-!"):
            self.take()
            return Not(self.unary(field))
        if kind == "prefix":  # "+": required, which is what AND already means here
            self.take()
        return self.primary(field)

    def primary(self, field):
        if self.peek() is None:
            self.fail()
        kind, value = self.take()
        if kind == "open":
            node = self.sequence(field)
            if self.peek() != "close":
                self.fail()
            self.take()
            return node
        if kind == "matchall":
            return MATCH_ALL
        if kind == "field":
            return self.value(value[:-1])
        if kind == "quoted":
            return Term(field, _unquote(value), quoted=True)
        if kind == "word":
            return Term(field, value)
        if kind == "range" and field is not None:
            return _range(field, value)
        self.fail()

    def value(self, field):
        kind = self.peek()
        if kind == "open":
            self.take()
            node = self.sequence(field)
            if self.peek() != "close":
                self.fail()
            self.take()
            return node
        if kind == "range":
            return _range(field, self.take()[1])
        if kind == "quoted":
            return Term(field, _unquote(self.take()[1]), quoted=True)
        if kind in ("word", "matchall", "prefix"):
            _kind, value = self.take()
            if _kind == "prefix":  # a value such as "-1": the sign belongs to it
                value += self.take()[1] if self.peek() == "word" else ""
            return Term(field, value)
        self.fail()


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


RANGE_PARTS_RE = re.compile(r"^([\[{])\s*(\"[^\"]*\"|\S+)\s+TO\s+(\"[^\"]*\"|\S+?)\s*([\]}])$")


def _range(field: str, text: str) -> Range:
    match = RANGE_PARTS_RE.match(text)
    if match is None:
        raise QuerySyntaxError(f"Cannot parse range: {text}")
    opening, low, high, closing = match.groups()
    return Range(field, low.strip('"'), high.strip('"'), opening == "[", closing == "]")


def parse(text: str):
    """The query tree of `text`; an empty query matches everything."""
    text = (text or "").strip()
    if not text:
        return MATCH_ALL
    return _Parser(text).parse()


# ---- dates ---------------------------------------------------------------------------------------------

MATH_RE = re.compile(r"([+-]\d+|/)([A-Z]+)")
MATH_START_RE = re.compile(
    r"(?<=[\dZz])(?=(?:[+-]\d+|/)(?:YEAR|MONTH|DAY|DATE|HOUR|MINUTE|SECOND|MILLI))", re.I
)
UNITS = {
    "YEAR": "years",
    "MONTH": "months",
    "DAY": "days",
    "DATE": "days",
    "HOUR": "hours",
    "MINUTE": "minutes",
    "SECOND": "seconds",
    "MILLI": "milliseconds",
    "MILLISECOND": "milliseconds",
}


def parse_date(text: str, *, now: datetime | None = None) -> datetime:
    """A Solr date, `NOW`, or either followed by date maths (`-1DAY`, `+2HOURS`, `/DAY`), in UTC."""
    text = text.strip()
    upper = text.upper()
    if upper.startswith("NOW"):
        moment, maths = (now or datetime.now(UTC)), upper[3:]
    else:
        split = MATH_START_RE.search(text)
        base, maths = (text[: split.start()], text[split.start() :].upper()) if split else (text, "")
        moment = parse_datetime(base.replace("z", "Z").replace("Z", "+00:00"))
        if moment is None:
            try:
                moment = datetime.fromisoformat(base[:10]) if len(base) >= 10 else None
            except ValueError:
                moment = None
        if moment is None:
            raise QuerySyntaxError(f"Invalid date: {text}")
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    position = 0
    for match in MATH_RE.finditer(maths):
        if match.start() != position:
            raise QuerySyntaxError(f"Invalid date maths: {text}")
        position = match.end()
        operator, unit = match.groups()
        unit = UNITS.get(unit.rstrip("S") if unit not in UNITS else unit)
        if unit is None:
            raise QuerySyntaxError(f"Invalid date unit: {text}")
        moment = _round(moment, unit) if operator == "/" else _shift(moment, unit, int(operator))
    if position != len(maths):
        raise QuerySyntaxError(f"Invalid date maths: {text}")
    return moment


def _shift(moment: datetime, unit: str, amount: int) -> datetime:
    if unit in ("years", "months"):
        from .models import add_months

        months = amount * (12 if unit == "years" else 1)
        day = add_months(moment.date(), months)
        return moment.replace(year=day.year, month=day.month, day=day.day)
    return moment + timedelta(**{unit: amount})


def _round(moment: datetime, unit: str) -> datetime:
    fields = ["month", "day", "hour", "minute", "second", "microsecond"]
    keep = {"years": 0, "months": 1, "days": 2, "hours": 3, "minutes": 4, "seconds": 5, "milliseconds": 6}[
        unit
    ]
    reset = {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0, "microsecond": 0}
    if unit == "milliseconds":
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    return moment.replace(**{name: reset[name] for name in fields[keep:]})

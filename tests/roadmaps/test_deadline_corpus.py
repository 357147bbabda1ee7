"""The parser over real phrases: understood and right, or flagged; never understood and wrong."""

import json
from datetime import date

import pytest

from openness_portal.workdays.calendar import WorkdayCalendar
from roadmaps.deadline_parser import (
    DeadlineKind,
    ParsedRule,
    generate_deadlines,
    parse_deadline,
    relative_due_date,
)

from .deadline_corpus import CORPUS

_CALENDAR = WorkdayCalendar()  # the production calendar alone: no database needed


def _render(rule: ParsedRule, first_year: int, last_year: int) -> str:
    """The parser's reading in the corpus notation."""
    if rule.kind == DeadlineKind.RELATIVE:
        event, due = _event_and_due(rule)
        return f"relative: on {event.isoformat()} -> {due.isoformat()}"
    rows = []
    for row in generate_deadlines(rule, first_year, last_year, add_working_days=_CALENDAR.add_working_days):
        when = row.due_date.isoformat() if row.due_date else ("done" if row.done else "report")
        rows.append(f"{row.part_label + ': ' if row.part_label else ''}{when} {row.period}")
    return f"{rule.kind.value}: {' | '.join(sorted(rows))}"


_EVENT_DATE = date(2024, 4, 26)


def _event_and_due(rule: ParsedRule) -> tuple[date, date]:
    due = relative_due_date(
        rule, _EVENT_DATE, _CALENDAR.add_working_days, roll_to_working_day=rule.roll_to_working_day
    )
    return _EVENT_DATE, due


def _normalised(expected: str) -> str:
    kind, _, rows = expected.partition(": ")
    if kind == "relative":
        return expected
    return f"{kind}: {' | '.join(sorted(rows.split(' | ')))}"


def _verdict(phrase: str, years: tuple[int, int], expected: str) -> tuple[str, str]:
    rule = parse_deadline(phrase, default_year=years[0])
    if not rule.understood:
        return "flagged", "flagged"
    got = _render(rule, *years)
    if expected != "flagged" and got == _normalised(expected):
        return "correct", got
    return "silently wrong", got


def test_corpus_rows_are_well_formed():
    assert len(CORPUS) >= 100
    for phrase, (first, last), expected, source in CORPUS:
        assert phrase.strip() and source, phrase
        assert first <= last, phrase
        assert expected == "flagged" or ": " in expected, phrase
    phrases = [phrase for phrase, *_ in CORPUS]
    assert len(set(phrases)) == len(phrases), "a phrase appears twice"


def test_deadline_corpus_is_never_silently_wrong(capsys):
    verdicts = {"correct": 0, "flagged": 0, "silently wrong": 0}
    wrong = []
    missed = 0
    for phrase, years, expected, source in CORPUS:
        verdict, got = _verdict(phrase, years, expected)
        verdicts[verdict] += 1
        missed += verdict == "flagged" and expected != "flagged"
        if verdict == "silently wrong":
            wrong.append(f"{phrase!r} ({source}):\n  expected {expected}\n  parsed   {got}")
    with capsys.disabled():
        print(
            f"\ndeadline corpus: {len(CORPUS)} phrases, {verdicts['correct']} correct, "
            f"{verdicts['flagged']} flagged ({missed} of them understandable), "
            f"{verdicts['silently wrong']} silently wrong"
        )
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("phrase", "years", "expected", "source"),
    [row for row in CORPUS if row[2] != "flagged"],
    ids=lambda value: value if isinstance(value, str) and len(value) < 60 else None,
)
def test_understandable_phrase_is_read_as_expected(phrase, years, expected, source):
    verdict, got = _verdict(phrase, years, expected)
    # A flagged phrase is safe (a coordinator reads it); only a wrong reading fails here.
    assert verdict != "silently wrong", got


def test_every_reading_survives_storage():
    # Rules are stored as JSON and read back by sync_rule_deadlines and record_event.
    for phrase, (first_year, _), _expected, _source in CORPUS:
        rule = parse_deadline(phrase, default_year=first_year)
        assert ParsedRule.from_dict(json.loads(json.dumps(rule.to_dict()))) == rule, phrase

import json
import random
import string
from datetime import date, timedelta

import pytest

from roadmaps.deadline_parser import (
    DeadlineEvent,
    DeadlineKind,
    GeneratedDeadline,
    ParsedRule,
    Periodicity,
    generate_deadlines,
    parse_deadline,
    period_label_for,
    relative_due_date,
)

K = DeadlineKind
P = Periodicity
E = DeadlineEvent

KHMR_TRAINING = (  # seed 000, measure 3, with the real «2021года» typo
    "до 20 декабря 2019 года;\nдо 20 декабря 2020 года;\nдо 20 декабря 2021года; \nдо 20 декабря 2022 года; \n"
    "до 20 декабря 2023 года; \nдо 20 декабря 2024 года; \nдо 20 декабря 2025 года"
)
KHMR_BUDGETING = (  # seed 000, measure 4
    "до 31 декабря 2019 года;\nдо 31 декабря 2020 года; \nдо 31 декабря 2021 года;\nдо 31 декабря 2022 года;\n"
    "до 31 декабря 2023 года;\nдо 31 декабря 2024 года;\nдо 31 декабря 2025 года"
)
KHMR_RATING = (  # seed 000, measure 5
    "до 15 декабря 2019 года; \nдо 15 декабря 2020 года; \nдо 15 декабря 2021года; \nдо 15 декабря 2022 года; \n"
    "до 15 декабря 2023 года; \nдо 15 декабря 2024 года; \nдо 15 декабря 2025 года"
)
KHMR_REPORT = (  # seed 000, measure 6: a leading «ежегодно» before the listed dates
    "ежегодно \nдо 1 сентября 2019 года; \nдо 1 сентября 2020 года; \nдо 1 сентября 2021года; \n"
    "до 1 сентября 2022 года;\nдо 1 сентября 2023 года; \nдо 1 сентября 2024 года; \nдо 1 сентября 2025 года"
)
KHMR_EXPERTS = "формирование базы – \nдо 1 мая 2019 года;\nведение базы – постоянно"  # seed 000, measure 2


def _yearly(day: int, month: int) -> tuple[date, ...]:
    return tuple(date(year, month, day) for year in range(2019, 2026))


# (seed, phrase exactly as written, kind, key fields)
SEED_TABLE = [
    ("000", "до 1 апреля 2019 года", K.FIXED, {"dates": (date(2019, 4, 1),)}),
    ("000", KHMR_EXPERTS, K.MULTI, {}),
    ("000", KHMR_TRAINING, K.YEARLY, {"dates": _yearly(20, 12)}),
    ("000", KHMR_BUDGETING, K.YEARLY, {"dates": _yearly(31, 12)}),
    ("000", KHMR_RATING, K.YEARLY, {"dates": _yearly(15, 12)}),
    ("000", KHMR_REPORT, K.YEARLY, {"dates": _yearly(1, 9)}),
    (
        "000",
        "в срок не позднее \n3 рабочих дней от даты предоставления отчета",
        K.RELATIVE,
        {"offset_days": 3, "working_days": True, "event": E.REPORT_SUBMITTED},
    ),
    (
        "000",
        "не позднее 3 рабочих дней с даты принятия решения Думой",
        K.RELATIVE,
        {"offset_days": 3, "working_days": True, "event": E.COUNCIL_DECISION},
    ),
    (
        "000",
        "не позднее 3 рабочих дней от даты поступления",
        K.RELATIVE,
        {"offset_days": 3, "working_days": True, "event": E.DOCUMENT_RECEIVED},
    ),
    (
        "000",
        "в течение 7 рабочих дней после завершения процедуры публичного обсуждения",
        K.RELATIVE,
        {"offset_days": 7, "working_days": True, "event": E.DISCUSSION_CLOSED},
    ),
    (  # the order itself (item 2): the annual report on the Concept
        "000",
        "в срок не позднее 1 марта года, следующего за отчетным",
        K.YEARLY,
        {"month_day": (3, 1), "following_year": True, "dates": ()},
    ),
    ("001", "в течение года\n\n", K.PERIODIC, {"periodicity": P.YEAR}),
    ("001", "в течение года", K.PERIODIC, {"periodicity": P.YEAR}),
    ("001", "Постоянно", K.CONTINUOUS, {}),
    ("001", "2 квартал 2018 года", K.FIXED, {"dates": (date(2018, 6, 30),), "period_hint": "2 кв. 2018"}),
    ("001", "3 квартал 2018 года", K.FIXED, {"dates": (date(2018, 9, 30),), "period_hint": "3 кв. 2018"}),
    ("001", "ежеквартально", K.PERIODIC, {"periodicity": P.QUARTER}),
    ("001", "Ежеквартально", K.PERIODIC, {"periodicity": P.QUARTER}),
    ("001", "ежегодно", K.PERIODIC, {"periodicity": P.YEAR}),
    (
        "001",
        "в течение 3 дней с момента внесения изменений",
        K.RELATIVE,
        {"offset_days": 3, "working_days": False, "event": E.CHANGE_MADE},
    ),
    (
        "001",
        "в соответствии со сроками объявления процедуры",
        K.RELATIVE,
        {"offset_days": 0, "working_days": False, "event": E.PROCEDURE_ANNOUNCED},
    ),
    (
        "001",
        "в течение 3 дней со дня утверждения",
        K.RELATIVE,
        {"offset_days": 3, "working_days": False, "event": E.DOCUMENT_APPROVED},
    ),
    ("001", "по мере \nнеобходимости", K.AS_NEEDED, {}),
    ("001", "исполнено", K.DONE, {}),
    ("002", "(ежегодно, до 01 марта)", K.YEARLY, {"month_day": (3, 1), "dates": (), "following_year": False}),
    ("002", "(ежегодно,\nдо 01 мая)", K.YEARLY, {"month_day": (5, 1), "dates": ()}),
    ("002", "(ежегодно) ", K.PERIODIC, {"periodicity": P.YEAR}),
    ("002", "(ежегодно)", K.PERIODIC, {"periodicity": P.YEAR}),
    ("002", "(постоянно)", K.CONTINUOUS, {}),
    ("002", "(по мере необходимости)", K.AS_NEEDED, {}),
]

SEED_PHRASES = [phrase for _, phrase, _, _ in SEED_TABLE]


def _assert_fields(rule: ParsedRule, fields: dict) -> None:
    for name, expected in fields.items():
        assert getattr(rule, name) == expected, name


@pytest.mark.parametrize(
    ("seed", "phrase", "kind", "fields"),
    SEED_TABLE,
    ids=[f"seed{row[0]}-{i}" for i, row in enumerate(SEED_TABLE)],
)
def test_seed_phrases(seed, phrase, kind, fields):
    rule = parse_deadline(phrase)
    assert rule.kind == kind
    assert rule.text == phrase  # the original is kept untouched
    assert rule.understood
    _assert_fields(rule, fields)


def test_no_seed_phrase_is_unknown():
    unknown = [phrase for phrase in SEED_PHRASES if not parse_deadline(phrase).understood]
    assert unknown == []


# Variants people type: case, «ё», non-breaking spaces, dashes, «г.», Roman numerals, numeric dates.
VARIANT_TABLE = [
    ("ДО 1 АПРЕЛЯ 2019 Г.", K.FIXED, {"dates": (date(2019, 4, 1),)}),
    ("до\u00a01\u00a0апреля\u00a02019\u00a0года", K.FIXED, {"dates": (date(2019, 4, 1),)}),
    ("не позднее 01 апреля 2019г.", K.FIXED, {"dates": (date(2019, 4, 1),)}),
    ("до 1-го апреля 2019 года включительно", K.FIXED, {"dates": (date(2019, 4, 1),)}),
    ("25.03.2020", K.FIXED, {"dates": (date(2020, 3, 25),), "period_hint": ""}),
    ("до 25.03.2020 г.", K.FIXED, {"dates": (date(2020, 3, 25),)}),
    (
        "до 1 апреля 2019 года; до 1 октября 2019 года",
        K.FIXED,
        {"dates": (date(2019, 4, 1), date(2019, 10, 1))},
    ),
    ("II квартал 2018 года", K.FIXED, {"dates": (date(2018, 6, 30),), "period_hint": "2 кв. 2018"}),
    ("III квартал 2018 г.", K.FIXED, {"dates": (date(2018, 9, 30),), "period_hint": "3 кв. 2018"}),
    ("IV кв. 2019", K.FIXED, {"dates": (date(2019, 12, 31),), "period_hint": "4 кв. 2019"}),
    ("в течение 1 квартала 2020 года", K.FIXED, {"dates": (date(2020, 3, 31),), "period_hint": "1 кв. 2020"}),
    ("I полугодие 2022 года", K.FIXED, {"dates": (date(2022, 6, 30),), "period_hint": "I полугодие 2022"}),
    (
        "во втором полугодии 2022 г.",
        K.FIXED,
        {"dates": (date(2022, 12, 31),), "period_hint": "II полугодие 2022"},
    ),
    ("в течение 2019 года", K.FIXED, {"dates": (date(2019, 12, 31),), "period_hint": "2019"}),
    ("в декабре 2019 г.", K.FIXED, {"dates": (date(2019, 12, 31),), "period_hint": "12.2019"}),
    ("до конца декабря 2019 года", K.FIXED, {"dates": (date(2019, 12, 31),), "period_hint": "12.2019"}),
    ("ежегодно в декабре", K.YEARLY, {"month_day": (12, 31)}),
    ("2019–2021 годы", K.YEARLY, {"dates": (date(2019, 12, 31), date(2020, 12, 31), date(2021, 12, 31))}),
    ("до 1 мая 2019 года\nдо 1 мая 2020 года", K.YEARLY, {"dates": (date(2019, 5, 1), date(2020, 5, 1))}),
    ("до 31 декабря", K.YEARLY, {"month_day": (12, 31), "dates": ()}),
    ("ежегодно до 1 сентября", K.YEARLY, {"month_day": (9, 1)}),
    ("ежегодно, до 1 сентября 2019 года", K.YEARLY, {"month_day": (9, 1), "dates": ()}),
    ("до 1 марта ежегодно", K.YEARLY, {"month_day": (3, 1)}),
    ("01.03", K.YEARLY, {"month_day": (3, 1)}),
    ("ежегодно в декабре", K.YEARLY, {"month_day": (12, 31)}),
    (
        "не позднее 1 марта года, следующего за отчётным годом",
        K.YEARLY,
        {"month_day": (3, 1), "following_year": True},
    ),
    ("до 1 марта следующего года", K.YEARLY, {"following_year": True}),
    ("Ежемесячно", K.PERIODIC, {"periodicity": P.MONTH}),
    ("раз в полугодие", K.PERIODIC, {"periodicity": P.HALF_YEAR}),
    ("1 раз в квартал", K.PERIODIC, {"periodicity": P.QUARTER}),
    ("В течение года.", K.PERIODIC, {"periodicity": P.YEAR}),
    ("на постоянной основе", K.CONTINUOUS, {}),
    ("ПО МЕРЕ НЕОБХОДИМОСТИ", K.AS_NEEDED, {}),
    ("Исполнено.", K.DONE, {}),
    (
        "в течение трех рабочих дней с даты поступления",
        K.RELATIVE,
        {"offset_days": 3, "working_days": True, "event": E.DOCUMENT_RECEIVED},
    ),
    (
        "не позднее 5 (пяти) рабочих дней со дня утверждения",
        K.RELATIVE,
        {"offset_days": 5, "working_days": True, "event": E.DOCUMENT_APPROVED},
    ),
    (
        "в течение 10 календарных дней после получения",
        K.RELATIVE,
        {"offset_days": 10, "working_days": False, "event": E.DOCUMENT_RECEIVED},
    ),
    (
        "в течение 2 недель с момента внесения изменений",
        K.RELATIVE,
        {"offset_days": 14, "event": E.CHANGE_MADE},
    ),
    ("в течение 15 дней с момента размещения", K.RELATIVE, {"offset_days": 15, "event": E.OTHER}),
    ("в течение 3 рабочих дней", K.RELATIVE, {"offset_days": 3, "working_days": True, "event": E.OTHER}),
]


@pytest.mark.parametrize(
    ("phrase", "kind", "fields"), VARIANT_TABLE, ids=[f"variant-{i}" for i in range(len(VARIANT_TABLE))]
)
def test_variants(phrase, kind, fields):
    rule = parse_deadline(phrase)
    assert rule.kind == kind
    _assert_fields(rule, fields)


@pytest.mark.parametrize(
    "phrase",
    [
        "по согласованию с руководством",
        "в сроки, установленные законом",
        "до 2019 года",
        "когда-нибудь",
        "3 рабочих дня",
        "до 32 декабря 2019 года",
        "до 30 февраля 2020 года",
        "V квартал 2019 года",
        "до 1 апреля 2019 года и далее по ситуации",
        "ежеквартально до 10 числа",  # of which month: the quarter's last, or the next one?
        "ежеквартально до 10 числа месяца, следующего за отчетным полугодием",
        "ежемесячно до 10 числа следующего месяца ежемесячно",
        "по итогам 2017 года",
        "по итогам года",
        "за 2023 год",
        "до 1 марта 2023 года (за 2023 год)",  # due before the year it reports on has ended
        "не позднее 10 дней после окончания отчетного квартала",
        "в течение 10 дней, а если срок приходится на выходной - на предыдущий рабочий день",
        "II-I кварталы 2024 года",
        "3 раза в год",
        # Each quarter has its own day: not quarter ends plus one 10 April.
        "Ежеквартально, за I квартал – до 10 апреля; за II квартал – до 20 июля; за III квартал – до 10 октября",
        "до 10 числа следующего месяца",  # following which month, and how often?
        "в течение месяца",
        "12345",
        "декабря",
        "ежегодно 2019",
        "ежегодно до 1 апреля 2019 года, до 1 октября 2019 года",
    ],
)
def test_not_understood_is_unknown(phrase):
    rule = parse_deadline(phrase)
    assert rule.kind == K.UNKNOWN
    assert not rule.understood
    assert rule.text == phrase
    assert generate_deadlines(rule, 2019, 2025) == []


@pytest.mark.parametrize("phrase", ["", "   ", "\n\t\u00a0"])
def test_empty_phrase_is_unknown_with_empty_text(phrase):
    rule = parse_deadline(phrase)
    assert rule.kind == K.UNKNOWN
    assert rule.text == ""


def test_default_year_places_yearless_dates():
    assert parse_deadline("II квартал", default_year=2019).dates == (date(2019, 6, 30),)
    assert parse_deadline("II квартал", default_year=2019).period_hint == "2 кв. 2019"
    assert parse_deadline("до 1 апреля", default_year=2019).dates == (date(2019, 4, 1),)
    assert parse_deadline("до 1 апреля", default_year=2019).kind == K.FIXED
    # «ежегодно» and «года, следующего за отчетным» recur whatever the default year.
    assert parse_deadline("(ежегодно, до 01 марта)", default_year=2019).kind == K.YEARLY
    assert parse_deadline("не позднее 1 марта года, следующего за отчетным", default_year=2019).following_year
    # An explicit year wins over the default.
    assert parse_deadline("до 1 апреля 2020 года", default_year=2019).dates == (date(2020, 4, 1),)


def test_yearless_phrases_without_default_year_recur():
    rule = parse_deadline("II квартал")
    assert (rule.kind, rule.month_day) == (K.YEARLY, (6, 30))


def test_multi_part_rule():
    rule = parse_deadline(KHMR_EXPERTS)
    assert rule.kind == K.MULTI and rule.understood
    first, second = rule.parts
    assert (first.part_label, first.kind, first.dates) == ("формирование базы", K.FIXED, (date(2019, 5, 1),))
    assert (second.part_label, second.kind) == ("ведение базы", K.CONTINUOUS)


def test_multi_part_with_an_unknown_part_is_not_understood():
    rule = parse_deadline("подготовка – до 1 мая 2019 года; согласование – по звонку")
    assert rule.kind == K.MULTI
    assert not rule.understood
    assert [part.kind for part in rule.parts] == [K.FIXED, K.UNKNOWN]


# --- generation ----------------------------------------------------------------------------------------


def test_khmr_measure_3_yields_seven_december_deadlines():
    rows = generate_deadlines(parse_deadline(KHMR_TRAINING), 2019, 2025)
    assert [row.due_date for row in rows] == [date(year, 12, 20) for year in range(2019, 2026)]
    assert [row.period for row in rows] == [str(year) for year in range(2019, 2026)]
    assert not any(row.reporting_only or row.done for row in rows)


def test_quarter_phrase_ends_with_the_quarter():
    assert generate_deadlines(parse_deadline("2 квартал 2018 года"), 2018, 2019) == [
        GeneratedDeadline(date(2018, 6, 30), "2 кв. 2018")
    ]


def test_quarterly_over_two_years():
    rows = generate_deadlines(parse_deadline("ежеквартально"), 2018, 2019)
    assert len(rows) == 8
    assert rows[0] == GeneratedDeadline(date(2018, 3, 31), "1 кв. 2018")
    assert [row.due_date for row in rows[:4]] == [
        date(2018, 3, 31),
        date(2018, 6, 30),
        date(2018, 9, 30),
        date(2018, 12, 31),
    ]
    assert rows[-1].period == "4 кв. 2019"


@pytest.mark.parametrize(
    ("phrase", "count", "first", "last"),
    [
        (
            "ежемесячно",
            24,
            GeneratedDeadline(date(2018, 1, 31), "01.2018"),
            GeneratedDeadline(date(2019, 12, 31), "12.2019"),
        ),
        (
            "раз в полугодие",
            4,
            GeneratedDeadline(date(2018, 6, 30), "I полугодие 2018"),
            GeneratedDeadline(date(2019, 12, 31), "II полугодие 2019"),
        ),
        (
            "ежегодно",
            2,
            GeneratedDeadline(date(2018, 12, 31), "2018"),
            GeneratedDeadline(date(2019, 12, 31), "2019"),
        ),
        (
            "в течение года",
            2,
            GeneratedDeadline(date(2018, 12, 31), "2018"),
            GeneratedDeadline(date(2019, 12, 31), "2019"),
        ),
    ],
)
def test_periodic_generation(phrase, count, first, last):
    rows = generate_deadlines(parse_deadline(phrase), 2018, 2019)
    assert (len(rows), rows[0], rows[-1]) == (count, first, last)


@pytest.mark.parametrize("phrase", ["постоянно", "по мере необходимости"])
def test_continuous_and_as_needed_yield_reporting_rows_without_dates(phrase):
    rows = generate_deadlines(parse_deadline(phrase), 2019, 2021)
    assert rows == [GeneratedDeadline(None, str(year), reporting_only=True) for year in (2019, 2020, 2021)]


def test_done_yields_one_done_row():
    assert generate_deadlines(parse_deadline("исполнено"), 2018, 2019) == [
        GeneratedDeadline(None, "2018", done=True)
    ]


def test_multi_part_generation():
    rows = generate_deadlines(parse_deadline(KHMR_EXPERTS), 2019, 2020)
    assert rows == [
        GeneratedDeadline(date(2019, 5, 1), "2019", part_label="формирование базы"),
        GeneratedDeadline(None, "2019", part_label="ведение базы", reporting_only=True),
        GeneratedDeadline(None, "2020", part_label="ведение базы", reporting_only=True),
    ]


def test_recurring_yearly_generation():
    rows = generate_deadlines(parse_deadline("(ежегодно, до 01 марта)"), 2022, 2023)
    assert rows == [GeneratedDeadline(date(2022, 3, 1), "2022"), GeneratedDeadline(date(2023, 3, 1), "2023")]


def test_following_year_deadline_falls_after_the_reported_year():
    rule = parse_deadline("в срок не позднее 1 марта года, следующего за отчетным")
    rows = generate_deadlines(rule, 2019, 2020)
    assert rows == [GeneratedDeadline(date(2020, 3, 1), "2019"), GeneratedDeadline(date(2021, 3, 1), "2020")]


def test_february_29_recurs_as_the_last_day_of_february():
    rows = generate_deadlines(parse_deadline("до 29 февраля"), 2023, 2024)
    assert [row.due_date for row in rows] == [date(2023, 2, 28), date(2024, 2, 29)]


def test_fixed_dates_keep_their_own_period_labels():
    rule = parse_deadline("2 квартал 2018 года; 4 квартал 2018 года")
    assert rule.kind == K.FIXED
    assert [row.period for row in generate_deadlines(rule, 2018, 2018)] == ["2 кв. 2018", "4 кв. 2018"]


def test_generation_is_sorted_with_undated_rows_last():
    rule = parse_deadline("ведение – постоянно; отчет – до 1 марта 2020 года; план – до 1 февраля 2019 года")
    rows = generate_deadlines(rule, 2019, 2020)
    assert [row.due_date for row in rows] == [date(2019, 2, 1), date(2020, 3, 1), None, None]
    assert [row.part_label for row in rows] == ["план", "отчет", "ведение", "ведение"]


@pytest.mark.parametrize("phrase", [phrase for _, phrase, kind, _ in SEED_TABLE if kind == K.RELATIVE])
def test_relative_rules_generate_nothing(phrase):
    assert generate_deadlines(parse_deadline(phrase), 2019, 2025) == []


def _fake_add_working_days(d: date, n: int) -> date:
    """Every day but Sunday works: enough to tell working from calendar days."""
    if n == 0:
        return d if d.weekday() != 6 else d + timedelta(days=1)
    while n > 0:
        d += timedelta(days=1)
        if d.weekday() != 6:
            n -= 1
    return d


def test_relative_due_date_in_working_days_uses_the_injected_calendar():
    rule = parse_deadline("не позднее 3 рабочих дней от даты предоставления отчета")
    # Friday 6 Sep 2019 + 3 fake working days (Sunday skipped) = Tuesday 10 Sep.
    assert relative_due_date(rule, date(2019, 9, 6), _fake_add_working_days) == date(2019, 9, 10)


def test_relative_due_date_in_calendar_days():
    rule = parse_deadline("в течение 3 дней с момента внесения изменений")
    assert relative_due_date(rule, date(2019, 9, 5), _fake_add_working_days) == date(2019, 9, 8)
    # 8 Sep 2019 is a Sunday: rolled to the next working day only when asked.
    assert relative_due_date(
        rule, date(2019, 9, 5), _fake_add_working_days, roll_to_working_day=True
    ) == date(2019, 9, 9)


def test_relative_due_date_same_day():
    rule = parse_deadline("в соответствии со сроками объявления процедуры")
    assert relative_due_date(rule, date(2019, 9, 5), _fake_add_working_days) == date(2019, 9, 5)


@pytest.mark.parametrize("phrase", ["постоянно", "до 1 апреля 2019 года", "непонятно что", KHMR_EXPERTS])
def test_relative_due_date_rejects_other_rules(phrase):
    with pytest.raises(ValueError):
        relative_due_date(parse_deadline(phrase), date(2019, 1, 1), _fake_add_working_days)


# --- labels and serialisation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "periodicity", "label"),
    [
        (date(2019, 5, 1), None, "2019"),
        (date(2019, 5, 1), P.YEAR, "2019"),
        (date(2019, 1, 1), P.QUARTER, "1 кв. 2019"),
        (date(2019, 12, 31), P.QUARTER, "4 кв. 2019"),
        (date(2022, 6, 30), P.HALF_YEAR, "I полугодие 2022"),
        (date(2022, 7, 1), P.HALF_YEAR, "II полугодие 2022"),
        (date(2019, 1, 15), P.MONTH, "01.2019"),
        (date(2019, 12, 15), P.MONTH, "12.2019"),
    ],
)
def test_period_label_for(d, periodicity, label):
    assert period_label_for(d, periodicity) == label


@pytest.mark.parametrize(
    "phrase",
    [
        *SEED_PHRASES,
        *(phrase for phrase, _, _ in VARIANT_TABLE),
        "непонятно",
        "подготовка – до 1 мая 2019; x – y",
    ],
)
def test_to_dict_round_trips_through_json(phrase):
    rule = parse_deadline(phrase)
    data = json.loads(json.dumps(rule.to_dict()))
    assert ParsedRule.from_dict(data) == rule


def test_from_dict_tolerates_missing_keys():
    assert ParsedRule.from_dict({"kind": "continuous"}) == ParsedRule(K.CONTINUOUS, "")


def test_kind_values_are_stable():
    # These strings are stored in the database.
    assert [kind.value for kind in K] == [
        "fixed", "yearly", "periodic", "continuous", "as_needed", "done", "relative", "multi", "unknown"
    ]  # fmt: skip


# --- robustness ------------------------------------------------------------------------------------------

_ALPHABET = (
    string.ascii_letters
    + string.digits
    + string.punctuation
    + " \n\t\u00a0–—…«»ёЁ"
    + "абвгдежзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"
)
_WORDS_TEXT = (
    "до не позднее в течение года рабочих дней дня 1 3 01 15 31 2019 2021года г. марта декабря квартал II IV "
    "полугодие ежегодно ежеквартально постоянно по мере необходимости исполнено ; – - ( ) , . следующего за "
    "отчетным с даты от после момента внесения изменений 25.03.2020 01.03 кв. 2019-2025 "
    "числа месяца кварталом периодом рабочего дня 6-го 7-ми не реже одного раза 2 раза за по итогам I-II "
    "кварталы отчет , переносом на ближайший рабочий нерабочий день 25 ежемесячно следующего истекшим"
)
_WORDS = _WORDS_TEXT.split(" ")


def test_random_strings_never_raise():
    rng = random.Random(20190213)
    for _ in range(2000):
        text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 80)))
        rule = parse_deadline(text)
        assert isinstance(rule, ParsedRule)
        generate_deadlines(rule, 2019, 2025)


def test_random_word_salad_never_raises():
    rng = random.Random(148)
    for _ in range(3000):
        text = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 12)))
        rule = parse_deadline(text, default_year=rng.choice([None, 2019]))
        assert isinstance(rule, ParsedRule)
        assert rule.text == text
        assert ParsedRule.from_dict(json.loads(json.dumps(rule.to_dict()))) == rule
        for row in generate_deadlines(rule, 2019, 2025):
            assert row.due_date is None or isinstance(row.due_date, date)


@pytest.mark.parametrize("value", [None, 42, b"\xd0\xb4\xd0\xbe", "x" * 100_000, "до " * 5000])
def test_odd_inputs_never_raise(value):
    assert isinstance(parse_deadline(value), ParsedRule)


# --- issue 14: phrases that used to be silently wrong ---------------------------------------------------


def _rows(phrase: str, first_year: int, last_year: int, **kwargs) -> list[tuple]:
    rule = parse_deadline(phrase, **kwargs)
    assert rule.understood, phrase
    return [
        (row.part_label, row.due_date, row.period, row.reporting_only)
        for row in generate_deadlines(rule, first_year, last_year)
    ]


def test_report_for_a_past_year_is_one_deadline_labelled_with_that_year():
    # Used to invent a 31.12.2023 deadline out of «(за 2023 год)».
    assert _rows("до 1 марта 2024 года (за 2023 год)", 2023, 2025, default_year=2023) == [
        ("", date(2024, 3, 1), "2023", False)
    ]
    # Without its year the report falls on the first 1 March after the year it covers.
    assert _rows("до 1 марта (за 2023 год)", 2023, 2025, default_year=2023) == [
        ("", date(2024, 3, 1), "2023", False)
    ]
    assert _rows("до 20 апреля за I квартал 2024 года", 2024, 2024) == [
        ("", date(2024, 4, 20), "1 кв. 2024", False)
    ]


def test_yearly_with_a_later_year_is_flagged_not_dated():
    # «ежегодно до 1 марта 2025 года» in a roadmap from 2023 used to give 01.03.2023 and 01.03.2024.
    # Clerks write it both for «every year, the last one in 2025» and «every year from 2025»: flagged.
    rule = parse_deadline("ежегодно до 1 марта 2025 года", default_year=2023)
    assert not rule.understood
    assert generate_deadlines(rule, 2023, 2026) == []


def test_yearly_with_the_roadmaps_first_year_is_every_year():
    rows = _rows("ежегодно, до 1 сентября 2019 года", 2019, 2025, default_year=2019)
    assert [row[1] for row in rows] == [date(year, 9, 1) for year in range(2019, 2026)]


def test_yearly_series_without_a_roadmap_starts_with_its_year():
    # Parsed alone, the named year starts the series: nothing is due before it.
    rule = parse_deadline("ежегодно до 1 марта 2025 года")
    assert (rule.kind, rule.month_day, rule.from_year) == (K.YEARLY, (3, 1), 2025)
    assert [row.due_date for row in generate_deadlines(rule, 2023, 2026)] == [
        date(2025, 3, 1),
        date(2026, 3, 1),
    ]


def test_yearly_report_for_the_previous_year():
    assert _rows("ежегодно до 1 марта 2024 года (за 2023 год)", 2023, 2024) == [
        ("", date(2024, 3, 1), "2023", False),
        ("", date(2025, 3, 1), "2024", False),
    ]


def test_results_of_a_year_are_flagged_not_dated_at_its_last_day():
    rule = parse_deadline("по итогам 2017 года", default_year=2017)
    assert not rule.understood
    assert generate_deadlines(rule, 2017, 2018) == []


def test_continuous_work_with_a_yearly_report_keeps_both_parts():
    rule = parse_deadline("постоянно, отчет - до 1 марта", default_year=2023)
    assert rule.kind == K.MULTI and rule.understood
    assert [(part.part_label, part.kind) for part in rule.parts] == [("", K.CONTINUOUS), ("отчет", K.YEARLY)]
    assert _rows("постоянно, отчет - до 1 марта", 2023, 2024, default_year=2023) == [
        ("отчет", date(2023, 3, 1), "2023", False),
        ("отчет", date(2024, 3, 1), "2024", False),
        ("", None, "2023", True),
        ("", None, "2024", True),
    ]


def test_day_of_the_month_after_each_quarter():
    assert _rows("до 25 числа месяца, следующего за отчетным кварталом", 2024, 2024) == [
        ("", date(2024, 4, 25), "1 кв. 2024", False),
        ("", date(2024, 7, 25), "2 кв. 2024", False),
        ("", date(2024, 10, 25), "3 кв. 2024", False),
        ("", date(2025, 1, 25), "4 кв. 2024", False),
    ]


def test_nth_working_day_of_the_next_month_skips_holidays():
    rows = _rows("ежемесячно до 6-го рабочего дня месяца, следующего за отчетным", 2024, 2024)
    assert len(rows) == 12
    # January's report: 1-8 January are days off, so the 6th working day of February is 08.02 (Thu);
    # April's: 1 May and the weekends are off, 27.04 was worked, so 02, 03, 06, 07, 08, 13 May.
    assert rows[0] == ("", date(2024, 2, 8), "01.2024", False)
    assert rows[3] == ("", date(2024, 5, 13), "04.2024", False)
    # December's report: 1-8 January 2025 are off, so 9, 10, 13, 14, 15, 16 January.
    assert rows[-1] == ("", date(2025, 1, 16), "12.2024", False)


def test_nth_working_day_uses_the_injected_calendar():
    rule = parse_deadline("ежеквартально, не позднее 5 рабочего дня месяца, следующего за отчетным кварталом")
    rows = generate_deadlines(rule, 2019, 2019, add_working_days=_fake_add_working_days)
    # Fake calendar: every day but Sunday works; 1-6 April 2019 (Mon-Sat) -> the 5th is Friday 5 April.
    assert rows[0] == GeneratedDeadline(date(2019, 4, 5), "1 кв. 2019")


@pytest.mark.parametrize(
    ("phrase", "periodicity"),
    [
        ("не реже одного раза в полугодие", P.HALF_YEAR),
        ("не реже одного раза в квартал", P.QUARTER),
        ("не реже 1 раза в месяц", P.MONTH),
        ("не реже одного раза в год", P.YEAR),
        ("2 раза в год", P.HALF_YEAR),
        ("не реже двух раз в год", P.HALF_YEAR),
        ("4 раза в год", P.QUARTER),
    ],
)
def test_at_least_once_per_period(phrase, periodicity):
    rule = parse_deadline(phrase)
    assert (rule.kind, rule.periodicity, rule.due_day) == (K.PERIODIC, periodicity, None)


def test_twice_a_year_is_due_at_each_half_years_end():
    assert _rows("2 раза в год", 2024, 2024) == [
        ("", date(2024, 6, 30), "I полугодие 2024", False),
        ("", date(2024, 12, 31), "II полугодие 2024", False),
    ]


@pytest.mark.parametrize(
    "phrase", ["I-II кварталы 2024 года", "1-2 квартал 2024 г.", "в I - II кварталах 2024 года"]
)
def test_quarter_range_is_due_when_its_last_quarter_ends(phrase):
    assert _rows(phrase, 2024, 2024) == [("", date(2024, 6, 30), "1-2 кв. 2024", False)]


def test_working_days_with_a_spelled_suffix():
    rule = parse_deadline("в течение 7-ми рабочих дней")
    assert (rule.kind, rule.offset_days, rule.working_days) == (K.RELATIVE, 7, True)


def test_a_rule_that_says_so_rolls_to_the_next_working_day():
    rule = parse_deadline(
        "в течение 10 дней со дня подписания, а если последний день приходится на нерабочий день - "
        "на следующий за ним рабочий день"
    )
    assert (rule.kind, rule.offset_days, rule.event, rule.roll_to_working_day) == (
        K.RELATIVE,
        10,
        E.DOCUMENT_APPROVED,
        True,
    )
    assert not parse_deadline("в течение 10 дней со дня подписания").roll_to_working_day


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("phrase", "due"),
    [
        # 26.04.2024 + 3 days = 29.04, a day off; 29.04-01.05 are off, so 02.05.
        ("в течение 3 дней со дня утверждения, с переносом на ближайший рабочий день", date(2024, 5, 2)),
        # Without that clause the rule keeps its calendar date.
        ("в течение 3 дней со дня утверждения", date(2024, 4, 29)),
        # 27.04 was a worked Saturday, then 02.05, 03.05, 06.05, 07.05, 08.05 and, after 09-12.05, 13.05.
        ("в течение 7-ми рабочих дней со дня утверждения", date(2024, 5, 13)),
    ],
)
def test_record_event_moves_the_due_date_across_the_may_holidays(phrase, due):
    from roadmaps.services import record_event, set_deadline_rule
    from tests.factories import MeasureFactory

    measure = MeasureFactory(roadmap__first_year=2024, section__roadmap__first_year=2024)
    set_deadline_rule(measure, phrase)
    deadline = record_event(measure, date(2024, 4, 26))
    assert deadline is not None
    assert deadline.due_date == due

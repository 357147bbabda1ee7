from datetime import date, datetime

import pytest

from openness_portal.workdays import calendar as workdays
from openness_portal.workdays.calendar import WorkdayCalendar
from openness_portal.workdays.models import CalendarException

PLAIN = WorkdayCalendar()  # the package calendar, no database


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # 2024: the Saturday 27 April works so that 29-30 April join the May holidays.
        (date(2024, 4, 26), True),
        (date(2024, 4, 27), True),
        (date(2024, 4, 28), False),
        (date(2024, 4, 29), False),
        (date(2024, 4, 30), False),
        (date(2024, 5, 1), False),
        (date(2024, 5, 2), True),
        (date(2024, 5, 9), False),
        (date(2024, 5, 10), False),
        (date(2024, 11, 2), True),  # Saturday worked for 30 April
        (date(2024, 12, 28), True),  # Saturday worked for 30 December
        (date(2024, 12, 30), False),
        (date(2024, 12, 31), False),
        (date(2024, 1, 9), True),
        # 2025
        (date(2025, 1, 8), False),
        (date(2025, 1, 9), True),
        (date(2025, 3, 10), True),  # 8 March fell on a Saturday and moved to 13 June, not to Monday
        (date(2025, 5, 2), False),
        (date(2025, 5, 8), False),
        (date(2025, 6, 13), False),
        (date(2025, 11, 1), True),
        (date(2025, 11, 3), False),
        (date(2025, 11, 4), False),
        (date(2025, 12, 31), False),
        # 2019
        (date(2019, 1, 9), True),
        (date(2019, 2, 22), True),
        (date(2019, 3, 8), False),
        (date(2019, 5, 2), False),
        (date(2019, 5, 3), False),
        (date(2019, 5, 6), True),
        (date(2019, 5, 10), False),
        (date(2019, 6, 12), False),
        (date(2019, 11, 4), False),
        (date(2019, 12, 31), True),
    ],
)
def test_production_calendar(day, working):
    assert PLAIN.is_working_day(day) is working


@pytest.mark.parametrize("year", [2019, 2024, 2025])
def test_january_holidays(year):
    assert not any(PLAIN.is_working_day(date(year, 1, day)) for day in range(1, 9))


def test_ordinary_weekend_is_off_and_weekday_works():
    assert not PLAIN.is_working_day(date(2024, 3, 16))  # Saturday
    assert not PLAIN.is_working_day(date(2024, 3, 17))  # Sunday
    assert PLAIN.is_working_day(date(2024, 3, 18))


def test_datetime_is_taken_as_its_date():
    assert PLAIN.is_working_day(datetime(2024, 4, 27, 15, 30)) is True
    assert PLAIN.add_working_days(datetime(2024, 4, 26, 9, 0), 1) == date(2024, 4, 27)


def test_add_working_days_across_the_may_holidays():
    assert PLAIN.add_working_days(date(2024, 4, 26), 1) == date(2024, 4, 27)
    assert PLAIN.add_working_days(date(2024, 4, 26), 2) == date(2024, 5, 2)
    assert PLAIN.add_working_days(date(2024, 4, 27), 3) == date(2024, 5, 6)
    assert PLAIN.add_working_days(date(2024, 5, 8), 1) == date(2024, 5, 13)


def test_add_working_days_across_new_year():
    assert PLAIN.add_working_days(date(2023, 12, 29), 1) == date(2024, 1, 9)
    assert PLAIN.add_working_days(date(2024, 12, 27), 2) == date(2025, 1, 9)
    assert PLAIN.add_working_days(date(2024, 12, 27), 1) == date(2024, 12, 28)


def test_add_zero_working_days():
    assert PLAIN.add_working_days(date(2024, 5, 2), 0) == date(2024, 5, 2)
    assert PLAIN.add_working_days(date(2024, 4, 28), 0) == date(2024, 5, 2)


def test_negative_and_subtracted_working_days():
    assert PLAIN.add_working_days(date(2024, 5, 2), -1) == date(2024, 4, 27)
    assert PLAIN.subtract_working_days(date(2024, 5, 2), 2) == date(2024, 4, 26)
    assert PLAIN.subtract_working_days(date(2024, 1, 9), 1) == date(2023, 12, 29)
    assert PLAIN.subtract_working_days(date(2024, 1, 9), -1) == date(2024, 1, 10)


def test_next_and_previous_working_day():
    assert PLAIN.next_working_day(date(2024, 4, 27)) == date(2024, 5, 2)
    assert PLAIN.next_working_day(date(2024, 4, 26)) == date(2024, 4, 27)
    assert PLAIN.previous_working_day(date(2024, 5, 2)) == date(2024, 4, 27)


def test_working_days_between():
    assert PLAIN.working_days_between(date(2024, 4, 26), date(2024, 5, 2)) == 2
    assert PLAIN.working_days_between(date(2024, 5, 2), date(2024, 4, 26)) == -2
    assert PLAIN.working_days_between(date(2024, 5, 2), date(2024, 5, 2)) == 0
    assert PLAIN.working_days_between(date(2023, 12, 29), date(2024, 1, 9)) == 1
    # 2024 had 248 working days.
    assert PLAIN.working_days_between(date(2023, 12, 31), date(2024, 12, 31)) == 248


@pytest.mark.parametrize("n", [-40, -7, -1, 0, 1, 3, 7, 40])
def test_working_days_between_inverts_add_working_days(n):
    start = date(2024, 4, 25)
    assert PLAIN.working_days_between(start, PLAIN.add_working_days(start, n)) == n


def test_add_days_working_or_calendar():
    assert PLAIN.add_days(date(2024, 4, 26), 3, working=True) == date(2024, 5, 3)
    assert PLAIN.add_days(date(2024, 4, 26), 3, working=False) == date(2024, 4, 29)
    assert PLAIN.add_days(date(2024, 4, 26), 3, working=False, roll_to_working_day=True) == date(2024, 5, 2)


def test_explicit_exceptions_override_the_package():
    decreed = WorkdayCalendar({date(2024, 4, 27): False, date(2024, 5, 10): True})
    assert not decreed.is_working_day(date(2024, 4, 27))
    assert decreed.is_working_day(date(2024, 5, 10))
    assert decreed.add_working_days(date(2024, 4, 26), 1) == date(2024, 5, 2)


def test_module_functions_take_an_explicit_calendar_without_a_database():
    decreed = WorkdayCalendar({date(2024, 5, 2): False})
    assert workdays.add_working_days(date(2024, 4, 27), 1, calendar=decreed) == date(2024, 5, 3)
    assert not workdays.is_working_day(date(2024, 5, 2), calendar=decreed)
    assert workdays.next_working_day(date(2024, 4, 27), calendar=decreed) == date(2024, 5, 3)
    assert workdays.subtract_working_days(date(2024, 5, 3), 1, calendar=decreed) == date(2024, 4, 27)
    assert workdays.working_days_between(date(2024, 4, 27), date(2024, 5, 3), calendar=decreed) == 1
    assert workdays.add_days(date(2024, 4, 27), 1, True, calendar=decreed) == date(2024, 5, 3)
    # Calendar days need no calendar at all.
    assert workdays.add_days(date(2024, 4, 27), 5, False) == date(2024, 5, 2)


@pytest.fixture
def fresh_cache():
    workdays.clear_calendar_cache()
    yield
    # The rows roll back with the test, without a post_delete signal.
    workdays.clear_calendar_cache()


@pytest.mark.django_db
def test_database_exception_overrides_the_package(fresh_cache):
    assert workdays.is_working_day(date(2024, 4, 27))
    exception = CalendarException.objects.create(
        date=date(2024, 4, 27), is_working_day=False, reason="Постановление № 1-п", region="ХМАО – Югра"
    )
    assert not workdays.is_working_day(date(2024, 4, 27))
    assert workdays.add_working_days(date(2024, 4, 26), 1) == date(2024, 5, 2)

    exception.is_working_day = True
    exception.save()
    assert workdays.is_working_day(date(2024, 4, 27))

    exception.delete()
    CalendarException.objects.create(date=date(2024, 5, 10), is_working_day=True, reason="перенос")
    assert workdays.is_working_day(date(2024, 5, 10))
    assert workdays.is_working_day(date(2024, 4, 27))  # back to the package once the row is gone


@pytest.mark.django_db
def test_exceptions_are_loaded_once_per_batch(fresh_cache, django_assert_num_queries):
    CalendarException.objects.create(date=date(2024, 5, 10), is_working_day=True, reason="перенос")
    with django_assert_num_queries(1):
        for day in range(1, 32):
            workdays.is_working_day(date(2024, 5, day))
        workdays.add_working_days(date(2024, 4, 26), 10)


def test_str_of_an_exception():
    exception = CalendarException(date=date(2024, 4, 27), is_working_day=False, reason="x")
    assert str(exception) == "27.04.2024: выходной"

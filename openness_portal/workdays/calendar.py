"""Working days by the Russian production calendar, overridden by the CalendarException table.

``WorkdayCalendar`` is pure; the module-level functions use one built from the database and cached.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays

# Signals only reach this process; the age limit bounds how long other workers keep an old snapshot.
CACHE_SECONDS = 300.0

_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=256)
def _package_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Days off and working weekend days the ``holidays`` package knows for one year."""
    # Neighbouring years are loaded too: a transfer decree may name a day of the adjacent year.
    calendar = holidays.country_holidays("RU", years=(year - 1, year, year + 1))
    days_off = frozenset(d for d in calendar if d.year == year)
    weekend_workdays = frozenset(d for d in calendar.weekend_workdays if d.year == year)
    return days_off, weekend_workdays


def _as_date(value: date) -> date:
    # A datetime never equals a date, so it would miss every set lookup.
    return value.date() if isinstance(value, datetime) else value


class WorkdayCalendar:
    """The production calendar with explicit exceptions (date -> is working day); needs no database."""

    def __init__(self, exceptions: Mapping[date, bool] | None = None) -> None:
        self.exceptions: dict[date, bool] = {_as_date(d): bool(w) for d, w in (exceptions or {}).items()}

    def is_working_day(self, d: date) -> bool:
        d = _as_date(d)
        if d in self.exceptions:
            return self.exceptions[d]
        days_off, weekend_workdays = _package_year(d.year)
        if d.weekday() >= 5:
            return d in weekend_workdays
        return d not in days_off

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        d = _as_date(d) + _ONE_DAY
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def previous_working_day(self, d: date) -> date:
        """The last working day strictly before ``d``."""
        d = _as_date(d) - _ONE_DAY
        while not self.is_working_day(d):
            d -= _ONE_DAY
        return d

    def add_working_days(self, d: date, n: int) -> date:
        """``n`` working days after ``d`` (before it when negative); for 0, ``d`` itself or the next working day."""
        d = _as_date(d)
        if n == 0:
            return d if self.is_working_day(d) else self.next_working_day(d)
        step = self.next_working_day if n > 0 else self.previous_working_day
        for _ in range(abs(n)):
            d = step(d)
        return d

    def subtract_working_days(self, d: date, n: int) -> date:
        """``n`` working days before ``d``; the same as ``add_working_days(d, -n)``."""
        return self.add_working_days(d, -n)

    def working_days_between(self, a: date, b: date) -> int:
        """Working days from ``a`` (excluded) to ``b`` (included); negative when ``b`` precedes ``a``.

        Inverts ``add_working_days``: ``add_working_days(a, working_days_between(a, b)) == b`` if ``b`` works.
        """
        a, b = _as_date(a), _as_date(b)
        if b >= a:
            return sum(1 for i in range(1, (b - a).days + 1) if self.is_working_day(a + timedelta(days=i)))
        return -sum(1 for i in range((a - b).days) if self.is_working_day(b + timedelta(days=i)))

    def add_days(self, d: date, n: int, working: bool, *, roll_to_working_day: bool = False) -> date:
        """``n`` working or calendar days after ``d``.

        ``roll_to_working_day`` moves a calendar-day result off a day off (Civil Code art. 193).
        """
        if working:
            return self.add_working_days(d, n)
        result = _as_date(d) + timedelta(days=n)
        if roll_to_working_day and not self.is_working_day(result):
            result = self.next_working_day(result)
        return result


# --- the database-backed default calendar -----------------------------------------------------------

_lock = threading.Lock()
_cached: tuple[float, WorkdayCalendar] | None = None
_generation = 0


def _load_exceptions() -> dict[date, bool]:
    from .models import CalendarException

    return dict(CalendarException.objects.values_list("date", "is_working_day"))


def get_calendar() -> WorkdayCalendar:
    """The calendar with the database exceptions, loaded once and reused until they change."""
    global _cached
    cached = _cached
    if cached is not None and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[1]
    generation = _generation
    calendar = WorkdayCalendar(_load_exceptions())
    with _lock:
        # A change saved while we were reading must not be hidden behind our older snapshot.
        if generation == _generation:
            _cached = (time.monotonic(), calendar)
    return calendar


def clear_calendar_cache() -> None:
    """Forget the cached exceptions; the next call reads the table again."""
    global _cached, _generation
    with _lock:
        _cached = None
        _generation += 1


def _invalidate_on_change(sender, **kwargs) -> None:
    from django.db import transaction

    clear_calendar_cache()
    # Another thread may reload the table between the save and the commit and cache the old rows.
    transaction.on_commit(clear_calendar_cache)


def _calendar(calendar: WorkdayCalendar | None) -> WorkdayCalendar:
    return calendar if calendar is not None else get_calendar()


def is_working_day(d: date, *, calendar: WorkdayCalendar | None = None) -> bool:
    return _calendar(calendar).is_working_day(d)


def next_working_day(d: date, *, calendar: WorkdayCalendar | None = None) -> date:
    """The first working day strictly after ``d``."""
    return _calendar(calendar).next_working_day(d)


def previous_working_day(d: date, *, calendar: WorkdayCalendar | None = None) -> date:
    """The last working day strictly before ``d``."""
    return _calendar(calendar).previous_working_day(d)


def add_working_days(d: date, n: int, *, calendar: WorkdayCalendar | None = None) -> date:
    """``n`` working days after ``d`` (before it when negative); for 0, ``d`` itself or the next working day."""
    return _calendar(calendar).add_working_days(d, n)


def subtract_working_days(d: date, n: int, *, calendar: WorkdayCalendar | None = None) -> date:
    """``n`` working days before ``d``."""
    return _calendar(calendar).subtract_working_days(d, n)


def working_days_between(a: date, b: date, *, calendar: WorkdayCalendar | None = None) -> int:
    """Working days from ``a`` (excluded) to ``b`` (included); negative when ``b`` precedes ``a``."""
    return _calendar(calendar).working_days_between(a, b)


def add_days(
    d: date,
    n: int,
    working: bool,
    *,
    roll_to_working_day: bool = False,
    calendar: WorkdayCalendar | None = None,
) -> date:
    """``n`` working or calendar days after ``d``."""
    if not working and not roll_to_working_day:
        return _as_date(d) + timedelta(days=n)
    return _calendar(calendar).add_days(d, n, working, roll_to_working_day=roll_to_working_day)

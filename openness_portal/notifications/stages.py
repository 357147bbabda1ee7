"""Reminder stages: which due dates reach a stage on a given local day.

A duty due on D is reminded 14, 7, 3 and 1 working days before D (per municipality), on D, on the
first working day after D (overdue) and then every week for a year. The sweep turns this around: for
today it lists the few dates (about sixty) whose duties reach a stage today, so the sources query
those dates only instead of scanning every row.
"""

from datetime import date, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from openness_portal.workdays.calendar import WorkdayCalendar, get_calendar

DEFAULT_OFFSETS = (14, 7, 3, 1)
OVERDUE_WEEKS = 52  # weekly overdue reminders stop after a year; the coordinator still sees it as overdue
MAX_OFFSET = 60


def normalise_offsets(value) -> tuple[int, ...]:
    """A municipality's `reminder_offsets` as distinct working-day counts, largest first; empty ⇒ defaults."""
    offsets = set()
    for item in value or []:
        try:
            n = int(item)
        except (TypeError, ValueError):
            continue
        if 0 < n <= MAX_OFFSET:
            offsets.add(n)
    return tuple(sorted(offsets, reverse=True)) or DEFAULT_OFFSETS


def stage_dates(
    today: date, offsets: tuple[int, ...], stages: str = "all", *, calendar: WorkdayCalendar | None = None
) -> dict[date, str]:
    """Due date → stage code for every due date whose duty reaches a stage on `today`.

    Nothing reaches a stage on a day off: staff read mail on working days, and every stage of a duty
    falls on a working day (a due date on a day off is reminded on the working days around it).
    """
    calendar = calendar or get_calendar()
    result: dict[date, str] = {}
    if not calendar.is_working_day(today):
        return result
    if stages == "all":
        # W[k] = k working days after today. D is n working days after today's stage iff W[n-1] < D <= W[n].
        horizon = max(offsets, default=0)
        working = [today]
        for _k in range(horizon):
            working.append(calendar.next_working_day(working[-1]))
        for n in offsets:
            d = working[n - 1] + timedelta(days=1)
            while d <= working[n]:
                result[d] = f"{n}wd"
                d += timedelta(days=1)
        result[today] = "day"
    # Overdue: the first working day after D, then the same weekday every week (skipped on a day off).
    for week in range(OVERDUE_WEEKS + 1):
        first_overdue = today - timedelta(days=7 * week)
        if not calendar.is_working_day(first_overdue):
            continue
        code = "overdue" if week == 0 else f"overdue+{week}w"
        d = calendar.previous_working_day(first_overdue)
        while d < first_overdue:
            result.setdefault(d, code)
            d += timedelta(days=1)
    return result


def stage_label(code: str) -> str:
    """Russian words for a stage code, as shown in the digest."""
    if code.endswith("wd"):
        n = int(code[:-2])
        return ngettext("через %(n)d рабочий день", "через %(n)d рабочих дней", n) % {"n": n}
    if code == "day":
        return _("срок сегодня")
    if code == "overdue":
        return _("срок истек")
    if code.startswith("overdue+"):
        weeks = int(code[len("overdue+") : -1])
        return ngettext("просрочено больше %(n)d недели", "просрочено больше %(n)d недель", weeks) % {
            "n": weeks
        }
    return code


def stage_code(stage: str) -> str:
    """«7wd» from a stored stage «7wd:2019-12-20» or «noaddr:official:5:7wd:2019-12-20»."""
    parts = stage.split(":")
    return parts[-2] if len(parts) >= 2 else stage

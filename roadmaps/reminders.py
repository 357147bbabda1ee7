"""Roadmap duties for the reminder sweep: open deadlines (executors), overdue ones and slow reviews (coordinator).

Each source answers only for the due dates it is asked about, in a constant number of queries per
2,000 rows; recipients come from a directory of the municipalities' departments and officials.
"""

import zoneinfo
from collections import defaultdict
from collections.abc import Collection, Iterator
from datetime import date, timedelta
from itertools import groupby, islice
from operator import itemgetter

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from openness_portal.notifications.recipients import coordinator_recipients
from openness_portal.notifications.registry import DueItem, Recipient, reminder_source
from openness_portal.workdays.calendar import get_calendar

from .models import Deadline, Department, Official, ProgressEntry, Roadmap

CHUNK = 2000
# A submitted progress entry the coordinator has not reviewed within this many working days is reported.
REVIEW_WAIT_WORKING_DAYS = getattr(settings, "PROGRESS_REVIEW_WAIT_DAYS", 5)
LIVE_ROADMAPS = [Roadmap.Status.APPROVED, Roadmap.Status.ACTIVE]


def _admin_link(name: str):
    """A formatter for admin change links: reverse() once, not once per row."""
    marker = 987654321
    return reverse(name, args=[marker]).replace(str(marker), "{}").format


class Directory:
    """Departments, officials and coordinators of the municipalities met so far, loaded per chunk."""

    def __init__(self):
        self.loaded: set[int] = set()
        self.departments: dict[int, Recipient] = {}
        self.department_names: dict[int, str] = {}
        self.officials: dict[int, Recipient] = {}
        self.coordinators: dict[int, list[Recipient]] = {}

    def load(self, municipality_ids: Collection[int]) -> None:
        missing = set(municipality_ids) - self.loaded
        if not missing:
            return
        self.loaded |= missing
        officials = Official.objects.filter(municipality_id__in=missing).select_related("user")
        by_department: dict[int, list[Official]] = defaultdict(list)
        for o in officials:
            email = o.email or (o.user.email if o.user_id else "")
            self.officials[o.pk] = Recipient(name=str(o), email=email, official_id=o.pk)
            if o.department_id:
                by_department[o.department_id].append(o)
        for d in Department.objects.filter(municipality_id__in=missing).only(
            "id", "name", "short_name", "email", "head_name"
        ):
            # The department's own address; failing that, its head's (matched by name among its officials).
            email = d.email
            if not email and d.head_name:
                for o in by_department.get(d.pk, []):
                    if o.name == d.head_name and self.officials[o.pk].email:
                        email = self.officials[o.pk].email
                        break
            name = d.short_name or d.name
            self.department_names[d.pk] = name
            self.departments[d.pk] = Recipient(name=name, email=email, department_id=d.pk)
        for mid, people in coordinator_recipients(missing).items():
            self.coordinators[mid] = people


def _batched(iterable, size) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _title(number: str, title: str, part: str, due: date) -> str:
    title = " ".join(title.split())
    if len(title) > 140:
        title = title[:139] + "…"
    part = f" ({part})" if part else ""
    return f"{number}. {title}{part} — до {due:%d.%m.%Y}" if number else f"{title}{part} — до {due:%d.%m.%Y}"


def _open_deadlines(dates, municipality_ids):
    """One row per (deadline, executor), in executor order: the executors come with the deadline, so
    there is no second query with thousands of measure ids to bind."""
    qs = Deadline.objects.open().filter(due_date__in=list(dates), measure__roadmap__status__in=LIVE_ROADMAPS)
    if municipality_ids is not None:
        qs = qs.filter(measure__roadmap__municipality_id__in=list(municipality_ids))
    return qs.order_by("id", "measure__executors__order", "measure__executors__id").values_list(
        "id",
        "due_date",
        "part_label",
        "measure__number",
        "measure__title",
        "measure__roadmap__municipality_id",
        "measure__executors__department_id",
        "measure__executors__official_id",
        "measure__executors__text",
    )


def _with_executors(rows) -> Iterator[tuple]:
    """(deadline_id, due, part, number, title, municipality_id, executors) from the joined rows."""
    for deadline_id, group in groupby(rows, key=itemgetter(0)):
        group = list(group)
        _id, due, part, number, title, mid = group[0][:6]
        executors = tuple(r[6:] for r in group if r[6] is not None or r[7] is not None or r[8] is not None)
        yield deadline_id, due, part, number, title, mid, executors


def _deadline_items(dates, municipality_ids, *, kind: str, for_coordinator: bool) -> Iterator[DueItem]:
    directory = Directory()
    link = _admin_link("admin:roadmaps_deadline_change")
    # Translated once: gettext per row would cost more than the rest of the loop.
    responsible = _("Ответственные: %(names)s")
    not_found = ". " + _("Исполнитель не найден в справочнике — напоминание координатору.")
    no_executor = _("исполнитель не указан")
    # Many measures share one set of executors: who to tell and the «responsible» line are worked out
    # once per (municipality, executors), and the date suffix once per due date, not once per deadline.
    people: dict[tuple, tuple[tuple[Recipient, ...], str, str]] = {}
    suffixes: dict[date, str] = {}
    rows = _with_executors(_open_deadlines(dates, municipality_ids).iterator(chunk_size=CHUNK))
    for chunk in _batched(rows, CHUNK):
        directory.load({row[5] for row in chunk})
        for deadline_id, due, part, number, title, mid, entries in chunk:
            found = people.get((mid, entries))
            if found is None:
                found = people[(mid, entries)] = _people(
                    entries, directory, mid, for_coordinator, responsible, not_found, no_executor
                )
            recipients, details, group = found
            suffix = suffixes.get(due)
            if suffix is None:
                suffix = suffixes[due] = f" — до {due:%d.%m.%Y}"
            yield DueItem(
                kind=kind,
                subject_key=f"deadline:{deadline_id}",
                due_date=due,
                title=_title_head(number, title, part) + suffix,
                link=link(deadline_id),
                municipality_id=mid,
                recipients=recipients,
                details=details,
                group=group,
            )


def _title_head(number: str, title: str, part: str) -> str:
    """The title without its « — до DD.MM.YYYY» suffix (see `_title`)."""
    title = " ".join(title.split())
    if len(title) > 140:
        title = title[:139] + "…"
    part = f" ({part})" if part else ""
    return f"{number}. {title}{part}" if number else f"{title}{part}"


def _people(entries, directory, mid, for_coordinator, responsible, not_found, no_executor):
    """(recipients, details, group) for a measure's executors in municipality `mid`."""
    recipients: list[Recipient] = []
    names: list[str] = []
    unmatched = False
    for department_id, official_id, text in entries:
        if official_id:
            recipient = directory.officials[official_id]
            names.append(recipient.name)
        elif department_id:
            recipient = directory.departments[department_id]
            names.append(recipient.name)
        else:
            names.append(text)
            unmatched = True
            continue
        recipients.append(recipient)
    coordinators = directory.coordinators.get(mid, [])
    details = responsible % {"names": "; ".join(names)} if names else ""
    if for_coordinator:
        return tuple(coordinators), details if len(names) > 1 else "", names[0] if names else no_executor
    if unmatched or not recipients:
        # An executor written as free text has no address: the coordinator passes the reminder on.
        recipients.extend(coordinators)
        details += not_found
    return tuple(dict.fromkeys(recipients)), details, ""


@reminder_source("deadline")
def deadlines_due(*, dates: Collection[date], municipality_ids: Collection[int] | None) -> Iterator[DueItem]:
    """Open deadlines of live roadmaps, to each responsible executor (official or department)."""
    return _deadline_items(dates, municipality_ids, kind="deadline", for_coordinator=False)


@reminder_source("deadline_overdue", stages="overdue")
def deadlines_overdue(
    *, dates: Collection[date], municipality_ids: Collection[int] | None
) -> Iterator[DueItem]:
    """The coordinator's view of overdue deadlines, grouped by the lead executor."""
    return _deadline_items(dates, municipality_ids, kind="deadline_overdue", for_coordinator=True)


@reminder_source("progress_review", stages="overdue")
def progress_waiting_review(
    *, dates: Collection[date], municipality_ids: Collection[int] | None
) -> Iterator[DueItem]:
    """Progress entries submitted more than N working days ago and still not reviewed, to the coordinator."""
    dates = set(dates)
    if not dates:
        return
    calendar = get_calendar()
    # N working days are at most ~2N+15 calendar days (long holidays), so this bounds the scan.
    earliest = min(dates) - timedelta(days=2 * REVIEW_WAIT_WORKING_DAYS + 20)
    qs = ProgressEntry.objects.filter(
        status=ProgressEntry.Status.SUBMITTED,
        submitted_at__isnull=False,
        submitted_at__date__gte=earliest,
        submitted_at__date__lte=max(dates) + timedelta(days=1),
    )
    if municipality_ids is not None:
        qs = qs.filter(measure__roadmap__municipality_id__in=list(municipality_ids))
    rows = qs.order_by("id").values_list(
        "id",
        "submitted_at",
        "period",
        "measure__number",
        "measure__title",
        "measure__roadmap__municipality_id",
        "measure__roadmap__municipality__time_zone",
    )
    link = _admin_link("admin:roadmaps_progressentry_change")
    directory = Directory()
    for chunk in _batched(rows.iterator(chunk_size=CHUNK), CHUNK):
        directory.load({row[5] for row in chunk})
        for entry_id, submitted_at, period, number, title, mid, tz in chunk:
            submitted_on = submitted_at.astimezone(zoneinfo.ZoneInfo(tz)).date()
            due = calendar.add_working_days(submitted_on, REVIEW_WAIT_WORKING_DAYS)
            if due not in dates:
                continue
            yield DueItem(
                kind="progress_review",
                subject_key=f"progress-review:{entry_id}:{submitted_at:%Y%m%dT%H%M%S}",
                due_date=due,
                title=_("%(title)s — за %(period)s, на проверке с %(since)s")
                % {
                    "title": _title(number, title, "", due).rsplit(" — ", 1)[0],
                    "period": period,
                    "since": f"{submitted_on:%d.%m.%Y}",
                },
                link=link(entry_id),
                municipality_id=mid,
                recipients=tuple(directory.coordinators.get(mid, [])),
                group=_("Информация о ходе реализации ждет проверки"),
            )

"""Roadmap duties for the reminder sweep: open deadlines (executors), overdue ones and slow reviews (coordinator).

Deadlines are the bulk of a day's reminders (one per deadline and executor: 100,000 deadlines reaching a
stage on one day is the benchmark's worst case): they are read in four queries whatever their number, and
each measure's executors are worked out once, however many of its deadlines are due.
"""

import zoneinfo
from collections.abc import Collection, Iterator
from datetime import date, timedelta
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from municipalities.models import Department, Official
from municipalities.selectors import coordinator_recipients
from openness_portal.notifications.registry import (
    DueItem,
    Recipient,
    reminder_source,
)
from openness_portal.workdays.calendar import get_calendar

from .models import Deadline, MeasureExecutor, ProgressEntry, Roadmap

CHUNK = 2000
# A submitted progress entry the coordinator has not reviewed within this many working days is reported.
REVIEW_WAIT_WORKING_DAYS = getattr(settings, "PROGRESS_REVIEW_WAIT_DAYS", 5)
LIVE_ROADMAPS = [Roadmap.Status.APPROVED, Roadmap.Status.ACTIVE]


def _admin_link(name: str):
    """A formatter for admin change links: reverse() once, not once per row."""
    marker = 987654321
    return reverse(name, args=[marker]).replace(str(marker), "{}").format


def _title_head(number: str, title: str) -> str:
    """«3. Участие в обучающих мероприятиях…»: one line, 140 characters of title at most."""
    title = " ".join(title.split())
    if len(title) > 140:
        title = title[:139] + "…"
    return f"{number}. {title}" if number else title


def deadline_directory(municipality_ids: Collection[int] | None) -> dict[str, Recipient]:
    """Every official and department of the municipalities (None: all) as a recipient, by key, in two
    queries. An official's address is its own, else its account's; a department's is its own, else its
    head's (the official of the department whose name is the head's name)."""
    officials = Official.objects.select_related("user")
    departments = Department.objects.only("id", "name", "short_name", "email", "head_name")
    if municipality_ids is not None:
        officials = officials.filter(municipality_id__in=list(municipality_ids))
        departments = departments.filter(municipality_id__in=list(municipality_ids))
    people: dict[str, Recipient] = {}
    heads: dict[tuple[int, str], str] = {}
    for o in officials.order_by("post", "id"):
        email = o.email or (o.user.email if o.user_id else "")
        recipient = Recipient(name=str(o), email=email, official_id=o.pk)
        people[recipient.key] = recipient
        if o.department_id and email:
            heads.setdefault((o.department_id, o.name), email)
    for d in departments:
        email = d.email or (heads.get((d.pk, d.head_name), "") if d.head_name else "")
        recipient = Recipient(name=d.short_name or d.name, email=email, department_id=d.pk)
        people[recipient.key] = recipient
    return people


class _Team(NamedTuple):
    """A measure's executors as the deadline items name them (worked out once per measure)."""

    recipients: tuple[Recipient, ...]  # the executors that are officials or departments, lead first
    needs_coordinators: bool  # an executor is free text, or there is none: nobody else could be told
    details: str  # the executors' item: «Ответственные: …», and a word when one is not in the directory
    overdue_details: str  # the coordinators' overdue item: the executors when there are several
    lead: str  # the coordinators' overdue item is grouped under the lead executor


def _teams(measure_ids, directory: dict[str, Recipient]) -> dict[int, _Team]:
    """The executors of the measures (a queryset of their ids), in their order, in one query. Measures
    with the same executors (most of a roadmap's, a few departments between them) share one _Team.

    Read as a stream, one measure at a time: a list per measure for 100,000 measures, all kept until the
    end, cost the garbage collector more than building them."""
    rows = (
        MeasureExecutor.objects.filter(measure_id__in=measure_ids)
        .order_by("measure_id", "order", "id")
        .values("measure_id", "official_id", "department_id", "text")
    )
    shared: dict[tuple, _Team] = {}
    teams = {}
    for measure_id, executors in groupby(rows.iterator(chunk_size=CHUNK), key=itemgetter("measure_id")):
        signature = tuple((e["official_id"], e["department_id"], e["text"]) for e in executors)
        team = shared.get(signature)
        if team is None:
            team = shared[signature] = _team(signature, directory)
        teams[measure_id] = team
    return teams


def _team(
    executors: tuple[tuple[int | None, int | None, str], ...], directory: dict[str, Recipient]
) -> _Team:
    people: list[Recipient | None] = []
    for official_id, department_id, text in executors:
        if official_id:
            key = f"official:{official_id}"
            people.append(directory.get(key) or Recipient(name=text, email="", official_id=official_id))
        elif department_id:
            key = f"department:{department_id}"
            people.append(directory.get(key) or Recipient(name=text, email="", department_id=department_id))
        else:
            people.append(None)  # free text: nobody to write to
    names = [
        person.name if person else text for person, (_o, _d, text) in zip(people, executors, strict=True)
    ]
    responsible = _("Ответственные: %(names)s") % {"names": "; ".join(names)}
    details = responsible
    if not all(person is not None and person.key in directory for person in people):
        details = f"{responsible}. {_('Исполнитель не найден в справочнике — напоминание координатору.')}"
    return _Team(
        recipients=tuple(dict.fromkeys(person for person in people if person is not None)),
        needs_coordinators=None in people,
        details=details[:500],
        overdue_details=responsible[:500] if len(names) > 1 else "",
        lead=names[0][:300],
    )


@reminder_source("deadline")
def deadlines_due(*, dates, municipality_ids):
    """Open deadlines of live roadmaps due on one of `dates`, in four queries: to each executor that is an
    official or a department; to the coordinators (an item without recipients) when an executor is free
    text or there is none; and, once overdue, to the coordinators as «deadline_overdue», grouped under the
    lead executor (then not a second time as «deadline»)."""
    if not dates:
        return
    deadlines = Deadline.objects.open().filter(
        due_date__in=list(dates), measure__roadmap__status__in=LIVE_ROADMAPS
    )
    if municipality_ids is not None:
        deadlines = deadlines.filter(measure__roadmap__municipality_id__in=list(municipality_ids))
    teams = _teams(deadlines.values("measure_id"), deadline_directory(municipality_ids))
    nobody = _Team(
        recipients=(),
        needs_coordinators=True,
        details=_("Исполнитель не найден в справочнике — напоминание координатору."),
        overdue_details="",
        lead=_("исполнитель не указан"),
    )
    link = _admin_link("admin:roadmaps_deadline_change")
    by_date = _("до %(date)s")
    until: dict[date, str] = {}  # due date → « — до DD.MM.YYYY»: a day has a few dozen
    rows = deadlines.order_by("id").values(
        "id",
        "due_date",
        "part_label",
        "measure_id",
        number=F("measure__number"),
        measure_title=F("measure__title"),
        municipality_id=F("measure__roadmap__municipality_id"),
    )
    for d in rows.iterator(chunk_size=CHUNK):
        due = d["due_date"]
        if due not in until:
            until[due] = " — " + by_date % {"date": f"{due:%d.%m.%Y}"}
        head = _title_head(d["number"], d["measure_title"])
        title = (f"{head} ({d['part_label']}){until[due]}" if d["part_label"] else head + until[due])[:500]
        subject_key, href, mid = f"deadline:{d['id']}", link(d["id"]), d["municipality_id"]
        team = teams.get(d["measure_id"], nobody)
        if team.recipients:
            yield DueItem("deadline", subject_key, due, title, href, mid, team.recipients, team.details)
        if dates[due].startswith("overdue"):
            yield DueItem(
                "deadline_overdue", subject_key, due, title, href, mid, (), team.overdue_details, team.lead
            )
        elif team.needs_coordinators:
            yield DueItem("deadline", subject_key, due, title, href, mid, (), team.details)


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
    rows = qs.order_by("id").values(
        "id",
        "submitted_at",
        "period",
        number=F("measure__number"),
        measure_title=F("measure__title"),
        municipality_id=F("measure__roadmap__municipality_id"),
        time_zone=F("measure__roadmap__municipality__time_zone"),
    )
    link = _admin_link("admin:roadmaps_progressentry_change")
    coordinators = coordinator_recipients(municipality_ids)
    for entry in rows.iterator(chunk_size=CHUNK):
        submitted_at = entry["submitted_at"]
        submitted_on = submitted_at.astimezone(zoneinfo.ZoneInfo(entry["time_zone"])).date()
        due = calendar.add_working_days(submitted_on, REVIEW_WAIT_WORKING_DAYS)
        if due not in dates:
            continue
        yield DueItem(
            kind="progress_review",
            subject_key=f"progress-review:{entry['id']}:{submitted_at:%Y%m%dT%H%M%S}",
            due_date=due,
            title=_("%(title)s — за %(period)s, на проверке с %(since)s")
            % {
                "title": _title_head(entry["number"], entry["measure_title"]),
                "period": entry["period"],
                "since": f"{submitted_on:%d.%m.%Y}",
            },
            link=link(entry["id"]),
            municipality_id=entry["municipality_id"],
            recipients=tuple(coordinators.get(entry["municipality_id"], ())),
            group=_("Информация о ходе реализации ждет проверки"),
        )

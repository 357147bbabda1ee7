"""Roadmap duties for the reminder sweep: open deadlines (executors), overdue ones and slow reviews (coordinator).

Deadlines are the bulk of a day's reminders (one per deadline and executor: 100,000 deadlines reaching a
stage on one day is the benchmark's worst case), so they are answered in SQL: the sweep inserts the keys
into its log straight from a SELECT, and asks for the text only of the items a digest lists. Slow reviews
are few and are answered as DueItems.
"""

import zoneinfo
from collections.abc import Collection, Iterator
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from municipalities.models import Department, Official
from municipalities.selectors import coordinator_recipients
from openness_portal.notifications.registry import (
    ROWS,
    Described,
    DueItem,
    Recipient,
    ReminderSelect,
    reminder_source,
)
from openness_portal.notifications.sql import batched, quote, values_table
from openness_portal.workdays.calendar import get_calendar

from .models import Deadline, Measure, MeasureExecutor, ProgressEntry, Roadmap

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


def _table(model) -> str:
    return quote(model._meta.db_table)


def _deadline_select(stages, municipality_ids, coordinators) -> ReminderSelect:
    """One SELECT for every deadline reminder of the day: keys only, straight from the roadmap tables.

    To each executor that is an official or a department; to the coordinators when an executor is free
    text or the measure has none (nobody else could be told), and, as «deadline_overdue», when the
    deadline is overdue. The text of an item is written later, by `describe_deadlines`, and only for the
    items a digest lists.
    """
    stage_cte, params = values_table(
        "reminder_stage",
        {"due_date": "date", "stage": "text", "overdue": "int"},
        [(due, stage, int(stage.startswith("overdue"))) for due, stage in sorted(stages.items())],
    )
    ctes = [stage_cte]
    coordinator_rows = [(mid, c.key[:200]) for mid in municipality_ids for c in coordinators.get(mid, ())]
    if coordinator_rows:
        coordinator_cte, coordinator_params = values_table(
            "coordinator", {"municipality_id": "int", "recipient_key": "text"}, coordinator_rows
        )
        ctes.append(coordinator_cte)
        params += coordinator_params
    names = {"executor": _table(MeasureExecutor)}
    # Which deadlines are open is the queryset's to say (Deadline.objects.open()), not written again here;
    # the due dates as a list let both databases look them up in the due-date index.
    open_deadlines, open_params = (
        Deadline.objects.open()
        .filter(
            due_date__in=sorted(stages),
            measure__roadmap__status__in=LIVE_ROADMAPS,
            measure__roadmap__municipality_id__in=list(municipality_ids),
        )
        .values(
            deadline_id=F("id"),
            deadline_due=F("due_date"),
            deadline_measure=F("measure_id"),
            deadline_municipality=F("measure__roadmap__municipality_id"),
        )
        .order_by()
        .query.sql_with_params()
    )
    ctes.append(
        f"""due AS (
        SELECT o.deadline_id, o.deadline_due AS due_date, o.deadline_measure AS measure_id,
               o.deadline_municipality AS municipality_id, s.stage, s.overdue
        FROM ({open_deadlines}) o JOIN reminder_stage s ON s.due_date = o.deadline_due
    )"""
    )
    params += list(open_params)
    # Per measure of the day not yet overdue: how many executors are free text (no address to write to).
    # Overdue ones reach the coordinators anyway (below), and on a worst day they are nine in ten.
    ctes.append(
        """team AS (
        SELECT e.measure_id,
               SUM(CASE WHEN e.official_id IS NULL AND e.department_id IS NULL THEN 1 ELSE 0 END) AS free_text
        FROM {executor} e WHERE e.measure_id IN (SELECT measure_id FROM due WHERE overdue = 0)
        GROUP BY e.measure_id
    )""".format(**names)
    )
    columns = "%s, 'deadline:' || d.deadline_id, d.stage, {who}, d.municipality_id, d.due_date"
    executor_key = (
        "CASE WHEN e.official_id IS NOT NULL THEN 'official:' || e.official_id "
        "ELSE 'department:' || e.department_id END"
    )
    parts = [
        f"""SELECT {columns.format(who=executor_key)}
        FROM due d JOIN {names["executor"]} e ON e.measure_id = d.measure_id
        WHERE e.official_id IS NOT NULL OR e.department_id IS NOT NULL"""
    ]
    params.append("deadline")
    if coordinator_rows:
        # A measure with a free-text executor or none at all: the coordinators pass the reminder on. Once
        # overdue, their overdue copy below says it (grouped under the lead executor), so not twice.
        parts.append(
            f"""SELECT {columns.format(who="c.recipient_key")}
            FROM due d JOIN coordinator c ON c.municipality_id = d.municipality_id
            LEFT JOIN team t ON t.measure_id = d.measure_id
            WHERE d.overdue = 0 AND (t.measure_id IS NULL OR t.free_text > 0)"""
        )
        parts.append(
            f"""SELECT {columns.format(who="c.recipient_key")}
            FROM due d JOIN coordinator c ON c.municipality_id = d.municipality_id WHERE d.overdue = 1"""
        )
        params += ["deadline", "deadline_overdue"]
    return ReminderSelect("WITH " + ",\n".join(ctes) + "\n" + "\nUNION ALL\n".join(parts), tuple(params))


def _in(sql: str, ids: list[int]) -> tuple[str, list]:
    """`sql` with its «{}» made a membership test of `ids`: one array on PostgreSQL, parameters elsewhere."""
    if connection.vendor == "postgresql":
        return sql.format("= ANY(%s)"), [ids]
    return sql.format(f"IN ({', '.join(['%s'] * len(ids))})"), ids


def deadline_directory(municipality_ids: Collection[int]) -> dict[str, Recipient]:
    """Every official and department of the municipalities as a recipient, by key, in two queries.

    An official's address is its own, else its account's; a department's is its own, else its head's (the
    official of the department whose name is the head's name).
    """
    officials = Official.objects.filter(municipality_id__in=list(municipality_ids)).select_related("user")
    people: dict[str, Recipient] = {}
    heads: dict[tuple[int, str], str] = {}
    for o in officials.order_by("post", "id"):
        email = o.email or (o.user.email if o.user_id else "")
        recipient = Recipient(name=str(o), email=email, official_id=o.pk)
        people[recipient.key] = recipient
        if o.department_id and email:
            heads.setdefault((o.department_id, o.name), email)
    departments = Department.objects.filter(municipality_id__in=list(municipality_ids)).only(
        "id", "name", "short_name", "email", "head_name"
    )
    for d in departments:
        email = d.email or (heads.get((d.pk, d.head_name), "") if d.head_name else "")
        recipient = Recipient(name=d.short_name or d.name, email=email, department_id=d.pk)
        people[recipient.key] = recipient
    return people


def describe_deadlines(keys: Collection[tuple[str, str]], directory: dict[str, Recipient]):
    """{(kind, subject key): Described} for the listed deadline items, two queries per 2,000 deadlines:
    title with number, part and date, the link to the deadline, the executors in their order."""
    link = _admin_link("admin:roadmaps_deadline_change")
    responsible = _("Ответственные: %(names)s")
    not_found = _("Исполнитель не найден в справочнике — напоминание координатору.")
    no_executor = _("исполнитель не указан")
    by_date = _("до %(date)s")
    wanted: dict[int, list[str]] = {}
    for kind, subject_key in keys:
        wanted.setdefault(int(subject_key.partition(":")[2]), []).append(kind)
    described = {}
    # Per measure, worked out once however many of its deadlines are listed: (title head, the executor
    # item's details, the overdue item's details, the overdue item's group).
    measures: dict[int, tuple[str, str, str, str]] = {}
    until: dict = {}  # due date → « — до DD.MM.YYYY»
    deadline_sql = (
        "SELECT dl.id, dl.due_date, dl.part_label, dl.measure_id, m.number, m.title "
        f"FROM {_table(Deadline)} dl JOIN {_table(Measure)} m ON m.id = dl.measure_id WHERE dl.id {{}}"
    )
    executor_sql = (
        f"SELECT measure_id, department_id, official_id, text FROM {_table(MeasureExecutor)} "
        'WHERE measure_id {} ORDER BY measure_id, "order", id'
    )
    # PostgreSQL takes the ids as one array, whatever their number, and then hash-joins the measures: twice
    # as fast as index lookups in 2,000-id batches. SQLite takes bound parameters, in batches.
    batch = len(wanted) or 1 if connection.vendor == "postgresql" else CHUNK
    with connection.cursor() as cursor:
        for chunk in batched(sorted(wanted), batch):
            cursor.execute(*_in(deadline_sql, chunk))
            rows = cursor.fetchall()
            missing = sorted({row[3] for row in rows} - measures.keys())
            teams: dict[int, list] = {measure_id: [] for measure_id in missing}
            if missing:
                cursor.execute(*_in(executor_sql, missing))
                for measure_id, department_id, official_id, text in cursor.fetchall():
                    if official_id:
                        person = directory.get(f"official:{official_id}")
                    else:
                        person = directory.get(f"department:{department_id}") if department_id else None
                    teams[measure_id].append((person.name, True) if person else (text, False))
            numbers = {row[3]: (row[4], row[5]) for row in rows}
            for measure_id, team in teams.items():
                names = [name for name, _matched in team]
                line = responsible % {"names": "; ".join(names)} if names else ""
                if not line:
                    details = not_found
                elif all(matched for _name, matched in team):
                    details = line
                else:
                    details = f"{line}. {not_found}"
                measures[measure_id] = (
                    _title_head(*numbers[measure_id]),
                    details[:500],
                    line[:500] if len(names) > 1 else "",
                    (names[0] if names else no_executor)[:300],
                )
            for deadline_id, due, part, measure_id, _number, _title in rows:
                if not isinstance(due, date):
                    due = date.fromisoformat(due)
                suffix = until.get(due)
                if suffix is None:
                    suffix = until[due] = " — " + by_date % {"date": f"{due:%d.%m.%Y}"}
                head, details, overdue_details, lead = measures[measure_id]
                title = (f"{head} ({part}){suffix}" if part else head + suffix)[:500]
                subject_key, href = f"deadline:{deadline_id}", link(deadline_id)
                for kind in wanted[deadline_id]:
                    if kind == "deadline_overdue":
                        described[(kind, subject_key)] = Described(title, href, overdue_details, lead)
                    else:
                        described[(kind, subject_key)] = Described(title, href, details, "")
    return described


@reminder_source(
    "deadline",
    form=ROWS,
    kinds=("deadline", "deadline_overdue"),
    directory=deadline_directory,
    describe=describe_deadlines,
)
def deadlines_due(*, stages, municipality_ids, coordinators):
    """Open deadlines of live roadmaps: to each responsible executor, and when overdue to the coordinators."""
    if stages and municipality_ids:
        yield _deadline_select(stages, municipality_ids, coordinators)


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
    coordinators: dict = {}
    for chunk in batched(rows.iterator(chunk_size=CHUNK), CHUNK):
        missing = {row[5] for row in chunk} - coordinators.keys()
        if missing:
            found = coordinator_recipients(missing)
            coordinators.update({mid: tuple(found.get(mid, ())) for mid in missing})
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
                    "title": _title_head(number, title),
                    "period": period,
                    "since": f"{submitted_on:%d.%m.%Y}",
                },
                link=link(entry_id),
                municipality_id=mid,
                recipients=coordinators[mid],
                group=_("Информация о ходе реализации ждет проверки"),
            )

"""Roadmap duties for the reminder sweep: open deadlines (executors), overdue ones and slow reviews (coordinator).

Deadlines are the bulk of a day's reminders (one per deadline and executor: 100,000 deadlines reaching a
stage on one day is the benchmark's worst case), so they are answered in SQL: the sweep inserts the rows
into its log straight from these SELECTs. Slow reviews are few and are answered as DueItems.
"""

import zoneinfo
from collections.abc import Collection, Iterator
from datetime import date, timedelta
from itertools import islice

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from openness_portal.notifications.recipients import coordinator_recipients
from openness_portal.notifications.registry import ROWS, DueItem, ReminderSelect, reminder_source
from openness_portal.notifications.sql import first_value, quote, string_agg, values_table
from openness_portal.workdays.calendar import get_calendar

from .models import Deadline, Department, Measure, MeasureExecutor, Official, ProgressEntry, Roadmap

CHUNK = 2000
# A submitted progress entry the coordinator has not reviewed within this many working days is reported.
REVIEW_WAIT_WORKING_DAYS = getattr(settings, "PROGRESS_REVIEW_WAIT_DAYS", 5)
LIVE_ROADMAPS = [Roadmap.Status.APPROVED, Roadmap.Status.ACTIVE]


def _admin_link(name: str):
    """A formatter for admin change links: reverse() once, not once per row."""
    marker = 987654321
    return reverse(name, args=[marker]).replace(str(marker), "{}").format


def _batched(iterable, size) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _title_head(number: str, title: str) -> str:
    """«3. Участие в обучающих мероприятиях…»: one line, 140 characters of title at most."""
    title = " ".join(title.split())
    if len(title) > 140:
        title = title[:139] + "…"
    return f"{number}. {title}" if number else title


def _table(model) -> str:
    return quote(model._meta.db_table)


def _split(template: str, placeholder: str) -> tuple[str, str]:
    """A translated «… %(names)s …» as the text before and after the placeholder, to concatenate in SQL."""
    before, _sep, after = template.partition(placeholder)
    return before, after


def _deadline_select(stages, municipality_ids, coordinators) -> ReminderSelect | None:
    """One SELECT for every deadline reminder of the day: rows go from the roadmap tables to the log.

    Executors are resolved as a person would: an official (its own e-mail, else its account's), else a
    department (its e-mail, else its head's among its officials). Free text has no address, so the
    coordinators are told instead. Overdue deadlines also go to the coordinators (kind «deadline_overdue»),
    grouped by the lead executor. Each deadline's shared text is built once for all its recipients.
    """
    from django.contrib.auth import get_user_model

    coordinator_rows = [
        (mid, c.key[:200], c.name[:300], c.email)
        for mid in municipality_ids
        for c in coordinators.get(mid, ())
    ]
    stage_cte, params = values_table(
        "reminder_stage",
        {"due_date": "date", "stage": "text", "until": "text", "overdue": "int"},
        [
            (due, stage, f" — до {due:%d.%m.%Y}", int(stage.startswith("overdue")))
            for due, stage in sorted(stages.items())
        ],
    )
    ctes = [stage_cte]
    if coordinator_rows:
        coordinator_cte, coordinator_params = values_table(
            "coordinator",
            {"municipality_id": "int", "recipient_key": "text", "recipient_name": "text", "email": "text"},
            coordinator_rows,
        )
        ctes.append(coordinator_cte)
        params += coordinator_params
    link_before, link_after = _admin_link("admin:roadmaps_deadline_change")("\x00").split("\x00")
    responsible_before, responsible_after = _split(_("Ответственные: %(names)s"), "%(names)s")
    not_found = _("Исполнитель не найден в справочнике — напоминание координатору.")
    ids = list(municipality_ids)
    names = {
        "deadline": _table(Deadline),
        "measure": _table(Measure),
        "roadmap": _table(Roadmap),
        "executor": _table(MeasureExecutor),
        "official": _table(Official),
        "department": _table(Department),
        "user": _table(get_user_model()),
        "in_ids": ", ".join(["%s"] * len(ids)),
        "names": string_agg("name", "position, executor_id"),
        "lead": first_value("name", ("position", "executor_id"), "lead"),
    }
    # CROSS JOIN makes SQLite walk the few stage dates and look each up in the due-date index (PostgreSQL
    # plans it as any join). Line breaks of imported titles become spaces, as in `_title_head`.
    ctes.append(
        """due AS (
        SELECT dl.id AS deadline_id, dl.due_date, dl.part_label, dl.measure_id, m.number,
               TRIM(REPLACE(REPLACE(REPLACE(m.title, %s, ' '), %s, ' '), %s, ' ')) AS clean_title,
               r.municipality_id, s.stage, s.until, s.overdue
        FROM reminder_stage s
        CROSS JOIN {deadline} dl
        JOIN {measure} m ON m.id = dl.measure_id
        JOIN {roadmap} r ON r.id = m.roadmap_id
        WHERE dl.due_date = s.due_date
          AND dl.completed_on IS NULL AND dl.not_applicable = %s
          AND r.status IN (%s, %s) AND r.municipality_id IN ({in_ids})
    )""".format(**names)
    )
    params += ["\r\n", "\n", "\r", False, *LIVE_ROADMAPS, *ids]
    ctes.append(
        """executor AS (
        SELECT e.measure_id, e."order" AS position, e.id AS executor_id,
               CASE WHEN e.official_id IS NOT NULL THEN 'official:' || e.official_id
                    WHEN e.department_id IS NOT NULL THEN 'department:' || e.department_id END AS recipient_key,
               CASE WHEN e.official_id IS NOT NULL THEN
                        CASE WHEN o.name <> '' AND o.post <> '' THEN o.name || ', ' || o.post
                             WHEN o.name <> '' THEN o.name ELSE o.post END
                    WHEN e.department_id IS NOT NULL THEN COALESCE(NULLIF(dp.short_name, ''), dp.name)
                    ELSE e.text END AS name,
               CASE WHEN e.official_id IS NOT NULL THEN COALESCE(NULLIF(o.email, ''), u.email, '')
                    WHEN e.department_id IS NOT NULL THEN COALESCE(NULLIF(dp.email, ''), (
                        SELECT COALESCE(NULLIF(h.email, ''), hu.email)
                        FROM {official} h LEFT JOIN {user} hu ON hu.id = h.user_id
                        WHERE h.department_id = dp.id AND dp.head_name <> '' AND h.name = dp.head_name
                          AND COALESCE(NULLIF(h.email, ''), hu.email, '') <> ''
                        ORDER BY h.post, h.id LIMIT 1
                    ), '') END AS email
        FROM {executor} e
        LEFT JOIN {official} o ON o.id = e.official_id
        LEFT JOIN {user} u ON u.id = o.user_id
        LEFT JOIN {department} dp ON dp.id = e.department_id
        WHERE e.measure_id IN (SELECT measure_id FROM due)
    )""".format(**names)
    )
    ctes.append(
        """team AS (
        SELECT measure_id, {names} AS names, {lead}, COUNT(*) AS executors,
               COUNT(*) - COUNT(recipient_key) AS unmatched
        FROM (SELECT * FROM executor ORDER BY measure_id, position, executor_id) ordered
        GROUP BY measure_id
    )""".format(**names)
    )
    params.append("; ")
    ctes.append(
        """item AS (
        SELECT due.deadline_id, due.measure_id, due.municipality_id, due.due_date, due.stage, due.overdue,
               SUBSTR(
                   CASE WHEN due.number <> '' THEN due.number || '. ' ELSE '' END
                   || CASE WHEN LENGTH(due.clean_title) > 140 THEN SUBSTR(due.clean_title, 1, 139) || '…'
                           ELSE due.clean_title END
                   || CASE WHEN due.part_label <> '' THEN ' (' || due.part_label || ')' ELSE '' END
                   || due.until, 1, 500) AS title,
               %s || due.deadline_id || %s AS link,
               t.names, COALESCE(t.executors, 0) AS executors, t.lead,
               CASE WHEN t.measure_id IS NULL OR t.unmatched > 0 THEN 1 ELSE 0 END AS unmatched
        FROM due LEFT JOIN team t ON t.measure_id = due.measure_id
    )"""
    )
    params += [link_before, link_after]
    common = """%s AS kind, 'deadline:' || i.deadline_id AS subject_key, i.stage, i.municipality_id,
        i.due_date, i.title, i.link"""
    team_line = "%s || i.names || %s"
    details = f"""SUBSTR(CASE WHEN i.names IS NULL THEN %s
        ELSE {team_line} || CASE WHEN i.unmatched = 1 THEN %s ELSE '' END END, 1, 500) AS details"""
    details_params = [not_found, responsible_before, responsible_after, ". " + not_found]
    parts = [
        f"""SELECT {common}, x.recipient_key, SUBSTR(x.name, 1, 300) AS recipient_name, x.email,
               {details}, '' AS "group"
        FROM item i CROSS JOIN executor x
        WHERE x.measure_id = i.measure_id AND x.recipient_key IS NOT NULL"""
    ]
    params += ["deadline", *details_params]
    if coordinator_rows:
        # Free-text executors (or none at all) have no address: the coordinators pass the reminder on.
        parts.append(
            f"""SELECT {common}, c.recipient_key, c.recipient_name, c.email, {details}, '' AS "group"
            FROM item i CROSS JOIN coordinator c
            WHERE c.municipality_id = i.municipality_id AND i.unmatched = 1"""
        )
        params += ["deadline", *details_params]
        parts.append(
            f"""SELECT {common}, c.recipient_key, c.recipient_name, c.email,
                   SUBSTR(CASE WHEN i.executors > 1 THEN {team_line} ELSE '' END, 1, 500) AS details,
                   SUBSTR(COALESCE(i.lead, %s), 1, 300) AS "group"
            FROM item i CROSS JOIN coordinator c
            WHERE c.municipality_id = i.municipality_id AND i.overdue = 1"""
        )
        params += ["deadline_overdue", responsible_before, responsible_after, _("исполнитель не указан")]
    return ReminderSelect("WITH " + ",\n".join(ctes) + "\n" + "\nUNION ALL\n".join(parts), tuple(params))


@reminder_source("deadline", form=ROWS)
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
    for chunk in _batched(rows.iterator(chunk_size=CHUNK), CHUNK):
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

"""The daily reminder sweep: claim each (duty, stage, recipient, day) once, then one digest per recipient.

Like healthchecks' `sendalerts`, a row is «claimed» by a write that only one worker can win: here the
unique constraint of the Reminder log. Candidates are inserted RETURNING what was really inserted —
straight from the sources' SELECTs for the bulk of them (deadlines, keys only), from DueItems for the few
others — so a re-run, a retried task or a second worker sweeping at the same time gets back nothing another
run holds, and sends nothing twice.

Municipalities are swept in groups (settings.REMINDER_MUNICIPALITIES_PER_TRANSACTION), one transaction
each: claims, the coordinators' notes, the digests and the text of what they list commit together, so a
failing group is rolled back and reported while the others are sent, and the next hourly run claims only
what is missing. Each digest counts its rows and lists the MAX_DIGEST_ITEMS nearest their due date; those
get their text from their source's describe(), are rendered from the digest templates, and keep that text
in the log. Mail goes out after each group's commit, through the retrying delivery task.
"""

import heapq
import logging
import time
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple
from urllib.parse import quote

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.template.backends.jinja2 import Jinja2
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from jinja2 import select_autoescape

from .models import Notification, Reminder
from .recipients import coordinator_recipients
from .registry import (
    ROW_COLUMNS,
    ROWS,
    DueItem,
    Recipient,
    ReminderSelect,
    reminder_sources,
    row_sources,
    source_form,
    stage_set,
)
from .sql import batched, values_table
from .stages import normalise_offsets, stage_code, stage_dates, stage_label

logger = logging.getLogger(__name__)

CHUNK = 2000  # DueItem rows per INSERT: memory stays flat
DIGEST_FLUSH = 200  # digests rendered and inserted together
MAX_DIGEST_ITEMS = 100  # a digest lists at most this many; the rest is one link to the reminder log
MUNICIPALITIES_PER_TRANSACTION = 50  # default of settings.REMINDER_MUNICIPALITIES_PER_TRANSACTION


class Row(NamedTuple):
    """One reminder as the log stores it (the columns of Reminder the sweep writes)."""

    kind: str
    subject_key: str
    stage: str
    recipient_key: str
    day: date
    municipality_id: int | None
    recipient_name: str
    email: str
    due_date: date
    title: str
    link: str
    details: str
    group: str


FIELDS = Row._fields


@dataclass
class GroupRun:
    """One group of municipalities swept in its own transaction."""

    municipality_ids: list[int]
    seconds: float = 0.0
    new_reminders: int = 0
    failed: bool = False


@dataclass
class SweepResult:
    run: str
    dry_run: bool
    days: dict[int, date] = field(default_factory=dict)  # municipality id → the local day swept
    new_reminders: int = 0
    digests: list[dict] = field(default_factory=list)  # kept only for dry runs and small runs
    notification_ids: list[int] = field(default_factory=list)
    digest_count: int = 0
    missing_addresses: int = 0
    failed_sources: list[str] = field(default_factory=list)
    groups: list[GroupRun] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per phase: claims, missing addresses, digests

    @property
    def failed_groups(self) -> list[list[int]]:
        """Municipality ids of the groups rolled back: the next run claims their reminders again."""
        return [g.municipality_ids for g in self.groups if g.failed]

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "days": sorted({d.isoformat() for d in self.days.values()}),
            "municipalities": len(self.days),
            "new_reminders": self.new_reminders,
            "digest_count": self.digest_count,
            "missing_addresses": self.missing_addresses,
            "failed_sources": self.failed_sources,
            "failed_groups": self.failed_groups,
            "transactions": len(self.groups),
            "longest_transaction_seconds": round(max((g.seconds for g in self.groups), default=0.0), 3),
            "seconds": {phase: round(value, 3) for phase, value in self.seconds.items()},
            "digests": self.digests,
        }


def _municipalities(municipality_ids, as_of, local_hours, now) -> list[dict]:
    # The log's foreign key names the municipality model: the sweep needs no import of the app above it.
    municipality_model = Reminder._meta.get_field("municipality").related_model
    qs = municipality_model.objects.all()
    if municipality_ids is not None:
        qs = qs.filter(pk__in=list(municipality_ids))
    rows = []
    for m in qs.values("id", "name", "time_zone", "reminder_offsets").order_by("id"):
        local_now = now.astimezone(zoneinfo.ZoneInfo(m["time_zone"]))
        if local_hours is not None and not (local_hours[0] <= local_now.hour < local_hours[1]):
            continue
        m["today"] = as_of or local_now.date()
        m["offsets"] = normalise_offsets(m["reminder_offsets"])
        rows.append(m)
    return rows


MUNICIPALITIES_PER_STATEMENT = 25  # a ROWS source's statement covers this many: what it returns stays bounded


def _claims(municipalities, coordinators) -> Iterator[tuple[str, date, object]]:
    """(kind, day, what to claim) per set of municipalities sharing stage dates, and per source.

    Municipalities sharing a local day and reminder offsets share the stage dates, so each source is asked
    once per set (a ROWS source once per MUNICIPALITIES_PER_STATEMENT of it), not once per municipality.
    """
    same_dates: dict[tuple[date, tuple[int, ...]], list[int]] = defaultdict(list)
    for m in municipalities:
        same_dates[(m["today"], m["offsets"])].append(m["id"])
    sources = reminder_sources()
    for (today, offsets), ids in sorted(same_dates.items()):
        stages_by_set: dict[str, dict[date, str]] = {}
        for kind, source in sorted(sources.items()):
            stages = stage_set(kind)
            if stages not in stages_by_set:
                stages_by_set[stages] = {
                    due: f"{code}:{due.isoformat()}"
                    for due, code in stage_dates(today, offsets, stages).items()
                }
            if not stages_by_set[stages]:
                continue
            if source_form(kind) == ROWS:
                for part in batched(ids, MUNICIPALITIES_PER_STATEMENT):
                    statements = source(
                        stages=stages_by_set[stages],
                        municipality_ids=part,
                        coordinators={mid: coordinators.get(mid, []) for mid in part},
                    )
                    yield kind, today, statements
            else:
                yield kind, today, _source_rows(source, stages_by_set[stages], today, ids, coordinators)


def _source_rows(source, stages, today, ids, coordinators) -> Iterator[Row]:
    allowed = set(ids)
    for item in source(dates=frozenset(stages), municipality_ids=ids):
        stage = stages.get(item.due_date)
        if stage is None:
            continue  # a source that answers more than it was asked is not trusted blindly
        if item.municipality_id not in allowed:
            continue
        yield from _rows_for(item, stage, today, coordinators)


def _rows_for(item: DueItem, stage: str, today: date, coordinators) -> Iterator[Row]:
    """Candidate rows of a DueItem, one per recipient; nobody to tell is itself news for the coordinators."""
    recipients = item.recipients or coordinators.get(item.municipality_id, ())
    for r in dict.fromkeys(recipients):
        yield Row(
            kind=item.kind,
            subject_key=item.subject_key[:200],
            stage=stage,
            recipient_key=r.key[:200],
            day=today,
            municipality_id=item.municipality_id,
            recipient_name=r.name[:300],
            email=r.email,
            due_date=item.due_date,
            title=item.title[:500],
            link=item.link[:500],
            details=item.details[:500],
            group=item.group[:300],
        )


def _table() -> str:
    return connection.ops.quote_name(Reminder._meta.db_table)


def _column(name: str) -> str:
    return connection.ops.quote_name(Reminder._meta.get_field(name).column)


def _returning() -> str:
    return "RETURNING " + ", ".join(_column(f) for f in FIELDS)


def _as_date(value) -> date:
    """SQLite returns dates as ISO text."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _fetch_claimed(cursor) -> list[Row]:
    return [
        Row(*r)._replace(day=_as_date(r[FIELDS.index("day")]), due_date=_as_date(r[FIELDS.index("due_date")]))
        for r in cursor.fetchall()
    ]


_KEY_COLUMNS = ("kind", "subject_key", "stage", "recipient_key", "municipality_id")


def _insert_selected(statement: ReminderSelect, day: date, run: str, now) -> list[tuple]:
    """INSERT INTO reminder SELECT …: a source's keys go table to table, and RETURNING gives back exactly
    what this run claimed.

    Rows the log already holds for the day are left out by NOT EXISTS, so the INSERT is a plain one: ON
    CONFLICT's speculative insertion writes twice the WAL per row (PostgreSQL, 200,000 rows: 1.06 s against
    0.60 s). Only a sweep running at the same moment can still insert a row between the two; the unique
    index then refuses this statement, and it runs again with ON CONFLICT DO NOTHING, so the constraint
    still decides who wins. A key a source gives twice (a coordinator who is also the executor of an
    overdue deadline) is one row: grouped, the first kind in name order kept.
    """
    text_columns = ("recipient_name", "email", "title", "link", "details", "group")
    columns = ", ".join(_column(c) for c in (*ROW_COLUMNS, "day", "run", "created_at", *text_columns))
    postgres = connection.vendor == "postgresql"
    day_placeholder = "CAST(%s AS date)" if postgres else "%s"
    moment = "CAST(%s AS timestamp with time zone)" if postgres else "%s"
    returning = ", ".join(_column(c) for c in _KEY_COLUMNS)
    # Sorted as the unique index is (the day is the same for all rows), so its pages fill in order, not at
    # random (a fifth faster on PostgreSQL). The log's keys compare bytes there (migration 0005); SQLite's
    # default comparison already does.
    bytewise = ' COLLATE "C"' if postgres else ""
    keys = ("recipient_key", "subject_key", "stage")
    logged = " AND ".join(f"x.{_column(c)} = c.{c}" for c in keys)
    order = ", ".join(f"c.{c}{bytewise}" for c in keys)
    head = f"WITH claim({', '.join(ROW_COLUMNS)}) AS ({statement.sql}) INSERT INTO {_table()} ({columns}) "
    constants = f"{day_placeholder}, %s, {moment}, '', '', '', '', '', ''"
    if postgres:
        sql = (
            f"{head}SELECT MIN(c.kind), c.subject_key, c.stage, c.recipient_key, MIN(c.municipality_id), "
            f"MIN(c.due_date), {constants} FROM claim c WHERE NOT EXISTS (SELECT 1 FROM {_table()} x "
            f"WHERE x.{_column('day')} = {day_placeholder} AND {logged}) "
            f"GROUP BY c.recipient_key, c.subject_key, c.stage ORDER BY {order}"
        )
    else:
        # SQLite serialises writers and checks a conflict as cheaply as NOT EXISTS would: it claims ignoring
        # conflicts straight away, in order, so of a key given twice the first kind is the one inserted
        # (grouping cost a fifth more). «WHERE 1 = 1» keeps it from reading ON CONFLICT as a join's ON.
        sql = f"{head}SELECT c.*, {constants} FROM claim c WHERE 1 = 1 ORDER BY {order}, c.kind"
    iso_day = connection.ops.adapt_datefield_value(day)
    params = (*statement.params, iso_day, run, now, *([iso_day] if postgres else []))
    ignoring_conflicts = f"{sql} ON CONFLICT DO NOTHING RETURNING {returning}"
    with connection.cursor() as cursor:
        if postgres:
            try:
                with transaction.atomic():
                    cursor.execute(f"{sql} RETURNING {returning}", params)
                    return cursor.fetchall()
            except IntegrityError:
                logger.info("reminder claims met a concurrent sweep: claiming again, ignoring conflicts")
        cursor.execute(ignoring_conflicts, params)
        return cursor.fetchall()


def _claim(chunk: list[Row], run: str, now) -> list[Row]:
    """INSERT … VALUES … ON CONFLICT DO NOTHING RETURNING: the unique constraint decides who wins.

    Raw SQL because bulk_create cannot return only the rows it really inserted while ignoring conflicts.
    """
    ops = connection.ops
    columns = [Reminder._meta.get_field(f).column for f in FIELDS] + ["run", "created_at"]
    placeholder = f"({', '.join(['%s'] * len(columns))})"
    names = ", ".join(ops.quote_name(c) for c in columns)
    per_statement = len(chunk)
    if connection.features.max_query_params:
        per_statement = max(1, connection.features.max_query_params // len(columns))
    claimed = []
    with connection.cursor() as cursor:
        for part in batched(chunk, per_statement):
            params = []
            for r in part:
                iso_dates = {
                    "day": ops.adapt_datefield_value(r.day),
                    "due_date": ops.adapt_datefield_value(r.due_date),
                }
                params += [*r._replace(**iso_dates), run, now]
            values = ", ".join([placeholder] * len(part))
            cursor.execute(
                f"INSERT INTO {_table()} ({names}) VALUES {values} ON CONFLICT DO NOTHING {_returning()}",
                params,
            )
            claimed.extend(_fetch_claimed(cursor))
    return claimed


class People:
    """Names and addresses of recipients: stored on a DueItem row, else a coordinator, else the directory of
    the ROWS source that wrote the row."""

    def __init__(self, coordinators: dict[int, list[Recipient]], row_sources: dict, municipality_ids):
        self.coordinators = {c.key: c for people in coordinators.values() for c in people}
        self.directories: dict[str, dict[str, Recipient]] = {}
        loaded: dict[int, dict[str, Recipient]] = {}
        for kind, source in row_sources.items():
            if id(source) not in loaded:
                loaded[id(source)] = source.directory(municipality_ids)
            self.directories[kind] = loaded[id(source)]

    def of(self, row: Row) -> tuple[str, str]:
        if row.recipient_name:
            return row.recipient_name, row.email
        return self.of_key(row.kind, row.recipient_key)

    def of_key(self, kind: str, key: str) -> tuple[str, str]:
        person = self.coordinators.get(key) or self.directories.get(kind, {}).get(key)
        if person is None:
            return key, ""
        return person.name[:300], person.email


class _Listed(NamedTuple):
    """A row kept for a digest's list, ordered so that the heap's top is the one to drop first: the
    farthest from its due date, and of equals the latest to arrive."""

    nearness: int  # minus the days between the due date and the day swept
    arrival: int  # minus the row's position among its recipient's rows
    row: Row | None


class _Claimed:
    """What a run claimed, per (recipient, day): the count, and the MAX_DIGEST_ITEMS most pressing rows to
    list — those nearest their due date (today's, tomorrow's, yesterday's before a fortnight ahead or weeks
    overdue); the digest links to the log for the rest.

    Recipients without an address are noted (key → name): their rows become notes to the coordinators.
    """

    def __init__(self, people: People):
        self.people = people
        self.counts: dict[tuple[str, date], int] = {}
        self.kept: dict[tuple[str, date], list[_Listed]] = {}
        self.unreachable: dict[str, str] = {}  # recipient key → name, for those without an address
        self.days: set[date] = set()
        self.checked: set[tuple[str, str]] = set()  # (recipient key, kind) whose address was looked up

    def listed(self, key: tuple[str, date]) -> list[Row]:
        return [entry.row for entry in self.kept.get(key, ())]

    def add_keys(self, keys: Iterable[tuple], day: date) -> None:
        """Claimed keys of a ROWS source (kind, subject, stage, recipient key, municipality) for `day`; a
        Row is made only for those a digest may list (a worst day claims 200,000 and lists 55,000)."""
        due_of_stage: dict[str, date] = {}  # a day has a few dozen stage strings
        for kind, subject_key, stage, recipient_key, municipality_id in keys:
            due = due_of_stage.get(stage)
            if due is None:
                due = due_of_stage[stage] = date.fromisoformat(stage.rpartition(":")[2])
            entry = self._entry_to_keep(recipient_key, day, due)
            if entry is not None:
                row = Row(
                    kind, subject_key, stage, recipient_key, day, municipality_id, "", "", due, "", "", "", ""
                )
                self._keep(entry._replace(row=row))
            if (recipient_key, kind) not in self.checked:
                self.checked.add((recipient_key, kind))
                self._note_if_unreachable(
                    Row(
                        kind,
                        subject_key,
                        stage,
                        recipient_key,
                        day,
                        municipality_id,
                        "",
                        "",
                        due,
                        "",
                        "",
                        "",
                        "",
                    )
                )

    def add(self, rows: Iterable[Row], *, notes: bool = True) -> None:
        for row in rows:
            entry = self._entry_to_keep(row.recipient_key, row.day, row.due_date)
            if entry is not None:
                self._keep(entry._replace(row=row))
            if notes:
                self._note_if_unreachable(row)

    def _entry_to_keep(self, recipient_key: str, day: date, due: date) -> "_Listed | None":
        """Count a claimed row; the heap entry for it if its digest is to list it (so far), else None."""
        key = (recipient_key, day)
        self.days.add(day)
        n = self.counts.get(key, 0)
        self.counts[key] = n + 1
        nearness = -abs(due.toordinal() - day.toordinal())
        if n < MAX_DIGEST_ITEMS or nearness > self.kept[key][0].nearness:
            return _Listed(nearness, -n, None)
        return None

    def _keep(self, entry: "_Listed") -> None:
        heap = self.kept.setdefault((entry.row.recipient_key, entry.row.day), [])
        if len(heap) < MAX_DIGEST_ITEMS:
            heapq.heappush(heap, entry)
        else:
            heapq.heapreplace(heap, entry)

    def _note_if_unreachable(self, row: Row) -> None:
        name, email = self.people.of(row)
        if not email:
            self.unreachable[row.recipient_key] = name


def _claim_notes(claimed: "_Claimed", coordinators, run: str, now) -> list[Row]:
    """One row per (duty, stage, person without e-mail, coordinator), so nobody is silently skipped: made
    in one statement from this run's rows of those people (the log's index starts with day and recipient).
    """
    people_rows = [(key[:200], name[:300]) for key, name in sorted(claimed.unreachable.items())]
    coordinator_rows = [
        (mid, c.key[:200], c.name[:300], c.email) for mid, people in coordinators.items() for c in people
    ]
    if not people_rows or not coordinator_rows:
        return []
    unreachable_cte, params = values_table(
        "unreachable", {"recipient_key": "text", "recipient_name": "text"}, people_rows
    )
    coordinator_cte, coordinator_params = values_table(
        "coordinator",
        {"municipality_id": "int", "recipient_key": "text", "recipient_name": "text", "email": "text"},
        coordinator_rows,
    )
    params += coordinator_params
    template = _("Не отправлено: у получателя «%(name)s» нет e-mail. Сообщите сами и внесите адрес.")
    before, _sep, after = template.partition("%(name)s")
    key, stage, day = _column("recipient_key"), _column("stage"), _column("day")
    copied = ("kind", "subject_key", "day", "municipality", "due_date", "title", "link", "group")
    columns = [_column(c) for c in copied]
    columns += [_column(c) for c in ("stage", "recipient_key", "recipient_name", "email", "details")]
    columns += [_column("run"), _column("created_at")]
    days = sorted(claimed.days)
    moment = "%s" if connection.vendor == "sqlite" else "CAST(%s AS timestamp with time zone)"
    sql = (
        f"WITH {unreachable_cte}, {coordinator_cte} "
        f"INSERT INTO {_table()} ({', '.join(columns)}) "
        f"SELECT {', '.join(f'r.{_column(c)}' for c in copied)}, "
        f"SUBSTR('noaddr:' || r.{key} || ':' || r.{stage}, 1, 200), c.recipient_key, c.recipient_name, "
        f"c.email, SUBSTR(%s || u.recipient_name || %s, 1, 500), %s, {moment} "
        f"FROM unreachable u JOIN {_table()} r ON r.{key} = u.recipient_key "
        f"JOIN coordinator c ON c.municipality_id = r.{_column('municipality')} "
        f"WHERE r.{day} IN ({', '.join(['%s'] * len(days))}) AND r.{_column('run')} = %s "
        f"AND r.{stage} NOT LIKE %s AND c.recipient_key <> r.{key} "
        f"ON CONFLICT DO NOTHING {_returning()}"
    )
    params += [before, after, run, now, *(connection.ops.adapt_datefield_value(d) for d in days), run]
    params.append("noaddr:%")
    with connection.cursor() as cursor:
        # No planner hint: with one group's rows per transaction, the nested loop on the claim index (day,
        # recipient) reads only the unreachable recipients' rows; the hash join that `enable_nestloop = off`
        # forced read the whole day's log, every earlier group's too (measured: 90 → 173 ms per municipality
        # from the first to the last of 40 groups, PostgreSQL, 2,000 × 300).
        cursor.execute(sql, params)
        claimed = _fetch_claimed(cursor)
        return claimed


def describe_rows(listed_rows: list[Row], row_sources: dict, people: People) -> list[Row]:
    """Fill in the text of ROWS sources' rows (stored blank) from their describe(), one call per source.

    Text already on a row (a coordinator's note about a missing address) is kept.
    """
    wanted: dict[int, tuple] = {}
    for row in listed_rows:
        source = row_sources.get(row.kind)
        if source is not None and not row.title:
            entry = wanted.setdefault(id(source), (source, set()))
            entry[1].add((row.kind, row.subject_key))
    if not wanted:
        return listed_rows
    described = {}
    for source, keys in wanted.values():
        described.update(source.describe(keys, people.directories[next(iter(keys))[0]]))
    out = []
    for row in listed_rows:
        d = described.get((row.kind, row.subject_key)) if not row.title else None
        if d is not None:
            row = row._replace(
                title=d.title[:500],
                link=row.link or d.link[:500],
                details=row.details or d.details[:500],
                group=row.group or d.group[:300],
            )
        out.append(row)
    return out


def _display_order(row: Row):
    return (row.group, row.due_date, row.title, row.stage)


def _digest(rows: list[Row], names: dict[int, str], count: int, people: People) -> dict:
    """The digest of one recipient's day: `rows` are the listed ones, `count` all of them."""
    first = rows[0]
    recipient, email = people.of(first)
    subject = ngettext(
        "Напоминание о сроках на %(day)s: %(n)d пункт",
        "Напоминание о сроках на %(day)s: %(n)d пунктов",
        count,
    ) % {"day": f"{first.day:%d.%m.%Y}", "n": count}
    labels: dict[str, str] = {}  # the same few stage labels recur in every digest
    items = []
    for row in sorted(rows, key=_display_order):
        code = stage_code(row.stage)
        if code not in labels:
            labels[code] = stage_label(code)
        items.append(
            {
                "kind": row.kind,
                "subject_key": row.subject_key,
                "stage": code,
                "stage_label": labels[code],
                "due_date": row.due_date.isoformat(),
                "title": row.title,
                "details": row.details,
                "group": row.group,
                "link": row.link,
            }
        )
    return {
        "recipient": recipient,
        "recipient_key": first.recipient_key,
        "email": email,
        "municipality": names.get(first.municipality_id, ""),
        "municipality_id": first.municipality_id,
        "day": first.day.isoformat(),
        "subject": subject,
        "item_count": count,
        "items": items,
    }


# The digest templates are Jinja2, through Django's Jinja2 backend: a worst day renders 550 digests of 100
# items, and the Django template language took 12.3 ms a digest (6.8 s of the day) where Jinja2 takes 4 ms
# (measured on the loaded 2-core machine, 06.12.2026). Their words are translated here, in Python, so
# makemessages finds them.
_DIGEST_TEMPLATES = Jinja2(
    {
        "NAME": "notifications-digests",
        "DIRS": [Path(__file__).resolve().parent / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"autoescape": select_autoescape(["html"])},
    }
)


def render_digest(digest: dict) -> tuple[str, str]:
    """Plain text and HTML of a digest, from notifications/email/digest.txt and .html."""
    shown = digest["items"][:MAX_DIGEST_ITEMS]
    sections: list[dict] = []
    for item in shown:
        if not sections or sections[-1]["name"] != item["group"]:
            sections.append({"name": item["group"], "entries": []})
        sections[-1]["entries"].append(item)
    log_link = reverse("admin:notifications_reminder_changelist") + (
        f"?recipient_key={quote(digest['recipient_key'])}&day={digest['day']}"
    )
    hidden = digest["item_count"] - len(shown)
    heading = _("Сроки, о которых нужно помнить")
    if digest["municipality"]:
        heading = f"{heading} ({digest['municipality']})"
    context = {
        "greeting": _("Здравствуйте, %(name)s!") % {"name": digest["recipient"]},
        "heading": heading + ":",
        "sections": sections,
        "more": ngettext("…и еще %(counter)s пункт", "…и еще %(counter)s пунктов", hidden)
        % {"counter": hidden}
        if hidden
        else "",
        "log_url": settings.PORTAL_URL + log_link,
        "footer": _(
            "Все напоминания и уведомления видны в разделе «Напоминания и уведомления» панели управления."
        ),
        "PORTAL_URL": settings.PORTAL_URL,
        "PORTAL_NAME": settings.PORTAL_NAME,
    }
    text = _DIGEST_TEMPLATES.get_template("notifications/email/digest.txt").render(context)
    html = _DIGEST_TEMPLATES.get_template("notifications/email/digest.html").render(context)
    return text, html


def _store_digests(digests: list[dict], run: str) -> list[tuple[int, str]]:
    """Insert digest notifications keyed digest:<recipient>:<day>; (id, email) of the ones this run made.

    A key already taken (an earlier run today reached the same recipient) gets this run's suffix: the
    rows in this digest were claimed by this run alone, so they are news, not a repeat.
    """
    objects = []
    for digest in digests:
        text, html = render_digest(digest)
        objects.append(
            Notification(
                key=f"digest:{digest['recipient_key']}:{digest['day']}"[:255],
                kind="digest",
                municipality_id=digest["municipality_id"],
                recipient=digest["recipient"][:300],
                email=digest["email"],
                subject=digest["subject"][:300],
                body=text,
                html_body=html,
                link=reverse("admin:notifications_notification_changelist"),
                status=Notification.Status.PENDING if digest["email"] else Notification.Status.NO_ADDRESS,
                batch=run,
            )
        )
    Notification.objects.bulk_create(objects, ignore_conflicts=True)
    ours = dict(
        Notification.objects.filter(batch=run, key__in=[o.key for o in objects]).values_list("key", "id")
    )
    retry = [o for o in objects if o.key not in ours]
    if retry:
        for o in retry:
            o.key = f"{o.key[:220]}:{run[:12]}"
        Notification.objects.bulk_create(retry, ignore_conflicts=True)
        ours.update(
            Notification.objects.filter(batch=run, key__in=[o.key for o in retry]).values_list("key", "id")
        )
    return [(ours[o.key], o.email) for o in objects if o.key in ours]


def _keep_text_as_sent(rows: list[Row]) -> None:
    """Write into the log the text a digest listed for rows claimed as keys (title, link, details, group,
    recipient): the log then shows what the mail said, whatever is renamed later.

    Only listed rows: the rest of a long digest is behind the link to the log, and describing every one of
    a worst day's 200,000 rows would double the sweep.
    """
    if not rows:
        return
    text = ("title", "link", "details", "group", "recipient_name", "email")
    keys = ("day", "recipient_key", "subject_key", "stage")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement per batch of digests: the listed rows as arrays, matched on the claim index.
            names = ", ".join(f"{_column(c)} = v.{_column(c)}" for c in text)
            matched = " AND ".join(f'r.{_column(c)} = v.{_column(c)} COLLATE "C"' for c in keys[1:])
            columns = (*text, *keys)
            casts = ", ".join("%s::date[]" if c == "day" else "%s::text[]" for c in columns)
            cursor.execute(
                f"UPDATE {_table()} r SET {names} FROM unnest({casts}) AS v({', '.join(map(_column, columns))}) "
                f"WHERE r.{_column('day')} = v.{_column('day')} AND {matched}",
                [list(values) for values in zip(*(_text_update(row, row.day) for row in rows), strict=True)],
            )
        else:
            names = ", ".join(f"{_column(c)} = %s" for c in text)
            matched = " AND ".join(f"{_column(c)} = %s" for c in keys)
            ops = connection.ops
            cursor.executemany(
                f"UPDATE {_table()} SET {names} WHERE {matched}",
                [_text_update(row, ops.adapt_datefield_value(row.day)) for row in rows],
            )


def _text_update(row: Row, day) -> tuple:
    """The text then the keys of a listed row, in the order _keep_text_as_sent names their columns."""
    return (
        row.title,
        row.link,
        row.details,
        row.group,
        row.recipient_name,
        row.email,
        day,
        row.recipient_key,
        row.subject_key,
        row.stage,
    )


def _postgresql_transaction_settings() -> None:
    """For the group's transaction only: the reminder statements look expensive to the planner, and
    JIT-compiling them took longer than running them; they sort 200,000 keys in memory; and a worst day's
    550 digests are 28 MB of text, which lz4 compresses in half pglz's time (where the server has it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true), "
            "(SELECT set_config(name, 'lz4', true) FROM pg_settings "
            "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals))"
        )


def run_sweep(
    *,
    as_of: date | None = None,
    municipality_ids: Collection[int] | None = None,
    dry_run: bool = False,
    deliver: bool = True,
    local_hours: tuple[int, int] | None = None,
    keep_digests: int = 1000,
) -> SweepResult:
    """Remind everyone whose duties reach a stage on each municipality's local today (or `as_of`).

    `local_hours` (from, to) limits the sweep to municipalities whose local time is within them. A dry run
    claims and builds everything exactly as a real one, then rolls it all back and sends nothing. Each
    group of municipalities commits on its own; a group that fails is rolled back, logged and listed in
    `failed_groups`, and the others are still sent.
    """
    run = uuid.uuid4().hex
    result = SweepResult(run=run, dry_run=dry_run)
    municipalities = _municipalities(municipality_ids, as_of, local_hours, timezone.now())
    if not municipalities:
        return result
    result.days = {m["id"]: m["today"] for m in municipalities}
    names = {m["id"]: m["name"] for m in municipalities}
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    per_transaction = getattr(
        settings, "REMINDER_MUNICIPALITIES_PER_TRANSACTION", MUNICIPALITIES_PER_TRANSACTION
    )
    sources_by_kind = row_sources()
    for group in batched(municipalities, per_transaction):
        group_run = GroupRun(municipality_ids=[m["id"] for m in group])
        part = SweepResult(run=run, dry_run=dry_run)
        keep = None if dry_run else max(0, keep_digests - len(result.digests))
        started = time.perf_counter()
        try:
            with transaction.atomic():
                _sweep_group(part, group, names, now, sources_by_kind, keep, deliver)
                if dry_run:
                    transaction.set_rollback(True)
        except Exception:
            logger.exception(
                "reminder sweep of municipalities %s failed: rolled back, the next run claims them again",
                group_run.municipality_ids,
            )
            group_run.failed = True
        else:
            group_run.new_reminders = part.new_reminders
            _absorb(result, part)
        group_run.seconds = time.perf_counter() - started
        result.groups.append(group_run)
    return result


def _absorb(result: SweepResult, part: SweepResult) -> None:
    """Add a committed group's figures to the run's."""
    result.new_reminders += part.new_reminders
    result.digest_count += part.digest_count
    result.missing_addresses += part.missing_addresses
    result.digests += part.digests
    result.notification_ids += part.notification_ids
    result.failed_sources += [kind for kind in part.failed_sources if kind not in result.failed_sources]
    for phase, seconds in part.seconds.items():
        result.seconds[phase] = result.seconds.get(phase, 0.0) + seconds


def _sweep_group(part: SweepResult, group, names, now, sources_by_kind, keep, deliver) -> None:
    """Claims, notes about missing addresses, digests and the listed text of one group of municipalities,
    in the caller's transaction."""
    ids = [m["id"] for m in group]
    coordinators = coordinator_recipients(ids)
    people = People(coordinators, sources_by_kind, ids)
    claimed = _Claimed(people)
    if connection.vendor == "postgresql":
        _postgresql_transaction_settings()

    started = time.perf_counter()
    for kind, day, claim in _claims(group, coordinators):
        # One broken source (a bug, a missing table) must not silence the others: its claims are rolled
        # back to the savepoint, so the next hourly sweep tries it again.
        try:
            with transaction.atomic():
                keys, rows = [], []
                if source_form(kind) == ROWS:
                    for statement in claim:
                        keys.append(_insert_selected(statement, day, part.run, now))
                else:
                    for chunk in batched(claim, CHUNK):
                        rows.extend(_claim(chunk, part.run, now))
        except Exception:
            logger.exception("reminder source %s failed", kind)
            part.failed_sources.append(kind)
        else:
            for claimed_keys in keys:
                claimed.add_keys(claimed_keys, day)
            claimed.add(rows)
    part.seconds["claims"] = time.perf_counter() - started

    started = time.perf_counter()
    claimed.add(_claim_notes(claimed, coordinators, part.run, now), notes=False)
    part.seconds["missing_addresses"] = time.perf_counter() - started

    started = time.perf_counter()
    for batch in batched(sorted(claimed.counts), DIGEST_FLUSH):
        as_claimed = [row for key in batch for row in claimed.listed(key)]
        listed = describe_rows(as_claimed, sources_by_kind, people)
        filled_in = []
        by_key: dict[tuple[str, date], list[Row]] = defaultdict(list)
        for before, row in zip(as_claimed, listed, strict=True):
            if not row.recipient_name:
                name, email = people.of(row)
                row = row._replace(recipient_name=name, email=email)
            if row != before:
                filled_in.append(row)
            by_key[(row.recipient_key, row.day)].append(row)
        pending = []
        for key in batch:
            count = claimed.counts[key]
            digest = _digest(by_key[key], names, count, people)
            part.new_reminders += count
            part.digest_count += 1
            part.missing_addresses += not digest["email"]
            if keep is None or len(part.digests) < keep:
                part.digests.append(digest)
            if not part.dry_run:
                pending.append(digest)
        if pending:
            _keep_text_as_sent(filled_in)
            part.notification_ids.extend(_queue(_store_digests(pending, part.run), deliver))
    part.seconds["digests"] = time.perf_counter() - started


def _queue(stored: list[tuple[int, str]], deliver: bool) -> list[int]:
    if deliver:
        from .tasks import deliver_notification

        for notification_id, email in stored:
            if email:
                transaction.on_commit(lambda pk=notification_id: deliver_notification.delay(pk))
    return [pk for pk, _email in stored]


def sweep_summary(result: SweepResult) -> dict:
    """What a task returns: small and JSON-safe."""
    data = result.as_dict()
    data.pop("digests")
    return data


__all__ = [
    "FIELDS",
    "People",
    "Recipient",
    "Row",
    "SweepResult",
    "describe_rows",
    "run_sweep",
    "sweep_summary",
]

"""The daily reminder sweep: claim each (duty, stage, recipient, day) once, then one digest per recipient.

Like healthchecks' `sendalerts`, a row is «claimed» by a write that only one worker can win: here the
unique constraint of the Reminder log. Candidates are inserted RETURNING what was really inserted —
straight from the sources' SELECTs for the bulk of them (deadlines, keys only; on PostgreSQL a plain INSERT
of what the log lacks, claimed again ignoring conflicts if a concurrent sweep got in first), from DueItems
for the few others (ignoring conflicts) — so a re-run, a retried task or a second worker sweeping at the
same time gets back nothing another run holds, and sends nothing twice. Each digest counts its rows and
lists the MAX_DIGEST_ITEMS nearest their due date; only those listed get their text, from their source's
describe(). Claims and digests are written in one transaction; mail goes out after the commit, through
the retrying delivery task.
"""

import gc
import heapq
import logging
import time
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from html import escape  # the same as django.utils.html.escape, without marking 55,000 strings safe
from operator import itemgetter
from urllib.parse import quote

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext as _

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
from .stages import normalise_offsets, ru_plural, stage_code, stage_dates, stage_label

logger = logging.getLogger(__name__)

CHUNK = 2000  # DueItem rows per INSERT, digest rows per fetch: memory stays flat
DIGEST_FLUSH = 200  # digests rendered and inserted together
MAX_DIGEST_ITEMS = 100  # a digest lists at most this many; the rest is one link to the reminder log

FIELDS = (
    "kind",
    "subject_key",
    "stage",
    "recipient_key",
    "day",
    "municipality_id",
    "recipient_name",
    "email",
    "due_date",
    "title",
    "link",
    "details",
    "group",
)


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
    seconds: dict[str, float] = field(default_factory=dict)  # per phase: claims, missing addresses, digests

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "days": sorted({d.isoformat() for d in self.days.values()}),
            "municipalities": len(self.days),
            "new_reminders": self.new_reminders,
            "digest_count": self.digest_count,
            "missing_addresses": self.missing_addresses,
            "failed_sources": self.failed_sources,
            "seconds": {phase: round(value, 3) for phase, value in self.seconds.items()},
            "digests": self.digests,
        }


def _local_today(time_zone: str, now: datetime) -> date:
    return now.astimezone(zoneinfo.ZoneInfo(time_zone)).date()


def _municipalities(municipality_ids, as_of, local_hours, now):
    from roadmaps.models import Municipality

    qs = Municipality.objects.all()
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
    """(kind, day, what to claim) per municipality group and source.

    Municipalities sharing a local day and reminder offsets share the stage dates, so each source is asked
    once per group (a ROWS source once per MUNICIPALITIES_PER_STATEMENT of it), not once per municipality.
    """
    groups: dict[tuple[date, tuple[int, ...]], list[int]] = defaultdict(list)
    for m in municipalities:
        groups[(m["today"], m["offsets"])].append(m["id"])
    sources = reminder_sources()
    for (today, offsets), ids in sorted(groups.items()):
        maps: dict[str, dict[date, str]] = {}
        for kind, source in sorted(sources.items()):
            stages = stage_set(kind)
            if stages not in maps:
                maps[stages] = {
                    due: f"{code}:{due.isoformat()}"
                    for due, code in stage_dates(today, offsets, stages).items()
                }
            if not maps[stages]:
                continue
            if source_form(kind) == ROWS:
                for part in batched(ids, MUNICIPALITIES_PER_STATEMENT):
                    statements = source(
                        stages=maps[stages],
                        municipality_ids=part,
                        coordinators={mid: coordinators.get(mid, []) for mid in part},
                    )
                    yield kind, today, statements
            else:
                yield kind, today, _source_rows(source, maps[stages], today, ids, coordinators)


def _source_rows(source, stages, today, ids, coordinators) -> Iterator[tuple]:
    allowed = set(ids)
    people: dict[Recipient, tuple[str, str, str]] = {}  # recipient → (key, name, email), once each
    for item in source(dates=frozenset(stages), municipality_ids=ids):
        stage = stages.get(item.due_date)
        if stage is None:
            continue  # a source that answers more than it was asked is not trusted blindly
        if item.municipality_id not in allowed:
            continue
        yield from _rows_for(item, stage, today, coordinators, people)


def _person(r: Recipient, people: dict) -> tuple[str, str, str]:
    found = people.get(r)
    if found is None:
        found = people[r] = (r.key[:200], r.name[:300], r.email)
    return found


def _rows_for(item: DueItem, stage: str, today: date, coordinators, people=None) -> Iterator[tuple]:
    """Candidate rows as tuples in FIELDS order; nobody to tell is itself news for the coordinators."""
    people = {} if people is None else people
    recipients = item.recipients or coordinators.get(item.municipality_id, ())
    kind, subject, mid, due = item.kind, item.subject_key[:200], item.municipality_id, item.due_date
    title, link, group, details = item.title[:500], item.link[:500], item.group[:300], item.details[:500]
    for r in dict.fromkeys(recipients):
        key, name, email = _person(r, people)
        yield (kind, subject, stage, key, today, mid, name, email, due, title, link, details, group)


@lru_cache(maxsize=256)
def _stage_label_in(language: str, code: str) -> str:
    """stage_label once per language and code: the same few labels recur in every digest."""
    return stage_label(code)


def _table() -> str:
    return connection.ops.quote_name(Reminder._meta.db_table)


def _column(name: str) -> str:
    return connection.ops.quote_name(Reminder._meta.get_field(name).column)


def _returning() -> str:
    return "RETURNING " + ", ".join(_column(f) for f in FIELDS)


class _Dates:
    """SQLite returns dates as ISO text: each distinct one parsed once."""

    def __init__(self):
        self.seen: dict = {}

    def __call__(self, value):
        if isinstance(value, date):
            return value
        found = self.seen.get(value)
        if found is None:
            found = self.seen[value] = date.fromisoformat(value)
        return found


_DAY_I, _DUE_I = FIELDS.index("day"), FIELDS.index("due_date")


def _fetch_claimed(cursor, as_date: _Dates) -> list[tuple]:
    rows = cursor.fetchall()
    if rows and not isinstance(rows[0][_DAY_I], date):
        rows = [
            (*r[:_DAY_I], as_date(r[_DAY_I]), *r[_DAY_I + 1 : _DUE_I], as_date(r[_DUE_I]), *r[_DUE_I + 1 :])
            for r in rows
        ]
    return rows


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


def _claim(chunk: list[tuple], run: str, now, as_date: _Dates) -> list[tuple]:
    """INSERT … VALUES … ON CONFLICT DO NOTHING RETURNING: the unique constraint decides who wins.

    Raw SQL because bulk_create cannot return only the rows it really inserted while ignoring conflicts.
    """
    ops = connection.ops
    columns = [Reminder._meta.get_field(f).column for f in FIELDS] + ["run", "created_at"]
    placeholder = f"({', '.join(['%s'] * len(columns))})"
    names = ", ".join(ops.quote_name(c) for c in columns)
    iso = {d: ops.adapt_datefield_value(d) for d in {r[_DAY_I] for r in chunk} | {r[_DUE_I] for r in chunk}}
    per_statement = len(chunk)
    if connection.features.max_query_params:
        per_statement = max(1, connection.features.max_query_params // len(columns))
    claimed = []
    with connection.cursor() as cursor:
        for part in batched(chunk, per_statement):
            params = []
            for r in part:
                params.extend(r)
                params[-len(r) + _DAY_I] = iso[r[_DAY_I]]
                params[-len(r) + _DUE_I] = iso[r[_DUE_I]]
                params += (run, now)
            values = ", ".join([placeholder] * len(part))
            cursor.execute(
                f"INSERT INTO {_table()} ({names}) VALUES {values} ON CONFLICT DO NOTHING {_returning()}",
                params,
            )
            claimed.extend(_fetch_claimed(cursor, as_date))
    return claimed


_KEY, _DAY, _MID = FIELDS.index("recipient_key"), FIELDS.index("day"), FIELDS.index("municipality_id")
_KIND, _NAME, _EMAIL = FIELDS.index("kind"), FIELDS.index("recipient_name"), FIELDS.index("email")
_SUBJECT, _TITLE = FIELDS.index("subject_key"), FIELDS.index("title")
_LINK, _DETAILS, _GROUP = FIELDS.index("link"), FIELDS.index("details"), FIELDS.index("group")


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

    def of(self, row: tuple) -> tuple[str, str]:
        if row[_NAME]:
            return row[_NAME], row[_EMAIL]
        return self.of_key(row[_KIND], row[_KEY])

    def of_key(self, kind: str, key: str) -> tuple[str, str]:
        person = self.coordinators.get(key) or self.directories.get(kind, {}).get(key)
        if person is None:
            return key, ""
        return person.name[:300], person.email


class _Claimed:
    """What a run claimed, per (recipient, day): the count, and the MAX_DIGEST_ITEMS most pressing rows to
    list — those nearest their due date (today's, tomorrow's, yesterday's before a fortnight ahead or weeks
    overdue); the digest links to the log for the rest.

    Recipients without an address are noted (key → name, per day): their rows become notes to the
    coordinators.
    """

    def __init__(self, people: People):
        self.people = people
        self.counts: dict[tuple[str, date], int] = {}
        # Per (recipient, day) a heap of (-days from the due date, -arrival, row): its top is the row to drop
        # first, the farthest from its date (of equals, the latest to arrive).
        self.kept: dict[tuple[str, date], list[tuple]] = {}
        self.unreachable: dict[str, str] = {}  # recipient key → name, for those without an address
        self.days: set[date] = set()
        self.addresses: dict[str, bool] = {}  # recipient key (and kind for directory rows) → has e-mail

    def listed(self, key: tuple[str, date]) -> list[tuple]:
        return [entry[2] for entry in self.kept.get(key, ())]

    def add_keys(self, rows: Iterable[tuple], day: date, as_date: "_Dates") -> None:
        """Rows of _KEY_COLUMNS claimed for `day`; a full FIELDS row is made only for those kept."""
        counts, kept, addresses = self.counts, self.kept, self.addresses
        self.days.add(day)
        today = day.toordinal()
        by_stage: dict[str, tuple[date, int]] = {}  # a day's few stage strings: due date, -distance
        for kind, subject, stage, recipient_key, mid in rows:
            key = (recipient_key, day)
            n = counts.get(key, 0)
            counts[key] = n + 1
            found = by_stage.get(stage)
            if found is None:
                due = as_date(stage.rpartition(":")[2])
                found = by_stage[stage] = (due, -abs(due.toordinal() - today))
            due, nearness = found
            if n < MAX_DIGEST_ITEMS:
                row = (kind, subject, stage, recipient_key, day, mid, "", "", due, "", "", "", "")
                heapq.heappush(kept.setdefault(key, []), (nearness, -n, row))
            elif nearness > kept[key][0][0]:
                row = (kind, subject, stage, recipient_key, day, mid, "", "", due, "", "", "", "")
                heapq.heapreplace(kept[key], (nearness, -n, row))
            memo = (recipient_key, kind)
            if memo not in addresses:
                name, email = self.people.of_key(kind, recipient_key)
                addresses[memo] = bool(email)
                if not email:
                    self.unreachable[recipient_key] = name

    def add(self, rows: Iterable[tuple], *, notes: bool = True) -> None:
        counts, kept = self.counts, self.kept
        for row in rows:
            key = (row[_KEY], row[_DAY])
            self.days.add(row[_DAY])
            n = counts.get(key, 0)
            counts[key] = n + 1
            nearness = -abs(row[_DUE_I].toordinal() - row[_DAY].toordinal())
            if n < MAX_DIGEST_ITEMS:
                heapq.heappush(kept.setdefault(key, []), (nearness, -n, row))
            elif nearness > kept[key][0][0]:
                heapq.heapreplace(kept[key], (nearness, -n, row))
            if notes:
                name, email = self.people.of(row)
                if not email:
                    self.unreachable[row[_KEY]] = name


def _claim_notes(claimed: _Claimed, coordinators, run: str, now, as_date: _Dates) -> list[tuple]:
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
        if connection.vendor == "postgresql":
            # The planner's statistics do not know today's rows yet (this transaction has just written
            # them), so it expects a handful and nests loops over 200,000 rows × every recipient (2.7 s);
            # hash joins take 0.1 s whatever the estimate. Only for this statement.
            cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(sql, params)
        claimed = _fetch_claimed(cursor, as_date)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_nestloop = on")
        return claimed


def describe_rows(listed_rows: list[tuple], row_sources: dict, people: People) -> list[tuple]:
    """Fill in the text of ROWS sources' rows (stored blank) from their describe(), one call per source.

    Title, link, details and group are the last four FIELDS; text already on a row (a coordinator's note
    about a missing address) is kept.
    """
    wanted: dict[int, tuple] = {}
    for row in listed_rows:
        source = row_sources.get(row[_KIND])
        if source is not None and not row[_TITLE]:
            entry = wanted.setdefault(id(source), (source, set()))
            entry[1].add((row[_KIND], row[_SUBJECT]))
    if not wanted:
        return listed_rows
    described = {}
    for source, keys in wanted.values():
        described.update(source.describe(keys, people.directories[next(iter(keys))[0]]))
    out = []
    for row in listed_rows:
        d = described.get((row[_KIND], row[_SUBJECT])) if not row[_TITLE] else None
        if d is not None:
            row = (
                *row[:_TITLE],
                d.title[:500],
                row[_LINK] or d.link[:500],
                row[_DETAILS] or d.details[:500],
                row[_GROUP] or d.group[:300],
            )
        out.append(row)
    return out


# The listed items of a digest are shown sorted for reading; the count and the link to the log cover the
# rest.
_DISPLAY_ORDER = itemgetter(_GROUP, _DUE_I, _TITLE, FIELDS.index("stage"))


def _digest(rows: list[tuple], names: dict[int, str], count: int, people: People) -> dict:
    """The digest of one recipient's day: `rows` are the listed ones, `count` all of them."""
    first = rows[0]
    day = first[_DAY]
    recipient, email = people.of(first)
    subject = _("Напоминание о сроках на %(day)s: %(n)d %(word)s") % {
        "day": f"{day:%d.%m.%Y}",
        "n": count,
        "word": ru_plural(count, _("пункт"), _("пункта"), _("пунктов")),
    }
    labels: dict[str, str] = {}
    language = get_language() or ""
    listed = []
    for kind, subject_key, stage, _rk, _day, _mid, _name, _email, due, title, link, details, group in sorted(
        rows, key=_DISPLAY_ORDER
    ):
        code = stage_code(stage)
        label = labels.get(code)
        if label is None:
            label = labels[code] = _stage_label_in(language, code)
        listed.append(
            {
                "kind": kind,
                "subject_key": subject_key,
                "stage": code,
                "stage_label": label,
                "due_date": due.isoformat(),
                "title": title,
                "details": details,
                "group": group,
                "link": link,
            }
        )
    return {
        "recipient": recipient,
        "recipient_key": first[_KEY],
        "email": email,
        "municipality": names.get(first[_MID], ""),
        "municipality_id": first[_MID],
        "day": day.isoformat(),
        "subject": subject,
        "item_count": count,
        "items": listed,
    }


def _render(digest: dict) -> tuple[str, str]:
    """Plain text and HTML. The item list is built here, not in a template loop: a worst-case day renders
    tens of thousands of lines, and the template engine would dominate the sweep."""
    shown = digest["items"][:MAX_DIGEST_ITEMS]
    portal = settings.PORTAL_URL
    text_lines: list[str] = []
    html_parts: list[str] = []
    group = None
    for item in shown:
        if item["group"] != group:
            if group is not None:
                html_parts.append("</ul>")
            group = item["group"]
            if group:
                text_lines.append(f"\n{group}:")
                html_parts.append(f"<h3>{escape(group)}</h3>")
            html_parts.append("<ul>")
        line = f"{item['stage_label']}. {item['details']}" if item["details"] else item["stage_label"]
        text_lines.append(
            f"— {item['title']}\n  {line}" + (f"\n  {portal}{item['link']}" if item["link"] else "")
        )
        title = escape(item["title"])
        if item["link"]:
            title = f'<a href="{escape(portal + item["link"])}">{title}</a>'
        details = f". {escape(item['details'])}" if item["details"] else ""
        html_parts.append(f"<li>{title}<br><strong>{escape(item['stage_label'])}</strong>{details}</li>")
    if group is not None:
        html_parts.append("</ul>")
    log_link = reverse("admin:notifications_reminder_changelist") + (
        f"?recipient_key={quote(digest['recipient_key'])}&day={digest['day']}"
    )
    # Plain string building rather than two template renders per digest: half of a typical sweep went
    # on the template engine. The msgids are the ones the templates used, so translations still apply.
    name, municipality = digest["recipient"], digest["municipality"]
    hidden = digest["item_count"] - len(shown)
    greeting = gettext("Здравствуйте, %(name)s!") % {"name": name}
    heading = gettext("Сроки, о которых нужно помнить") + (f" ({municipality})" if municipality else "") + ":"
    footer = gettext(
        "Все напоминания и уведомления видны в разделе «Напоминания и уведомления» панели управления."
    )
    signature = f"— {settings.PORTAL_NAME}"
    text = [greeting, "", heading, "", "\n".join(text_lines)]
    html = [f"<p>{escape(greeting)}</p>", f"<p>{escape(heading)}</p>", "\n".join(html_parts)]
    if hidden:
        more_text = ngettext("…и еще %(counter)s пункт: ", "…и еще %(counter)s пунктов: ", hidden)
        more_html = ngettext("…и еще %(counter)s пункт", "…и еще %(counter)s пунктов", hidden)
        text += ["", (more_text % {"counter": hidden}) + portal + log_link]
        html.append(
            f'<p><a href="{escape(portal + log_link)}">{escape(more_html % {"counter": hidden})}</a></p>'
        )
    text += ["", footer, "", signature]
    html += [f"<p>{escape(footer)}</p>", f"<p>{escape(signature)}</p>"]
    return "\n".join(text) + "\n", "\n".join(html) + "\n"


def _store_digests(digests: list[dict], run: str) -> list[tuple[int, str]]:
    """Insert digest notifications keyed digest:<recipient>:<day>; (id, email) of the ones this run made.

    A key already taken (an earlier run today reached the same recipient) gets this run's suffix: the
    rows in this digest were claimed by this run alone, so they are news, not a repeat.
    """
    objects = []
    for digest in digests:
        text, html = _render(digest)
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


@contextmanager
def _collector_paused():
    """No cyclic garbage collection while the sweep runs: it makes hundreds of thousands of tuples and
    strings that hold no cycles, and each full pass walked all of them and the whole of Django (a
    third of a worst-case day's Python time). Reference counting still frees everything as it goes."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
    claims and builds everything exactly as a real one, then rolls it all back and sends nothing.
    """
    run = uuid.uuid4().hex
    result = SweepResult(run=run, dry_run=dry_run)
    municipalities = _municipalities(municipality_ids, as_of, local_hours, timezone.now())
    if not municipalities:
        return result
    result.days = {m["id"]: m["today"] for m in municipalities}
    names = {m["id"]: m["name"] for m in municipalities}
    coordinators = coordinator_recipients(list(result.days))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    keep = None if dry_run else keep_digests
    with _collector_paused():
        return _sweep(run, result, municipalities, names, coordinators, now, keep, dry_run, deliver)


def _sweep(run, result, municipalities, names, coordinators, now, keep, dry_run, deliver) -> SweepResult:
    sources_by_kind = row_sources()
    people = People(coordinators, sources_by_kind, list(result.days))
    claimed = _Claimed(people)
    as_date = _Dates()

    with transaction.atomic():
        if connection.vendor == "postgresql":
            # For this transaction only: the reminder statements look expensive to the planner, and
            # JIT-compiling them took longer than running them; they sort 200,000 keys in memory; and a
            # worst day's 550 digests are 28 MB of text, which lz4 compresses in half pglz's time (where
            # the server was built with it).
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true), "
                    "(SELECT set_config(name, 'lz4', true) FROM pg_settings "
                    "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals))"
                )
        started = time.perf_counter()
        for kind, day, claim in _claims(municipalities, coordinators):
            # One broken source (a bug, a missing table) must not silence the others: its claims are
            # rolled back to the savepoint, so the next hourly sweep tries it again.
            try:
                with transaction.atomic():
                    keys, rows = [], []
                    if source_form(kind) == ROWS:
                        for statement in claim:
                            keys.append(_insert_selected(statement, day, run, now))
                    else:
                        for chunk in batched(claim, CHUNK):
                            rows.extend(_claim(chunk, run, now, as_date))
            except Exception:
                logger.exception("reminder source %s failed", kind)
                result.failed_sources.append(kind)
            else:
                for part in keys:
                    claimed.add_keys(part, day, as_date)
                claimed.add(rows)
        result.seconds["claims"] = time.perf_counter() - started
        started = time.perf_counter()
        claimed.add(_claim_notes(claimed, coordinators, run, now, as_date), notes=False)
        result.seconds["missing_addresses"] = time.perf_counter() - started
        started = time.perf_counter()

        pending: list[dict] = []
        for batch in batched(sorted(claimed.counts), DIGEST_FLUSH):
            listed = describe_rows(
                [row for key in batch for row in claimed.listed(key)], sources_by_kind, people
            )
            by_key: dict[tuple[str, date], list[tuple]] = defaultdict(list)
            for row in listed:
                by_key[(row[_KEY], row[_DAY])].append(row)
            for key in batch:
                count = claimed.counts[key]
                digest = _digest(by_key[key], names, count, people)
                result.new_reminders += count
                result.digest_count += 1
                result.missing_addresses += not digest["email"]
                if keep is None or len(result.digests) < keep:
                    result.digests.append(digest)
                if not dry_run:
                    pending.append(digest)
            if pending:
                result.notification_ids.extend(_queue(_store_digests(pending, run), deliver))
                pending = []
        result.seconds["digests"] = time.perf_counter() - started
        if dry_run:
            transaction.set_rollback(True)
    return result


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


__all__ = ["FIELDS", "People", "Recipient", "SweepResult", "describe_rows", "run_sweep", "sweep_summary"]

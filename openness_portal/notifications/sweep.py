"""The daily reminder sweep: claim each (duty, stage, recipient, day) once, then one digest per recipient.

Like healthchecks' `sendalerts`, a row is «claimed» by a write that only one worker can win: here the
unique constraint of the Reminder log. Candidates are inserted ignoring conflicts — straight from the
sources' SELECTs for the bulk of them (deadlines), from DueItems for the few others — and each run then
reads back only the rows tagged with its own run id, so a re-run, a retried task or a second worker
sweeping at the same time sends nothing twice. Digests are built in the database too: a count per
recipient and the first MAX_DIGEST_ITEMS rows by ROW_NUMBER(), so a day with 200,000 reminders never
passes them all through Python. Claims and digests are written in one transaction; mail goes out after
the commit, through the retrying delivery task.
"""

import logging
import time
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from html import escape  # the same as django.utils.html.escape, without marking 55,000 strings safe
from itertools import islice
from operator import itemgetter
from urllib.parse import quote

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
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
    source_form,
    stage_set,
)
from .sql import values_table
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


def _claims(municipalities, coordinators) -> Iterator[tuple[str, date, list[int], object]]:
    """(kind, day, municipality ids, what to claim) per municipality group and source.

    Municipalities sharing a local day and reminder offsets share the stage dates, so each source is asked
    once per group, not once per municipality.
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
                group_coordinators = {mid: coordinators.get(mid, []) for mid in ids}
                statements = source(
                    stages=maps[stages], municipality_ids=ids, coordinators=group_coordinators
                )
                yield kind, today, ids, statements
            else:
                yield kind, today, ids, _source_rows(source, maps[stages], today, ids, coordinators)


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


def _no_address_template() -> tuple[str, str]:
    """The note to coordinators about a recipient without e-mail, as text before and after the name."""
    template = _("Не отправлено: у получателя «%(name)s» нет e-mail. Сообщите сами и внесите адрес.")
    before, _sep, after = template.partition("%(name)s")
    return before, after


@lru_cache(maxsize=256)
def _stage_label_in(language: str, code: str) -> str:
    """stage_label once per language and code: the same few labels recur in every digest."""
    return stage_label(code)


def _chunks(rows: Iterable, size: int) -> Iterator[list]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _table() -> str:
    return connection.ops.quote_name(Reminder._meta.db_table)


def _column(name: str) -> str:
    return connection.ops.quote_name(Reminder._meta.get_field(name).column)


def _insert_selected(statement: ReminderSelect, day: date, run: str, now) -> None:
    """INSERT INTO reminder SELECT … ON CONFLICT DO NOTHING: a source's rows go table to table."""
    columns = ", ".join(_column(c) for c in (*ROW_COLUMNS, "day", "run", "created_at"))
    selected = ", ".join(f"q.{connection.ops.quote_name(c)}" for c in ROW_COLUMNS)
    day_placeholder = "%s" if connection.vendor == "sqlite" else "CAST(%s AS date)"
    moment = "%s" if connection.vendor == "sqlite" else "CAST(%s AS timestamp with time zone)"
    # «WHERE 1 = 1» keeps SQLite from reading ON CONFLICT as the ON of a join.
    sql = (
        f"INSERT INTO {_table()} ({columns}) "
        f"SELECT {selected}, {day_placeholder}, %s, {moment} FROM ({statement.sql}) q WHERE 1 = 1 "
        "ON CONFLICT DO NOTHING"
    )
    params = (connection.ops.adapt_datefield_value(day), run, now, *statement.params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _claim_missing_addresses(run: str, coordinators: dict[int, list[Recipient]], now) -> None:
    """Everyone this run reminds who has no e-mail is reported to the coordinators of their municipality,
    one row per (duty, stage, person, coordinator): not silently skipped, and never twice."""
    rows = [(mid, c.key[:200], c.name[:300], c.email) for mid, people in coordinators.items() for c in people]
    if not rows:
        return
    cte, cte_params = values_table(
        "coordinator",
        {"municipality_id": "int", "recipient_key": "text", "recipient_name": "text", "email": "text"},
        rows,
    )
    before, after = _no_address_template()
    key, name, stage = _column("recipient_key"), _column("recipient_name"), _column("stage")
    copied = ("kind", "subject_key", "municipality", "due_date", "title", "link", "group", "day")
    columns = [_column(c) for c in (*copied, "stage", "details", "recipient_key", "recipient_name", "email")]
    columns += [_column("run"), _column("created_at")]
    moment = "%s" if connection.vendor == "sqlite" else "CAST(%s AS timestamp with time zone)"
    sql = (
        f"WITH {cte} "
        f"INSERT INTO {_table()} ({', '.join(columns)}) "
        f"SELECT {', '.join(f'r.{_column(c)}' for c in copied)}, "
        f"SUBSTR('noaddr:' || r.{key} || ':' || r.{stage}, 1, 200), SUBSTR(%s || r.{name} || %s, 1, 500), "
        f"c.recipient_key, c.recipient_name, c.email, %s, {moment} "
        f"FROM {_table()} r JOIN coordinator c ON c.municipality_id = r.{_column('municipality')} "
        f"WHERE r.{_column('run')} = %s AND r.{_column('email')} = '' AND r.{stage} NOT LIKE %s "
        f"AND c.recipient_key <> r.{key} "
        "ON CONFLICT DO NOTHING"
    )
    params = (*cte_params, before, after, run, now, run, "noaddr:%")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _claim(chunk: list[tuple], run: str) -> None:
    """INSERT … ON CONFLICT DO NOTHING in one statement: the unique constraint decides who wins.

    Raw SQL because bulk_create would split 2,000 rows into ~70 statements on SQLite (999 parameters
    each) and build a model instance per row.
    """
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    columns = [Reminder._meta.get_field(f).column for f in FIELDS] + ["run", "created_at"]
    placeholder = f"({', '.join(['%s'] * len(columns))})"
    # Table and column names come from the model; every value is a parameter.
    table = ops.quote_name(Reminder._meta.db_table)
    names = ", ".join(ops.quote_name(c) for c in columns)
    head = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608
    iso = {d: d.isoformat() for d in {r[4] for r in chunk} | {r[8] for r in chunk}}
    params = [(*r[:4], iso[r[4]], *r[5:8], iso[r[8]], *r[9:], run, now) for r in chunk]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # executemany runs the prepared statement per row inside SQLite: one call, no 999-parameter limit
            cursor.executemany(f"{head}{placeholder} ON CONFLICT DO NOTHING", params)
        else:
            values = ", ".join([placeholder] * len(params))
            cursor.execute(f"{head}{values} ON CONFLICT DO NOTHING", [v for row in params for v in row])


# A digest lists a recipient's first MAX_DIGEST_ITEMS rows in claim order (by id): both databases then walk
# the (run, recipient, day) index instead of sorting every row of a big day by its text. The listed ones
# are sorted for reading; the count and the link to the log cover the rest.
_DISPLAY_ORDER = itemgetter(
    FIELDS.index("group"), FIELDS.index("due_date"), FIELDS.index("title"), FIELDS.index("stage")
)


def _digest_counts(run: str) -> dict[tuple[str, date], int]:
    """Reminders per (recipient, day) claimed by this run: one grouped query, whatever the row count."""
    counts = (
        Reminder.objects.filter(run=run)
        .values_list("recipient_key", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(key, day): n for key, day, n in counts}


def _listed_rows(run: str) -> Iterator[tuple]:
    """The first MAX_DIGEST_ITEMS rows of each (recipient, day) of this run, as FIELDS tuples by recipient.

    The positions are counted on the (run, recipient, day) index alone, and only the listed rows are read
    in full: on a worst-case day that is 55,000 rows of 196,000. Read on a plain cursor: Django's per-row
    converters would cost more than the fetch itself.
    """
    table, run_column, key, day, pk = (
        _table(),
        _column("run"),
        _column("recipient_key"),
        _column("day"),
        _column("id"),
    )
    columns = ", ".join(f"r.{_column(f)}" for f in FIELDS)
    sql = (
        f"SELECT {columns} FROM {table} r JOIN ("
        f"SELECT {pk} FROM (SELECT {pk}, ROW_NUMBER() OVER (PARTITION BY {key}, {day} ORDER BY {pk}) AS position "
        f"FROM {table} WHERE {run_column} = %s) ranked WHERE position <= %s"
        f") listed ON listed.{pk} = r.{pk} ORDER BY r.{key}, r.{day}, r.{pk}"
    )
    dates: dict = {}

    def as_date(value):
        if isinstance(value, date):
            return value
        found = dates.get(value)
        if found is None:
            found = dates[value] = date.fromisoformat(value)
        return found

    day_i, due_i = FIELDS.index("day"), FIELDS.index("due_date")
    # A server-side cursor on PostgreSQL (as QuerySet.iterator uses): memory stays flat.
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, (run, MAX_DIGEST_ITEMS))
        while batch := cursor.fetchmany(CHUNK):
            for row in batch:
                row = list(row)
                row[day_i] = as_date(row[day_i])
                row[due_i] = as_date(row[due_i])
                yield tuple(row)


_KEY = FIELDS.index("recipient_key")
_DAY = FIELDS.index("day")


def _digest_rows(rows: Iterable[tuple]) -> Iterator[list[tuple]]:
    """Consecutive rows (FIELDS tuples) of one (recipient, day) — rows must come sorted by those."""
    current, key = [], None
    for row in rows:
        row_key = (row[_KEY], row[_DAY])
        if row_key != key and current:
            yield current
            current = []
        key = row_key
        current.append(row)
    if current:
        yield current


def _digest(rows: list[tuple], names: dict[int, str], count: int) -> dict:
    """The digest of one recipient's day: `rows` are the listed ones in order, `count` all of them."""
    first = dict(zip(FIELDS, rows[0], strict=True))
    day = first["day"]
    subject = _("Напоминание о сроках на %(day)s: %(n)d %(word)s") % {
        "day": f"{day:%d.%m.%Y}",
        "n": count,
        "word": ru_plural(count, _("пункт"), _("пункта"), _("пунктов")),
    }
    labels: dict[str, str] = {}
    listed = []
    for kind, subject_key, stage, _rk, _day, _mid, _name, _email, due, title, link, details, group in sorted(
        rows, key=_DISPLAY_ORDER
    ):
        code = stage_code(stage)
        label = labels.get(code)
        if label is None:
            label = labels[code] = _stage_label_in(get_language() or "", code)
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
        "recipient": first["recipient_name"],
        "recipient_key": first["recipient_key"],
        "email": first["email"],
        "municipality": names.get(first["municipality_id"], ""),
        "municipality_id": first["municipality_id"],
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

    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The reminder statements look expensive to the planner, and JIT-compiling them took longer
            # than running them (1.2 s of 2.2 s in EXPLAIN ANALYZE at 100,000 deadlines).
            # Grouping 100,000 deadlines by measure spilled to disk at the default 4 MB of work_mem.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
        started = time.perf_counter()
        for kind, day, _ids, claim in _claims(municipalities, coordinators):
            # One broken source (a bug, a missing table) must not silence the others: its claims are
            # rolled back to the savepoint, so the next hourly sweep tries it again.
            try:
                with transaction.atomic():
                    if source_form(kind) == ROWS:
                        for statement in claim:
                            _insert_selected(statement, day, run, now)
                    else:
                        for chunk in _chunks(claim, CHUNK):
                            _claim(chunk, run)
            except Exception:
                logger.exception("reminder source %s failed", kind)
                result.failed_sources.append(kind)
        result.seconds["claims"] = time.perf_counter() - started
        started = time.perf_counter()
        _claim_missing_addresses(run, coordinators, now)
        result.seconds["missing_addresses"] = time.perf_counter() - started
        started = time.perf_counter()

        counts = _digest_counts(run)
        pending: list[dict] = []
        for rows in _digest_rows(_listed_rows(run)):
            count = counts[(rows[0][_KEY], rows[0][_DAY])]
            digest = _digest(rows, names, count)
            result.new_reminders += count
            result.digest_count += 1
            result.missing_addresses += not digest["email"]
            if keep is None or len(result.digests) < keep:
                result.digests.append(digest)
            if dry_run:
                continue
            pending.append(digest)
            if len(pending) >= DIGEST_FLUSH:
                result.notification_ids.extend(_queue(_store_digests(pending, run), deliver))
                pending = []
        if pending:
            result.notification_ids.extend(_queue(_store_digests(pending, run), deliver))
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


__all__ = ["Recipient", "SweepResult", "run_sweep", "sweep_summary"]

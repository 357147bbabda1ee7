"""The daily reminder sweep: claim each (duty, stage, recipient, day) once, then one digest per recipient.

Like healthchecks' `sendalerts`, a reminder is «claimed» by a write that only one worker can win: the
unique constraint of the Reminder log. A run first reads which claims its municipalities already hold that
day and leaves them out, inserts the rest ignoring conflicts (on PostgreSQL a COPY straight into the log
first, see sweep_sql), each stamped with the run's id, and reads back what it inserted (nothing to read when every
row went in); a re-run, a retried task or a second worker sweeping at the same moment gets back nothing
another run holds, and sends nothing twice.

Municipalities are swept in groups (settings.REMINDER_MUNICIPALITIES_PER_TRANSACTION), one transaction
each: the claims, the coordinators' notes about missing addresses and the digests commit together, so a
failing group is rolled back and reported while the others are sent, and the next hourly run claims only
what is missing. A claimed row keeps its item's text (title, link, details, recipient), so the log shows
what the mail said whatever is renamed later. Each digest counts its rows and lists the MAX_DIGEST_ITEMS
nearest their due date; the rest is one link to the log. Mail goes out after each group's commit, through
the retrying delivery task, which renders each digest from the log when it sends it (see digests).
"""

import logging
import time
import uuid
import zoneinfo
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import sweep_sql
from .digests import Row, digests_of, render_digest, stored_context
from .models import Notification, Reminder
from .recipients import coordinator_recipients
from .registry import DueItem, Recipient, reminder_sources, stage_set
from .stages import normalise_offsets, stage_dates

logger = logging.getLogger(__name__)

MUNICIPALITIES_PER_TRANSACTION = 50  # default of settings.REMINDER_MUNICIPALITIES_PER_TRANSACTION
INSERT_BATCH = 2000  # reminder rows per INSERT statement
HELD_READ_PARTS = 100  # SELECTs per UNION ALL (SQLite allows 500)
DIGESTS_PER_INSERT = 200  # digest notifications per INSERT


@dataclass
class GroupRun:
    """One group of municipalities swept in its own transaction."""

    municipality_ids: list[int]
    run: str  # the id its reminders and digests are stamped with
    seconds: float = 0.0
    new_reminders: int = 0
    failed: bool = False
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase, as SweepResult.seconds


@dataclass
class SweepResult:
    run: str  # the sweep's id (each group stamps its rows with its own: GroupRun.run)
    dry_run: bool
    days: dict[int, date] = field(default_factory=dict)  # municipality id → the local day swept
    new_reminders: int = 0
    digests: list[dict] = field(default_factory=list)  # kept only for dry runs and small runs
    notification_ids: list[int] = field(default_factory=list)
    digest_count: int = 0
    missing_addresses: int = 0
    failed_sources: list[str] = field(default_factory=list)
    groups: list[GroupRun] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per phase: sources, claims, digests

    @property
    def failed_groups(self) -> list[list[int]]:
        """Municipality ids of the groups rolled back: the next run claims their reminders again."""
        return [g.municipality_ids for g in self.groups if g.failed]

    def add(self, part: "SweepResult") -> None:
        """Add a committed group's figures to the run's."""
        self.new_reminders += part.new_reminders
        self.digest_count += part.digest_count
        self.missing_addresses += part.missing_addresses
        self.digests += part.digests
        self.notification_ids += part.notification_ids
        self.failed_sources += [kind for kind in part.failed_sources if kind not in self.failed_sources]
        for phase, seconds in part.seconds.items():
            self.seconds[phase] = self.seconds.get(phase, 0.0) + seconds

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


def batched(rows: Iterable, size: int) -> Iterator[list]:
    """Lists of at most `size` rows (itertools.batched from Python 3.12 on)."""
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


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


def _held_today(group: list[dict]) -> set[tuple]:
    """The claims the group's municipalities already hold on their day (an earlier run's), from the log.

    Asking first is what makes a re-run cheap: it builds, copies and inserts none of them (measured in
    bench/reminders.py). The claim itself is still the insert that ignores conflicts: a run sweeping at the
    same moment is kept out by the unique constraint, not by this read.

    One SELECT per municipality, joined by UNION ALL into one query: each names its municipality and day,
    so PostgreSQL reads it on the municipality + day index whatever its statistics say. Asked as «one of
    these municipalities, on that day», with statistics of a nearly empty log (a new install, the first big
    day), it read every row of the day instead: each group of a country's sweep slower than the last.
    """
    fields = ("day", "recipient_key", "subject_key", "stage")
    held: set[tuple] = set()
    for part in batched(group, HELD_READ_PARTS):
        selects = [
            Reminder.objects.filter(municipality_id=m["id"], day=m["today"]).order_by().values_list(*fields)
            for m in part
        ]
        held.update(selects[0].union(*selects[1:], all=True))
    return held


def _candidates(group: list[dict], coordinators, failed_sources: list[str], held) -> dict[tuple, Row]:
    """Every row the group's sources ask for and the log does not hold yet (`held`), by claim; of a claim
    given twice (a coordinator who also executes an overdue deadline) the first is kept, sources taken in
    the order of their kind.

    Municipalities sharing a local day and reminder offsets share the stage dates, so each source is asked
    once per such set, not once per municipality.
    """
    same_dates: dict[tuple[date, tuple[int, ...]], list[int]] = defaultdict(list)
    for m in group:
        same_dates[(m["today"], m["offsets"])].append(m["id"])
    sources = sorted(reminder_sources().items())
    rows: dict[tuple, Row] = {}
    for (today, offsets), ids in sorted(same_dates.items()):
        stage_sets: dict[str, dict[date, str]] = {}
        for kind, source in sources:
            if stage_set(kind) not in stage_sets:
                stage_sets[stage_set(kind)] = stage_dates(today, offsets, stage_set(kind))
            stages = stage_sets[stage_set(kind)]
            if not stages:
                continue
            # One broken source (a bug, a missing table) must not silence the others: what it read is
            # rolled back to the savepoint, and the next hourly sweep asks it again. Its items become rows
            # as they come, not kept in a list: 190,000 items held at once cost the garbage collector
            # 0.35 s of a worst-case day.
            found: dict[tuple, Row] = {}
            try:
                with transaction.atomic():
                    items = source(dates=stages, municipality_ids=ids)
                    for claim, row in _rows_of(items, stages, today, set(ids), coordinators, held):
                        found.setdefault(claim, row)
            except Exception:
                logger.exception("reminder source %s failed", kind)
                failed_sources.append(kind)
                continue
            if rows:
                for claim, row in found.items():
                    rows.setdefault(claim, row)
            else:
                rows = found
    return rows


def _rows_of(items: Iterable[DueItem], stages: dict[date, str], today: date, ids, coordinators, held):
    """(claim, candidate row) per item and recipient, unless `held`; an item with no recipient goes to the
    coordinators."""
    stage_of = {due: f"{code}:{due.isoformat()}" for due, code in stages.items()}  # «7wd:2019-12-20»
    for item in items:
        stage = stage_of.get(item.due_date)
        # A source that answers more than it was asked is not trusted blindly.
        if stage is None or item.municipality_id not in ids:
            continue
        subject_key = item.subject_key[:200]
        recipients = item.recipients or coordinators.get(item.municipality_id, ())
        if len(recipients) > 1:
            recipients = dict.fromkeys(recipients)  # each once, in their order
        # The item's text is cut to its columns once, whoever it goes to.
        title, link, details, group = item.title[:500], item.link[:500], item.details[:500], item.group[:300]
        for r in recipients:
            recipient_key = r.key[:200]
            claim = (today, recipient_key, subject_key, stage)
            if claim in held:
                continue
            yield (
                claim,
                {
                    "kind": item.kind,
                    "subject_key": subject_key,
                    "stage": stage,
                    "recipient_key": recipient_key,
                    "day": today,
                    "municipality_id": item.municipality_id,
                    "recipient_name": r.name[:300],
                    "email": r.email,
                    "due_date": item.due_date,
                    "title": title,
                    "link": link,
                    "details": details,
                    "group": group,
                },
            )


def _claim_of(row: Row) -> tuple[date, str, str, str]:
    """What the log's unique constraint holds once: the day, the recipient, the duty and its stage."""
    return (row["day"], row["recipient_key"], row["subject_key"], row["stage"])


def _claim(rows: dict[tuple, Row], run: str, group: list[dict]) -> list[Row]:
    """Insert the rows (by claim) ignoring conflicts, stamped with the run; the ones this run inserted are
    its claims (a row another run holds is not among them). PostgreSQL loads them with COPY: see sweep_sql.

    In the order of the unique index: two sweeps at the same moment meet their common rows in the same
    order, and the later one waits for the other's commit rather than deadlocking with it (were they to,
    PostgreSQL would roll one group back, and the next run would claim what it missed).
    """
    ordered = [rows[claim] for claim in sorted(rows)]
    if not ordered:
        return []
    if connection.vendor == "postgresql":
        inserted = sweep_sql.insert_reminders(ordered, run)
        if inserted == len(ordered):
            return ordered  # every row was inserted, so every row is this run's: nothing to read back
    else:
        for batch in batched(ordered, INSERT_BATCH):
            Reminder.objects.bulk_create([Reminder(**row, run=run) for row in batch], ignore_conflicts=True)
    # Some rows were another run's first (a sweep at the same moment): read back which are ours.
    ours = Reminder.objects.filter(
        municipality_id__in=[m["id"] for m in group], day__in={m["today"] for m in group}, run=run
    ).values_list("day", "recipient_key", "subject_key", "stage")
    return [rows[claim] for claim in ours]


def _notes_about_missing_addresses(
    rows: Iterable[Row], coordinators: dict[int, list[Recipient]]
) -> list[Row]:
    """One row per (duty, stage, person without e-mail, coordinator), so nobody is silently skipped.

    Claimed with the rows they are about: a note is news when its row is (same day, duty and stage).
    """
    template = _("Не отправлено: у получателя «%(name)s» нет e-mail. Сообщите сами и внесите адрес.")
    notes = []
    for row in rows:
        if row["email"]:
            continue
        details = (template % {"name": row["recipient_name"]})[:500]
        for coordinator in coordinators.get(row["municipality_id"], ()):
            if coordinator.key != row["recipient_key"]:
                notes.append(
                    {
                        **row,
                        "stage": f"noaddr:{row['recipient_key']}:{row['stage']}"[:200],
                        "recipient_key": coordinator.key[:200],
                        "recipient_name": coordinator.name[:300],
                        "email": coordinator.email,
                        "details": details,
                    }
                )
    return notes


def _store_digests(digests: list[dict], run: str) -> list[tuple[int, str]]:
    """Insert digest notifications keyed digest:<recipient>:<day>; (id, email) of the ones this run made.

    A digest to send is stored without its text: the delivery task renders it from this run's rows when
    it sends it (see digests). One to nobody (no e-mail) is rendered here, so the log shows what was not
    sent. A key already taken (an earlier run today reached the same recipient) gets this run's suffix:
    the rows in this digest were claimed by this run alone, so they are news, not a repeat.
    """
    objects = []
    for digest in digests:
        text, html = ("", "") if digest["email"] else render_digest(digest)
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
                render_context=stored_context(digest),
                link=reverse("admin:notifications_notification_changelist"),
                status=Notification.Status.PENDING if digest["email"] else Notification.Status.NO_ADDRESS,
                batch=run,
            )
        )
    Notification.objects.bulk_create(objects, ignore_conflicts=True)
    ours = dict(_stored(run, objects))
    retry = [o for o in objects if o.key not in ours]
    if retry:
        for o in retry:
            o.key = f"{o.key[:220]}:{run[:12]}"
        Notification.objects.bulk_create(retry, ignore_conflicts=True)
        ours.update(_stored(run, retry))
    return [(ours[o.key], o.email) for o in objects if o.key in ours]


def _stored(run: str, objects: list[Notification]):
    """(key, id) of the objects this run inserted (found through the unique index on the key)."""
    return Notification.objects.filter(batch=run, key__in=[o.key for o in objects]).values_list("key", "id")


def _queue(stored: list[tuple[int, str]], deliver: bool) -> list[int]:
    if deliver:
        from .tasks import deliver_notification

        for notification_id, email in stored:
            if email:
                transaction.on_commit(lambda pk=notification_id: deliver_notification.delay(pk))
    return [pk for pk, _email in stored]


def _sweep_group(part: SweepResult, group: list[dict], names, keep: int | None, deliver: bool) -> None:
    """Claims, notes about missing addresses and digests of one group, in the caller's transaction."""
    coordinators = coordinator_recipients([m["id"] for m in group])

    started = time.perf_counter()
    held = _held_today(group)
    part.seconds["held"] = time.perf_counter() - started

    started = time.perf_counter()
    rows = _candidates(group, coordinators, part.failed_sources, held)
    part.seconds["sources"] = time.perf_counter() - started

    started = time.perf_counter()
    for note in _notes_about_missing_addresses(rows.values(), coordinators):
        claim = _claim_of(note)
        if claim not in held:
            rows.setdefault(claim, note)
    claimed = _claim(rows, part.run, group)
    part.seconds["claims"] = time.perf_counter() - started

    started = time.perf_counter()
    digests = list(digests_of(claimed, names))
    part.new_reminders = len(claimed)
    part.digest_count = len(digests)
    part.missing_addresses = sum(not digest["email"] for digest in digests)
    part.digests = digests if keep is None else digests[:keep]
    if not part.dry_run:
        for batch in batched(digests, DIGESTS_PER_INSERT):
            part.notification_ids += _queue(_store_digests(batch, part.run), deliver)
    part.seconds["digests"] = time.perf_counter() - started


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
    result = SweepResult(run=uuid.uuid4().hex, dry_run=dry_run)
    municipalities = _municipalities(municipality_ids, as_of, local_hours, timezone.now())
    result.days = {m["id"]: m["today"] for m in municipalities}
    names = {m["id"]: m["name"] for m in municipalities}
    per_transaction = getattr(
        settings, "REMINDER_MUNICIPALITIES_PER_TRANSACTION", MUNICIPALITIES_PER_TRANSACTION
    )
    for group in batched(municipalities, per_transaction):
        # Each group stamps its rows with a run id of its own: it reads back only its own claims, so the
        # last group of a country's sweep reads no more than the first.
        group_run = GroupRun(municipality_ids=[m["id"] for m in group], run=uuid.uuid4().hex)
        part = SweepResult(run=group_run.run, dry_run=dry_run)
        keep = None if dry_run else max(0, keep_digests - len(result.digests))
        started = time.perf_counter()
        try:
            with transaction.atomic():
                _sweep_group(part, group, names, keep, deliver)
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
            group_run.phases = part.seconds
            result.add(part)
        group_run.seconds = time.perf_counter() - started
        result.groups.append(group_run)
    return result


def sweep_summary(result: SweepResult) -> dict:
    """What a task returns: small and JSON-safe."""
    data = result.as_dict()
    data.pop("digests")
    return data

"""Benchmark the reminder sweep: 50 municipalities × 2,000 deadlines (100,000), and a country (2,000 × 300).

    DATABASE_URL=postgres://… .venv/bin/python bench/reminders.py            # typical, worst, country
    DATABASE_URL=postgres://… .venv/bin/python bench/reminders.py --case worst

Builds the data with bulk_create in a throwaway database — a temporary SQLite file, or, when
DATABASE_URL points to PostgreSQL, a test_<name> database created and dropped here — and times one sweep
per case: a typical day (due dates spread over 2019–2025, all still open), the worst day (every deadline
reaches a stage that day) and a country's worth (2,000 municipalities × 300 deadlines, every one reaching a
stage: the seconds per municipality of each group's transaction, which must stay flat from the first group
to the last, and the longest transaction). Mail transport is excluded (digests are rendered and stored,
not sent). Prints rows, seconds, queries, peak memory (tracemalloc, in a separate identical run so it does
not slow the timed one), seconds per phase and the longest transaction; a re-run must print 0 new
reminders.

Measured 07.12.2026 evening, PostgreSQL 15 (default settings, shared_buffers 128 MB), a new 2-core machine,
load 0.5-1. Before: the code of the morning (all the CSV, then COPY into a temporary table and a plain
INSERT; digests rendered in the sweep). After: the CSV written as COPY reads it, straight into the log
(sweep_sql); digests stored without their text and rendered by the delivery task when sent (digests.py:
healthchecks' way, claim in the sweep, render in the transport); the held claims read one municipality
per SELECT (UNION ALL). Seconds:
                                                   before                      after
    worst day, 196,060 reminders in 550 digests     9.76, 7.15                  4.19, 3.59, 4.23, 4.73 (< 5: met)
        phases                                      sources 1.45-1.74,          sources 1.35-1.87,
                                                    claims 2.97-5.30,           claims 1.51-1.95,
                                                    digests 2.54-2.55           digests 0.60-0.70
        rendered when sent (500 digests with an     (in the sweep: 1.1-1.4)     2.97-5.13 in all, 5.9-10.3 ms
        address; SMTP left out)                                                 and 2 queries a digest
        re-run of the worst day (0 new)             2.07, 2.08 (queries 28)     1.64-2.21 (queries 28)
        peak memory                                 415-417 MiB                 180 MiB
    typical day, 5,352 reminders in 549 digests     0.90                        0.33-0.40 (< 1: met)
    country, 1,176,353 reminders in 22,000 digests, 40 transactions of 50 municipalities
        whole sweep                                 81.7 (the day before)       40.6, 45.0
        ms per municipality, first / last 5 groups  33.2 / 46.9 (the day before) 17.4 / 22.0, 19.5 / 25.6
        longest transaction                         2.88                        1.47, 1.43 (< 10: met)
        re-run (0 new)                              34.1                        17.2, 16.8
The rise per municipality in the country run was the read of held claims: asked as «these 50
municipalities on that day» with the statistics of a nearly empty log, PostgreSQL read the whole day on
the claim index (102 ms at 196,060 rows, then more each group; 21 → 34 ms per municipality). Read one
municipality per SELECT it stays at 0.01-0.02 s a group. What still rises a little is the sources'
reading of deadlines (0.22 → 0.37 s a group), and it is not the run growing: the sources of the first 50
municipalities alone, read without claiming, take 0.24 s before the country's sweep and 0.24 s after it;
those of the last 50 take 0.45 s before and 0.45 s after. The later municipalities' deadlines cost more to
read wherever the run stands; why is not explained (the data builder writes them last). The delivery render
needs the municipality in its query for the same reason as the held claims (79 ms a digest by day alone,
1.7 ms with it).
Again 08.12.2026 on another 2-core machine (same PostgreSQL settings, load 0.6): worst day 4.37, 4.09 s
(phases held 0.01, sources 1.49-1.76, claims 1.60-2.11, digests 0.61-0.65; re-run 1.40-1.53 s, 0 new;
peak 180 MiB; rendered when sent 7.9-8.6 ms and 2 queries a digest); typical day 0.37 s; country 33.2 s,
15.1 / 16.8 ms per municipality in the first / last five groups (median 16.2), longest transaction 1.49 s,
re-run 16.0 s.
Where the worst day's time goes now: sources 1.4-1.9 s (100,000 deadlines and their executors through
values(), 188,000 items, their rows); claims 1.5-2.0 s (CSV and COPY, overlapped; COPY of the same rows
alone 1.2-1.8 s, the unique index 0.1-0.3 of it); digests 0.6-0.7 s (grouping, the subject, storing 550
rows; the 50 digests to people without an address are rendered here, for the log).
See sweep_sql for bulk_create (13-14 s) against COPY.
Compare runs made on one machine, one at a time (`flock /tmp/bench.lock`).
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openness_portal.settings")
# As the worker runs in production: DEBUG off, so no query log re-quoting every statement's parameters.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DJANGO_READ_DOT_ENV_FILE", "0")
TMP = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
USE_PG = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
if not USE_PG:
    os.environ["DATABASE_URL"] = f"sqlite:///{TMP / 'bench.sqlite3'}"
os.environ.setdefault("EMAIL_URL", "smtp://127.0.0.1:1")  # never used: delivery is off

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

TYPICAL_DAY = date(2022, 6, 15)  # a Wednesday
N_DEPARTMENTS = 10
N_OFFICIALS = 10
ZONES = ["Europe/Moscow", "Asia/Yekaterinburg", "Asia/Barnaul", "Europe/Samara", "Asia/Vladivostok"]


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def build(n_municipalities: int, n_deadlines: int, rng: random.Random):
    from django.contrib.auth import get_user_model

    from municipalities.models import Department, Municipality, Official, StaffRole
    from roadmaps.models import Deadline, Measure, MeasureExecutor, Roadmap, Section

    User = get_user_model()
    municipalities = Municipality.objects.bulk_create(
        [
            Municipality(
                name=f"Округ {i}", slug=f"bench-{i}", region="Регион", time_zone=ZONES[i % len(ZONES)]
            )
            for i in range(n_municipalities)
        ]
    )
    users = User.objects.bulk_create(
        [
            User(username=f"coord-{m.pk}", email=f"coord-{m.pk}@example.ru", is_staff=True)
            for m in municipalities
        ]
    )
    StaffRole.objects.bulk_create(
        [
            StaffRole(user=u, role=StaffRole.Role.COORDINATOR, municipality=m)
            for u, m in zip(users, municipalities, strict=True)
        ]
    )
    departments = Department.objects.bulk_create(
        [
            Department(municipality=m, name=f"отдел {j}", email=f"d{j}@{m.slug}.example.ru")
            for m in municipalities
            for j in range(N_DEPARTMENTS)
        ]
    )
    officials = Official.objects.bulk_create(
        [
            # Every tenth official has no e-mail: the coordinator is told instead.
            Official(
                municipality=m, name=f"Сотрудник {j}", email="" if j == 0 else f"o{j}@{m.slug}.example.ru"
            )
            for m in municipalities
            for j in range(N_OFFICIALS)
        ]
    )
    roadmaps = Roadmap.objects.bulk_create(
        [
            Roadmap(
                municipality=m, title="План", first_year=2019, last_year=2025, status=Roadmap.Status.ACTIVE
            )
            for m in municipalities
        ]
    )
    sections = Section.objects.bulk_create([Section(roadmap=r, title="Раздел") for r in roadmaps])
    measures = Measure.objects.bulk_create(
        [
            Measure(
                roadmap=r, section=s, number=str(k + 1), title=f"Мероприятие {k + 1} по открытости", order=k
            )
            for r, s in zip(roadmaps, sections, strict=True)
            for k in range(n_deadlines)
        ],
        batch_size=5000,
    )
    executors = []
    for i, measure in enumerate(measures):
        m_index, k = divmod(i, n_deadlines)
        if k % 50 == 0:
            executors.append(MeasureExecutor(measure=measure, text="руководители органов администрации"))
        elif k % 10 == 0:
            executors.append(
                MeasureExecutor(measure=measure, official=officials[m_index * N_OFFICIALS + k % N_OFFICIALS])
            )
        else:
            executors.append(
                MeasureExecutor(
                    measure=measure, department=departments[m_index * N_DEPARTMENTS + k % N_DEPARTMENTS]
                )
            )
    MeasureExecutor.objects.bulk_create(executors, batch_size=5000)
    return municipalities, measures, Deadline


def set_deadlines(measures, dates_for, Deadline):
    """Replace every deadline (raw delete: no per-row signals) with one per measure, due on dates_for(i)."""
    Deadline.objects.all()._raw_delete(connection.alias)
    Deadline.objects.bulk_create(
        [
            Deadline(measure=m, slot=f"bench:{i}", origin=Deadline.Origin.MANUAL, due_date=dates_for(i))
            for i, m in enumerate(measures)
        ],
        batch_size=5000,
    )


def analyze():
    """Statistics, as autovacuum keeps them on a live database: the tables were bulk-loaded a moment ago,
    and PostgreSQL plans the sweep's joins blind without them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def clear_log():
    from openness_portal.notifications.models import Notification, Reminder

    Reminder.objects.all()._raw_delete(connection.alias)
    Notification.objects.all()._raw_delete(connection.alias)


def timed_sweep(as_of):
    from openness_portal.notifications.sweep import run_sweep

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        result = run_sweep(as_of=as_of, deliver=False, keep_digests=0)
        seconds = time.perf_counter() - start
    return result, seconds, counter.count


def warm_up():
    """A worker is a long-lived process: URLconf and translations are loaded once, not per sweep."""
    from django.urls import reverse

    reverse("admin:index")
    # The production calendar (the `holidays` package) is imported and cached per year on first use.
    from openness_portal.workdays.calendar import get_calendar

    for year in range(TYPICAL_DAY.year - 2, TYPICAL_DAY.year + 1):
        get_calendar().is_working_day(date(year, 6, 1))


def time_rendering_when_sent():
    """What the delivery workers add to the sweep: each digest rendered from the log when it is sent (the
    sweep stores digests to send without their text). Every stored digest, in one process, SMTP left out."""
    from openness_portal.notifications.digests import render_stored_digest
    from openness_portal.notifications.models import Notification

    waiting = list(Notification.objects.filter(kind="digest", body=""))
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        start = time.perf_counter()
        for notification in waiting:
            render_stored_digest(notification)
        seconds = time.perf_counter() - start
    return len(waiting), seconds, counter.count


def run_case(name, as_of, target):
    from openness_portal.notifications.sweep import INSERT_BATCH, run_sweep

    warm_up()

    result, seconds, queries = timed_sweep(as_of)
    rows = result.new_reminders
    rendered, render_seconds, render_queries = time_rendering_when_sent()
    clear_log()
    tracemalloc.start()
    run_sweep(as_of=as_of, deliver=False, keep_digests=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rerun, rerun_seconds, rerun_queries = timed_sweep(as_of)
    batches = max(1, -(-rows // INSERT_BATCH))
    verdict = "OK" if seconds < target else "SLOWER THAN TARGET"
    print(
        f"{name:<10} day {as_of}  new reminders {rows:>7}  digests {result.digest_count:>5}  "
        f"seconds {seconds:6.2f} (target < {target:g}: {verdict})  queries {queries:>4} "
        f"({queries / batches:.1f} per {INSERT_BATCH} rows)  peak memory {peak / 2**20:6.1f} MiB"
    )
    phases = ", ".join(f"{phase} {value:.2f}" for phase, value in result.seconds.items())
    longest = max(g.seconds for g in result.groups)
    print(f"{'':<10} phases (s): {phases}; the rest is the commit; longest transaction {longest:.2f} s")
    print(
        f"{'':<10} rendered when sent, in the delivery workers: {rendered} digests in {render_seconds:.2f} s "
        f"({render_seconds / max(rendered, 1) * 1000:.1f} ms and {render_queries / max(rendered, 1):.1f} "
        "queries each), outside the sweep's transaction"
    )
    print(
        f"{'re-run':<10} day {as_of}  new reminders {rerun.new_reminders:>7}  "
        f"seconds {rerun_seconds:6.2f}  queries {rerun_queries}"
    )
    assert rerun.new_reminders == 0, "a re-run must not remind anyone again"
    clear_log()
    return seconds


def run_country(as_of, target):
    """One sweep of a country's worth of municipalities: the cost of each group's transaction per
    municipality, which must stay flat from the first group to the last, and the longest transaction."""
    from statistics import median

    warm_up()
    result, seconds, queries = timed_sweep(as_of)
    groups = result.groups
    per_municipality = [g.seconds / len(g.municipality_ids) * 1000 for g in groups]
    print(
        f"{'country':<10} day {as_of}  new reminders {result.new_reminders:>7}  digests {result.digest_count:>6}  "
        f"seconds {seconds:6.2f}  queries {queries}  transactions {len(groups)} "
        f"({len(groups[0].municipality_ids)} municipalities each)"
    )
    for index, (group, cost) in enumerate(zip(groups, per_municipality, strict=True), start=1):
        print(
            f"{'':<10} group {index:>3}: {len(group.municipality_ids):>3} municipalities, "
            f"{group.new_reminders:>6} reminders, {group.seconds:5.2f} s, {cost:6.1f} ms per municipality "
            f"({', '.join(f'{phase} {value:.2f}' for phase, value in group.phases.items())})"
        )
    head, tail = per_municipality[:5], per_municipality[-5:]
    longest = max(g.seconds for g in groups)
    verdict = "OK" if longest < target else "LONGER THAN TARGET"
    print(
        f"{'':<10} ms per municipality: min {min(per_municipality):.1f}, median {median(per_municipality):.1f}, "
        f"max {max(per_municipality):.1f}; first five groups {sum(head) / len(head):.1f}, "
        f"last five {sum(tail) / len(tail):.1f}"
    )
    print(f"{'':<10} longest transaction {longest:.2f} s (target < {target:g}: {verdict})")
    rerun, rerun_seconds, rerun_queries = timed_sweep(as_of)
    print(
        f"{'re-run':<10} day {as_of}  new reminders {rerun.new_reminders:>7}  seconds {rerun_seconds:6.2f}  "
        f"queries {rerun_queries}"
    )
    assert rerun.new_reminders == 0, "a re-run must not remind anyone again"
    assert not result.failed_groups, "every group must commit"
    clear_log()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--case",
        action="append",
        choices=["typical", "worst", "country"],
        help="typical and worst: 50 × 2,000 deadlines; country: 2,000 × 300, every deadline reaching a stage "
        "(all three when not given)",
    )
    parser.add_argument("--municipalities", type=int, default=None, help="50, or 2,000 for the country")
    parser.add_argument(
        "--deadlines", type=int, default=None, help="per municipality: 2,000, or 300 for the country"
    )
    args = parser.parse_args()
    cases = args.case or ["typical", "worst", "country"]
    day_cases = [c for c in cases if c != "country"]
    if day_cases:
        in_database(args.municipalities or 50, args.deadlines or 2000, day_cases)
    if "country" in cases:
        in_database(args.municipalities or 2000, args.deadlines or 300, ["country"])


def in_database(n_municipalities: int, n_deadlines: int, cases: list[str]) -> None:
    """Build the data in a throwaway database and run the cases on it."""
    rng = random.Random(20191211)  # noqa: S311 — reproducible data, not security
    db_name = None
    try:
        start = time.perf_counter()
        if USE_PG:
            db_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        else:
            call_command("migrate", verbosity=0)
            call_command("flush", interactive=False, verbosity=0)  # the file of the previous cases
        municipalities, measures, Deadline = build(n_municipalities, n_deadlines, rng)
        print(
            f"database {connection.vendor} ({connection.settings_dict['NAME']}); built "
            f"{len(municipalities)} municipalities × {n_deadlines} deadlines = {len(measures)} rows "
            f"in {time.perf_counter() - start:.1f} s (incl. migrations)"
        )
        from openness_portal.notifications.stages import DEFAULT_OFFSETS, stage_dates

        stage_days = sorted(stage_dates(TYPICAL_DAY, DEFAULT_OFFSETS))
        if "typical" in cases:
            first, last = date(2019, 1, 1), date(2025, 12, 31)
            span = (last - first).days
            set_deadlines(measures, lambda i: first + timedelta(days=rng.randrange(span + 1)), Deadline)
            analyze()
            run_case("typical", TYPICAL_DAY, 1.0)
        if "worst" in cases or "country" in cases:
            set_deadlines(measures, lambda i: stage_days[i % len(stage_days)], Deadline)
            analyze()
            print(
                f"every deadline due on one of the {len(stage_days)} dates that reach a stage on {TYPICAL_DAY}"
            )
        if "worst" in cases:
            run_case("worst", TYPICAL_DAY, 5.0)
        if "country" in cases:
            run_country(TYPICAL_DAY, 10.0)
    finally:
        if db_name:
            connection.creation.destroy_test_db(db_name, verbosity=0)
        connection.close()


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)

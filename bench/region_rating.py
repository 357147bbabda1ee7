"""Benchmark: the openness rating of a region of 2,000 municipalities with roadmaps.

Builds the region in bulk (each municipality: a roadmap of N measures with deadlines and KPIs over four
years, appeals, discussions with summaries, open-data sets), then prints rows, seconds and SQL queries of:
the rating computed (aim < 2 s), the region page uncached, and the region page served from the cache
(aim: like a cached roadmap page — no SQL, a few milliseconds).

Then, if wrk is installed, requests/s and p95 of the cached page served by gunicorn on loopback, as
bench/roadmap_page.py measures the roadmap page (aim ≥ 300 req/s, p95 ≤ 50 ms).

    DEBUG=1 /work/venv/bin/python bench/region_rating.py [--municipalities 2000] [--measures 10] [--seconds 10]
"""

import argparse
import statistics
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import Timer, setup_django  # noqa: E402

REGION = "Бенчмаркский край"
YEARS = (2021, 2022, 2023, 2024)


def build_region(count: int, measures: int) -> None:
    from appeals.models import Appeal
    from municipalities.models import Department, Municipality
    from opendata.models import Dataset, next_due
    from roadmaps.models import Deadline, Kpi, KpiActual, KpiTarget, Measure, Roadmap, Section
    from surveys.models import Discussion, DiscussionSummary

    municipalities = Municipality.objects.bulk_create(
        [
            Municipality(name=f"Округ {i:04d}", slug=f"bench-{i}", region=REGION, inn=f"{2600000000 + i}")
            for i in range(count)
        ]
    )
    # One in ten has no roadmap yet: the page must list and mark it.
    with_roadmap = [m for i, m in enumerate(municipalities) if i % 10]
    roadmaps = Roadmap.objects.bulk_create(
        [
            Roadmap(
                municipality=m,
                title="Дорожная карта",
                first_year=YEARS[0],
                last_year=YEARS[-1],
                status="active",
            )
            for m in with_roadmap
        ]
    )
    sections = Section.objects.bulk_create([Section(roadmap=r, number="1", title="Раздел") for r in roadmaps])
    measure_rows = Measure.objects.bulk_create(
        [
            Measure(roadmap=r, section=s, number=str(j + 1), title=f"Мероприятие {j}", order=j)
            for r, s in zip(roadmaps, sections, strict=True)
            for j in range(measures)
        ],
        batch_size=5000,
    )
    deadlines, kpis = [], []
    for n, measure in enumerate(measure_rows):
        for y in YEARS:
            due = date(y, 12, 1)
            done = due - timedelta(days=5) if (n + y) % 4 else (due + timedelta(days=3) if n % 3 else None)
            deadlines.append(
                Deadline(
                    measure=measure,
                    slot=str(y),
                    origin="manual",
                    due_date=due,
                    period=str(y),
                    completed_on=done,
                )
            )
        kpis.append(Kpi(measure=measure, name="показатель", unit="шт."))
    Deadline.objects.bulk_create(deadlines, batch_size=5000)
    kpis = Kpi.objects.bulk_create(kpis, batch_size=5000)
    KpiTarget.objects.bulk_create(
        [KpiTarget(kpi=k, year=y, value=10) for k in kpis for y in YEARS], batch_size=5000
    )
    KpiActual.objects.bulk_create(
        [KpiActual(kpi=k, period=str(y), value=8 + (k.pk + y) % 5) for k in kpis for y in YEARS],
        batch_size=5000,
    )
    appeals = []
    for m in municipalities:
        for j in range(24):
            received = date(YEARS[j % 4], 1 + j % 12, 1 + j % 28)
            late = (m.pk + j) % 7 == 0
            appeals.append(
                Appeal(
                    municipality=m,
                    received_on=received,
                    channel=["written", "electronic", "trust_line", "reception", "pos"][j % 5],
                    due_on=received + timedelta(days=30),
                    answered_on=received + timedelta(days=40 if late else 10),
                )
            )
    Appeal.objects.bulk_create(appeals, batch_size=5000)
    discussions = []
    for m in municipalities:
        for y in YEARS:
            opens = datetime(y, 3, 1, tzinfo=UTC)
            discussions.append(
                Discussion(
                    municipality=m,
                    title="Проект",
                    opens_at=opens,
                    last_day=date(y, 3, 20),
                    closes_at=opens + timedelta(days=20),
                    summary_due_date=date(y, 4, 1),
                )
            )
    discussions = Discussion.objects.bulk_create(discussions, batch_size=5000)
    DiscussionSummary.objects.bulk_create(
        [
            DiscussionSummary(
                discussion=d, text="Итоги", published_at=d.closes_at + timedelta(days=5 if d.pk % 3 else 20)
            )
            for d in discussions
        ],
        batch_size=5000,
    )
    departments = Department.objects.bulk_create(
        [Department(municipality=m, name="отдел") for m in municipalities]
    )
    datasets = []
    for m, department in zip(municipalities, departments, strict=True):
        for code, modified in (("a", date.today() - timedelta(days=30)), ("b", date(2023, 1, 1))):
            datasets.append(
                Dataset(
                    municipality=m,
                    code=code,
                    identifier=f"{m.inn}-{code}",
                    title=code,
                    description="—",
                    owner=department,
                    modified=modified,
                    next_update_due=next_due(modified, "yearly"),
                )
            )
    Dataset.objects.bulk_create(datasets, batch_size=5000)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--municipalities", type=int, default=2000)
    parser.add_argument("--measures", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()

    db_url = setup_django("region-rating")
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from regions import selectors, services
    from roadmaps.models import Deadline

    with Timer() as t:
        build_region(args.municipalities, args.measures)
    print(
        f"region: {args.municipalities} municipalities, {Deadline.objects.count()} deadlines, "
        f"built in {t.seconds:.1f} s ({db_url.split(':')[0]})"
    )

    timings = []
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as ctx, Timer() as t:
            rating = services.region_rating(REGION)
        timings.append(t.seconds)
    rated = sum(1 for r in rating.rows if r.score is not None)
    print(
        f"rating computed: {len(rating.rows)} rows ({rated} rated, {len(rating.years)} years of history), "
        f"{len(ctx.captured_queries)} SQL queries, median {statistics.median(timings):.2f} s, "
        f"max {max(timings):.2f} s over {args.runs} runs (aim < 2 s)"
    )

    url = f"/region/{selectors.region_slug(REGION)}/"
    client = Client(HTTP_HOST="127.0.0.1")
    timings = []
    for i in range(args.runs + 1):
        cache.clear()
        with CaptureQueriesContext(connection) as ctx, Timer() as t:
            response = client.get(url)
        assert response.status_code == 200
        if i:  # the first request warms imports and template loading
            timings.append(t.seconds)
    print(
        f"region page uncached: {len(ctx.captured_queries)} SQL queries, median {statistics.median(timings):.2f} s, "
        f"{len(response.content) / 1024:.0f} KiB"
    )
    timings = []
    for _ in range(200):
        with CaptureQueriesContext(connection) as ctx, Timer() as t:
            response = client.get(url)
        timings.append(t.seconds * 1000)
    print(
        f"region page cached (in process): {len(ctx.captured_queries)} SQL queries, "
        f"median {statistics.median(timings):.1f} ms, p95 {sorted(timings)[int(len(timings) * 0.95)]:.1f} ms "
        f"over {len(timings)} requests"
    )

    load_test(db_url, url, args)


def load_test(db_url: str, url: str, args) -> None:
    """The cached page under wrk, served by gunicorn exactly as bench/roadmap_page.py serves a roadmap."""
    from _setup import cached_page_under_wrk

    result = cached_page_under_wrk(db_url, url, connections=args.connections, seconds=args.seconds)
    if result:
        print(
            f"region page cached under wrk ({args.connections} connections, {args.seconds} s, gunicorn "
            f"{result['workers']} workers): {result['rps']:.0f} req/s, p50 {result['p50']:.1f} ms, "
            f"p95 {result['p95']:.1f} ms, errors {result['errors']} (aim ≥ 300 req/s, p95 ≤ 50 ms)"
        )


if __name__ == "__main__":
    main()

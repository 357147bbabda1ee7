"""Benchmark: the public roadmap page for a roadmap of 1,000 measures × 7 years.

Prints the SQL queries and server time of the uncached page against its floor — the same rows read with
values_list and nothing rendered (target: page ≤ 12x the floor, the same number of queries for 20 measures
as for 1,000) — then requests/s and p95 of the cached page served by gunicorn on loopback under wrk (aim
≥ 300 req/s, p95 ≤ 50 ms).

    DEBUG=1 .venv/bin/python bench/roadmap_page.py [--measures 1000] [--seconds 10]

Measured 2026-12-06 on PostgreSQL (BENCH_DATABASE_URL, the cache on Redis through django-redis), 2 shared cores
with other engineers' jobs running (load average 4-5): uncached page 11 queries, median 243 ms; its values_list
floor 54.5 ms -> 4.5x (target ≤ 12x: OK); 11 queries for 20 measures as for 1,000 (constant: OK); cached page
0 queries, 8.6 ms in process, 291 req/s with p95 81 ms under wrk (16 connections, 2 workers). An earlier run
on a machine at load 6-8: 429 ms against a 161 ms floor, 2.7x.
"""

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import Timer, cached_page_under_wrk, setup_django  # noqa: E402


def values_list_floor(roadmap) -> float:
    """Milliseconds to read what the page shows (measures, executors, deadlines, KPIs with the year's targets
    and actuals, sections) as plain tuples: the SQL and driver cost no rendering can avoid."""
    from roadmaps.models import Deadline, Kpi, KpiActual, KpiTarget, Measure, MeasureExecutor, Section

    ids = Measure.objects.filter(roadmap=roadmap).values("pk")
    year = 2025
    with Timer() as t:
        list(
            Measure.objects.filter(roadmap=roadmap)
            .order_by("order", "pk")
            .values_list(
                "pk",
                "number",
                "title",
                "section_id",
                "deadline_rule__text",
                "deadline_rule__kind",
                "deadline_rule__needs_clarification",
            )
        )
        list(
            MeasureExecutor.objects.filter(measure_id__in=ids)
            .order_by("measure_id", "order", "id")
            .values_list(
                "measure_id",
                "text",
                "department__name",
                "department__short_name",
                "official__name",
                "official__post",
            )
        )
        list(
            Deadline.objects.filter(measure_id__in=ids).values_list(
                "measure_id", "due_date", "period", "completed_on", "not_applicable"
            )
        )
        list(
            Kpi.objects.filter(measure_id__in=ids)
            .order_by("measure_id", "order", "id")
            .values_list("pk", "measure_id", "name", "unit", "kind", "comparator")
        )
        list(KpiTarget.objects.filter(kpi__measure_id__in=ids, year=year).values_list("kpi_id", "value"))
        list(
            KpiActual.objects.filter(kpi__measure_id__in=ids, period__startswith=str(year))
            .order_by("period")
            .values_list("kpi_id", "value", "text")
        )
        list(Section.objects.filter(roadmap=roadmap).order_by("order", "pk").values_list("pk", "title"))
    return t.seconds * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--measures", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()

    db_url = setup_django("roadmap-page")
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from roadmaps.demo.synthetic import build_roadmap
    from roadmaps.models import Deadline

    with Timer() as t:
        roadmap = build_roadmap(args.measures, first_year=2019, last_year=2025)
    deadlines = Deadline.objects.filter(measure__roadmap=roadmap).count()
    url = f"/m/{roadmap.municipality.slug}/roadmaps/{roadmap.pk}/"
    print(
        f"roadmap: {args.measures} measures, {deadlines} deadlines, built in {t.seconds:.1f} s ({db_url.split(':')[0]})"
    )

    client = Client(HTTP_HOST="127.0.0.1")

    def uncached(page_url, runs=8):
        timings, queries, response = [], None, None
        for i in range(runs):
            cache.clear()
            reset_queries()
            with CaptureQueriesContext(connection) as ctx, Timer() as t:
                response = client.get(page_url)
            assert response.status_code == 200
            if i:  # the first request warms imports and template loading
                timings.append(t.seconds * 1000)
            queries = len(ctx.captured_queries)
        return timings, queries, response

    timings, queries, response = uncached(url)
    size_kb = len(response.content) / 1024
    page_ms = statistics.median(timings)
    print(
        f"uncached page: {queries} SQL queries, median {page_ms:.0f} ms, "
        f"min {min(timings):.0f} ms over {len(timings)} runs, {size_kb:.0f} KiB"
    )
    floor = [values_list_floor(roadmap) for _ in range(8)][1:]
    floor_ms = statistics.median(floor)
    ratio = page_ms / floor_ms
    print(
        f"values_list floor (the same rows read with values_list, nothing rendered): median {floor_ms:.1f} ms;"
        f" page / floor = {ratio:.1f}x (target ≤ 12x) — {'OK' if ratio <= 12 else 'NOT MET'}"
    )
    with CaptureQueriesContext(connection) as ctx, Timer() as t:
        client.get(url)
    print(f"cached page (in process): {len(ctx.captured_queries)} SQL queries, {t.seconds * 1000:.1f} ms")
    small = build_roadmap(20, first_year=2019, last_year=2025)
    _timings, small_queries, _response = uncached(
        f"/m/{small.municipality.slug}/roadmaps/{small.pk}/", runs=2
    )
    print(
        f"queries: {queries} for {args.measures} measures, {small_queries} for 20 —"
        f" {'constant' if queries == small_queries else 'NOT constant'}"
    )

    result = cached_page_under_wrk(db_url, url, connections=args.connections, seconds=args.seconds)
    if result:
        print(
            f"cached page under wrk ({args.connections} connections, {args.seconds} s, gunicorn "
            f"{result['workers']} workers): {result['rps']:.0f} req/s, p50 {result['p50']:.1f} ms, "
            f"p95 {result['p95']:.1f} ms, errors {result['errors']} (aim ≥ 300 req/s, p95 ≤ 50 ms)"
        )


if __name__ == "__main__":
    main()

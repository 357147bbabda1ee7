"""Report exports at scale: a roadmap of 1,000 measures × 7 years, annual report of one year.

Prints, for XLSX, PDF and DOCX, the time, SQL queries and peak memory of building the report from the
database, and in the same run the same figures for bare openpyxl (write-only) and bare WeasyPrint on the
same content (the rows already in memory, the HTML already rendered), with the ratios.
Each measurement runs in a forked child so its peak memory (VmHWM growth) is its own.

    DEBUG=1 .venv/bin/python bench/reports.py [--measures 1000] [--small 250] [--pdf-measures 250] [--no-pdf]

Targets (issue 6): XLSX ≤ 1.5× bare openpyxl and < 3 s; PDF ≤ 1.3× bare WeasyPrint, < 20 s, < 500 MiB;
XLSX memory flat in rows (compare the two sizes).
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup_django  # noqa: E402

YEARS = (2019, 2025)
YEAR = 2022
TEXT = (
    "В ходе реализации мероприятия проведен мониторинг полноты и качества раскрытия данных, находящихся "
    "в распоряжении администрации, в открытом машиночитаемом формате. Данные размещены на официальном сайте "
    "в разделе «Открытые данные» в полном объеме в соответствии с требованиями постановления от 27.05.2021 "
    "№ 648. По итогам опросов в голосовании приняли участие 642 человека, т.е. 10,8 % от общего количества."
)


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def measure(fn):
    """Run fn() in a forked child; returns (seconds, queries, peak RSS growth in MiB, fn's result)."""
    from django.db import connections

    connections.close_all()  # the child opens its own connection
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read)
        try:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            base = _rss_kib("VmRSS:")
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                result = fn()
                seconds = time.perf_counter() - start
            peak = (_rss_kib("VmHWM:") - base) / 1024
            payload = f"{seconds}|{len(queries.captured_queries)}|{peak}|{result}"
        except Exception as exc:  # reported by the parent
            payload = f"error|{type(exc).__name__}: {exc}"
        os.write(write, payload.encode())
        os.close(write)
        os._exit(0)
    os.close(write)
    data = b""
    while chunk := os.read(read, 65536):
        data += chunk
    os.close(read)
    os.waitpid(pid, 0)
    parts = data.decode().split("|")
    if parts[0] == "error":
        raise RuntimeError(parts[1])
    return float(parts[0]), int(parts[1]), float(parts[2]), parts[3]


def make_roadmap(count: int):
    """A roadmap of `count` measures: 2 executors, a yearly deadline per year, a KPI with targets and
    actuals, and an accepted progress entry for the year (some formula-like, to exercise escaping)."""
    from datetime import date
    from decimal import Decimal

    from django.utils import timezone

    from municipalities.models import Department, Municipality, Official
    from roadmaps.models import (
        Deadline,
        DeadlineRule,
        Kpi,
        KpiActual,
        KpiTarget,
        LegalAct,
        Measure,
        MeasureExecutor,
        ProgressEntry,
        Roadmap,
        Section,
    )

    municipality = Municipality.objects.create(
        name=f"Бенчмарк {count}", slug=f"bench-{count}-{time.time_ns()}", region="Бенчмарк"
    )
    act = LegalAct.objects.create(
        municipality=municipality, number="1-р", date=date(2019, 1, 10), title="Об утверждении плана"
    )
    roadmap = Roadmap.objects.create(
        municipality=municipality,
        title="План мероприятий по реализации принципов открытости",
        approving_act=act,
        first_year=YEARS[0],
        last_year=YEARS[1],
        status=Roadmap.Status.ACTIVE,
    )
    sections = Section.objects.bulk_create(
        [Section(roadmap=roadmap, number=str(i + 1), title=f"Раздел {i + 1}", order=i) for i in range(10)]
    )
    department = Department.objects.create(
        municipality=municipality, name="управление информационной политики"
    )
    official = Official.objects.create(
        municipality=municipality, name="Бегишева Н.А.", post="заместитель главы"
    )
    measures = Measure.objects.bulk_create(
        [
            Measure(
                roadmap=roadmap,
                section=sections[i * len(sections) // count],
                number=f"{i * len(sections) // count + 1}.{i + 1}",
                title=f"Проведение мониторинга полноты и качества раскрытия данных, мероприятие {i + 1}",
                order=i,
            )
            for i in range(count)
        ]
    )
    DeadlineRule.objects.bulk_create(
        [DeadlineRule(measure=m, text="ежегодно, до 01 марта", kind="yearly") for m in measures]
    )
    MeasureExecutor.objects.bulk_create(
        [
            MeasureExecutor(
                measure=m, order=0, department=department, text="управление информационной политики"
            )
            for m in measures
        ]
        + [MeasureExecutor(measure=m, order=1, official=official, text="Бегишева Н.А.") for m in measures]
    )
    Deadline.objects.bulk_create(
        [
            Deadline(
                measure=m,
                slot=f"y{year}",
                due_date=date(year, 3, 1),
                period=str(year),
                completed_on=date(year, 2, 20) if (m.pk + year) % 3 else None,
            )
            for m in measures
            for year in range(YEARS[0], YEARS[1] + 1)
        ],
        batch_size=5000,
    )
    kpis = Kpi.objects.bulk_create(
        [Kpi(measure=m, name="Количество размещенных наборов", unit="шт.") for m in measures]
    )
    KpiTarget.objects.bulk_create(
        [
            KpiTarget(kpi=k, year=y, value=Decimal(y - YEARS[0] + 1))
            for k in kpis
            for y in range(YEARS[0], YEARS[1] + 1)
        ],
        batch_size=5000,
    )
    KpiActual.objects.bulk_create(
        [
            KpiActual(kpi=k, period=str(y), value=Decimal(y - YEARS[0] + (k.pk % 2)))
            for k in kpis
            for y in range(2019, 2023)
        ],
        batch_size=5000,
    )
    now = timezone.now()
    ProgressEntry.objects.bulk_create(
        [
            ProgressEntry(
                measure=m,
                period=str(YEAR),
                text=('=HYPERLINK("http://x","y") ' if i % 50 == 0 else "") + TEXT,
                status=ProgressEntry.Status.ACCEPTED,
                reviewed_at=now,
            )
            for i, m in enumerate(measures)
        ],
        batch_size=2000,
    )
    return roadmap


def document(roadmap):
    from openness_portal.periods import Period
    from reports.selectors import document_for

    return document_for(kind="annual", period=Period(YEAR), roadmap=roadmap)


def ours(roadmap, fmt):
    from reports.writers import WRITERS

    def run():
        from roadmaps.models import Roadmap

        fresh = Roadmap.objects.select_related("municipality", "approving_act").get(pk=roadmap.pk)
        out = io.BytesIO()
        rows = WRITERS[fmt](document(fresh), out)
        return f"{rows} rows, {out.tell() / 1024:.0f} KiB"

    return run


def bare_openpyxl(values):
    def run():
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Отчет")
        for row in values:
            ws.append(row)
        out = io.BytesIO()
        wb.save(out)
        return f"{len(values)} rows, {out.tell() / 1024:.0f} KiB"

    return run


def bare_weasyprint(html):
    def run():
        from weasyprint import HTML

        out = io.BytesIO()
        HTML(string=html).write_pdf(out)
        return f"{out.tell() / 1024:.0f} KiB"

    return run


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--measures", type=int, default=1000)
    parser.add_argument("--small", type=int, default=250, help="second size, to show memory flat in rows")
    parser.add_argument(
        "--pdf-measures",
        type=int,
        default=250,
        help="roadmap size for the PDF pair (WeasyPrint lays out ~5 rows a page; 1000 takes minutes)",
    )
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    setup_django("reports")
    import weasyprint  # noqa: F401 - imported once in the parent so no child pays for the import

    from reports.writers.pdf import render_html

    print(f"{'case':<28}{'measures':>9}{'seconds':>9}{'queries':>9}{'peak MiB':>10}  result")
    results = {}
    sizes = sorted({args.small, args.measures} | (set() if args.no_pdf else {args.pdf_measures}))
    for count in sizes:
        with_timer = time.perf_counter()
        roadmap = make_roadmap(count)
        print(f"# data: {count} measures × 7 years built in {time.perf_counter() - with_timer:.1f} s")
        doc = document(roadmap)
        values = [row.cells if not row.is_section else [row.section] for row in doc.rows]
        cases = []
        if count in (args.small, args.measures):
            cases += [
                ("bare openpyxl write-only", bare_openpyxl(values)),
                ("xlsx (report)", ours(roadmap, "xlsx")),
                ("docx (report)", ours(roadmap, "docx")),
            ]
        if not args.no_pdf and count == args.pdf_measures:
            html = render_html(document(roadmap))
            cases += [("bare WeasyPrint", bare_weasyprint(html)), ("pdf (report)", ours(roadmap, "pdf"))]
        for name, fn in cases:
            seconds, queries, peak, result = measure(fn)
            results[(name, count)] = (seconds, peak)
            print(f"{name:<28}{count:>9}{seconds:>9.2f}{queries:>9}{peak:>10.1f}  {result}")

    n = args.measures
    xlsx, bare_x = results[("xlsx (report)", n)], results[("bare openpyxl write-only", n)]
    print(f"\nXLSX / bare openpyxl: {xlsx[0] / bare_x[0]:.2f}× time (target ≤ 1.5×, < 3 s: {xlsx[0]:.2f} s)")
    small_x = results[("xlsx (report)", args.small)]
    print(f"XLSX peak memory {args.small} → {n} measures: {small_x[1]:.1f} → {xlsx[1]:.1f} MiB")
    p = args.pdf_measures
    if ("pdf (report)", p) in results:
        pdf, bare_p = results[("pdf (report)", p)], results[("bare WeasyPrint", p)]
        print(
            f"PDF / bare WeasyPrint: {pdf[0] / bare_p[0]:.2f}× time, {pdf[1] / max(bare_p[1], 1):.2f}× memory "
            f"at {p} measures (target ≤ 1.3×; 1000 measures < 20 s and < 500 MiB: here {pdf[0]:.1f} s, "
            f"{pdf[1]:.0f} MiB at {p} measures"
            + ("" if p >= 1000 else "; run with --pdf-measures 1000 for the target size")
            + ")"
        )


if __name__ == "__main__":
    main()

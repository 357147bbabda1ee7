"""Benchmark: parse and save a generated 1,000-measure roadmap from DOCX and XLSX.

Run: DEBUG=1 .venv/bin/python bench/import_roadmap.py [--measures 1000]
Uses a throwaway SQLite database in a temporary folder, never the development db.sqlite3.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="bench-import-")
os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openness_portal.settings_test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

DEADLINES = [
    "до 20 декабря 2021года",
    "ежеквартально",
    "в течение года",
    "постоянно",
    "по мере необходимости",
    "до 31 декабря 2020 года; до 31 декабря 2021 года; до 31 декабря 2022 года",
    "не позднее 3 рабочих дней с даты принятия решения Думой",
    "II квартал",
    "исполнено",
    "когда получится",
]
HEADER = ["№ п/п", "Наименование мероприятия", "Срок исполнения", "Ответственные исполнители", "Показатели"]


def rows(n):
    out = []
    for i in range(n):
        if i % 25 == 0:
            out.append(f"{i // 25 + 1}. Раздел плана номер {i // 25 + 1}")
        out.append(
            [
                f"{i // 25 + 1}.{i % 25 + 1}",
                f"Мероприятие {i + 1}: размещение информации о деятельности органов местного самоуправления",
                DEADLINES[i % len(DEADLINES)],
                f"отдел № {i % 7}; пресс-секретарь главы района",
                "реализовано не менее 1 проекта;\nреализовано не менее 2 проектов;\nреализовано не менее 3 проектов"
                if i % 10 == 5
                else "аналитический отчет",
            ]
        )
    return out


def make_docx(data):
    import docx

    document = docx.Document()
    document.add_paragraph("План мероприятий («дорожная карта») на 2020–2022 годы")
    table = document.add_table(rows=0, cols=len(HEADER))
    for row in [HEADER, *data]:
        cells = table.add_row().cells
        if isinstance(row, str):
            cells[0].merge(cells[-1]).text = row
        else:
            for cell, text in zip(cells, row, strict=True):
                cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_xlsx(data):
    import openpyxl

    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append(["План мероприятий («дорожная карта») на 2020–2022 годы"])
    ws.append(HEADER)
    for row in data:
        if isinstance(row, str):
            ws.append([row])
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(HEADER))
        else:
            ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--measures", type=int, default=1000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from importing.services import ImportOptions, parse_roadmap_file, save_parsed_roadmap
    from municipalities.models import Department, Municipality
    from roadmaps.models import Deadline

    municipality = Municipality.objects.create(name="Бенчмарк", slug="bench", region="—")
    for i in range(7):
        Department.objects.create(municipality=municipality, name=f"отдел № {i}")
    data = rows(args.measures)
    print(f"{'format':6} {'rows':>6} {'parse, s':>9} {'save, s':>8} {'queries':>8} {'deadlines':>10}")
    for fmt, maker in (("docx", make_docx), ("xlsx", make_xlsx)):
        content = maker(data)
        started = time.perf_counter()
        result = parse_roadmap_file(content, f"bench.{fmt}", municipality=municipality)
        parsed = time.perf_counter()
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            roadmap = save_parsed_roadmap(result, municipality, ImportOptions(create_executors=True))
        saved = time.perf_counter()
        deadlines = Deadline.objects.filter(measure__roadmap=roadmap).count()
        print(
            f"{fmt:6} {len(result.measures):>6} {parsed - started:>9.2f} {saved - parsed:>8.2f} "
            f"{len(queries.captured_queries):>8} {deadlines:>10}"
        )


if __name__ == "__main__":
    main()

"""Regional summary: every municipality of the region, a totals row, the openness rating with places."""

import io
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from docx import Document

from openness_portal.periods import Period
from regions.services import region_rating
from reports.selectors import NO_ROADMAP, TOTAL, regional_report
from reports.writers.pdf import render_html
from roadmaps.models import Measure
from tests.factories import DeadlineFactory, MeasureFactory, MunicipalityFactory, RoadmapFactory

REGION = "Тестовый край"


def region_with(municipalities: int, *, with_roadmap: int):
    made = [MunicipalityFactory(region=REGION, name=f"МО {i:02d}") for i in range(municipalities)]
    for municipality in made[:with_roadmap]:
        roadmap = RoadmapFactory(municipality=municipality, first_year=2022, last_year=2022)
        MeasureFactory.create_batch(2, roadmap=roadmap, section__roadmap=roadmap)
    return made


@pytest.mark.django_db
def test_municipalities_without_roadmap_are_listed_and_marked_and_totals_add_up():
    region_with(3, with_roadmap=2)
    MunicipalityFactory(region="Другой край", name="Чужой район")
    rows = list(regional_report(REGION, Period(2022)).rows)
    assert [r.cells[1] for r in rows[:-1]] == ["МО 00", "МО 01", "МО 02"]
    assert [r.mark for r in rows] == ["", "", NO_ROADMAP, TOTAL]
    assert "Нет утвержденной дорожной карты" in rows[2].cells[2]
    total = rows[-1]
    assert total.cells[1] == "Итого (муниципальных образований: 3)"
    assert total.cells[2] == "Дорожных карт: 2; без дорожной карты: 1"
    assert total.cells[3] == 4  # measures of both roadmaps


@pytest.mark.django_db
def test_places_are_the_regions_apps_rating():
    made = region_with(3, with_roadmap=3)
    on_time, overdue = (Measure.objects.filter(roadmap__municipality=m).first() for m in made[:2])
    DeadlineFactory(measure=on_time, due_date=date(2022, 3, 1), completed_on=date(2022, 2, 1))
    DeadlineFactory(measure=overdue, due_date=date(2022, 3, 1), completed_on=None)
    rating = {row.municipality["name"]: row for row in region_rating(REGION, year=2022).rows}
    rows = list(regional_report(REGION, Period(2022)).rows)[:-1]
    places = {r.cells[1]: r.cells[-1] for r in rows}
    assert places == {"МО 00": 1, "МО 01": 2, "МО 02": "—"}
    assert places["МО 00"] == rating["МО 00"].rank
    assert rows[0].cells[-2] == rating["МО 00"].score  # a number: a numeric cell in XLSX


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 20])
def test_queries_do_not_grow_with_municipalities(size, django_assert_max_num_queries):
    region_with(size, with_roadmap=size // 2)
    with django_assert_max_num_queries(12):
        rows = list(regional_report(REGION, Period(2022)).rows)
    assert len(rows) == size + 1


def build(tmp_path, municipality, fmt):
    roadmap = RoadmapFactory(municipality=municipality, first_year=2022, last_year=2022)
    out = tmp_path / f"summary.{fmt}"
    call_command(
        "build_report",
        roadmap=roadmap.pk,
        period="2022",
        kind="regional",
        fmt=fmt,
        output=str(out),
        stdout=io.StringIO(),
    )
    return out


@pytest.mark.django_db
def test_writers_show_the_totals_row_and_the_marks(tmp_path):
    made = region_with(2, with_roadmap=0)
    xlsx = openpyxl.load_workbook(build(tmp_path, made[0], "xlsx")).active
    by_text = {str(c.value): c for row in xlsx.iter_rows() for c in row if c.value is not None}
    total = next(c for text, c in by_text.items() if text.startswith("Итого"))
    missing = next(c for text, c in by_text.items() if text.startswith("Нет утвержденной"))
    assert total.font.b and missing.font.i

    docx_rows = Document(str(build(tmp_path, made[0], "docx"))).tables[0].rows
    last = docx_rows[-1].cells[1].paragraphs[0].runs[0]
    assert last.text.startswith("Итого") and last.bold
    marked = next(r for r in docx_rows if r.cells[1].text == "МО 01")
    assert marked.cells[2].paragraphs[0].runs[0].italic

    html = render_html(regional_report(REGION, Period(2022)))
    assert '<tr class="total">' in html and '<tr class="missing">' in html

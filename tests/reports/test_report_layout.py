"""How the report files read on paper and in Excel (issue 18): one executor a line, rows kept on one page,
headers broken between words only, a signature block, numbers as numbers, one KPI a row."""

import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from docx import Document

from openness_portal.periods import Period
from reports.selectors import document_for
from reports.writers import render_html
from roadmaps.models import KpiActual, KpiTarget
from tests.factories import (
    DepartmentFactory,
    KpiFactory,
    MeasureExecutorFactory,
    MeasureFactory,
    OfficialFactory,
    RoadmapFactory,
)

pytestmark = pytest.mark.django_db


def build(tmp_path, roadmap, period, kind, fmt):
    out = tmp_path / f"report-{kind}.{fmt}"
    call_command(
        "build_report",
        roadmap=roadmap.pk,
        period=period,
        kind=kind,
        fmt=fmt,
        output=str(out),
        stdout=io.StringIO(),
    )
    return out


@pytest.fixture
def roadmap():
    roadmap = RoadmapFactory(first_year=2021, last_year=2022)
    municipality = roadmap.municipality
    OfficialFactory(
        municipality=municipality,
        post="пресс-секретарь главы района",
        name="Петрова А.А.",
        is_press_secretary=True,
    )
    measure = MeasureFactory(roadmap=roadmap, section__roadmap=roadmap, section__number="", number="1")
    MeasureExecutorFactory(
        measure=measure,
        order=0,
        department=DepartmentFactory(municipality=municipality, name="управление делами"),
    )
    MeasureExecutorFactory(
        measure=measure,
        order=1,
        department=DepartmentFactory(municipality=municipality, name="юридический отдел"),
    )
    for order, (name, target, actual) in enumerate([("проектов", 3, 4), ("экспертов", 15, Decimal("7.5"))]):
        kpi = KpiFactory(measure=measure, name=name, order=order)
        KpiTarget.objects.create(kpi=kpi, year=2021, value=target)
        KpiActual.objects.create(kpi=kpi, period="2021", value=actual)
    return roadmap


def test_xlsx_numbers_are_numeric_cells_one_kpi_a_row_and_executors_on_their_own_lines(roadmap, tmp_path):
    ws = openpyxl.load_workbook(build(tmp_path, roadmap, "2021", "annual", "xlsx")).active
    rows = list(ws.iter_rows(min_row=9))
    first, second = rows[0], rows[1]
    assert first[0].value == "1" and "проектов" in first[4].value and "экспертов" in second[4].value
    for cell in (first[5], first[6], first[7], second[5], second[6], second[7]):
        assert cell.data_type == "n", cell.coordinate
    assert (first[5].value, first[6].value, first[7].value) == (3, 4, pytest.approx(133.3))
    assert second[6].value == 7.5 and second[6].number_format == "#,##0.###"
    assert first[7].number_format == "0.0"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A9:A10", "B9:B10", "C9:C10", "D9:D10"} <= merged  # the measure's cells over its KPI rows
    executors = first[2].value.split("\n")
    assert executors[:2] == ["управление делами", "юридический отдел"]
    assert first[2].alignment.wrap_text


def test_xlsx_signature_names_the_press_secretary_and_the_date(roadmap, tmp_path):
    ws = openpyxl.load_workbook(build(tmp_path, roadmap, "2021", "annual", "xlsx")).active
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("Ответственный: пресс-секретарь главы района Петрова А.А.") for t in texts)
    assert any(re.fullmatch(r"Дата формирования: \d\d\.\d\d\.\d{4}", t) for t in texts)


def test_docx_rows_do_not_split_headers_repeat_and_executors_are_separate_lines(roadmap, tmp_path):
    path = build(tmp_path, roadmap, "2021", "annual", "docx")
    xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    main_table = xml[: xml.index("</w:tbl>")]
    rows = re.findall(r"<w:tr[ >].*?</w:tr>", main_table, re.S)
    assert len(rows) == 4 and all("<w:cantSplit" in row for row in rows)
    assert xml.count("<w:tblHeader") == 2
    assert all(row.index("<w:cantSplit") < row.index("<w:tblHeader") for row in rows[:2])  # schema order
    doc = Document(str(path))
    table = doc.tables[0]
    executors_cell = table.rows[2].cells[2]
    assert executors_cell._tc.xml.count("<w:br/>") >= 1
    assert executors_cell.text.split("\n")[:2] == ["управление делами", "юридический отдел"]
    assert table.rows[3].cells[0]._tc is table.rows[2].cells[0]._tc  # merged down over the second KPI
    assert [table.rows[2].cells[6].text, table.rows[3].cells[6].text] == ["4", "7,5"]
    paragraphs = [p.text for p in doc.paragraphs]
    assert any(p.startswith("Ответственный: пресс-секретарь главы района Петрова А.А.") for p in paragraphs)
    assert any(p.startswith("Дата формирования: ") for p in paragraphs)


def test_pdf_html_keeps_rows_whole_headers_unbroken_and_signs(roadmap):
    html = render_html(document_for(kind="annual", period=Period.parse("2021"), roadmap=roadmap))
    css = " ".join(html.split())
    assert "tr { break-inside: avoid; page-break-inside: avoid; }" in css
    th_rule = re.search(r"th \{[^}]*\}", css).group(0)
    assert "hyphens: none" in th_rule and "overflow-wrap: normal" in th_rule
    assert css.count("page-break-inside: auto") == 1 and "tr.long { break-inside: auto;" in css
    assert 'class=" long"' not in html, "a short row is kept whole"
    assert "<th>Исполнение, %</th>" in html
    assert 'rowspan="2"' in html and "7,5" in html and "133,3" in html
    assert "управление делами\nюридический отдел" in html  # td white-space: pre-line prints the newline
    assert "white-space: pre-line" in css
    assert "Ответственный: пресс-секретарь главы района Петрова А.А." in html
    assert "Дата формирования:" in html


def test_pdf_header_words_are_whole_in_the_laid_out_file(roadmap, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    text = " ".join(
        p.extract_text()
        for p in pypdf.PdfReader(str(build(tmp_path, roadmap, "2021", "annual", "pdf"))).pages
    )
    assert re.search(r"Исполнение,\s*%", text), "the header word is not cut"
    assert "Ответственный:" in text


def test_only_a_row_taller_than_a_page_may_split_so_the_header_stays_on_every_page(roadmap):
    from roadmaps.models import ProgressEntry
    from tests.factories import ProgressEntryFactory

    measure = roadmap.measures.get()
    ProgressEntryFactory(
        measure=measure,
        period="2021",
        status=ProgressEntry.Status.ACCEPTED,
        text="Проведено заседание.\n" * 80,
    )
    html = render_html(document_for(kind="annual", period=Period.parse("2021"), roadmap=roadmap))
    assert html.count('class=" long"') == 1

"""The files themselves: seed 002 re-created in each format, KPI target vs actual, formulas kept as text."""

import io
import re
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from docx import Document

from reports.selectors import NO_ENTRY
from roadmaps.demo import seed_data
from roadmaps.models import ProgressEntry
from tests.factories import MeasureExecutorFactory, MeasureFactory, ProgressEntryFactory, RoadmapFactory


def pdf_text(path) -> str:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(str(path))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def docx_table_texts(path) -> list[list[str]]:
    table = Document(str(path)).tables[0]
    return [[cell.text for cell in row.cells] for row in table.rows]


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def build(tmp_path, roadmap, period, kind, fmt):
    out = tmp_path / f"report.{fmt}"
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


SEED_002_MEASURES = [
    m for s in seed_data.ROADMAPS if s["key"] == "levokumsky-2021" for m in s["sections"][0]["measures"]
]


@pytest.mark.django_db
def test_levokumsky_half_year_xlsx_recreates_seed_002(levokumsky, tmp_path):
    path = build(tmp_path, levokumsky, "2022-H1", "progress", "xlsx")
    ws = openpyxl.load_workbook(path).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = rows[6]  # title, roadmap, municipality, act, included periods, blank
    assert header == [
        "№ п/п",
        "Наименование мероприятия",
        "Ответственные исполнители (срок исполнения)",
        "Информация о проведении мероприятия",
    ]
    body = {r[0]: r for r in rows[8:] if r[1] is not None}  # not the signature block under the table
    assert len(body) == 26
    for measure in SEED_002_MEASURES:
        number, title, executors_cell, _text = body[measure["number"]]
        assert title == measure["title"]
        for executor in measure["executors"]:
            assert executor in executors_cell
        assert f"({measure['deadline_text']})" in executors_cell
    assert "642 человека" in body["4"][3]
    assert "(ежегодно, до 01 марта)" in body["1"][2]
    assert body["3"][3] == NO_ENTRY  # seed 002 leaves measure 3 empty: shown, not hidden
    assert ws.freeze_panes == "A9"
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$7:$8"


@pytest.mark.django_db
def test_levokumsky_half_year_pdf_recreates_seed_002(levokumsky, tmp_path):
    path = build(tmp_path, levokumsky, "2022-H1", "progress", "pdf")
    assert path.read_bytes().startswith(b"%PDF")
    text = pdf_text(path)
    assert "Отчет о ходе реализации за I полугодие 2022 года" in text
    assert "распоряжение от 23.06.2021 № 165-р" in text
    assert "642 человека" in text
    for name in ("Бегишева Н.А.", "Сусоев Ф.В.", "Безус Г.П.", "Малюкова Л.М.", "(ежегодно, до 01 марта)"):
        assert name in text
    for measure in SEED_002_MEASURES:
        assert normalize(measure["title"])[:60] in text
    pages = re.findall(r"стр\. (\d+) из (\d+)", text)
    assert len(pages) > 1 and all(total == pages[-1][1] for _n, total in pages)
    # The header on every page of the table; a last page may hold only the signature block.
    import pypdf

    page_texts = [normalize(page.extract_text()) for page in pypdf.PdfReader(str(path)).pages]
    for page in page_texts[:-1]:
        assert "Информация о проведении мероприятия" in page
    assert "Информация о проведении мероприятия" in page_texts[-1] or (
        "Дата формирования" in page_texts[-1] and "№ п/п" not in page_texts[-1]
    )


@pytest.mark.django_db
def test_levokumsky_half_year_docx_recreates_seed_002(levokumsky, tmp_path):
    path = build(tmp_path, levokumsky, "2022-H1", "progress", "docx")
    rows = docx_table_texts(path)
    assert rows[0][3] == "Информация о проведении мероприятия"
    body = {r[0]: r for r in rows[2:]}
    for measure in SEED_002_MEASURES:
        assert body[measure["number"]][1] == measure["title"]
        for executor in measure["executors"]:
            assert executor in body[measure["number"]][2]
    assert "642 человека" in body["4"][3]
    xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert xml.count("<w:tblHeader") == 2  # both header rows repeat on every page
    assert 'w:orient="landscape"' in xml


@pytest.mark.django_db
def test_khmr_annual_report_shows_measure_4_kpi_target_against_actual(khmr, tmp_path):
    path = build(tmp_path, khmr, "2021", "annual", "xlsx")
    ws = openpyxl.load_workbook(path).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[6][4:] == ["Показатель", "План на год", "Факт за год", "Исполнение, %"]
    measure_4 = next(r for r in rows[8:] if r[0] == "4")
    assert "инициативного бюджетирования" in measure_4[4]
    assert (measure_4[5], measure_4[6], measure_4[7]) == (3, 4, 133.3)  # demo: 4 projects against 3
    summary = {r[0]: r[1] for r in openpyxl.load_workbook(path)["Сводка"].iter_rows(values_only=True) if r}
    assert "Просрочено" in summary and "Исполнено в срок" in summary
    # The other apps' totals are there, or «нет данных» where an app has none yet.
    assert (
        any(key in summary for key in ("Общественные обсуждения и опросы", "Открытые данные"))
        or len(summary) > 8
    )

    pdf = pdf_text(build(tmp_path, khmr, "2021", "annual", "pdf"))
    assert "Количество реализованных проектов инициативного бюджетирования" in pdf
    assert "133,3" in pdf
    docx_rows = docx_table_texts(build(tmp_path, khmr, "2021", "annual", "docx"))
    row = next(r for r in docx_rows if r[0] == "4")
    assert row[5:8] == ["3", "4", "133,3"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","y")', "+7 (86543) 3-16-67", "-1", "@SUM(A1)", "\tTAB", "=1+1"]
)
def test_formula_like_progress_text_is_text_in_every_format(text, tmp_path):
    roadmap = RoadmapFactory(first_year=2022, last_year=2022)
    measure = MeasureFactory(roadmap=roadmap, section__roadmap=roadmap, section__number="", number="1")
    MeasureExecutorFactory(measure=measure)
    ProgressEntryFactory(measure=measure, period="2022-H1", text=text, status=ProgressEntry.Status.ACCEPTED)

    path = build(tmp_path, roadmap, "2022-H1", "progress", "xlsx")
    cell = openpyxl.load_workbook(path).active["D9"]
    assert cell.value == text
    assert cell.data_type == "s"
    sheet_xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula anywhere
    assert docx_table_texts(build(tmp_path, roadmap, "2022-H1", "progress", "docx"))[2][3] == text


@pytest.mark.django_db
def test_sections_are_spanning_rows(tmp_path):
    roadmap = RoadmapFactory(first_year=2022, last_year=2022)
    for n in (1, 2):
        MeasureFactory(roadmap=roadmap, section__roadmap=roadmap, section__number=str(n), number=f"{n}.1")
    ws = openpyxl.load_workbook(build(tmp_path, roadmap, "2022", "progress", "xlsx")).active
    merged = {str(r) for r in ws.merged_cells.ranges}
    section_rows = [
        row[0].row for row in ws.iter_rows(min_row=9) if str(row[0].value).startswith(("1. ", "2. "))
    ]
    assert len(section_rows) == 2
    assert all(f"A{r}:D{r}" in merged for r in section_rows)
    docx_rows = docx_table_texts(build(tmp_path, roadmap, "2022", "progress", "docx"))
    assert [r[0] for r in docx_rows[2:]] == ["1. " + docx_rows[2][0][3:], "1.1", docx_rows[4][0], "2.1"]
    assert docx_rows[2][0] == docx_rows[2][3]  # one merged cell spanning the row


@pytest.mark.django_db
def test_regional_summary_has_one_row_per_municipality(demo_data, tmp_path):
    khmr = demo_data["roadmaps"]["khmr-2019"]
    RoadmapFactory(municipality__region=khmr.municipality.region, first_year=2019, last_year=2025)
    path = build(tmp_path, khmr, "2021", "regional", "xlsx")
    rows = [r for r in openpyxl.load_workbook(path).active.iter_rows(min_row=8, values_only=True) if r[1]]
    names = [r[1] for r in rows]
    assert "Ханты-Мансийский район" in names
    # Both roadmaps, Nefteyugansky (no roadmap, marked) and the totals row.
    assert len(rows) == 4
    assert next(r for r in rows if r[1] == "Нефтеюганский район")[2].startswith("Нет утвержденной")
    assert rows[-1][1] == "Итого (муниципальных образований: 3)"
    khmr_row = next(r for r in rows if r[1] == "Ханты-Мансийский район")
    assert khmr_row[3] == 10  # measures


@pytest.mark.django_db
def test_build_report_command_rejects_bad_input(levokumsky, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Неверный отчетный период"):
        build(tmp_path, levokumsky, "2022-H3", "progress", "xlsx")
    with pytest.raises(CommandError, match="Годовой отчет строится за год"):
        build(tmp_path, levokumsky, "2022-H1", "annual", "xlsx")
    with pytest.raises(CommandError, match="вне срока действия"):
        build(tmp_path, levokumsky, "2015", "progress", "xlsx")

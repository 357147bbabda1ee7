"""Which entries each report takes, executor labels shared with the pages, and the Levokumsky figures."""

import html
import io
import re

import openpyxl
import pytest
from django.core.management import call_command

from openness_portal.periods import Period
from reports.selectors import NO_ENTRY, regional_report, roadmap_report
from roadmaps.demo import seed_data
from roadmaps.models import Deadline, ProgressEntry
from tests.factories import MeasureExecutorFactory, MeasureFactory, ProgressEntryFactory, RoadmapFactory

pytestmark = pytest.mark.django_db


def report_rows(roadmap, period, *, annual=False):
    document = roadmap_report(roadmap, Period.parse(period), annual=annual)
    return document, {row.cells[0]: row.cells for row in document.rows if not row.is_section}


@pytest.fixture
def measure():
    roadmap = RoadmapFactory(first_year=2022, last_year=2022)
    measure = MeasureFactory(roadmap=roadmap, section__roadmap=roadmap, section__number="", number="1")
    MeasureExecutorFactory(measure=measure)
    return measure


def accepted(measure, period, text):
    return ProgressEntryFactory(
        measure=measure, period=period, text=text, status=ProgressEntry.Status.ACCEPTED
    )


# --- 4. report periods ---------------------------------------------------------------------------------


def test_h2_report_shows_an_entry_filed_for_the_whole_year(measure):
    accepted(measure, "2022", "Проведено 4 заседания общественного совета.")
    _doc, h2 = report_rows(measure.roadmap, "2022-H2")
    assert h2["1"][3] == "2022 год:\nПроведено 4 заседания общественного совета."
    _doc, h1 = report_rows(measure.roadmap, "2022-H1")
    assert h1["1"][3] == NO_ENTRY  # the first half-year report does not take the year's entry
    _doc, year = report_rows(measure.roadmap, "2022", annual=True)
    assert year["1"][3] == "Проведено 4 заседания общественного совета."


def test_annual_report_shows_half_year_entries_labelled(measure):
    accepted(measure, "2022-H1", "Семинар для 12 служащих.")
    accepted(measure, "2022-H2", "Семинар для 9 служащих.")
    _doc, year = report_rows(measure.roadmap, "2022", annual=True)
    assert year["1"][3] == (
        "I полугодие 2022 года:\nСеминар для 12 служащих.\n\nII полугодие 2022 года:\nСеминар для 9 служащих."
    )
    _doc, h2 = report_rows(measure.roadmap, "2022-H2")
    assert h2["1"][3] == "Семинар для 9 служащих."  # the H2 report: its own entry, unlabelled


def test_each_report_says_which_periods_entries_it_includes(measure, tmp_path):
    accepted(measure, "2022", "Сделано.")
    out = tmp_path / "h2.xlsx"
    call_command(
        "build_report",
        roadmap=measure.roadmap.pk,
        period="2022-H2",
        kind="progress",
        fmt="xlsx",
        output=str(out),
        stdout=io.StringIO(),
    )
    texts = [c.value for row in openpyxl.load_workbook(out).active.iter_rows() for c in row if c.value]
    assert "Включена информация о ходе реализации за: II полугодие 2022 года, 2022 год" in texts
    doc, _rows = report_rows(measure.roadmap, "2022", annual=True)
    assert doc.entries_line.endswith("2022 год, I полугодие 2022 года, II полугодие 2022 года")
    regional = regional_report(measure.roadmap.municipality.region, Period.parse("2022-H2"))
    assert (
        regional.entries_line == "Включена информация о ходе реализации за: II полугодие 2022 года, 2022 год"
    )
    row = next(r.cells for r in regional.rows if r.cells[2] == measure.roadmap.title)
    assert row[4] == 1  # «Представлена информация за период» counts the year's entry in the H2 summary


# --- 5. executor labels ---------------------------------------------------------------------------------


def _page_labels(client, measure) -> list[str]:
    page = client.get(measure.get_absolute_url()).content.decode()
    block = page[page.index("Ответственные исполнители") :]
    block = block[: block.index("</ol>")]
    return [html.unescape(re.sub(r" <span.*", "", li)) for li in re.findall(r"<li>(.*?)</li>", block)]


@pytest.mark.parametrize("key", ["khmr-2019", "levokumsky-2021", "zato-2018"])
def test_page_table_report_and_api_label_every_demo_measure_alike(client, demo_data, key):
    roadmap = demo_data["roadmaps"][key]
    _doc, rows = report_rows(roadmap, str(roadmap.first_year))
    table = client.get(f"/m/{roadmap.municipality.slug}/roadmaps/{roadmap.pk}/").content.decode()
    leads = {
        number: html.unescape(cell.split(' <span class="muted">')[0])
        for number, cell in re.findall(
            r"<tr><td>([^<]*)</td><td><a [^>]*>.*?</a></td><td>(.*?)</td>", table, re.S
        )
    }
    api = client.get(f"/api/v1/measures/?roadmap={roadmap.pk}&page_size=500").json()
    api_labels = {m["number"]: [e["name"] for e in m["executors"]] for m in api.get("results", api)}
    measures = list(roadmap.measures.all())
    printed = 0
    for measure in measures:
        in_report = rows[measure.number][2].split("\n\n(")[0].split("\n")
        assert _page_labels(client, measure) == in_report, measure.number
        assert leads[measure.number] == in_report[0], measure.number
        assert api_labels[measure.number] == in_report, measure.number
        printed += all(label for label in in_report)
    assert printed == len(measures)  # no executor printed as an empty line


def test_label_keeps_the_plans_wording_and_names_a_matched_only_executor(client, measure):
    from tests.factories import OfficialFactory

    official = OfficialFactory(
        municipality=measure.roadmap.municipality, name="Бегишева Н.А.", post="главный специалист"
    )
    MeasureExecutorFactory(measure=measure, order=1, official=official, department=None, text="")
    MeasureExecutorFactory(measure=measure, order=2, official=official, department=None, text="Бегишева Н.А.")
    _doc, rows = report_rows(measure.roadmap, "2022")
    labels = rows["1"][2].split("\n")
    assert labels[1:] == ["Бегишева Н.А., главный специалист", "Бегишева Н.А."]
    assert _page_labels(client, measure) == labels


# --- 6. the Done-when --------------------------------------------------------------------------


def _summary(document) -> dict:
    return dict(document.summaries[0].rows)


def test_levokumsky_annual_reports_and_regional_summary_count_no_met_deadline_late_or_overdue(levokumsky):
    seed = [e for e in seed_data.PROGRESS_ENTRIES if e["roadmap"] == "levokumsky-2021"]
    filed = {e["measure"] for e in seed if e["text"].strip()}
    entries = ProgressEntry.objects.filter(measure__roadmap=levokumsky, period="2022-H1")
    assert {e.measure.number for e in entries} == filed
    met = [e.deadline for e in entries]
    # Every seed 002 entry met a deadline of 2022, on time.
    assert all(d is not None and (d.due_date is None or d.due_date.year == 2022) for d in met)
    assert all(d.period == "2022" or d.due_date.month <= 6 for d in met)

    today = levokumsky.municipality.local_today()
    assert {d.status(today) for d in met} == {Deadline.Status.DONE_ON_TIME}
    for year in ("2021", "2022"):
        summary = _summary(roadmap_report(levokumsky, Period.parse(year), annual=True))
        assert summary["Исполнено с нарушением срока"] == 0, year
    summary_2022 = _summary(roadmap_report(levokumsky, Period.parse("2022"), annual=True))
    assert summary_2022["Исполнено в срок"] == len(filed)
    # Overdue in 2022: only the dated deadlines of measures 3 and 6.4, which seed 002 leaves empty.
    assert summary_2022["Просрочено"] == 2
    summary_2021 = _summary(roadmap_report(levokumsky, Period.parse("2021"), annual=True))
    # Overdue in 2021: the six «ежегодно» measures' (5, 6.1–6.5) 2021 deadlines (31.12.2021), which no 2022-H1 entry
    # reports on; nothing from before the plan's approval on 23.06.2021.
    assert summary_2021["Просрочено"] == 6
    assert summary_2021["Исполнено в срок"] == 0

    region = levokumsky.municipality.region
    for year, overdue, on_time in (("2021", 6, 0), ("2022", 2, len(filed))):
        document = regional_report(region, Period.parse(year))
        row = next(r.cells for r in document.rows if r.cells[1] == levokumsky.municipality.name)
        assert (row[5], row[6], row[7]) == (on_time, 0, overdue), year


def test_a_report_built_in_english_has_english_headings_and_cells(measure):
    from django.utils import translation

    with translation.override("en"):
        document, rows = report_rows(measure.roadmap, "2022-H1")
    headings = [column.label for column in document.columns]
    assert "Measure" in headings and "Наименование мероприятия" not in headings
    assert rows["1"][3] == "Information not provided"

"""Export a roadmap to DOCX/XLSX in the import layout; export then import gives the same plan back."""

import io
from pathlib import Path

import openpyxl
import pytest

from importing.exporting import export_docx, export_xlsx
from importing.readers import read_tables
from importing.services import import_roadmap_file, parse_roadmap_file
from roadmaps.models import Deadline, Measure, MeasureExecutor
from tests.factories import MeasureFactory, MunicipalityFactory, RoadmapFactory, SectionFactory

SAMPLES = Path("/work/shared/samples")


def _plan(roadmap):
    measures = (
        Measure.objects.filter(roadmap=roadmap).order_by("order").select_related("deadline_rule", "section")
    )
    return [
        (
            m.section.number,
            m.section.title,
            m.number,
            m.title,
            m.description,
            m.expected_result,
            m.deadline_rule.text,
            m.deadline_rule.kind,
            [e.text for e in MeasureExecutor.objects.filter(measure=m).order_by("order")],
            sorted((str(d.due_date), d.period, d.part_label) for d in Deadline.objects.filter(measure=m)),
            [
                (k.name, k.unit, k.comparator, sorted((t.year, t.value) for t in k.targets.all()))
                for k in m.kpis.order_by("order")
            ],
        )
        for m in measures
    ]


def _rule_deadlines_per_measure(roadmap):
    return {
        m.number: m.deadlines.filter(origin=Deadline.Origin.RULE).count()
        for m in Measure.objects.filter(roadmap=roadmap).order_by("order")
    }


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["khmr-2019", "zato-2018", "levokumsky-2021"])
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_exported_demo_roadmap_imports_back_with_its_years_and_deadlines(demo_data, key, fmt):
    """Export a demo roadmap, import the file as it is (no years typed in): the same plan comes back."""
    original = demo_data["roadmaps"][key]
    data = export_docx(original) if fmt == "docx" else export_xlsx(original)
    copy, result = import_roadmap_file(data, f"export.{fmt}", original.municipality)
    assert (copy.first_year, copy.last_year) == (original.first_year, original.last_year)
    assert copy.title == original.title
    assert copy.approving_act == original.approving_act
    assert [(m.number, m.title) for m in copy.measures.order_by("order")] == [
        (m.number, m.title) for m in original.measures.order_by("order")
    ]
    assert _rule_deadlines_per_measure(copy) == _rule_deadlines_per_measure(original)
    assert _plan(copy) == _plan(original)  # and the same texts, executors, due dates and KPI targets
    if key == "levokumsky-2021":
        # «ежегодно, до 01 марта» over 2021–2025, approved 23.06.2021: 2022…2025, not one, and not the
        # 01.03.2021 that came before the plan existed.
        assert _rule_deadlines_per_measure(copy)["1"] == 4


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_exported_file_shows_its_span_of_years_to_the_reader(fmt):
    roadmap = RoadmapFactory(first_year=2021, last_year=2025, title="План мероприятий открытости")
    MeasureFactory(section=SectionFactory(roadmap=roadmap), roadmap=roadmap, number="1")
    data = export_docx(roadmap) if fmt == "docx" else export_xlsx(roadmap)
    tables = read_tables(data, f"plan.{fmt}")
    header = tables[0].preamble or [" ".join(filter(None, row.cells)) for row in tables[0].rows[:5]]
    assert any("2021–2025 годы" in line for line in header)
    assert any(roadmap.municipality.name in line for line in header)


@pytest.mark.django_db
@pytest.mark.skipif(not SAMPLES.is_dir(), reason="sample files not present")
@pytest.mark.parametrize("sample", ["roadmap-khanty-mansiysky-2019.docx", "roadmap-zato-sibirsky-2018.xlsx"])
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_round_trip_gives_the_same_measures_deadlines_and_executors(sample, fmt):
    municipality = MunicipalityFactory()
    original, _ = import_roadmap_file((SAMPLES / sample).read_bytes(), sample, municipality)
    data = export_docx(original) if fmt == "docx" else export_xlsx(original)
    copy, result = import_roadmap_file(data, f"export.{fmt}", municipality)
    assert (copy.first_year, copy.last_year) == (original.first_year, original.last_year)
    assert copy.title == original.title
    assert copy.measures.count() == original.measures.count() > 0
    assert _plan(copy) == _plan(original)


@pytest.mark.django_db
def test_formula_looking_text_stays_text_in_xlsx():
    measure = MeasureFactory(title='=HYPERLINK("http://evil";"x")', number="1")
    MeasureExecutor.objects.create(measure=measure, text="+7 (000) отдел", order=0)
    from roadmaps.services import set_deadline_rule

    set_deadline_rule(measure, "-до 1 мая 2020 года")
    workbook = openpyxl.load_workbook(io.BytesIO(export_xlsx(measure.roadmap)))
    values = {cell.value: cell.data_type for row in workbook.active.iter_rows() for cell in row if cell.value}
    assert values['=HYPERLINK("http://evil";"x")'] == "s"
    assert values["+7 (000) отдел"] == "s"
    assert values["-до 1 мая 2020 года"] == "s"
    # And it reads back as the same text, not a formula.
    result = parse_roadmap_file(export_xlsx(measure.roadmap), "f.xlsx")
    assert result.measures[0].title == '=HYPERLINK("http://evil";"x")'


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_export_makes_a_fixed_number_of_queries(fmt, django_assert_max_num_queries):
    exporter = export_docx if fmt == "docx" else export_xlsx
    roadmap = RoadmapFactory()
    section = SectionFactory(roadmap=roadmap)
    for size in (2, 12):
        while roadmap.measures.count() < size:
            m = MeasureFactory(section=section, roadmap=roadmap)
            MeasureExecutor.objects.create(measure=m, text="отдел", order=0)
        with django_assert_max_num_queries(6):
            exporter(roadmap)


@pytest.mark.django_db
def test_admin_export_download_is_scoped_to_visible_roadmaps(client):
    from django.urls import reverse

    from municipalities.models import StaffRole
    from tests.factories import UserFactory

    own = RoadmapFactory()
    MeasureFactory(section=SectionFactory(roadmap=own), roadmap=own)
    other = RoadmapFactory()
    user = UserFactory()
    StaffRole.objects.create(user=user, role=StaffRole.Role.COORDINATOR, municipality=own.municipality)
    client.force_login(user)
    response = client.get(reverse("admin:importing_importjob_export", args=[own.pk, "xlsx"]))
    assert response.status_code == 200 and response["Content-Type"].endswith("spreadsheetml.sheet")
    assert parse_roadmap_file(response.content, "x.xlsx").measures[0].title == own.measures.get().title
    assert client.get(reverse("admin:importing_importjob_export", args=[other.pk, "docx"])).status_code == 404
    assert client.get(reverse("admin:importing_importjob_export", args=[own.pk, "pdf"])).status_code == 404

"""The annual report's totals carry the year's appeals as the seeds count them."""

import openpyxl
import pytest

from appeals.demo.loader import load as load_appeals
from openness_portal.periods import Period
from reports.selectors import roadmap_report
from reports.services import build_to_path
from tests.factories import RoadmapFactory


def appeal_totals(roadmap, year: int) -> dict[str, object]:
    document = roadmap_report(roadmap, Period(year), annual=True)
    return dict(document.summaries[-1].rows)


@pytest.mark.django_db
def test_krasnogvardeysky_2021_report_counts_129_appeals_and_10_trust_line_calls(demo_data):
    load_appeals()
    roadmap = RoadmapFactory(
        municipality=demo_data["municipalities"]["krasnogvardeisky"], first_year=2021, last_year=2021
    )
    totals = appeal_totals(roadmap, 2021)
    assert totals["Поступило обращений граждан"] == 129
    assert totals["в том числе: телефон доверия"] == 10
    assert totals["Из них рассмотрено в установленный срок"] == 129  # seed 004: all answered


@pytest.mark.django_db
def test_the_annual_xlsx_summary_sheet_prints_the_appeals(demo_data, tmp_path):
    load_appeals()
    roadmap = demo_data["roadmaps"]["levokumsky-2021"]
    out = tmp_path / "annual.xlsx"
    build_to_path(roadmap=roadmap, region="", period="2022", kind="annual", fmt="xlsx", path=str(out))
    summary = openpyxl.load_workbook(out)["Сводка"]
    printed = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row and row[0]}
    assert printed["в том числе: телефон доверия"] == 7
    assert printed["в том числе: личный прием"] == 4


@pytest.mark.django_db
def test_levokumsky_2022_report_counts_7_trust_line_calls_and_4_receptions(demo_data):
    load_appeals()
    totals = appeal_totals(demo_data["roadmaps"]["levokumsky-2021"], 2022)
    assert totals["в том числе: телефон доверия"] == 7
    assert totals["в том числе: личный прием"] == 4
    assert totals["Поступило обращений граждан"] == 11

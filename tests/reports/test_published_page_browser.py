"""The public reports page on a phone: a report with its three files stays one row and fits the screen."""

from django.urls import reverse

from reports.models import Report, ReportFile
from tests.browser import browser_test, overflow
from tests.factories import MeasureFactory, RoadmapFactory

pytestmark = browser_test


def test_a_report_with_three_files_fits_a_phone(browser, live_server, transactional_db):
    roadmap = RoadmapFactory(
        first_year=2021, last_year=2022, title="План мероприятий " + "по открытости " * 6
    )
    MeasureFactory(roadmap=roadmap, section__roadmap=roadmap)
    for period, kind in (("2021", "annual"), ("2022-H1", "progress")):
        report = Report.objects.create(
            roadmap=roadmap, period=period, kind=kind, status="ready", published_at="2022-07-20T09:00Z"
        )
        for fmt, size in (("xlsx", 48_000), ("pdf", 1_250_000), ("docx", 96_000)):
            ReportFile.objects.create(report=report, format=fmt, status="ready", file=f"x.{fmt}", size=size)
    url = live_server.url + reverse("reports:published", args=[roadmap.municipality.slug, roadmap.pk])
    context = browser.new_context(viewport={"width": 360, "height": 800}, locale="ru-RU")
    page = context.new_page()
    assert page.goto(url).status == 200
    assert page.locator(".reports-table tbody tr").count() == 2  # one row per report
    assert page.locator(".reports-table tbody tr").first.locator("a[download]").all_inner_texts() == [
        "XLSX",
        "PDF",
        "DOCX",
    ]
    assert overflow(page) <= 0
    context.close()

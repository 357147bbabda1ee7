"""Report admin actions name each refused report and count the ones done."""

import pytest
from django.urls import reverse

from reports.models import Report
from tests.factories import RoadmapFactory, StaffRoleFactory, UserFactory
from tests.reports.factories import ReportFileFactory

pytestmark = pytest.mark.django_db


def test_publishing_a_report_still_queued_is_refused_by_name(client):
    roadmap = RoadmapFactory(first_year=2021, last_year=2022)
    coordinator = StaffRoleFactory(user=UserFactory(is_staff=True), municipality=roadmap.municipality).user
    queued = ReportFileFactory(report__roadmap=roadmap, format="pdf").report
    client.force_login(coordinator)
    response = client.post(
        reverse("admin:reports_report_changelist"),
        {"action": "publish", "_selected_action": [queued.pk]},
        follow=True,
    )
    html = response.content.decode()
    assert f"«{queued}»: Опубликовать можно только сформированный отчет. Не готовы: PDF." in html
    assert "Опубликовано отчетов" not in html
    assert not Report.objects.get().is_published

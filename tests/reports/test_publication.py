"""Publishing: the public page and downloads, the 15-day discussion, the reminders until published."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from openness_portal.notifications.registry import reminder_sources
from reports import services
from reports.models import Report, ReportingPeriod
from tests.factories import MeasureFactory, OfficialFactory, RoadmapFactory, StaffRoleFactory, UserFactory


@pytest.fixture
def roadmap(db):
    roadmap = RoadmapFactory(first_year=2021, last_year=2022)
    MeasureFactory(roadmap=roadmap, section__roadmap=roadmap)
    return roadmap


@pytest.fixture
def coordinator(roadmap):
    return StaffRoleFactory(municipality=roadmap.municipality).user


def built(roadmap, *, period="2021", kind="annual", fmt="xlsx", user=None) -> Report:
    report = services.request_report(roadmap=roadmap, period=period, kind=kind, fmt=fmt, user=user)
    services.build(report.pk)
    report.refresh_from_db()
    return report


def has_open_discussion() -> bool:
    try:
        from surveys.services import open_discussion  # noqa: F401
    except ImportError:
        return False
    return True


def test_periods_are_created_with_the_roadmap_and_their_due_dates(roadmap):
    periods = {p.code: p for p in ReportingPeriod.objects.filter(roadmap=roadmap)}
    assert set(periods) == {"2021", "2021-H1", "2021-H2", "2022", "2022-H1", "2022-H2"}
    assert periods["2021"].due_date == date(2022, 3, 1)  # by 1 March of the following year
    assert periods["2022-H1"].due_date == date(2022, 7, 15)
    assert periods["2021-H2"].due_date == date(2022, 1, 15)
    roadmap.save()  # saving again duplicates nothing
    assert ReportingPeriod.objects.filter(roadmap=roadmap).count() == 6


def test_half_year_due_dates_are_configurable(settings, db):
    settings.REPORTS_HALF_YEAR_DUE = {1: (8, 1), 2: (2, 1)}
    roadmap = RoadmapFactory(first_year=2022, last_year=2022)
    assert ReportingPeriod.objects.get(roadmap=roadmap, code="2022-H1").due_date == date(2022, 8, 1)


def test_published_reports_page_lists_downloads_only_of_published_reports(client, roadmap, coordinator):
    published = built(roadmap, user=coordinator)
    services.publish_report(published, user=coordinator)
    hidden = built(roadmap, period="2022-H1", kind="progress", user=coordinator)
    url = reverse("reports:published", args=[roadmap.municipality.slug, roadmap.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("reports:download", args=[published.pk]) in html
    assert reverse("reports:download", args=[hidden.pk]) not in html
    assert "2021 год" in html

    download = client.get(reverse("reports:download", args=[published.pk]))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(download.streaming_content).startswith(b"PK")
    assert client.get(reverse("reports:download", args=[hidden.pk])).status_code == 404  # not public yet
    client.force_login(coordinator)
    assert client.get(reverse("reports:download", args=[hidden.pk])).status_code == 200  # staff of the MO


def test_published_reports_page_makes_constant_queries(
    client, roadmap, coordinator, django_assert_max_num_queries
):
    url = reverse("reports:published", args=[roadmap.municipality.slug, roadmap.pk])
    services.publish_report(built(roadmap, user=coordinator), user=coordinator)
    with django_assert_max_num_queries(6) as small:
        client.get(url)
    for fmt in ("pdf", "docx", "xlsx"):
        for period in ("2022", "2021"):
            report = Report.objects.create(
                roadmap=roadmap, period=period, kind="annual", format=fmt, status="ready", file="x"
            )
            Report.objects.filter(pk=report.pk).update(published_at="2023-01-01T00:00Z")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("/download/") == 7


def test_draft_roadmap_has_no_public_reports_page(client, db):
    roadmap = RoadmapFactory(status="draft")
    assert (
        client.get(reverse("reports:published", args=[roadmap.municipality.slug, roadmap.pk])).status_code
        == 404
    )


def test_only_ready_reports_are_published(roadmap, coordinator):
    report = services.request_report(
        roadmap=roadmap, period="2021", kind="annual", fmt="xlsx", user=coordinator
    )
    with pytest.raises(ValidationError, match="только сформированный"):
        services.publish_report(report, user=coordinator)


@pytest.mark.skipif(not has_open_discussion(), reason="surveys.services.open_discussion is not there yet")
def test_publishing_opens_one_15_day_discussion_on_the_report(roadmap, coordinator):
    from surveys.models import Discussion

    press = OfficialFactory(
        municipality=roadmap.municipality, post="пресс-секретарь главы района", is_press_secretary=True
    )
    xlsx = built(roadmap, user=coordinator)
    pdf = built(roadmap, fmt="pdf", user=coordinator)
    services.publish_report(xlsx, user=coordinator)
    services.publish_report(pdf, user=coordinator)
    discussion = Discussion.objects.get()
    xlsx.refresh_from_db()
    pdf.refresh_from_db()
    assert xlsx.discussion_id == pdf.discussion_id == discussion.pk  # one discussion per report, not per file
    assert discussion.subject == xlsx
    assert discussion.responsible == press
    assert discussion.document_url.endswith(reverse("reports:download", args=[xlsx.pk]))
    assert discussion.length_days == 15
    assert discussion.municipality == roadmap.municipality


def test_publishing_works_without_the_discussions_app(roadmap, coordinator, monkeypatch, caplog):
    import builtins

    real_import = builtins.__import__

    def no_surveys(name, *args, **kwargs):
        if name == "surveys.services":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_surveys)
    report = services.publish_report(built(roadmap, user=coordinator), user=coordinator)
    assert report.is_published and report.discussion_id is None
    assert "without a discussion" in caplog.text


def test_annual_report_reminder_until_published(roadmap, coordinator):
    source = reminder_sources()["report_due"]
    press = OfficialFactory(
        municipality=roadmap.municipality, post="пресс-секретарь главы района", is_press_secretary=True
    )
    items = list(source(dates=[date(2022, 3, 1)], municipality_ids=None))
    assert len(items) == 1
    item = items[0]
    assert item.due_date == date(2022, 3, 1) and item.municipality_id == roadmap.municipality_id
    assert "Годовой отчет за 2021" in item.title
    assert [r.official_id for r in item.recipients] == [press.pk]

    services.publish_report(built(roadmap, user=coordinator), user=coordinator)
    assert list(source(dates=[date(2022, 3, 1)], municipality_ids=None)) == []


def test_reminder_goes_to_the_owner_else_coordinators(roadmap, coordinator, django_assert_max_num_queries):
    source = reminder_sources()["report_due"]
    (item,) = source(dates=[date(2022, 7, 15)], municipality_ids=[roadmap.municipality_id])
    assert [r.email for r in item.recipients] == [coordinator.email]  # no press secretary: coordinators
    owner = OfficialFactory(municipality=roadmap.municipality)
    ReportingPeriod.objects.filter(roadmap=roadmap, code="2022-H1").update(owner=owner)
    (item,) = source(dates=[date(2022, 7, 15)], municipality_ids=None)
    assert [r.official_id for r in item.recipients] == [owner.pk]
    for _ in range(3):
        RoadmapFactory(first_year=2022, last_year=2022)
    with django_assert_max_num_queries(3):
        assert len(list(source(dates=[date(2022, 7, 15)], municipality_ids=None))) == 4


def test_api_lists_published_reports_in_constant_queries(
    client, roadmap, coordinator, django_assert_max_num_queries
):
    services.publish_report(built(roadmap, user=coordinator), user=coordinator)
    built(roadmap, period="2022", user=coordinator)  # not published: hidden from the public
    with django_assert_max_num_queries(4) as small:
        data = client.get("/api/v1/reports/").json()
    assert [r["period"] for r in data["results"]] == ["2021"]
    assert data["results"][0]["download_url"].endswith(f"/reports/{data['results'][0]['id']}/download/")
    for _ in range(5):
        report = Report.objects.create(
            roadmap=roadmap, period="2022", kind="annual", format="pdf", status="ready"
        )
        Report.objects.filter(pk=report.pk).update(published_at="2023-01-01T00:00Z")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/api/v1/reports/").json()["count"] == 6
    client.force_login(coordinator)
    assert client.get("/api/v1/reports/").json()["count"] == 7


def test_admin_orders_and_lists_reports(client, roadmap, coordinator, django_capture_on_commit_callbacks):
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:reports_report_add"),
            {"roadmap": roadmap.pk, "region": "", "period": "2021", "kind": "annual", "format": "docx"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = Report.objects.get()
    assert report.status == Report.Status.READY and report.requested_by == coordinator
    changelist = client.get(reverse("admin:reports_report_changelist")).content.decode()
    assert reverse("reports:download", args=[report.pk]) in changelist
    bad = client.post(
        reverse("admin:reports_report_add"),
        {"roadmap": roadmap.pk, "region": "", "period": "2021-H1", "kind": "annual", "format": "docx"},
    )
    assert "Годовой отчет строится за год" in bad.content.decode()
    response = client.post(
        reverse("admin:reports_report_changelist"),
        {"action": "publish", "_selected_action": [report.pk]},
    )
    assert Report.objects.get().is_published
    other = UserFactory(username="outsider", is_staff=True)
    StaffRoleFactory(user=other)
    client.force_login(other)
    assert (
        reverse("reports:download", args=[report.pk])
        not in client.get(reverse("admin:reports_report_changelist")).content.decode()
    )


def test_the_report_period_is_chosen_from_a_list_not_typed(client, roadmap, coordinator):
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    page = client.get(reverse("admin:reports_report_add")).content.decode()
    assert '<select name="period"' in page
    assert '<option value="2022-H1">I полугодие 2022 года</option>' in page
    typed = client.post(
        reverse("admin:reports_report_add"),
        {"roadmap": roadmap.pk, "region": "", "period": "2 полугоди", "kind": "progress", "format": "docx"},
    )
    assert typed.status_code == 200 and "Выберите корректный вариант" in typed.content.decode()
    assert not Report.objects.exists()

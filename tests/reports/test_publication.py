"""Publishing: the public page and downloads, the 15-day discussion, the reminders until published."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from openness_portal.notifications.registry import reminder_sources
from reports import services
from reports.models import Report, ReportFile, ReportingPeriod
from tests.factories import MeasureFactory, OfficialFactory, RoadmapFactory, StaffRoleFactory, UserFactory


@pytest.fixture
def roadmap(db):
    roadmap = RoadmapFactory(first_year=2021, last_year=2022)
    MeasureFactory(roadmap=roadmap, section__roadmap=roadmap)
    return roadmap


@pytest.fixture
def coordinator(roadmap):
    return StaffRoleFactory(municipality=roadmap.municipality).user


def built(roadmap, *, period="2021", kind="annual", formats=("xlsx",), user=None) -> Report:
    report = services.request_report(roadmap=roadmap, period=period, kind=kind, formats=formats, user=user)
    for file in report.files.all():
        services.build(file.pk)
    report.refresh_from_db()
    return report


def published_with_files(roadmap, period, formats=("xlsx", "pdf", "docx")) -> Report:
    """A published report with ready files, written straight (no build): for the query-count tests."""
    report = Report.objects.create(roadmap=roadmap, period=period, kind="annual", status="ready")
    ReportFile.objects.bulk_create(
        [ReportFile(report=report, format=fmt, status="ready", file=f"x.{fmt}") for fmt in formats]
    )
    Report.objects.filter(pk=report.pk).update(published_at="2023-01-01T00:00Z")
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
    published = built(roadmap, formats=["xlsx", "docx"], user=coordinator)
    services.publish_report(published, user=coordinator)
    hidden = built(roadmap, period="2022-H1", kind="progress", user=coordinator).files.get()
    xlsx, docx = published.files.get(format="xlsx"), published.files.get(format="docx")
    url = reverse("reports:published", args=[roadmap.municipality.slug, roadmap.pk])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # One row for the report, its files side by side.
    assert html.count("<td>2021 год</td>") == 1
    row = html[html.index("<td>2021 год</td>") :].split("</tr>")[0]
    assert (
        reverse("reports:download", args=[xlsx.pk]) in row
        and reverse("reports:download", args=[docx.pk]) in row
    )
    assert row.index(">XLSX<") < row.index(">DOCX<")
    assert reverse("reports:download", args=[hidden.pk]) not in html

    download = client.get(reverse("reports:download", args=[xlsx.pk]))
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
    with django_assert_max_num_queries(7) as small:
        client.get(url)
    for period in ("2022", "2020"):
        published_with_files(roadmap, period)
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
    report = services.request_report(roadmap=roadmap, period="2021", kind="annual", user=coordinator)
    with pytest.raises(ValidationError, match="только сформированный отчет. Не готовы: XLSX, PDF, DOCX"):
        services.publish_report(report, user=coordinator)


@pytest.mark.skipif(not has_open_discussion(), reason="surveys.services.open_discussion is not there yet")
def test_publishing_opens_one_15_day_discussion_on_the_report(roadmap, coordinator):
    from surveys.models import Discussion

    press = OfficialFactory(
        municipality=roadmap.municipality, post="пресс-секретарь главы района", is_press_secretary=True
    )
    report = built(roadmap, formats=["xlsx", "pdf"], user=coordinator)
    services.publish_report(report, user=coordinator)
    services.unpublish_report(report, user=coordinator)
    services.publish_report(report, user=coordinator)  # published again: the same discussion
    discussion = Discussion.objects.get()
    report.refresh_from_db()
    assert report.discussion_id == discussion.pk and report.is_published
    assert discussion.subject == report
    assert discussion.responsible == press
    pdf = report.files.get(format="pdf")  # the file a citizen opens on any device
    assert discussion.document_url.endswith(reverse("reports:download", args=[pdf.pk]))
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
    with django_assert_max_num_queries(5) as small:
        data = client.get("/api/v1/reports/").json()
    assert [r["period"] for r in data["results"]] == ["2021"]
    (file,) = data["results"][0]["files"]
    assert file["format"] == "xlsx"
    assert file["download_url"].endswith(f"/reports/{file['id']}/download/")
    for period in ("2019", "2020"):
        published_with_files(roadmap, period)
    with django_assert_max_num_queries(len(small.captured_queries)):
        data = client.get("/api/v1/reports/").json()
    assert data["count"] == 3  # one item per report, not per file
    assert [f["format"] for f in data["results"][0]["files"]] == ["xlsx", "pdf", "docx"]
    client.force_login(coordinator)
    assert client.get("/api/v1/reports/").json()["count"] == 4


def test_admin_orders_and_lists_reports(
    client, roadmap, coordinator, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:reports_report_add"),
            {
                "roadmap": roadmap.pk,
                "region": "",
                "period": "2021",
                "kind": "annual",
                "formats": ["docx", "xlsx"],
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = Report.objects.get()
    assert report.status == Report.Status.READY and report.requested_by == coordinator
    changelist_url = reverse("admin:reports_report_changelist")
    changelist = client.get(changelist_url).content.decode()
    xlsx, docx = report.files.get(format="xlsx"), report.files.get(format="docx")
    links = f'<a href="{xlsx.get_download_url()}">XLSX</a> · <a href="{docx.get_download_url()}">DOCX</a>'
    assert links in changelist
    assert changelist.count('class="field-file_links"') == 1  # one row for the report
    bad = client.post(
        reverse("admin:reports_report_add"),
        {"roadmap": roadmap.pk, "region": "", "period": "2021-H1", "kind": "annual", "formats": ["docx"]},
    )
    assert "Годовой отчет строится за год" in bad.content.decode()
    with django_assert_max_num_queries(20) as small:
        client.get(changelist_url)
    for period in ("2022", "2022-H1", "2022-H2"):
        published_with_files(roadmap, period)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(changelist_url).content.decode().count('class="field-file_links"') == 4
    change = client.get(reverse("admin:reports_report_change", args=[report.pk])).content.decode()
    assert xlsx.checksum in change  # the files, read-only, on the report's page
    response = client.post(changelist_url, {"action": "publish", "_selected_action": [report.pk]})
    assert Report.objects.get(pk=report.pk).is_published
    other = UserFactory(username="outsider", is_staff=True)
    StaffRoleFactory(user=other)
    client.force_login(other)
    assert xlsx.get_download_url() not in client.get(changelist_url).content.decode()


def test_admin_shows_which_file_failed_and_deletes_a_report_with_its_files(client, roadmap, coordinator):
    coordinator.is_staff = True
    coordinator.save()
    report = Report.objects.create(roadmap=roadmap, period="2022", kind="annual", status="failed")
    ReportFile.objects.create(report=report, format="xlsx", status="ready", file="x.xlsx")
    ReportFile.objects.create(report=report, format="pdf", status="failed", error="OSError: нет шрифта")
    client.force_login(coordinator)
    changelist = client.get(reverse("admin:reports_report_changelist")).content.decode()
    assert "ошибка ⚠ PDF" in changelist and "нет шрифта" in changelist
    assert "если ошибка повторится, сообщите администратору портала" in changelist  # what to do, not only why
    assert "PDF — ошибка" in changelist
    delete_url = reverse("admin:reports_report_delete", args=[report.pk])
    confirm = client.get(delete_url)
    assert confirm.status_code == 200 and "Вы уверены" in confirm.content.decode()
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not Report.objects.exists() and not ReportFile.objects.exists()


def test_the_report_period_is_chosen_from_a_list_not_typed(client, roadmap, coordinator):
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    page = client.get(reverse("admin:reports_report_add")).content.decode()
    assert '<select name="period"' in page
    assert '<option value="2022-H1">I полугодие 2022 года</option>' in page
    typed = client.post(
        reverse("admin:reports_report_add"),
        {
            "roadmap": roadmap.pk,
            "region": "",
            "period": "2 полугоди",
            "kind": "progress",
            "formats": ["docx"],
        },
    )
    assert typed.status_code == 200 and "Выберите корректный вариант" in typed.content.decode()
    assert not Report.objects.exists()


def test_ordering_a_report_again_adds_its_missing_formats_and_the_period_action_too(
    client, roadmap, coordinator, django_capture_on_commit_callbacks
):
    coordinator.is_staff = True
    coordinator.save()
    client.force_login(coordinator)
    form = {"roadmap": roadmap.pk, "region": "", "period": "2021", "kind": "annual"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:reports_report_add"), {**form, "formats": ["docx"]})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = client.post(
            reverse("admin:reports_report_add"), {**form, "formats": ["docx", "xlsx"]}, follow=True
        )
    assert "недостающие форматы добавлены" in again.content.decode()
    assert len(callbacks) == 1  # the XLSX; the ready DOCX is kept
    assert Report.objects.count() == 1
    assert sorted(Report.objects.get().files.values_list("format", flat=True)) == ["docx", "xlsx"]
    period = ReportingPeriod.objects.get(roadmap=roadmap, code="2021")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(
            reverse("admin:reports_reportingperiod_changelist"),
            {"action": "build_report", "_selected_action": [period.pk]},
        )
    assert len(callbacks) == 1  # the PDF; the ready DOCX and XLSX are kept
    report = Report.objects.get()
    assert sorted(report.files.values_list("format", flat=True)) == ["docx", "pdf", "xlsx"]
    assert report.status == Report.Status.READY

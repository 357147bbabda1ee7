"""Report file jobs: queued → building → ready/failed, once, even when a worker dies mid-build; the
report's state follows its files."""

from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from reports import services, tasks
from reports.models import Report, ReportFile
from tests.factories import MeasureFactory, RoadmapFactory, StaffRoleFactory, UserFactory
from tests.reports.factories import ReportFileFactory


def files_of(job) -> list[str]:
    try:
        return default_storage.listdir(f"reports/{job.pk}")[1]
    except FileNotFoundError:
        return []


@pytest.fixture
def roadmap(db):
    roadmap = RoadmapFactory(first_year=2022, last_year=2022)
    MeasureFactory(roadmap=roadmap, section__roadmap=roadmap)
    return roadmap


@pytest.fixture
def coordinator(roadmap):
    return StaffRoleFactory(municipality=roadmap.municipality).user


def test_requested_report_is_built_after_commit(roadmap, coordinator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = services.request_report(
            roadmap=roadmap, period="2022-H1", kind="progress", formats=["xlsx"], user=coordinator
        )
        assert Report.objects.get(pk=report.pk).status == Report.Status.QUEUED
    assert len(callbacks) == 1
    report.refresh_from_db()
    assert report.status == Report.Status.READY
    assert report.requested_by == coordinator
    (file,) = report.files.all()
    assert file.attempts == 1 and file.rows == 1 and len(file.checksum) == 64
    assert file.file.read().startswith(b"PK")  # a zip: XLSX


def test_one_report_per_period_with_a_file_per_format(
    roadmap, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = services.request_report(roadmap=roadmap, period="2022", kind="annual", user=coordinator)
    assert len(callbacks) == 3  # one build per file
    report.refresh_from_db()
    assert report.status == Report.Status.READY
    assert [f.format for f in report.files_in_order()] == ["xlsx", "pdf", "docx"]
    assert all(len(f.checksum) == 64 and f.size for f in report.files.all())
    # Asking again is the same report, nothing rebuilt; a missing format would be added to it.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = services.request_report(roadmap=roadmap, period="2022", kind="annual", user=coordinator)
    assert again.pk == report.pk and callbacks == []
    assert Report.objects.count() == 1 and ReportFile.objects.count() == 3


def test_report_state_says_which_file_failed(
    roadmap, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(document, fileobj):
        raise ValueError("нет шрифта")

    monkeypatch.setitem(services.WRITERS, "pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.request_report(roadmap=roadmap, period="2022", kind="annual", user=coordinator)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert {f.format: f.status for f in report.files.all()} == {
        "xlsx": "ready",
        "pdf": "failed",
        "docx": "ready",
    }
    with pytest.raises(ValidationError, match="Не готовы: PDF"):
        services.publish_report(report, user=coordinator)
    # Asking again builds only the failed file.
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.request_report(roadmap=roadmap, period="2022", kind="annual", user=coordinator)
    assert len(callbacks) == 1
    report.refresh_from_db()
    assert report.status == Report.Status.READY


def test_pdf_jobs_use_the_pdf_task(roadmap, coordinator, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.build_report_pdf, "delay", lambda pk: sent.append(("pdf", pk)))
    monkeypatch.setattr(tasks.build_report, "delay", lambda pk: sent.append(("other", pk)))
    with django_capture_on_commit_callbacks(execute=True):
        report = services.request_report(
            roadmap=roadmap, period="2022", kind="annual", formats=["pdf", "docx"], user=coordinator
        )
    pdf, docx = report.files.get(format="pdf"), report.files.get(format="docx")
    assert sent == [("pdf", pdf.pk), ("other", docx.pk)]


def test_worker_killed_mid_build_is_retried_and_finished_once(roadmap):
    """A killed worker leaves the row «building» (and maybe a half-written file); redelivery finishes it."""
    report = ReportFileFactory(report__roadmap=roadmap, report__period="2022-H1")
    limit = services.time_limit_for("xlsx")
    ReportFile.objects.filter(pk=report.pk).update(
        status=Report.Status.BUILDING, attempts=1, started_at=timezone.now() - timedelta(seconds=limit + 5)
    )
    default_storage.save(f"reports/{report.pk}/1-{report.filename}", ContentFile(b"half-written"))

    assert tasks.build_report.apply(args=[report.pk]).get() == services.Claim.CLAIMED
    report.refresh_from_db()
    assert report.status == Report.Status.READY and report.attempts == 2
    assert report.report.status == Report.Status.READY
    assert files_of(report) == [report.file.name.rsplit("/", 1)[1]]  # one file: the orphan is gone

    # A second delivery of the same message (late ack) changes nothing.
    assert tasks.build_report.apply(args=[report.pk]).get() == services.Claim.DONE
    again = ReportFile.objects.get(pk=report.pk)
    assert (again.attempts, again.file.name, again.checksum) == (2, report.file.name, report.checksum)
    assert len(files_of(report)) == 1


def test_fresh_building_row_is_left_to_its_worker_and_retried_later(roadmap):
    report = ReportFileFactory(report__roadmap=roadmap)
    ReportFile.objects.filter(pk=report.pk).update(
        status=Report.Status.BUILDING, attempts=1, started_at=timezone.now()
    )
    outcome, wait = services.build(report.pk)
    assert outcome == services.Claim.BUSY
    assert 0 < wait <= services.time_limit_for("xlsx") + 1
    with pytest.raises(Retry):
        tasks.build_report.apply(args=[report.pk], throw=True)
    assert ReportFile.objects.get(pk=report.pk).attempts == 1  # nobody else took it over


def test_a_late_finisher_does_not_overwrite_the_attempt_that_took_over(roadmap):
    report = ReportFileFactory(report__roadmap=roadmap)
    outcome, attempt, _ = services.claim(report.pk)
    assert (outcome, attempt) == (services.Claim.CLAIMED, 1)
    # The first worker stalls past the limit; a redelivery takes the row over and finishes.
    ReportFile.objects.filter(pk=report.pk).update(started_at=timezone.now() - timedelta(hours=2))
    assert services.build(report.pk) == (services.Claim.CLAIMED, 0)
    finished = ReportFile.objects.get(pk=report.pk)
    assert finished.attempts == 2 and finished.status == Report.Status.READY
    assert len(files_of(report)) == 1


def test_failure_is_recorded_with_the_error(roadmap, monkeypatch):
    report = ReportFileFactory(report__roadmap=roadmap)

    def broken(document, fileobj):
        raise ValueError("сломано")

    monkeypatch.setitem(services.WRITERS, "xlsx", broken)
    assert tasks.build_report.apply(args=[report.pk]).get() == "failed"
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and report.report.status == Report.Status.FAILED
    assert "сломано" in report.error
    # Fixed: the failed job can be built again.
    monkeypatch.undo()
    assert tasks.build_report.apply(args=[report.pk]).get() == services.Claim.CLAIMED
    assert ReportFile.objects.get(pk=report.pk).status == Report.Status.READY
    assert Report.objects.get().status == Report.Status.READY


def test_rebuild_replaces_the_files_of_an_unpublished_report(
    roadmap, coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.request_report(
            roadmap=roadmap, period="2022-H1", kind="progress", formats=["docx", "xlsx"], user=coordinator
        )
    before = {f.format: f.file.name for f in report.files.all()}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.rebuild_report(report, user=coordinator)
    assert len(callbacks) == 2
    after = {f.format: f for f in report.files.all()}
    assert all(after[fmt].file.name != before[fmt] and after[fmt].attempts == 2 for fmt in before)
    assert [files_of(f) for f in after.values()] == [[f.file.name.rsplit("/", 1)[1]] for f in after.values()]
    assert Report.objects.get().status == Report.Status.READY

    services.publish_report(report, user=coordinator)
    with pytest.raises(ValidationError, match="снимите его с публикации"):
        services.rebuild_report(report, user=coordinator)
    with pytest.raises(ValidationError, match="снимите его с публикации"):
        services.request_report(roadmap=roadmap, period="2022-H1", kind="progress", user=coordinator)


def test_only_coordinators_request_reports_and_input_is_checked(roadmap):
    stranger = StaffRoleFactory().user  # coordinator of another municipality
    with pytest.raises(PermissionDenied):
        services.request_report(roadmap=roadmap, period="2022-H1", kind="progress", user=stranger)
    with pytest.raises(ValidationError) as exc:
        services.request_report(roadmap=roadmap, period="2022", kind="progress", formats=["odt"], user=None)
    assert "XLSX, PDF или DOCX" in str(exc.value)
    assert not Report.objects.exists()
    supervisor = UserFactory(is_superuser=True)
    report = services.request_report(
        roadmap=roadmap, period="2022", kind="regional", formats=["xlsx"], user=supervisor
    )
    assert report.region == roadmap.municipality.region


def test_annual_drafts_are_built_in_january_once(roadmap, django_capture_on_commit_callbacks):
    RoadmapFactory(status="draft", first_year=2022, last_year=2022)  # a draft roadmap gets none
    with django_capture_on_commit_callbacks(execute=True):
        first = services.prepare_annual_drafts(today=timezone.datetime(2023, 1, 10).date())
        again = services.prepare_annual_drafts(today=timezone.datetime(2023, 1, 10).date())
    assert [r.pk for r in first] == [r.pk for r in again]
    report = Report.objects.get()
    assert (report.roadmap, report.period, report.kind, report.status) == (roadmap, "2022", "annual", "ready")
    assert [f.format for f in report.files.all()] == ["docx"]


def test_a_published_annual_report_without_a_docx_does_not_stop_the_other_drafts(
    roadmap, django_capture_on_commit_callbacks
):
    """The press secretary published last year's report as XLSX before January: it stays as it is, and
    the other roadmaps still get their drafts."""
    other = RoadmapFactory(status=roadmap.status, first_year=2022, last_year=2022)
    with django_capture_on_commit_callbacks(execute=True):
        published = services.request_report(roadmap=roadmap, period="2022", kind="annual", formats=["xlsx"])
    services.publish_report(published)
    with django_capture_on_commit_callbacks(execute=True):
        drafts = services.prepare_annual_drafts(today=timezone.datetime(2023, 1, 10).date())
    assert [r.roadmap for r in drafts] == [other]
    assert [f.format for f in Report.objects.get(pk=published.pk).files.all()] == ["xlsx"]

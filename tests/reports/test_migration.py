"""reports 0004: the rows that were one job per format become one report with its files, keeping the file
paths, checksums, publication, the discussion opened on the report and the download links already sent."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from reports.models import Report, ReportFile
from surveys.models import Discussion
from surveys.services import open_discussion
from tests.factories import RoadmapFactory, UserFactory
from tests.migrations import latest, migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("reports", "0003_merge_letters_and_move")
AFTER = ("reports", "0004_report_files")


def _old_apps(executor):
    targets = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "reports"] + [BEFORE]
    return executor.loader.project_state(targets).apps


def _old_row(old, **fields):
    row = old.get_model("reports", "Report").objects.create(**fields)
    return row.pk


@pytest.fixture
def rows_per_format():
    """Before 0004: a published half-year report of one roadmap as three rows (XLSX, PDF, DOCX) sharing
    one discussion, its XLSX built twice; an unpublished annual report in one format; a regional summary."""
    roadmap = RoadmapFactory(first_year=2021, last_year=2022)
    publisher = UserFactory()
    discussion = open_discussion(municipality=roadmap.municipality, title="Обсуждение отчета")
    executor = migrate([BEFORE])
    old = _old_apps(executor)
    try:
        common = {"roadmap_id": roadmap.pk, "period": "2022-H1", "kind": "progress"}
        published = {"published_at": "2022-07-20T09:00Z", "published_by_id": publisher.pk}
        xlsx = _old_row(
            old, **common, **published, format="xlsx", status="ready", file="reports/1/1-a.xlsx",
            checksum="a" * 64, size=10, rows=5, attempts=1, discussion_id=discussion.pk,
        )  # fmt: skip
        pdf = _old_row(
            old, **common, **published, format="pdf", status="ready", file="reports/2/1-a.pdf",
            checksum="b" * 64, size=20, discussion_id=discussion.pk,
        )  # fmt: skip
        docx = _old_row(
            old, **common, format="docx", status="ready", file="reports/3/1-a.docx", checksum="c" * 64
        )
        rebuilt_xlsx = _old_row(
            old, **common, format="xlsx", status="ready", file="reports/4/1-a.xlsx", checksum="d" * 64
        )
        annual = _old_row(
            old, roadmap_id=roadmap.pk, period="2021", kind="annual", format="docx", status="failed",
            error="OSError: нет места", idempotency_key="annual-draft:1:2021",
        )  # fmt: skip
        regional = _old_row(old, region="Ставропольский край", period="2022", kind="regional", format="xlsx")
        report_type = old.get_model("contenttypes", "ContentType").objects.get_or_create(
            app_label="reports", model="report"
        )[0]
        # The discussion's subject is the last row: one of those merged into the first.
        old.get_model("surveys", "Discussion").objects.filter(pk=discussion.pk).update(
            subject_type_id=report_type.pk, subject_id=pdf
        )
        yield {
            "roadmap": roadmap.pk,
            "publisher": publisher.pk,
            "discussion": discussion.pk,
            "rows": {"xlsx": xlsx, "pdf": pdf, "docx": docx, "rebuilt": rebuilt_xlsx},
            "annual": annual,
            "regional": regional,
        }
    finally:
        migrate(latest())
        ContentType.objects.clear_cache()


def test_rows_per_format_become_one_report_with_its_files(rows_per_format):
    before = rows_per_format
    migrate(latest())
    ContentType.objects.clear_cache()

    assert Report.objects.count() == 3
    rows = before["rows"]
    report = Report.objects.get(roadmap_id=before["roadmap"], period="2022-H1")
    assert report.pk == rows["xlsx"]  # the first row stays the report
    assert report.status == Report.Status.READY and report.is_published
    assert report.published_by_id == before["publisher"] and report.discussion_id == before["discussion"]
    files = {f.format: f for f in report.files.all()}
    assert set(files) == {"xlsx", "pdf", "docx"}
    # Each file keeps the id of its row (the download links already sent) and its path and checksum;
    # of the two XLSX rows the published one stays.
    assert (files["xlsx"].pk, files["xlsx"].file.name, files["xlsx"].checksum) == (
        rows["xlsx"],
        "reports/1/1-a.xlsx",
        "a" * 64,
    )
    assert (files["xlsx"].rows, files["xlsx"].size, files["xlsx"].attempts) == (5, 10, 1)
    assert (files["pdf"].pk, files["pdf"].checksum) == (rows["pdf"], "b" * 64)
    assert (files["docx"].pk, files["docx"].file.name) == (rows["docx"], "reports/3/1-a.docx")
    assert Discussion.objects.get(pk=before["discussion"]).subject == report

    annual = Report.objects.get(pk=before["annual"])
    assert annual.status == Report.Status.FAILED and annual.idempotency_key == "annual-draft:1:2021"
    (failed,) = annual.files.all()
    assert (failed.pk, failed.format, failed.error) == (before["annual"], "docx", "OSError: нет места")
    regional = Report.objects.get(pk=before["regional"])
    assert regional.region == "Ставропольский край" and regional.files.get().pk == before["regional"]

    # New files continue after the old ids (the PostgreSQL sequence was moved past them).
    new = ReportFile.objects.create(report=annual, format="xlsx")
    assert new.pk > max(rows.values())


def test_migrating_back_splits_each_report_into_rows_per_format(rows_per_format):
    before = rows_per_format
    migrate(latest())
    migrate([BEFORE])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, format, file, checksum, published_at IS NOT NULL, discussion_id FROM reports_report "
            "WHERE period = %s ORDER BY id",
            ["2022-H1"],
        )
        rows = cursor.fetchall()
    ids = before["rows"]
    assert [(r[0], r[1], r[2], r[3][:1]) for r in rows] == [
        (ids["xlsx"], "xlsx", "reports/1/1-a.xlsx", "a"),
        (ids["pdf"], "pdf", "reports/2/1-a.pdf", "b"),
        (ids["docx"], "docx", "reports/3/1-a.docx", "c"),
    ]
    assert all(r[4] and r[5] == before["discussion"] for r in rows)  # published, one discussion


def test_of_two_rows_of_one_format_the_ready_one_else_the_newest_stays_and_the_dropped_file_is_kept():
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    roadmap = RoadmapFactory(first_year=2021, last_year=2022)
    dropped_path = default_storage.save("reports/migration-test/failed.xlsx", ContentFile(b"partial"))
    executor = migrate([BEFORE])
    try:
        old = _old_apps(executor)
        common = {"roadmap_id": roadmap.pk, "period": "2021-H2", "kind": "progress"}
        ready_xlsx = _old_row(old, **common, format="xlsx", status="ready", file="reports/5/ready.xlsx")
        failed_xlsx = _old_row(old, **common, format="xlsx", status="failed", file=dropped_path, error="x")
        older_pdf = _old_row(old, **common, format="pdf", status="failed", error="первая попытка")
        newer_pdf = _old_row(old, **common, format="pdf", status="failed", error="вторая попытка")
    finally:
        migrate(latest())
        ContentType.objects.clear_cache()

    report = Report.objects.get(roadmap=roadmap, period="2021-H2")
    assert report.pk == ready_xlsx and report.status == Report.Status.FAILED
    files = {f.format: f for f in report.files.all()}
    assert (files["xlsx"].pk, files["xlsx"].file.name) == (
        ready_xlsx,
        "reports/5/ready.xlsx",
    )  # ready beats newer
    assert (files["pdf"].pk, files["pdf"].error) == (newer_pdf, "вторая попытка")  # both failed: the newest
    # The dropped rows are gone (their download links answer «not found»); their stored files are not deleted.
    assert not ReportFile.objects.filter(pk__in=[failed_xlsx, older_pdf]).exists()
    assert default_storage.exists(dropped_path)
    default_storage.delete(dropped_path)

"""The admin path: upload → preview with flagged cells → confirm; big files through the Celery task."""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from importing import jobs
from importing.models import ImportJob
from municipalities.models import StaffRole
from roadmaps.models import Roadmap
from tests.factories import MunicipalityFactory, UserFactory


def _docx(rows_count=3, *, unknown_deadline=True) -> bytes:
    document = docx.Document()
    document.add_paragraph("План мероприятий на 2021-2022 годы")
    table = document.add_table(rows=0, cols=4)
    for text, cell in zip(
        ["№ п/п", "Наименование мероприятия", "Срок исполнения", "Ответственный исполнитель"],
        table.add_row().cells,
        strict=True,
    ):
        cell.text = text
    for i in range(1, rows_count + 1):
        deadline = "когда-нибудь потом" if unknown_deadline and i == 2 else "ежеквартально"
        for text, cell in zip(
            [str(i), f"Мероприятие {i}", deadline, "отдел информатизации"], table.add_row().cells, strict=True
        ):
            cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def coordinator(db):
    municipality = MunicipalityFactory()
    user = UserFactory()
    StaffRole.objects.create(user=user, role=StaffRole.Role.COORDINATOR, municipality=municipality)
    return user, municipality


def _upload(client, municipality, data, name="plan.docx", **extra):
    return client.post(
        reverse("admin:importing_importjob_upload"),
        {"municipality": municipality.pk, "file": SimpleUploadedFile(name, data), **extra},
    )


def test_upload_preview_confirm(client, coordinator):
    user, municipality = coordinator
    client.force_login(user)
    response = _upload(client, municipality, _docx())
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{job.pk}/preview/")
    assert Roadmap.objects.count() == 0  # nothing saved before the user confirms

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Мероприятие 3" in html
    # Only the deadline «когда-нибудь потом» of row 2 is flagged; unmatched executors are flagged on every row.
    assert html.count('import-flagged errors" data-role="deadline"') == 1
    assert html.count('import-flagged errors" data-role="executors"') == 3
    assert "Срок не распознан" in html

    response = client.post(response["Location"], {"title": "Загруженная карта", "confirm": "1"})
    roadmap = Roadmap.objects.get()
    assert response.status_code == 302 and str(roadmap.pk) in response["Location"]
    assert roadmap.title == "Загруженная карта" and roadmap.measures.count() == 3
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.roadmap == roadmap and job.progress == 100
    assert roadmap.measures.filter(deadline_rule__needs_clarification=True).count() == 1


def test_upload_of_a_bad_file_shows_the_error_and_keeps_nothing(client, coordinator):
    user, municipality = coordinator
    client.force_login(user)
    response = _upload(client, municipality, b"not a document at all", name="plan.docx")
    assert response.status_code == 200
    assert "не документ Word" in response.content.decode()
    assert ImportJob.objects.count() == 0 and Roadmap.objects.count() == 0


def test_coordinator_cannot_import_into_another_municipality(client, coordinator):
    user, _own = coordinator
    other = MunicipalityFactory()
    client.force_login(user)
    response = _upload(client, other, _docx())
    assert response.status_code == 200  # the form refuses the choice
    assert ImportJob.objects.count() == 0


def test_executor_may_not_upload(client, db):
    municipality = MunicipalityFactory()
    user = UserFactory()
    StaffRole.objects.create(user=user, role=StaffRole.Role.EXECUTOR, municipality=municipality)
    client.force_login(user)
    assert client.get(reverse("admin:importing_importjob_upload")).status_code == 403


def test_big_file_runs_as_a_task_with_progress(
    client, coordinator, django_capture_on_commit_callbacks, monkeypatch
):
    user, municipality = coordinator
    monkeypatch.setattr(jobs, "BIG_IMPORT", 5)
    client.force_login(user)
    response = _upload(client, municipality, _docx(rows_count=12, unknown_deadline=False))
    job = ImportJob.objects.get()
    seen = []
    real_progress_key = jobs.progress_key

    def spy(job_id):
        seen.append(job_id)
        return real_progress_key(job_id)

    monkeypatch.setattr(jobs, "progress_key", spy)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(response["Location"], {"confirm": "1"})
    assert response["Location"].endswith(f"/{job.pk}/change/")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED and Roadmap.objects.count() == 0  # waits for the worker
    for callback in callbacks:  # the commit enqueues the task; Celery runs it eagerly in tests
        callback()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.roadmap.measures.count() == 12
    assert seen  # progress was reported while saving
    page = client.get(reverse("admin:importing_importjob_change", args=[job.pk]))
    assert page.status_code == 200 and "100 %" in page.content.decode()
    # A second delivery of the task does nothing: the job is no longer queued.
    from importing.tasks import run_import_job

    assert run_import_job.delay(job.pk).get() == ImportJob.Status.DONE
    assert Roadmap.objects.count() == 1


def test_running_job_page_refreshes_itself(client, coordinator):
    user, municipality = coordinator
    client.force_login(user)
    _upload(client, municipality, _docx())
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    from django.core.cache import cache

    cache.set(jobs.progress_key(job.pk), 40)
    html = client.get(reverse("admin:importing_importjob_change", args=[job.pk])).content.decode()
    assert 'http-equiv="refresh"' in html and "40 %" in html


def test_the_old_addresses_under_roadmaps_lead_to_the_import_pages(client, coordinator):
    """The import lived inside roadmaps: /admin/roadmaps/importjob/… bookmarks land on the same page now."""
    user, municipality = coordinator
    client.force_login(user)
    assert reverse("admin:importing_importjob_upload") == "/admin/importing/importjob/upload/"

    old = client.get("/admin/roadmaps/importjob/upload/?municipality=7")
    assert old.status_code == 301
    assert old["Location"] == "/admin/importing/importjob/upload/?municipality=7"
    page = client.get(old["Location"])
    assert page.status_code == 200 and "file" in page.context["form"].fields

    assert client.get("/admin/roadmaps/importjob/")["Location"] == "/admin/importing/importjob/"
    assert client.get("/admin/importing/importjob/").status_code == 200

"""Running an ImportJob: parse its file with the user's choices, save, and report progress as it goes."""

from __future__ import annotations

import logging
from datetime import date

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import RoadmapImportError
from .models import ImportJob
from .services import (
    ImportOptions,
    file_checksum,
    header_of,
    import_warnings,
    parse_roadmap_file,
    save_parsed_roadmap,
)

logger = logging.getLogger(__name__)
BIG_IMPORT = 200  # measures; below this the admin saves at once, above it a worker does


def progress_key(job_id: int) -> str:
    return f"roadmaps:import-job:{job_id}:progress"


def job_progress(job: ImportJob) -> int:
    """Percent done: the worker writes it to the cache while its transaction is still open."""
    if job.is_finished:
        return job.progress
    return max(job.progress, cache.get(progress_key(job.pk), 0))


def options_from_job(job: ImportJob) -> ImportOptions:
    o = job.options or {}
    return ImportOptions(
        title=o.get("title", ""),
        first_year=o.get("first_year") or None,
        last_year=o.get("last_year") or None,
        act_kind=o.get("act_kind", ""),
        act_number=o.get("act_number", ""),
        act_date=date.fromisoformat(o["act_date"]) if o.get("act_date") else None,
        act_title=o.get("act_title", ""),
        create_executors=bool(o.get("create_executors")),
        table_index=o.get("table_index"),
    )


def read_job_file(job: ImportJob) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


def start_import_job(*, municipality, upload, options: dict, created_by) -> ImportJob:
    """A job for an uploaded file, parsed for its preview; a file that cannot be read leaves nothing saved.

    Raises RoadmapImportError with the reasons in Russian."""
    with transaction.atomic():
        job = ImportJob.objects.create(
            municipality=municipality,
            file=upload,
            original_name=upload.name[:255],
            options=options,
            created_by=created_by,
        )
        try:
            return preview_job(job)
        except RoadmapImportError:
            transaction.set_rollback(True)
            job.file.delete(save=False)  # storage is not rolled back with the row
            raise


def change_job_options(job: ImportJob, options: dict, *, reparse: bool = False) -> ImportJob:
    """Keep the user's choices on the preview; with reparse, read the file again with them."""
    job.options = options
    job.save(update_fields=["options"])
    return preview_job(job) if reparse else job


def refresh_job_warnings(job: ImportJob) -> ImportJob:
    """Show the warnings as they stand now on the preview (one may have appeared after it was built)."""
    job.preview = {**(job.preview or {}), "warnings": job_warnings(job)}
    job.save(update_fields=["preview"])
    return job


def preview_job(job: ImportJob) -> ImportJob:
    """Parse the uploaded file with the job's options and keep what was understood for the preview."""
    data = read_job_file(job)
    result = parse_roadmap_file(
        data,
        job.original_name or job.file.name,
        municipality=job.municipality,
        options=options_from_job(job),
    )
    job.checksum = file_checksum(data)
    job.preview = result.to_dict()
    job.preview["warnings"] = import_warnings(
        job.municipality, job.checksum, header_of(result), exclude_job_pk=job.pk
    )
    job.measure_count = len(result.measures)
    job.save(update_fields=["preview", "measure_count", "checksum"])
    return job


def job_warnings(job: ImportJob) -> list[str]:
    """The preview's warnings as they stand now (another tab may have imported the same file meanwhile)."""
    preview = job.preview or {}
    header = [preview.get("title", ""), *preview.get("preamble", [])]
    return import_warnings(job.municipality, job.checksum, header, exclude_job_pk=job.pk)


def confirm_job(job: ImportJob, *, accept_warnings: bool = False) -> ImportJob:
    """The user agreed with the preview: queue the save (a worker for big files; eager in development).

    With warnings (the same file imported before, another municipality named) it needs explicit consent."""
    from .tasks import run_import_job

    if not accept_warnings and job_warnings(job):
        raise ValidationError(
            _("Файл загружается с предупреждениями: отметьте, что согласны загрузить его несмотря на них.")
        )
    ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(
        status=ImportJob.Status.QUEUED
    )
    job.refresh_from_db()
    if job.measure_count <= BIG_IMPORT:
        run_job(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: run_import_job.delay(job.pk))
    return job


def run_job(job_id: int) -> ImportJob:
    """Save the job's roadmap once; a job already running, done or failed is left alone (idempotent)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, progress=0
    )
    job = ImportJob.objects.select_related("municipality").get(pk=job_id)
    if not claimed:
        return job

    def progress(done: int, total: int) -> None:
        cache.set(progress_key(job_id), int(done * 100 / max(total, 1)), 3600)

    try:
        options = options_from_job(job)
        result = parse_roadmap_file(
            read_job_file(job),
            job.original_name or job.file.name,
            municipality=job.municipality,
            options=options,
        )
        roadmap = save_parsed_roadmap(
            result, job.municipality, options, user=job.created_by, progress=progress
        )
    except (OperationalError, ConnectionError):
        # Transient: hand the job back so that the task's retry can claim it again.
        ImportJob.objects.filter(pk=job_id).update(status=ImportJob.Status.QUEUED)
        raise
    except (RoadmapImportError, ValidationError) as exc:
        messages = exc.messages if hasattr(exc, "messages") else [str(exc)]
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED, error="\n".join(messages), finished_at=timezone.now()
        )
    except Exception:
        logger.exception("roadmap import job %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED,
            error="Внутренняя ошибка при сохранении; ничего не сохранено. Сообщите администратору портала.",
            finished_at=timezone.now(),
        )
    else:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.DONE,
            roadmap=roadmap,
            progress=100,
            measure_count=len(result.measures),
            error="",
            finished_at=timezone.now(),
        )
    cache.delete(progress_key(job_id))
    job.refresh_from_db()
    return job

"""Report file builds: thin tasks around services.build, one per file, safe to deliver twice (claimed by
compare-and-set)."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from . import services

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError, OSError, ConnectionError)
PDF_TIME_LIMIT = settings.CELERY_LONGEST_TASK_SECONDS
PDF_SOFT_TIME_LIMIT = PDF_TIME_LIMIT - 60

BEAT_SCHEDULES: list[dict] = [
    {
        "name": "reports: черновики годовых отчетов (январь)",
        "task": "reports.tasks.prepare_annual_drafts",
        "crontab": {"minute": "0", "hour": "6", "day_of_month": "10", "month_of_year": "1"},
        "description": "Формирует черновик годового отчета за прошлый год по каждой действующей дорожной карте.",
    },
]


def _run(task, job_id: int, build=None) -> str:
    build = build or services.build
    try:
        outcome, wait = build(job_id)
    except TRANSIENT as exc:
        raise task.retry(exc=exc, countdown=min(600, 30 * 2**task.request.retries)) from exc
    except Exception:  # recorded on the row (status «ошибка» with the error); retrying would not help
        logger.exception("%s %s failed", task.name, job_id)
        return "failed"
    if outcome == services.Claim.BUSY:
        # Another delivery holds the row, or a killed worker left it «building»: look again once the row
        # would be stale (its start older than the hard time limit), then take it over.
        raise task.retry(countdown=wait)
    return outcome


@shared_task(bind=True, name="reports.tasks.build_report", max_retries=8, acks_late=True)
def build_report(self, file_id: int) -> str:
    """Build a report's XLSX or DOCX file (a ReportFile id)."""
    return _run(self, file_id)


@shared_task(
    bind=True,
    name="reports.tasks.build_report_pdf",
    max_retries=8,
    acks_late=True,
    soft_time_limit=PDF_SOFT_TIME_LIMIT,
    time_limit=PDF_TIME_LIMIT,
)
def build_report_pdf(self, file_id: int) -> str:
    """Build a report's PDF file (own queue «pdf», concurrency 1: WeasyPrint is CPU- and memory-heavy)."""
    return _run(self, file_id)


@shared_task(bind=True, name="reports.tasks.build_information_letter", max_retries=8, acks_late=True)
def build_information_letter(self, letter_id: int) -> str:
    """Build an information letter's DOCX from the figures of the day (claimed like a report job)."""
    return _run(self, letter_id, services.build_letter)


@shared_task(name="reports.tasks.prepare_annual_drafts")
def prepare_annual_drafts() -> int:
    """January: build the annual report drafts; the reminders then run until each is published."""
    return len(services.prepare_annual_drafts())

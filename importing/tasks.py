"""Celery task for big imports: thin, the work is in jobs.run_job."""

from celery import shared_task
from django.db import OperationalError


@shared_task(autoretry_for=(OperationalError, ConnectionError), retry_backoff=10, max_retries=5)
def run_import_job(job_id: int) -> str:
    """Save an ImportJob's roadmap; a second delivery finds the job no longer queued and does nothing."""
    from .jobs import run_job

    return run_job(job_id).status

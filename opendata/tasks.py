from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from . import notifications

BEAT_SCHEDULES: list[dict] = [
    {
        "name": "opendata: refresh the portal's own data sets",
        "task": "opendata.tasks.refresh_portal_datasets",
        "crontab": {"minute": "20", "hour": "3"},
        "description": "Публикует новую версию наборов портала (мероприятия, опросы), если данные изменились.",
    },
]


@shared_task(autoretry_for=(SMTPException, OSError, ConnectionError), retry_backoff=30, max_retries=8)
def notify_issue_reported(report_id: int) -> bool:
    """Tell the responsible person about a new error report; keyed by the report, so sent once."""
    return notifications.notify_issue_reported(report_id)


@shared_task(autoretry_for=(SMTPException, OSError, ConnectionError), retry_backoff=30, max_retries=8)
def notify_issue_answered(report_id: int, answered_at: str) -> bool:
    """Tell the citizen about the answer; keyed by the answer time, so sent once per answer."""
    return notifications.notify_issue_answered(report_id, answered_at)


@shared_task(autoretry_for=(SMTPException, OSError, ConnectionError), retry_backoff=30, max_retries=8)
def notify_dataset_requested(request_id: int) -> int:
    """Tell the coordinators about a request for a new set; keyed by request and recipient, so sent once."""
    return notifications.notify_dataset_requested(request_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=60, max_retries=5)
def refresh_portal_datasets() -> dict:
    """Idempotent: an unchanged checksum publishes nothing, a version per set and day at most."""
    from .portal_sets import refresh_all

    return refresh_all()

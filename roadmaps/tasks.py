from smtplib import SMTPException

from celery import shared_task

from . import notifications


@shared_task(autoretry_for=(SMTPException, OSError, ConnectionError), retry_backoff=30, max_retries=8)
def notify_progress_returned(entry_id: int, reviewed_at: str) -> bool:
    """Tell the author at once that the entry came back; keyed by the review time, so sent once."""
    return notifications.notify_progress_returned(entry_id, reviewed_at)


BEAT_SCHEDULES: list[dict] = []

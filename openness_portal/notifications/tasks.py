from smtplib import SMTPException

from celery import shared_task

from . import services

BEAT_SCHEDULES: list[dict] = []


@shared_task(
    bind=True,
    autoretry_for=(SMTPException, OSError, ConnectionError),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
    acks_late=True,
)
def deliver_notification(self, notification_id: int) -> bool:
    """Send one queued notification; a failure leaves it unsent and retries with backoff."""
    return services.deliver(notification_id)

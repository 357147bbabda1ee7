from smtplib import SMTPException

from celery import shared_task
from django.db import DatabaseError

from . import services

# Hourly rather than one daily crontab: municipalities span eleven time zones, and each is swept once its
# local clock passes 08:00. A later hour finds nothing new (the reminder log is the claim), so a missed or
# failed hour simply catches up at the next one, and a duty created during the day is still reminded.
REMINDER_LOCAL_HOURS = (8, 21)

BEAT_SCHEDULES: list[dict] = [
    {
        "name": "Напоминания о сроках (ежечасно, 08:00–21:00 местного времени)",
        "task": "openness_portal.notifications.tasks.send_reminders",
        "crontab": {"minute": "5", "hour": "*"},
        "description": (
            "Каждый час отправляет напоминания муниципальным образованиям, где местное время "
            "от 08:00 до 21:00. Повторный запуск ничего не дублирует."
        ),
    },
]


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


@shared_task(
    bind=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=60,
    retry_backoff_max=1800,
    max_retries=5,
    acks_late=True,
)
def send_reminders(self, as_of: str | None = None) -> dict:
    """The reminder sweep; safe to retry or run twice: reminders already claimed are not sent again."""
    from datetime import date

    from .sweep import run_sweep, sweep_summary

    if as_of:
        summary = sweep_summary(run_sweep(as_of=date.fromisoformat(as_of)))
    else:
        summary = sweep_summary(run_sweep(local_hours=REMINDER_LOCAL_HOURS))
    if summary["failed_groups"]:
        # The other groups are sent and committed; a retry claims only what the failed ones still lack.
        raise self.retry(
            countdown=300, exc=RuntimeError(f"reminder groups failed: {summary['failed_groups']}")
        )
    return summary

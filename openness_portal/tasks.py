"""Portal-wide Celery tasks: the nightly retention.

A failed task is reported by Celery itself (an ERROR line of celery.app.trace, JSON through LOGGING, since
the worker does not hijack the root logger) and by Sentry's Celery integration when SENTRY_DSN is set."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from openness_portal import retention

BEAT_SCHEDULES: list[dict] = [
    {
        "name": "Удаление устаревших записей (ежедневно, 03:30)",
        "task": "openness_portal.tasks.apply_retention",
        "crontab": {"minute": "30", "hour": "3"},
        "description": (
            "Удаляет истекшие сессии, старые записи журнала напоминаний, уведомлений, истории изменений "
            "и попыток входа по срокам из настроек RETENTION_*_DAYS. Повторный запуск безопасен."
        ),
    },
]


@shared_task(
    bind=True,
    name="openness_portal.tasks.apply_retention",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=60,
    max_retries=5,
)
def apply_retention(self) -> dict[str, int]:
    """Idempotent: a second run finds nothing more to delete."""
    return retention.apply_retention()

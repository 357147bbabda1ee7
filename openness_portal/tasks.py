"""Portal-wide Celery tasks (nightly retention) and the report of every failed task to the logs."""

import logging

from celery import shared_task
from celery.signals import task_failure
from django.db import InterfaceError, OperationalError

from openness_portal import retention

logger = logging.getLogger(__name__)

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


@task_failure.connect
def log_task_failure(sender=None, task_id=None, exception=None, einfo=None, **kwargs):
    """Every failed task as one ERROR line (JSON in production), which Sentry also picks up when enabled."""
    logger.error(
        "task %s failed: %s",
        getattr(sender, "name", sender),
        f"{type(exception).__name__}: {exception}",
        exc_info=(type(exception), exception, exception.__traceback__) if exception else None,
        extra={"task_id": task_id, "task": getattr(sender, "name", str(sender))},
    )

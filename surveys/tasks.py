from celery import shared_task
from django.db import OperationalError

from . import services

BEAT_SCHEDULES: list[dict] = [
    {
        "name": "surveys: close ended discussion windows",
        "task": "surveys.tasks.close_due_discussions",
        "crontab": {"minute": "*/5"},
        "description": "Завершает окна обсуждений по серверному времени и готовит итоги (идемпотентно).",
    },
]


@shared_task(autoretry_for=(OperationalError, ConnectionError), retry_backoff=30, max_retries=5)
def close_due_discussions() -> int:
    """Close-time work for every ended window; a compare-and-set per discussion makes reruns harmless."""
    return services.close_due_discussions()

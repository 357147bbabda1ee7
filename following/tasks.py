"""Celery tasks: thin wrappers over services, safe to run twice (see services' docstring)."""

from celery import shared_task
from django.db import DatabaseError

from . import services

BEAT_SCHEDULES: list[dict] = [
    {
        "name": "following: tell followers what happened",
        "task": "following.tasks.deliver",
        "crontab": {"minute": "*/10"},
        "description": (
            "Каждые 10 минут: события, о которых еще не сообщено, — подписчикам (одно письмо на подписку), "
            "и письма, оставшиеся неотправленными. Повторный запуск ничего не дублирует."
        ),
    },
    {
        "name": "following: forget stale subscriptions",
        "task": "following.tasks.forget_stale_subscriptions",
        "crontab": {"minute": "20", "hour": "4"},
        "description": (
            "Ежедневно удаляет неподтвержденные за 7 дней подписки и адреса отписавшихся более 30 дней назад."
        ),
    },
]


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=60, retry_backoff_max=1800, max_retries=5)
def deliver() -> dict:
    """Fan out the events that have happened, gather digests, queue each digest's sending."""
    fanned_out = services.fan_out_due_events()
    new = services.collect_digests()
    lost = services.lost_digests()
    for digest_id in dict.fromkeys(new + lost):
        send_digest.delay(digest_id)
    return {"deliveries": fanned_out, "digests": len(new), "resumed": len(lost)}


@shared_task(
    autoretry_for=services.TRANSIENT,
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=services.MAX_DIGEST_ATTEMPTS,
    acks_late=True,
)
def send_digest(digest_id: int) -> bool:
    return services.send_digest(digest_id)


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=60, max_retries=3)
def forget_stale_subscriptions() -> int:
    return services.forget_stale_subscriptions()

"""Celery tasks: thin wrappers over services, safe to run twice."""

from smtplib import SMTPException

from celery import shared_task

from . import services

TRANSIENT = (SMTPException, OSError, ConnectionError)


@shared_task
def send_mailing(mailing_id: int) -> int:
    """Split what is left of a mailing into batches; each batch is its own retried task."""
    batches = services.pending_batches(mailing_id)
    for ids in batches:
        send_mailing_batch.delay(mailing_id, ids)
    if not batches:
        services.finish_mailing_if_done(mailing_id)
    return len(batches)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=30, max_retries=services.MAX_DELIVERY_ATTEMPTS)
def send_mailing_batch(mailing_id: int, delivery_ids: list[int]) -> int:
    sent = services.send_mailing_batch(mailing_id, delivery_ids)
    services.finish_mailing_if_done(mailing_id)
    return sent


@shared_task
def resume_mailings() -> int:
    """Pick up mailings a lost worker or exhausted retries left half-sent."""
    from .models import Mailing

    ids = list(Mailing.objects.filter(status=Mailing.Status.SENDING).values_list("pk", flat=True))
    for mailing_id in ids:
        send_mailing.delay(mailing_id)
    return len(ids)


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=60, max_retries=3)
def refresh_expert_kpis_task(municipality_id: int | None = None) -> int:
    """Recount experts into the experts KPI; without an id, for every municipality that has one."""
    from municipalities.models import Municipality
    from roadmaps.models import Kpi

    if municipality_id is None:
        ids = set(
            Kpi.objects.filter(auto_source=services.EXPERTS_SOURCE).values_list(
                "measure__roadmap__municipality_id", flat=True
            )
        )
    else:
        ids = {municipality_id}
    written = 0
    for municipality in Municipality.objects.filter(pk__in=ids):
        written += len(services.refresh_expert_kpis(municipality))
    return written


BEAT_SCHEDULES: list[dict] = [
    {
        "name": "referents: пересчет показателя «база данных экспертов»",
        "task": "referents.tasks.refresh_expert_kpis_task",
        "crontab": {"minute": "20", "hour": "3"},
        "description": "Ежедневно записывает число экспертов в базе как фактическое значение показателя.",
    },
    {
        "name": "referents: досылка незавершенных рассылок",
        "task": "referents.tasks.resume_mailings",
        "crontab": {"minute": "*/30"},
        "description": "Возобновляет рассылки, оставшиеся недоотправленными после сбоя.",
    },
]

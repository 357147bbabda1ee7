"""Celery tasks: thin wrappers over services, safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from . import services

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=60, retry_jitter=True, max_retries=5)
def fill_kpi_actuals_task(year: int | None = None) -> int:
    """Write the appeal counts into the KPIs fed by the register; without a year, the current one.

    In January the previous year is filled too: December's journal is often imported after New Year.
    """
    if year is not None:
        return services.fill_kpi_actuals(year)
    today = timezone.localdate()
    written = services.fill_kpi_actuals(today.year)
    if today.month == 1:
        written += services.fill_kpi_actuals(today.year - 1)
    return written


BEAT_SCHEDULES: list[dict] = [
    {
        "name": "appeals: показатели из реестра обращений граждан",
        "task": "appeals.tasks.fill_kpi_actuals_task",
        "crontab": {"minute": "40", "hour": "3"},
        "description": "Ежедневно записывает число обращений граждан (всего, по телефону доверия, на личном "
        "приеме, доля рассмотренных в срок) как фактические значения показателей.",
    },
]

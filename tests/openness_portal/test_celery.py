import os

import pytest
from django.conf import settings

from openness_portal.celery import app, ping


def test_celery_is_configured_safely():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.task_time_limit > app.conf.task_soft_time_limit > 0
    # A late-acked task is redelivered after the visibility timeout: it must outlast the longest task.
    assert app.conf.broker_transport_options["visibility_timeout"] > settings.CELERY_LONGEST_TASK_SECONDS
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


def test_tasks_run_eagerly_without_a_broker():
    assert ping.delay(41).get(timeout=5) == 42


@pytest.mark.real_worker
@pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL"),
    reason="CELERY_BROKER_URL is not set: no broker to send a real task through (CI sets it to Redis)",
)
def test_a_real_worker_consumes_a_real_task_through_redis():
    from celery.contrib.testing.worker import start_worker

    broker = os.environ["CELERY_BROKER_URL"]
    previous = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=broker, result_backend=broker, task_always_eager=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = ping.delay(1)
            assert result.get(timeout=30) == 2
            assert result.successful()
    finally:
        app.conf.update(previous)

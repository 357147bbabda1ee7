"""The sweep and the mail it queues, through a real Redis broker and a real Celery worker."""

import os
import time
from datetime import date

import pytest
from django.core import mail
from django.db import connection

from openness_portal.celery import app
from openness_portal.notifications.models import Notification, Reminder
from openness_portal.notifications.tasks import deliver_notification, send_reminders
from tests.notifications.factories import DepartmentFactory, deadline_for, municipality_with_coordinator

pytestmark = [
    pytest.mark.real_worker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL"),
        reason="CELERY_BROKER_URL is not set: no broker to send a real task through (CI sets it to Redis)",
    ),
]


@pytest.fixture
def real_worker():
    from celery.contrib.testing.worker import start_worker

    broker = os.environ["CELERY_BROKER_URL"]
    previous = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=broker, result_backend=broker, task_always_eager=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.update(previous)


def _wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sweeps_once_and_sends_each_digest_once(real_worker):
    if connection.vendor != "postgresql":
        pytest.skip("the worker thread needs its own connection to a real database server (PostgreSQL)")
    section, coordinator = municipality_with_coordinator()
    department = DepartmentFactory(municipality=section.roadmap.municipality)
    deadline_for(section, date(2019, 12, 20), department=department)
    deadline_for(section, date(2019, 12, 10), department=department)  # overdue: the coordinator too

    first = send_reminders.delay("2019-12-11").get(timeout=60)
    assert first["new_reminders"] == 3 and first["digest_count"] == 2
    assert _wait_for(lambda: Notification.objects.filter(status=Notification.Status.SENT).count() == 2)

    # The broker redelivers a delivery and the beat fires the sweep again: nothing new goes out.
    notification = Notification.objects.filter(email=department.email).get()
    assert deliver_notification.delay(notification.pk).get(timeout=30) is False
    assert send_reminders.delay("2019-12-11").get(timeout=60)["new_reminders"] == 0
    time.sleep(1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([department.email, coordinator.email])
    assert Reminder.objects.count() == 3

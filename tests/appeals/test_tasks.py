"""The daily task that writes the register's counts into the KPIs fed by it."""

from datetime import date

import pytest
import time_machine
from django.db import OperationalError
from django_celery_beat.models import PeriodicTask

from appeals import tasks
from appeals.models import Appeal
from openness_portal.notifications.schedules import setup_schedules
from roadmaps.models import KpiActual
from tests.appeals.factories import AppealFactory
from tests.factories import KpiFactory, MeasureFactory, RoadmapFactory

pytestmark = pytest.mark.django_db


def trust_line_kpi():
    roadmap = RoadmapFactory(first_year=2022, last_year=2023)
    kpi = KpiFactory(measure=MeasureFactory(section__roadmap=roadmap), auto_source="appeals.trust_line")
    for received in (date(2022, 12, 20), date(2022, 12, 28), date(2023, 1, 9)):
        AppealFactory(
            municipality=roadmap.municipality, channel=Appeal.Channel.TRUST_LINE, received_on=received
        )
    return kpi


def actuals(kpi) -> dict[str, int]:
    return dict(KpiActual.objects.filter(kpi=kpi).values_list("period", "value"))


def test_in_january_the_task_fills_the_current_and_the_previous_year_and_is_idempotent():
    kpi = trust_line_kpi()
    with time_machine.travel(date(2023, 1, 10)):
        assert tasks.fill_kpi_actuals_task.apply().get() == 2
        tasks.fill_kpi_actuals_task.apply().get()
    assert actuals(kpi) == {"2022": 2, "2023": 1}
    assert KpiActual.objects.filter(kpi=kpi).count() == 2


def test_later_in_the_year_only_the_current_year_is_written():
    kpi = trust_line_kpi()
    with time_machine.travel(date(2023, 5, 10)):
        tasks.fill_kpi_actuals_task.apply().get()
    assert actuals(kpi) == {"2023": 1}


def test_a_lost_database_connection_is_retried(monkeypatch):
    calls = []

    def flaky(year):
        calls.append(year)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return 0

    from openness_portal.celery import app

    # Eager tasks re-run their retries at once (the backoff applies on a real worker).
    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    monkeypatch.setattr(tasks.services, "fill_kpi_actuals", flaky)
    assert tasks.fill_kpi_actuals_task.delay(2022).get() == 0
    assert calls == [2022, 2022]


def test_setup_schedules_registers_the_task_daily():
    setup_schedules()
    task = PeriodicTask.objects.get(task="appeals.tasks.fill_kpi_actuals_task")
    assert (task.crontab.hour, task.crontab.minute, task.crontab.day_of_week) == ("3", "40", "*")

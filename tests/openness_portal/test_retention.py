"""Nightly retention: old rows go, recent ones and anything still needed stay, and a second run finds nothing."""

from datetime import date, timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from openness_portal import retention
from openness_portal.notifications.models import Notification, Reminder
from tests.factories import RoadmapFactory

pytestmark = pytest.mark.django_db


def _aged(queryset, field, days):
    queryset.update(**{field: timezone.now() - timedelta(days=days)})


def _reminder(day: date, n: int) -> Reminder:
    return Reminder.objects.create(
        kind="deadline",
        subject_key=f"deadline-{n}",
        stage=f"7wd:{day}",
        recipient_key=f"official-{n}",
        day=day,
        due_date=day + timedelta(days=10),
        run="test",
    )


def _notification(key: str, status: str) -> Notification:
    return Notification.objects.create(
        key=key, kind="test", recipient="Иванов И.И.", subject="Тема", body="Текст", status=status
    )


def test_expired_sessions_are_deleted_and_live_ones_kept():
    live = SessionStore()
    live.create()
    expired = SessionStore()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    assert retention.delete_expired_sessions() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_old_reminder_log_days_are_deleted():
    today = timezone.localdate()
    old = [_reminder(today - timedelta(days=500), n) for n in range(3)]
    recent = _reminder(today - timedelta(days=10), 9)
    assert retention.delete_old_reminder_log(400) == len(old)
    assert list(Reminder.objects.all()) == [recent]
    assert retention.delete_old_reminder_log(0) == 0  # 0 keeps everything


def test_settled_notifications_go_but_unsent_ones_stay_whatever_their_age():
    sent = _notification("old-sent", Notification.Status.SENT)
    pending = _notification("old-pending", Notification.Status.PENDING)
    fresh = _notification("fresh-sent", Notification.Status.SENT)
    _aged(Notification.objects.filter(pk__in=[sent.pk, pending.pk]), "created_at", 500)
    assert retention.delete_old_notifications(400) == 1
    assert set(Notification.objects.values_list("key", flat=True)) == {"old-pending", "fresh-sent"}
    assert fresh.pk in set(Notification.objects.values_list("pk", flat=True))


def test_old_history_is_trimmed_to_each_objects_latest_row():
    roadmap = RoadmapFactory(title="Первая редакция")
    for title in ("Вторая редакция", "Третья редакция"):
        roadmap.title = title
        roadmap.save()
    history = roadmap.history.model
    rows = list(history.objects.filter(id=roadmap.pk).order_by("history_id"))
    assert len(rows) == 3
    for age, row in zip((2002, 2001, 2000), rows, strict=True):
        history.objects.filter(history_id=row.history_id).update(
            history_date=timezone.now() - timedelta(days=age)
        )
    recent = RoadmapFactory(title="Свежая")
    recent.title = "Свежая, исправленная"
    recent.save()
    assert retention.delete_old_history(365) == 2
    assert list(history.objects.filter(id=roadmap.pk).values_list("title", flat=True)) == ["Третья редакция"]
    assert history.objects.filter(id=recent.pk).count() == 2  # recent changes are all kept


def test_old_login_attempts_go_but_a_running_lock_out_stays():
    from axes.models import AccessAttempt, AccessLog

    AccessAttempt.objects.create(username="old", ip_address="198.51.100.1", failures_since_start=5)
    AccessAttempt.objects.create(username="locked", ip_address="198.51.100.2", failures_since_start=5)
    AccessLog.objects.create(username="old", ip_address="198.51.100.1")
    _aged(AccessAttempt.objects.filter(username="old"), "attempt_time", 200)
    _aged(AccessLog.objects.all(), "attempt_time", 200)
    # Even a retention shorter than the cool-off keeps an attempt that still locks someone out.
    _aged(AccessAttempt.objects.filter(username="locked"), "attempt_time", 0)
    assert retention.delete_old_login_attempts(90) == 2
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["locked"]
    assert retention.delete_old_login_attempts(0) == 0


def test_the_nightly_task_runs_every_rule_and_is_idempotent(settings):
    from openness_portal.tasks import apply_retention

    settings.RETENTION_REMINDER_LOG_DAYS = 30
    _reminder(timezone.localdate() - timedelta(days=100), 1)
    first = apply_retention.delay().get()
    assert first["reminder_log"] == 1
    assert set(first) == {"sessions", "reminder_log", "notifications", "history", "login_attempts"}
    assert apply_retention.delay().get() == dict.fromkeys(first, 0)


def test_the_task_is_scheduled_nightly_by_setup_schedules():
    from django_celery_beat.models import PeriodicTask

    from openness_portal.notifications.schedules import setup_schedules

    setup_schedules()
    task = PeriodicTask.objects.get(task="openness_portal.tasks.apply_retention")
    assert (task.crontab.hour, task.crontab.minute) == ("3", "30")

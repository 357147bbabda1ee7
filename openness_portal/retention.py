"""Deleting what the portal no longer needs: expired sessions, old reminder log, notifications, change
history and login attempts, each kept for its RETENTION_*_DAYS setting (0 keeps it forever)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Exists, OuterRef
from django.utils import timezone

logger = logging.getLogger(__name__)

BATCH = 5000  # rows per DELETE: short transactions, no long lock on a table the sweep writes to


def _delete_in_batches(queryset) -> int:
    model = queryset.model
    deleted = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return deleted
        count, _ = model._base_manager.filter(pk__in=ids).delete()
        if not count:  # deleted meanwhile by a concurrent run: nothing left of this batch to do
            return deleted
        deleted += len(ids)


def _cutoff(days: int):
    return timezone.now() - timedelta(days=days) if days > 0 else None


def delete_expired_sessions() -> int:
    """What `clearsessions` does for the database backend, counted."""
    return _delete_in_batches(Session.objects.filter(expire_date__lt=timezone.now()))


def delete_old_reminder_log(days: int) -> int:
    from openness_portal.notifications.models import Reminder

    cutoff = _cutoff(days)
    if cutoff is None:
        return 0
    # A reminder's day is in the past once it is this old, so no sweep will ever claim it again.
    return _delete_in_batches(Reminder.objects.filter(day__lt=cutoff.date()))


def delete_old_notifications(days: int) -> int:
    from openness_portal.notifications.models import Notification

    cutoff = _cutoff(days)
    if cutoff is None:
        return 0
    # Only settled rows: one still waiting or being sent keeps its idempotency key whatever its age.
    settled = [Notification.Status.SENT, Notification.Status.FAILED, Notification.Status.NO_ADDRESS]
    return _delete_in_batches(Notification.objects.filter(created_at__lt=cutoff, status__in=settled))


def history_models() -> list:
    from simple_history.models import registered_models

    return [model.history.model for model in registered_models.values()]


def delete_old_history(days: int) -> int:
    """History rows older than `days`, except each object's latest one (who made it what it is now)."""
    cutoff = _cutoff(days)
    if cutoff is None:
        return 0
    deleted = 0
    for history in history_models():
        newer = history.objects.filter(id=OuterRef("id"), history_date__gt=OuterRef("history_date"))
        deleted += _delete_in_batches(history.objects.filter(history_date__lt=cutoff).filter(Exists(newer)))
    return deleted


def delete_old_login_attempts(days: int) -> int:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    cutoff = _cutoff(days)
    if cutoff is None:
        return 0
    # Never what still locks someone out: attempts younger than the cool-off stay, whatever the setting.
    attempts_cutoff = min(cutoff, timezone.now() - settings.AXES_COOLOFF_TIME)
    deleted = _delete_in_batches(AccessAttempt.objects.filter(attempt_time__lt=attempts_cutoff))
    deleted += _delete_in_batches(AccessLog.objects.filter(attempt_time__lt=cutoff))
    deleted += _delete_in_batches(AccessFailureLog.objects.filter(attempt_time__lt=cutoff))
    return deleted


def apply_retention() -> dict[str, int]:
    """Run every rule; the counts per kind of row, for the task's log line."""
    counts = {
        "sessions": delete_expired_sessions(),
        "reminder_log": delete_old_reminder_log(settings.RETENTION_REMINDER_LOG_DAYS),
        "notifications": delete_old_notifications(settings.RETENTION_NOTIFICATION_DAYS),
        "history": delete_old_history(settings.RETENTION_HISTORY_DAYS),
        "login_attempts": delete_old_login_attempts(settings.RETENTION_LOGIN_ATTEMPT_DAYS),
    }
    logger.info("retention: deleted %s", counts, extra={"deleted": counts})
    return counts

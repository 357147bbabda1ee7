"""Beat schedules, collected from every app's `tasks.BEAT_SCHEDULES` and written to the database scheduler."""

from django.db import transaction

from openness_portal import tasks as portal_tasks  # nightly retention (openness_portal/tasks.py)
from openness_portal.discovery import app_modules


def collected_schedules() -> list[dict]:
    """Each entry: name, task, crontab kwargs (minute, hour, day_of_week, …), optional kwargs, description."""
    schedules = []
    for module in [*app_modules("tasks"), portal_tasks]:
        schedules.extend(getattr(module, "BEAT_SCHEDULES", []))
    return schedules


@transaction.atomic
def setup_schedules() -> list[tuple[str, bool]]:
    """Create missing periodic tasks; keep the ones staff already edited in the admin (idempotent)."""
    import json

    from django.conf import settings
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    results = []
    for entry in collected_schedules():
        crontab_kwargs = {
            "minute": "0",
            "hour": "*",
            "day_of_week": "*",
            "day_of_month": "*",
            "month_of_year": "*",
            **entry["crontab"],
        }
        crontab, _ = CrontabSchedule.objects.get_or_create(timezone=settings.TIME_ZONE, **crontab_kwargs)
        _task, created = PeriodicTask.objects.get_or_create(
            name=entry["name"],
            defaults={
                "task": entry["task"],
                "crontab": crontab,
                "kwargs": json.dumps(entry.get("kwargs", {})),
                "description": entry.get("description", ""),
            },
        )
        results.append((entry["name"], created))
    return results

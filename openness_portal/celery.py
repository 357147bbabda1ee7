"""The portal's Celery application: JSON only, late acks, time limits, tasks found in every app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openness_portal.settings")

app = Celery("openness_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="openness_portal.ping")
def ping(value=1):
    """Answer `value + 1`: proves a real worker consumed a real message."""
    return value + 1

"""Probes: liveness (the process answers, nothing else touched) and readiness (database, broker, cache, storage).

Both are answered by ProbeMiddleware, first in MIDDLEWARE: before host validation (a kubelet or Docker calls
the container's own address with whatever Host), before the HTTPS redirect, and without the error mail a
DisallowedHost would send. `/health/` stays as an alias of readiness.
"""

import logging
import os
import time

from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)

LIVE_PATH = "/health/live/"
READY_PATHS = ("/health/ready/", "/health/")


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_broker():
    from openness_portal.celery import app

    with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _check_cache():
    cache = caches["default"]
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.startswith("django_redis."):
        # django-redis with IGNORE_EXCEPTIONS swallows a dead Redis on get/set: ask the server itself.
        from django_redis import get_redis_connection

        get_redis_connection("default").ping()
    else:
        # Django's own RedisCache raises on a dead server, so a round trip through the public API tells.
        cache.set("health:probe", "1", 10)
        if cache.get("health:probe") != "1":
            raise RuntimeError("the cache did not return what was just stored")


def _check_storage():
    if hasattr(default_storage, "bucket_name"):  # django-storages S3: the bucket exists and the keys work
        default_storage.connection.meta.client.head_bucket(Bucket=default_storage.bucket_name)
        return
    location = default_storage.location
    os.makedirs(location, exist_ok=True)
    if not os.access(location, os.W_OK):
        raise PermissionError(f"{location} is not writable")


CHECKS = {"database": _check_database, "cache": _check_cache, "storage": _check_storage}


def readiness():
    """(body, status): every check's outcome; 503 when any fails, so the balancer stops sending traffic."""
    checks = dict(CHECKS)
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _check_broker
    results, healthy = {}, True
    for name, check in checks.items():
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # any failure is what the probe must report, not raise
            healthy = False
            # The body is public (behind nginx too): the kind of failure only; hosts and paths go to the log.
            results[name] = {"status": "error", "error": type(exc).__name__}
            logger.warning("readiness: %s failed: %s: %s", name, type(exc).__name__, exc)
        else:
            results[name] = {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1)}
    return {"status": "ok" if healthy else "error", "checks": results}, 200 if healthy else 503


def _probe_response(body, status):
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


class ProbeMiddleware:
    """Answer the probe paths before anything else looks at the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path == LIVE_PATH or path in READY_PATHS:
            if request.method not in ("GET", "HEAD"):
                return _probe_response({"status": "error", "error": "GET only"}, 405)
            if path == LIVE_PATH:
                return _probe_response({"status": "ok"}, 200)
            return _probe_response(*readiness())
        return self.get_response(request)


def live(request):
    return _probe_response({"status": "ok"}, 200)


def ready(request):
    return _probe_response(*readiness())

"""CACHE_URL → CACHES: locmem when embedded, django-redis that tolerates a dead Redis in production."""

import os
import subprocess
import sys
from pathlib import Path

from openness_portal.cache_config import cache_config, same_redis_database

ROOT = Path(__file__).resolve().parents[2]


def test_without_a_url_the_embedded_portal_caches_in_memory():
    assert cache_config("")["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_a_redis_url_gets_django_redis_with_errors_ignored_and_short_timeouts():
    config = cache_config("redis://cache.internal:6380/2")
    assert config["BACKEND"] == "django_redis.cache.RedisCache"
    assert config["LOCATION"] == "redis://cache.internal:6380/2"
    assert config["OPTIONS"]["IGNORE_EXCEPTIONS"] is True
    assert (
        0 < config["OPTIONS"]["SOCKET_TIMEOUT"] <= 1 and 0 < config["OPTIONS"]["SOCKET_CONNECT_TIMEOUT"] <= 1
    )


def test_cache_and_broker_on_one_redis_database_are_told_apart():
    assert same_redis_database("redis://redis:6379/0", "redis://redis:6379")
    assert same_redis_database("redis://redis/1", "redis://redis:6379/1")
    assert not same_redis_database("redis://redis:6379/1", "redis://redis:6379/0")
    assert not same_redis_database("redis://redis:6379/1", "")
    assert not same_redis_database("", "redis://redis:6379/0")


def test_settings_refuse_a_cache_on_the_brokers_database():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "openness_portal.settings",
        "DJANGO_READ_DOT_ENV_FILE": "0",
        "DEBUG": "1",
        "CACHE_URL": "redis://127.0.0.1:6379/0",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    }
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode != 0 and "same Redis database" in out.stderr

"""gunicorn.conf.py: what the web process runs with, and why loading the app before the fork is safe."""

import os
import runpy
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "gunicorn.conf.py"
GUNICORN_VARS = (
    "GUNICORN_BIND",
    "GUNICORN_WORKER_CLASS",
    "GUNICORN_WORKERS",
    "GUNICORN_THREADS",
    "GUNICORN_KEEPALIVE",
    "GUNICORN_TIMEOUT",
    "GUNICORN_PRELOAD",
    "GUNICORN_ACCESSLOG",
    "GUNICORN_LOGLEVEL",
)


@pytest.fixture
def conf(monkeypatch):
    for name in GUNICORN_VARS:
        monkeypatch.delenv(name, raising=False)

    def read(**env):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(CONF))

    return read


def test_defaults(conf):
    c = conf()
    assert c["bind"] == "0.0.0.0:8000"
    assert (c["worker_class"], c["workers"], c["threads"]) == ("sync", 2 * len(os.sched_getaffinity(0)), 1)
    assert c["keepalive"] == 30 and c["timeout"] == 60
    assert c["preload_app"] is True
    assert c["accesslog"] is None
    shm = "/dev/shm"  # noqa: S108
    assert c["worker_tmp_dir"] == (shm if os.path.isdir(shm) else None)


def test_environment_overrides(conf):
    c = conf(
        GUNICORN_BIND="127.0.0.1:9000",
        GUNICORN_WORKERS="3",
        GUNICORN_THREADS="8",
        GUNICORN_KEEPALIVE="5",
        GUNICORN_PRELOAD="0",
        GUNICORN_ACCESSLOG="-",
    )
    assert (c["bind"], c["workers"], c["threads"], c["keepalive"]) == ("127.0.0.1:9000", 3, 8, 5)
    assert c["preload_app"] is False and c["accesslog"] == "-"


def test_threads_follow_the_worker_class(conf):
    # gunicorn silently turns "sync" with threads > 1 into gthread, so sync keeps one thread.
    assert conf(GUNICORN_WORKER_CLASS="gthread")["threads"] == 4
    assert conf(GUNICORN_WORKER_CLASS="sync", GUNICORN_THREADS="1")["threads"] == 1


def test_gunicorn_accepts_every_setting():
    from gunicorn.config import Config

    cfg = Config()
    for name, value in runpy.run_path(str(CONF)).items():
        if name in cfg.settings:
            cfg.set(name, value)  # validates the value as gunicorn would
    assert cfg.worker_class_str == "sync" and cfg.threads == 1 and cfg.preload_app


def test_loading_the_app_opens_no_connection_to_share_across_the_fork(tmp_path):
    """preload_app imports openness_portal.wsgi in the master: nothing may be connected by then."""
    script = textwrap.dedent(
        """
        import openness_portal.wsgi  # noqa: F401
        from django.core.cache import caches
        from django.db import connections
        from django.urls import get_resolver

        get_resolver().url_patterns  # what the first request imports: every app's views and API
        assert all(c.connection is None for c in connections.all()), "a database connection is open"
        for cache in caches.all(initialized_only=True):
            for client in getattr(getattr(cache, "_client", None), "_clients", []):  # django-redis
                pool = getattr(client, "connection_pool", None)
                assert pool is None or not pool._created_connections, "a Redis connection is open"
        print("ok")
        """
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "openness_portal.settings",
        "DJANGO_READ_DOT_ENV_FILE": "0",
        "DEBUG": "0",
        "SECRET_KEY": "test-only-secret-key-not-for-production-use-0123456789",
        "ALLOWED_HOSTS": "localhost",
        "CELERY_BROKER_URL": "",
    }
    if os.environ.get("REDIS_TEST_URL"):
        env["CACHE_URL"] = os.environ["REDIS_TEST_URL"]
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"

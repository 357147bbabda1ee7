"""gunicorn settings for the portal's web process: `gunicorn -c gunicorn.conf.py openness_portal.wsgi`.

Used by the Dockerfile, docker-compose.yml and bench/comments.py, so what is measured is what runs. Each
value can be changed without editing this file: a GUNICORN_* variable below, or gunicorn's own command-line
flag (a flag wins over this file).
"""

import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# Sync workers, two per CPU: while one waits for PostgreSQL's commit (synchronous: the WAL is on disk before
# the redirect) or for Redis, the other has the core. Each connection waits in the listen queue for whichever
# worker is free next, so one slow request never holds up requests queued behind it in the same worker. A sync
# worker closes the connection after each response: put nginx (or another buffering proxy) in front, as
# gunicorn recommends. Measured with bench/comments.py on two cores, gthread workers (keep-alive, threads;
# GUNICORN_WORKER_CLASS=gthread) served the comment POST at about the same rate with two to three times the
# p95 latency: a kept-alive connection stays with the worker that accepted it, busy or not.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
# Per CPU this process may use (sched_getaffinity honours a container's cpuset; os.cpu_count() is the host's).
_cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
workers = _int("GUNICORN_WORKERS", 2 * _cpus)
# gunicorn runs a "sync" worker with more than one thread as gthread: one thread unless gthread is asked for.
threads = _int("GUNICORN_THREADS", 4 if worker_class == "gthread" else 1)
keepalive = _int("GUNICORN_KEEPALIVE", 30)  # gthread only: seconds an idle kept-alive connection is held
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = 30

# Load Django once in the master, then fork: the loaded code is shared between the workers instead of
# copied. Nothing connects to PostgreSQL or Redis while loading (tests/openness_portal/test_gunicorn_conf.py
# checks), so no connection is shared across the fork. A code change needs a restart, not `kill -HUP`.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"

# The heartbeat file is touched on every request: on tmpfs, not on a disk or an overlay filesystem. gunicorn
# creates it with mkstemp (owner-only, unlinked at once), so a shared directory is fine.
_SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None

# Access log off by default (nginx in front has one); GUNICORN_ACCESSLOG=- writes it to stdout.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

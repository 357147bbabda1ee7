"""Shared by the benchmarks: a throwaway database, Django set up, and small measuring helpers."""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django(name: str) -> str:
    """Point Django at a fresh database (BENCH_DATABASE_URL, or a temporary SQLite file) and migrate it."""
    sys.path.insert(0, str(ROOT))
    url = (
        os.environ.get("BENCH_DATABASE_URL")
        or f"sqlite:///{tempfile.mkdtemp(prefix=f'bench-{name}-')}/db.sqlite3"
    )
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_READ_DOT_ENV_FILE", "0")
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "openness_portal.settings"
    import django

    django.setup()
    from django.core.management import call_command

    if url.startswith("postgres"):
        call_command("flush", interactive=False, verbosity=0) if _has_tables() else None
    call_command("migrate", verbosity=0)
    return url


def _has_tables() -> bool:
    from django.db import connection

    return "roadmaps_roadmap" in connection.introspection.table_names()


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def percentile(values, q):
    values = sorted(values)
    k = (len(values) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


WRK_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("p50_ms=%.2f\\n", latency:percentile(50) / 1000))
  io.write(string.format("p95_ms=%.2f\\n", latency:percentile(95) / 1000))
  io.write(string.format("p99_ms=%.2f\\n", latency:percentile(99) / 1000))
end
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cached_page_under_wrk(db_url: str, url: str, *, connections: int, seconds: int, warmup_timeout: int = 60):
    """Serve `url` with gunicorn (DEBUG off, the bench's database) and load it with wrk after warming every
    worker's cache; returns {"rps", "p50", "p95", "errors", "workers"}, or None when wrk is not installed."""
    import re
    import shutil
    import subprocess
    import urllib.request

    wrk = shutil.which("wrk")
    if not wrk:
        print("wrk not installed (apt-get install wrk): load test skipped")
        return None
    port = free_port()
    workers = os.environ.get("BENCH_WORKERS", "2")
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }
    if os.environ.get("BENCH_CACHE_URL"):
        env["CACHE_URL"] = os.environ["BENCH_CACHE_URL"]
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(
        [gunicorn, "openness_portal.wsgi", "-b", f"127.0.0.1:{port}", "-w", workers, "--timeout", "120"]
        + ["--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    try:
        full = f"http://127.0.0.1:{port}{url}"
        for _ in range(300):
            try:
                urllib.request.urlopen(full, timeout=warmup_timeout).read()  # also fills a worker's cache
                break
            except OSError:
                time.sleep(0.2)
        for _ in range(10):
            urllib.request.urlopen(full, timeout=warmup_timeout).read()
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(WRK_LUA)
        out = subprocess.run(
            [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "-s", lua.name, full],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        return {
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": float(re.search(r"p50_ms=([\d.]+)", out).group(1)),
            "p95": float(re.search(r"p95_ms=([\d.]+)", out).group(1)),
            "errors": int(errors.group(1)) if errors else 0,
            "workers": workers,
        }
    finally:
        server.terminate()
        server.wait(timeout=10)

"""Benchmark: the public roadmap page for a roadmap of 1,000 measures × 7 years.

Prints the SQL queries and server time of the uncached page (aim ≤ 250 ms), then requests/s and p95 of the
cached page served by gunicorn on loopback under wrk (aim ≥ 300 req/s, p95 ≤ 50 ms).

    DEBUG=1 .venv/bin/python bench/roadmap_page.py [--measures 1000] [--seconds 10]
"""

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, Timer, setup_django  # noqa: E402

WRK_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("p50_ms=%.2f\\n", latency:percentile(50) / 1000))
  io.write(string.format("p95_ms=%.2f\\n", latency:percentile(95) / 1000))
  io.write(string.format("p99_ms=%.2f\\n", latency:percentile(99) / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--measures", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()

    db_url = setup_django("roadmap-page")
    from django.core.cache import cache
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from roadmaps.demo.synthetic import build_roadmap
    from roadmaps.models import Deadline

    with Timer() as t:
        roadmap = build_roadmap(args.measures, first_year=2019, last_year=2025)
    deadlines = Deadline.objects.filter(measure__roadmap=roadmap).count()
    url = f"/m/{roadmap.municipality.slug}/roadmaps/{roadmap.pk}/"
    print(
        f"roadmap: {args.measures} measures, {deadlines} deadlines, built in {t.seconds:.1f} s ({db_url.split(':')[0]})"
    )

    client = Client(HTTP_HOST="127.0.0.1")
    timings, queries = [], None
    for i in range(8):
        cache.clear()
        reset_queries()
        with CaptureQueriesContext(connection) as ctx, Timer() as t:
            response = client.get(url)
        assert response.status_code == 200
        if i:  # the first request warms imports and template loading
            timings.append(t.seconds * 1000)
        queries = len(ctx.captured_queries)
    size_kb = len(response.content) / 1024
    print(
        f"uncached page: {queries} SQL queries, median {statistics.median(timings):.0f} ms, "
        f"min {min(timings):.0f} ms over {len(timings)} runs, {size_kb:.0f} KiB (aim ≤ 250 ms)"
    )
    with CaptureQueriesContext(connection) as ctx, Timer() as t:
        client.get(url)
    print(f"cached page (in process): {len(ctx.captured_queries)} SQL queries, {t.seconds * 1000:.1f} ms")

    wrk = shutil.which("wrk")
    if not wrk:
        print("wrk not installed (apt-get install wrk): load test skipped")
        return
    port = free_port()
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
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "openness_portal.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            os.environ.get("BENCH_WORKERS", "2"),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        full = f"http://127.0.0.1:{port}{url}"
        for _ in range(100):
            try:
                urllib.request.urlopen(full, timeout=30).read()  # also fills each worker's cache
                break
            except OSError:
                time.sleep(0.2)
        for _ in range(10):
            urllib.request.urlopen(full, timeout=30).read()
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(WRK_LUA)
        out = subprocess.run(
            [wrk, "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "-s", lua.name, full],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p95 = float(re.search(r"p95_ms=([\d.]+)", out).group(1))
        p50 = float(re.search(r"p50_ms=([\d.]+)", out).group(1))
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        print(
            f"cached page under wrk ({args.connections} connections, {args.seconds} s, gunicorn "
            f"{env.get('BENCH_WORKERS', os.environ.get('BENCH_WORKERS', '2'))} workers): {rps:.0f} req/s, "
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, errors {errors.group(1) if errors else 0} "
            f"(aim ≥ 300 req/s, p95 ≤ 50 ms)"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()

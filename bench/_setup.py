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

"""Sentry starts only with a DSN (failed tasks in the logs: tests/production/)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _sentry_active(extra: dict) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SENTRY_DSN"}}
    env.update({"DEBUG": "1", "DJANGO_READ_DOT_ENV_FILE": "0", **extra})
    code = "import django; django.setup(); import sentry_sdk; print(sentry_sdk.get_client().is_active())"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "openness_portal.settings", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_sentry_starts_only_with_a_dsn():
    assert _sentry_active({}) == "False"
    assert _sentry_active({"SENTRY_DSN": "https://public@sentry.example.ru/1"}) == "True"

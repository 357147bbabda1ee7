import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_health_reports_database_ok(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db
def test_health_is_503_when_the_database_fails(client, monkeypatch):
    from openness_portal import health

    def broken():
        raise OSError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["database"]["status"] == "error"


@pytest.mark.django_db
def test_health_checks_the_broker_when_configured(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["status"] == "error"


@pytest.mark.django_db
def test_home_page_renders_in_russian_even_when_empty(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert "Перейти к содержанию" in html  # skip link
    assert 'id="main"' in html


@pytest.mark.django_db
def test_home_page_lists_municipalities_and_roadmaps(client, demo_data):
    html = client.get("/").content.decode()
    assert "Ханты-Мансийский район" in html
    assert "ЗАТО Сибирский" in html
    assert "дорожная карта" in html.lower()


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "object-src 'none'" in policy
    assert "base-uri 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


@pytest.mark.django_db
def test_no_page_loads_assets_from_outside(client, demo_data):
    for url in ["/", "/api/docs/", "/m/khanty-mansiysky/"]:
        html = client.get(url).content.decode()
        external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
        external = [u for u in external if not u.startswith(("http://testserver", "https://hmrn.ru"))]
        assert external == [], (url, external)


@pytest.mark.django_db
def test_api_root_schema_and_docs_answer(client):
    root = client.get("/api/v1/", HTTP_ACCEPT="application/json")
    assert root.status_code == 200
    assert "roadmaps" in root.json()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert "/api/v1/measures/" in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "swagger-ui" in docs.content.decode()


def test_static_assets_of_the_api_docs_are_shipped():
    import drf_spectacular_sidecar

    dist = (
        Path(drf_spectacular_sidecar.__file__).parent
        / "static"
        / "drf_spectacular_sidecar"
        / "swagger-ui-dist"
    )
    assert (dist / "swagger-ui-bundle.js").exists()


def _manage(*args, env_extra):
    # A production-like environment: nothing the test run itself set (the browser tests allow async-unsafe ORM).
    skip = {"DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "DEBUG": "0",
            "SECRET_KEY": "x7" * 30 + "-production-like-secret-key-for-the-check",
            "ALLOWED_HOSTS": "portal.example.ru",
            "DJANGO_READ_DOT_ENV_FILE": "0",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", env_extra={"DEBUG": "0", "ALLOWED_HOSTS": "x", "DJANGO_READ_DOT_ENV_FILE": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_admin_login_locks_out_after_five_failures(client):
    from tests.factories import UserFactory

    UserFactory(username="press", is_staff=True)
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "press", "password": "wrong"})
    response = client.post(reverse("admin:login"), {"username": "press", "password": "test-password-123"})
    assert response.status_code == 429


@pytest.mark.django_db
def test_requests_are_atomic():
    assert connection.settings_dict["ATOMIC_REQUESTS"] is True


@pytest.mark.django_db
def test_language_links_switch_to_english_and_refuse_foreign_redirects(client, settings):
    response = client.get("/language/?language=en&next=/opendata/")
    assert response.status_code == 302 and response["Location"] == "/opendata/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert client.get("/language/?language=ru&next=https://evil.example/")["Location"] == "/"
    html = client.get("/").content.decode()
    assert "csrfmiddlewaretoken" not in html  # public pages carry no per-visitor token, so they cache whole

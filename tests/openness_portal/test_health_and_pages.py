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


def test_liveness_touches_nothing_and_answers_any_host(client, monkeypatch):
    """No django_db mark: a query would raise here, as would any readiness check."""
    from openness_portal import health

    def must_not_run():
        raise AssertionError("liveness must not check dependencies")

    for name in list(health.CHECKS):
        monkeypatch.setitem(health.CHECKS, name, must_not_run)
    response = client.get("/health/live/", HTTP_HOST="10.244.1.17:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readiness_answers_a_pod_address_without_a_redirect_or_a_mail(client, settings, mailoutbox):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["portal.example.ru"]
    settings.SECURE_SSL_REDIRECT = True
    settings.ADMINS = [("IT", "it@example.ru")]
    for path in ("/health/ready/", "/health/"):
        response = client.get(path, HTTP_HOST="10.244.1.17:8000")
        assert response.status_code == 200, path
        checks = response.json()["checks"]
        assert {"database", "cache", "storage"} <= set(checks)  # and the broker, when one is configured
        assert all(check["status"] == "ok" for check in checks.values())
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_foreign_host_is_refused_without_mailing_the_admins(client, settings, mailoutbox):
    import logging

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["portal.example.ru"]
    settings.ADMINS = [("IT", "it@example.ru")]
    assert client.get("/", HTTP_HOST="scanner.example").status_code == 400
    assert mailoutbox == []
    # A real error still reaches the admins: the mail handler is there, only DisallowedHost skips it.
    logging.getLogger("django.request").error("Internal Server Error: /")
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_readiness_is_503_when_the_redis_cache_is_down(client, settings):
    # django-redis ignoring errors (as the portal configures it) would make a set() look fine: the probe pings.
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1},
        }
    }
    response = client.get("/health/ready/")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"]["status"] == "error" and checks["database"]["status"] == "ok"
    # The body is public: it names the kind of failure, never the server's address.
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_readiness_is_503_when_the_media_folder_cannot_be_used(client, settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the media folder's parent should be")
    settings.MEDIA_ROOT = blocker / "media"
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "error"


def test_probes_refuse_writes(client):
    assert client.post("/health/ready/").status_code == 405


@pytest.mark.django_db
def test_unknown_page_is_a_russian_404_in_the_portal_layout(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert "Страница не найдена" in html
    assert "Перейти к содержанию" in html  # the portal's layout, not Django's bare page


@pytest.mark.django_db
def test_server_error_page_is_russian_and_names_the_request(rf):
    from openness_portal.views import server_error

    request = rf.get("/")
    request.request_id = "a1b2c3d4e5f6a7b8"
    response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Ошибка на сервере" in html and "a1b2c3d4e5f6a7b8" in html


@pytest.mark.django_db
def test_request_id_is_kept_from_nginx_or_made_and_returned(client):
    kept = client.get("/health/live/")  # probes skip it: they answer before the request-id middleware
    assert "X-Request-ID" not in kept
    response = client.get("/", HTTP_X_REQUEST_ID="0123456789abcdef0123456789abcdef")
    assert response["X-Request-ID"] == "0123456789abcdef0123456789abcdef"
    made = client.get("/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)


@pytest.mark.django_db
def test_json_log_lines_carry_request_id_and_client_ip(client, settings):
    import io
    import logging
    from logging.config import DictConfigurator

    from openness_portal.logging import RequestContextFilter

    settings.TRUSTED_PROXY_COUNT = 1
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(
        DictConfigurator({}).configure_formatter(dict(settings.LOGGING["formatters"]["json"]))
    )
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get(
            "/no-such-page/",
            HTTP_X_REQUEST_ID="feedfacefeedface",
            HTTP_X_FORWARDED_FOR="198.51.100.7",
            REMOTE_ADDR="10.0.0.2",
        )
    finally:
        logger.removeHandler(handler)
    record = json.loads(stream.getvalue().splitlines()[-1])
    assert record["request_id"] == "feedfacefeedface"
    assert record["client_ip"] == "198.51.100.7"
    assert record["level"] == "WARNING" and "/no-such-page/" in record["message"]


def test_metrics_are_hidden_without_a_token_and_need_the_bearer(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics/").status_code == 404
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics/").status_code == 401
    assert client.get("/metrics/", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    response = client.get("/metrics/", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200
    assert b"python_info" in response.content


def test_make_run_never_reads_a_production_dot_env():
    dot_env = ROOT / ".env"
    if dot_env.exists():
        pytest.skip("a real .env is in the checkout; not touching it")
    dot_env.write_text("ALLOWED_HOSTS=from-dot-env.example\nEMAIL_URL=smtp://smtp.example.ru:25\n")
    show = "from django.conf import settings; print(settings.ALLOWED_HOSTS, settings.EMAIL_BACKEND)"
    try:
        embedded = _manage("shell", "-c", show, env_extra={"DEBUG": "1"})
        production = _manage("shell", "-c", show, env_extra={"DEBUG": "1", "DJANGO_READ_DOT_ENV_FILE": "1"})
    finally:
        dot_env.unlink()
    assert embedded.returncode == 0, embedded.stderr
    assert "from-dot-env.example" not in embedded.stdout and "console" in embedded.stdout
    assert "from-dot-env.example" in production.stdout and "smtp" in production.stdout


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
    skip = {
        "DJANGO_SETTINGS_MODULE",
        "DEBUG",
        "SECRET_KEY",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "DJANGO_READ_DOT_ENV_FILE",
    }
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

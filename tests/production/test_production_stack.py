"""The production configuration, run for real: gunicorn with DEBUG off behind Debian's nginx (TLS, the
repository's server block), PostgreSQL, Redis for the cache and the broker, an S3 server (moto) for files and
a Celery worker whose local media folder is not the web's. Driven over HTTPS from distinct loopback source
addresses, so nginx's $remote_addr, and with it X-Forwarded-For, differs per simulated citizen.

Needs nginx, redis-server, PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (the broker); skipped
with the reason otherwise. `.ci/run` installs nginx and runs it. Names it uses: database
PRODUCTION_TEST_DATABASE (default openness_h15_prod), broker PRODUCTION_TEST_BROKER_URL (default Redis db 3);
the cache is a private redis-server of its own (db 2), so stopping it touches nobody else.
"""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode, urlparse

import pytest

pytestmark = pytest.mark.production

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOST = "portal.test"
TEMPLATE = ROOT / "deploy" / "nginx" / "portal-s3.conf.template"
DATABASE = os.environ.get("PRODUCTION_TEST_DATABASE", "openness_h15_prod")
BROKER_URL = os.environ.get("PRODUCTION_TEST_BROKER_URL", "redis://127.0.0.1:6379/3")
BUCKET = "portal-media"
NONCE = uuid.uuid4().hex[:8]


def _nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )


def _port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


def _missing() -> str | None:
    if not _nginx():
        return "nginx is not installed (apt-get install nginx-light)"
    if not shutil.which("redis-server"):
        return "redis-server is not installed"
    for tool in ("gunicorn", "celery", "moto_server"):
        if not (BIN / tool).exists():
            return f"{tool} is not installed in {BIN} (pip install -e '.[dev]')"
    if not _port_open("127.0.0.1", 5432):
        return "PostgreSQL is not running on 127.0.0.1:5432"
    broker = urlparse(BROKER_URL)
    if not _port_open(broker.hostname, broker.port or 6379):
        return f"no Redis for the broker at {BROKER_URL}"
    return None


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """Distinct free ports: all held open until each is known. Asked one by one, two may come back equal;
    a run where every request met nginx's «plain HTTP request was sent to HTTPS port» looked like just
    that, nginx proxying to its own port (gunicorn retrying its bind was still alive to the checks)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except (OSError, http.client.HTTPException) as exc:
            last = exc
        else:
            if value:
                return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last error: {last!r})")


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Citizen:
    """A browser on its own address: cookies kept by hand (they are Secure, and sent over TLS only)."""

    port: int
    source_ip: str
    cookies: dict = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.port, source_address=(self.source_ip, 0), context=context, timeout=30
        )
        sent = {"Host": HOST, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": f"https://{HOST}",
                    "Referer": f"https://{HOST}{path}",
                }
            )
        try:
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            conn.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post_form(self, path, data):
        """Load the form's page for the CSRF cookie, then post it with the token, as a browser does."""
        page = self.get(path)
        assert page.status == 200, (path, page.status, page.text[:500])
        return self.request("POST", path, form={"csrfmiddlewaretoken": self.cookies["csrftoken"], **data})


class Stack:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}

    def start(self, name: str, cmd: list[str], env: dict | None = None):
        log = self.tmp / f"{name}.log"
        self.logs[name] = log
        with open(log, "ab") as out:
            self.processes[name] = subprocess.Popen(
                cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self.processes[name]

    def stop(self, name: str, timeout: float = 15):
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def stop_all(self):
        for name in reversed(list(self.processes)):
            self.stop(name)

    def log(self, name: str) -> str:
        return self.logs[name].read_text(errors="replace") if name in self.logs else ""

    def check_alive(self, *names):
        for name in names:
            assert self.processes[name].poll() is None, f"{name} exited:\n{self.log(name)[-3000:]}"


def _base_env() -> dict:
    """Only what a process needs from the machine: none of the test run's own Django or service variables."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")
    return {k: v for k, v in os.environ.items() if k in keep}


def _self_signed_certificate(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={HOST}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def render_template(path: Path, values: dict) -> str:
    """What the nginx image's envsubst does to the template, for the variables it is given."""
    text = path.read_text()
    used = set(re.findall(r"\$\{(PORTAL_[A-Z0-9_]+)\}", text))
    missing = used - set(values)
    assert not missing, f"the template uses variables the test does not set: {missing}"
    return re.sub(r"\$\{(PORTAL_[A-Z0-9_]+)\}", lambda m: values[m.group(1)], text)


def nginx_conf(tmp: Path, server_block: Path, cert: Path, key: Path) -> Path:
    """The http context the official image gives conf.d, with TLS at http level as the template documents."""
    for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"):
        (tmp / "nginx" / folder).mkdir(parents=True, exist_ok=True)
    conf = tmp / "nginx" / "nginx.conf"
    conf.write_text(
        f"""
worker_processes 1;
pid {tmp}/nginx/nginx.pid;
error_log {tmp}/nginx/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {tmp}/nginx/client_body;
    proxy_temp_path {tmp}/nginx/proxy;
    fastcgi_temp_path {tmp}/nginx/fastcgi;
    uwsgi_temp_path {tmp}/nginx/uwsgi;
    scgi_temp_path {tmp}/nginx/scgi;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    ssl_protocols TLSv1.2 TLSv1.3;
    include {server_block};
}}
"""
    )
    return conf


def _ensure_database(url: str):
    import psycopg2

    parsed = urlparse(url)
    admin = psycopg2.connect(host=parsed.hostname, port=parsed.port, user=parsed.username, dbname="postgres")
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [parsed.path.lstrip("/")])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{parsed.path.lstrip("/")}"')
    finally:
        admin.close()


SETUP = """
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from reports.services import request_report
from surveys.services import open_discussion
from tests.factories import MunicipalityFactory, RoadmapFactory

nonce = sys.argv[1]
municipality = MunicipalityFactory(name="Продакшн " + nonce, slug="prod-" + nonce)
roadmap = RoadmapFactory(municipality=municipality)
document = ContentFile(b"%PDF-1.4 proekt " + nonce.encode(), name="proekt-" + nonce + ".pdf")
discussion = open_discussion(municipality=municipality, title="Проект " + nonce, document_file=document)
User = get_user_model()
User.objects.create_user("press-" + nonce, password="press-password-123", is_staff=True)
User.objects.create_superuser("boss-" + nonce, "boss@example.ru", "boss-password-123")
report = request_report(period="2021", kind="annual", formats=["xlsx"], roadmap=roadmap)
from django.conf import settings
cache_options = settings.CACHES["default"].get("OPTIONS", {})
print(json.dumps({
    "cache_errors_ignored": bool(
        cache_options.get("IGNORE_EXCEPTIONS") or getattr(settings, "DJANGO_REDIS_IGNORE_EXCEPTIONS", False)
    ),
    "discussion": discussion.pk,
    "document_name": discussion.document_file.name,
    "document_url": discussion.document_file.url,
    "roadmap_url": f"/m/{municipality.slug}/roadmaps/{roadmap.pk}/",
    "report_file": report.files.get().pk,
}))
"""


@pytest.fixture(scope="module")
def stack():
    reason = _missing()
    if reason:
        pytest.skip(reason)
    # Not under pytest's own folder (0700): nginx's worker runs as an unprivileged user and reads static files.
    tmp = Path(tempfile.mkdtemp(prefix="portal-production-"))
    tmp.chmod(0o755)
    stack = Stack(tmp)
    ports = dict(zip(("s3", "cache", "web", "nginx"), free_ports(4), strict=True))
    stack.ports = ports
    try:
        # Storage: an S3-compatible server with the portal's bucket.
        stack.start("s3", [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(ports["s3"])])
        wait_for(lambda: _port_open("127.0.0.1", ports["s3"]), timeout=30, what="moto_server")
        import boto3

        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{ports['s3']}",
            aws_access_key_id="portal",
            aws_secret_access_key="portal-secret",
            region_name="us-east-1",
        )
        s3.create_bucket(Bucket=BUCKET)
        # The policy the README tells an operator to set: anonymous reads of the public prefixes only.
        policy = (ROOT / "deploy" / "nginx" / "s3-public-media-policy.json").read_text()
        s3.put_bucket_policy(Bucket=BUCKET, Policy=policy.replace("portal-media", BUCKET))
        stack.s3 = s3

        # The cache: a private Redis this test may stop and start again.
        stack.cache_cmd = [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(ports["cache"]),
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        stack.start("cache", stack.cache_cmd)
        wait_for(lambda: _port_open("127.0.0.1", ports["cache"]), timeout=15, what="the cache Redis")

        pg_user = os.environ.get("PGUSER", "postgres")
        database_url = f"postgres://{pg_user}@127.0.0.1:5432/{DATABASE}"
        _ensure_database(database_url)
        (tmp / "web-media").mkdir()
        (tmp / "worker-media").mkdir()
        (tmp / "mail").mkdir()
        (tmp / "prometheus").mkdir()
        stack.metrics_token = uuid.uuid4().hex
        common = {
            **_base_env(),
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "openness_portal.settings",
            "DJANGO_READ_DOT_ENV_FILE": "0",
            "DEBUG": "0",
            "SECRET_KEY": "production-test-" + uuid.uuid4().hex + uuid.uuid4().hex,
            "ALLOWED_HOSTS": HOST,
            "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
            "PORTAL_URL": f"https://{HOST}",
            "TRUSTED_PROXY_COUNT": "1",
            "DATABASE_URL": database_url,
            "CACHE_URL": f"redis://127.0.0.1:{ports['cache']}/2",
            "CELERY_BROKER_URL": BROKER_URL,
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{ports['s3']}",
            "AWS_ACCESS_KEY_ID": "portal",
            "AWS_SECRET_ACCESS_KEY": "portal-secret",
            "AWS_S3_REGION_NAME": "us-east-1",
            "STATIC_ROOT": str(tmp / "static"),
            "STATIC_COMPRESS": "0",  # whitenoise's pre-compression takes minutes; nginx serves /static/
            "EMAIL_URL": f"filemail:///{tmp / 'mail'}",
            "ADMINS": "it@example.ru",
            "LOG_FORMAT": "json",
        }
        web_env = {
            **common,
            "MEDIA_ROOT": str(tmp / "web-media"),
            "METRICS_TOKEN": stack.metrics_token,
            "PROMETHEUS_MULTIPROC_DIR": str(tmp / "prometheus"),
        }
        worker_env = {**common, "MEDIA_ROOT": str(tmp / "worker-media")}
        stack.web_env = web_env
        manage = [sys.executable, "manage.py"]
        subprocess.run(
            [*manage, "migrate", "--noinput", "-v0"], env=web_env, cwd=ROOT, check=True, timeout=300
        )
        subprocess.run(
            [*manage, "collectstatic", "--noinput", "-v0"], env=web_env, cwd=ROOT, check=True, timeout=300
        )
        # Private broker queue state from an earlier run would hand this run's worker stale jobs.
        import redis

        redis.Redis.from_url(BROKER_URL).flushdb()
        setup = subprocess.run(
            [sys.executable, "-c", SETUP, NONCE],
            env=web_env,
            cwd=ROOT,
            timeout=120,
            capture_output=True,
            text=True,
        )
        assert setup.returncode == 0, setup.stderr[-3000:]
        stack.data = json.loads(setup.stdout.strip().splitlines()[-1])

        stack.start(
            "web",
            [
                str(BIN / "gunicorn"),
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "openness_portal.wsgi",
                "--bind",
                f"127.0.0.1:{ports['web']}",
                "--workers",
                "2",
            ],
            env=web_env,
        )
        stack.start(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "openness_portal",
                "worker",
                "-Q",
                "celery,pdf",
                # Prefork as deployed: the main process answers `inspect ping` while a child runs a task (a solo
                # worker busy building a report left the probe unanswered).
                "--concurrency",
                "1",
                "-n",
                f"production-test-{NONCE}@%h",
                "-l",
                "info",
            ],
            env=worker_env,
        )
        cert, key = _self_signed_certificate(tmp)
        server_block = tmp / "nginx-portal.conf"
        server_block.write_text(
            render_template(
                TEMPLATE,
                {
                    "PORTAL_LISTEN": f"127.0.0.1:{ports['nginx']} ssl",
                    "PORTAL_UPSTREAM": f"127.0.0.1:{ports['web']}",
                    "PORTAL_STATIC_ROOT": str(tmp / "static"),
                    "PORTAL_S3_MEDIA_UPSTREAM": f"http://127.0.0.1:{ports['s3']}/{BUCKET}",
                },
            )
        )
        conf = nginx_conf(tmp, server_block, cert, key)
        stack.start("nginx", [_nginx(), "-p", str(tmp / "nginx"), "-c", str(conf), "-g", "daemon off;"])
        wait_for(
            lambda: _port_open("127.0.0.1", ports["web"]) and _port_open("127.0.0.1", ports["nginx"]),
            timeout=60,
            what="gunicorn and nginx",
        )
        stack.check_alive("web", "nginx", "worker")

        # A worker still importing the apps or mingling cannot answer a probe yet (CI saw a 10 s ping go
        # unanswered on a loaded machine): tests start once it has logged that it consumes.
        def worker_ready():
            stack.check_alive("worker")  # a worker that died says why, instead of a timeout
            return f"production-test-{NONCE}@{socket.gethostname()} ready." in stack.log("worker")

        wait_for(
            worker_ready,
            timeout=120,
            what="the Celery worker to be ready",
            interval=0.5,
        )
        yield stack
    finally:
        stack.stop_all()
        if os.environ.get("KEEP_PRODUCTION_TEST_FILES") != "1":
            shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.parametrize("template", ["portal-local.conf.template", "portal-s3.conf.template"])
def test_both_server_blocks_are_valid_nginx(template, tmp_path):
    nginx = _nginx()
    if not nginx or not shutil.which("openssl"):
        pytest.skip("nginx or openssl is not installed")
    cert, key = _self_signed_certificate(tmp_path)
    block = tmp_path / "portal.conf"
    block.write_text(
        render_template(
            ROOT / "deploy" / "nginx" / template,
            {
                "PORTAL_LISTEN": f"127.0.0.1:{free_port()} ssl",
                "PORTAL_UPSTREAM": "127.0.0.1:8000",
                "PORTAL_STATIC_ROOT": str(tmp_path / "static"),
                "PORTAL_MEDIA_ROOT": str(tmp_path / "media"),
                "PORTAL_S3_MEDIA_UPSTREAM": "http://127.0.0.1:9000/portal-media",
            },
        )
    )
    conf = nginx_conf(tmp_path, block, cert, key)
    result = subprocess.run(
        [nginx, "-t", "-p", str(tmp_path / "nginx"), "-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr


def citizen(stack, n: int) -> Citizen:
    """Citizen n connects from 127.0.0.(n+1): loopback is a /8, so each has its own source address."""
    return Citizen(stack.ports["nginx"], f"127.0.0.{n + 1}")


def _comment(n: int) -> dict:
    return {
        "author_name": f"Житель {n}",
        "email": f"resident-{NONCE}-{n}@example.ru",
        "text": f"Предложение {NONCE}-{n}: продлить автобусный маршрут до новой школы.",
        "consent": "on",
    }


def test_probes_answer_through_nginx_and_on_the_container_address(stack):
    visitor = citizen(stack, 1)
    live = visitor.get("/health/live/")
    assert live.status == 200 and json.loads(live.body) == {"status": "ok"}
    ready = visitor.get("/health/ready/")
    assert ready.status == 200, ready.text
    checks = json.loads(ready.body)["checks"]
    assert {name: c["status"] for name, c in checks.items()} == {
        "database": "ok",
        "cache": "ok",
        "storage": "ok",
        "broker": "ok",
    }
    # A probe straight at gunicorn, as Docker or a kubelet sends it: plain HTTP, the pod's address as Host.
    conn = http.client.HTTPConnection("127.0.0.1", stack.ports["web"], timeout=10)
    for path in ("/health/live/", "/health/ready/", "/health/"):
        conn.request("GET", path, headers={"Host": "10.1.2.3:8000"})
        response = conn.getresponse()
        assert response.status == 200, (path, response.read())
        response.read()
    # A page with a foreign Host is refused, and mails no one.
    conn.request("GET", "/", headers={"Host": "scanner.example"})
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 400
    time.sleep(0.5)
    assert list((stack.tmp / "mail").iterdir()) == []


def test_the_worker_answers_its_probe(stack):
    """The workers' health check: a ping through the broker to this very worker."""
    ping = subprocess.run(
        [
            str(BIN / "celery"),
            "-A",
            "openness_portal",
            "inspect",
            "ping",
            "-d",
            f"production-test-{NONCE}@{socket.gethostname()}",
            "--timeout",
            "10",
        ],
        env=stack.web_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ping.returncode == 0, ping.stdout + ping.stderr
    assert "pong" in ping.stdout
    # The worker knows the portal-wide tasks too (CELERY_IMPORTS), not only the apps' own.
    assert "openness_portal.tasks.apply_retention" in stack.log("worker")


def test_a_task_failing_in_the_worker_is_reported_in_its_json_log(stack):
    from celery import Celery

    # Celery prefers the CELERY_BROKER_URL variable to the broker argument, and the suite's own broker (CI
    # sets it) is not the stack's.
    with mock.patch.dict(os.environ, {"CELERY_BROKER_URL": BROKER_URL}):
        sender = Celery(broker=BROKER_URL)
        try:
            task_id = sender.send_task("openness_portal.ping", args=["не число"]).id
        finally:
            sender.close()

    def reported():
        records = [json.loads(line) for line in stack.log("worker").splitlines() if line.startswith("{")]
        return [r for r in records if task_id in r["message"] and r["level"] == "ERROR"]

    (record,) = wait_for(reported, timeout=30, what="the failed task's ERROR line")
    assert "TypeError" in record["message"] + record.get("exc_info", "")
    assert record["logger"] == "celery.app.trace"


def test_twelve_citizens_are_each_heard_and_one_address_is_limited(stack):
    path = f"/discussions/{stack.data['discussion']}/"
    statuses = [citizen(stack, n).post_form(path, _comment(n)).status for n in range(1, 13)]
    assert statuses == [302] * 12, statuses
    same_address = citizen(stack, 20)
    # The limits are fixed windows (a minute from :00): twelve posts that straddle a minute would count as
    # two windows' worth, so start them early in a minute.
    if time.time() % 60 > 35:
        time.sleep(60.5 - time.time() % 60)
    statuses = [same_address.post_form(path, _comment(100 + n)).status for n in range(12)]
    # The real limit: 10 a minute per address (COMMENT_RATE_LIMITS), counted in the shared Redis.
    assert statuses == [302] * 10 + [429] * 2, statuses
    # The refusals are logged with the citizen's address, not nginx's.
    refusals = [
        json.loads(line)
        for line in stack.log("web").splitlines()
        if line.startswith("{") and "Too Many Requests" in line
    ]
    assert {r["client_ip"] for r in refusals} == {"127.0.0.21"}, refusals


def test_a_lock_out_of_one_address_does_not_lock_out_another(stack):
    username = f"press-{NONCE}"
    attacker = citizen(stack, 30)
    statuses = [
        attacker.post_form("/admin/login/", {"username": username, "password": "wrong-password"}).status
        for _ in range(5)
    ]
    assert statuses == [200] * 4 + [429], statuses  # the real limit: locked at the fifth failure
    locked = attacker.post_form("/admin/login/", {"username": username, "password": "press-password-123"})
    assert locked.status == 429  # even with the right password, from that address
    colleague = citizen(stack, 31)
    response = colleague.post_form("/admin/login/", {"username": username, "password": "press-password-123"})
    assert response.status == 302, response.text[:500]
    assert colleague.get("/admin/").status == 200


def test_an_uploaded_document_downloads_through_nginx_from_the_bucket(stack):
    name, url = stack.data["document_name"], stack.data["document_url"]
    assert url == f"/media/{name}"
    # In the bucket, and on neither host's disk.
    assert stack.s3.get_object(Bucket=BUCKET, Key=name)["Body"].read().startswith(b"%PDF-1.4")
    assert not any((stack.tmp / "web-media").rglob("*")) and not any((stack.tmp / "worker-media").rglob("*"))
    visitor = citizen(stack, 40)
    page = visitor.get(f"/discussions/{stack.data['discussion']}/")
    assert f'href="{url}"' in page.text
    document = visitor.get(url)
    assert document.status == 200
    assert document.body == f"%PDF-1.4 proekt {NONCE}".encode()
    assert document.headers["X-Content-Type-Options"] == "nosniff"
    assert "x-amz-request-id" not in {k.lower() for k in document.headers}
    assert visitor.get("/media/discussions/no-such-file.pdf").status == 404


def test_a_report_built_by_the_worker_downloads_through_the_web(stack):
    boss = citizen(stack, 50)
    login = boss.post_form("/admin/login/", {"username": f"boss-{NONCE}", "password": "boss-password-123"})
    assert login.status == 302, login.text[:500]
    path = f"/reports/{stack.data['report_file']}/download/"

    def built():
        response = boss.get(path)
        return response if response.status == 200 else None

    response = wait_for(built, timeout=90, what="the worker to build the report", interval=1)
    assert response.body[:2] == b"PK"  # an XLSX file: a zip
    assert "attachment" in response.headers["Content-Disposition"]
    keys = [o["Key"] for o in stack.s3.list_objects_v2(Bucket=BUCKET, Prefix="reports/")["Contents"]]
    assert len(keys) == 1
    # The worker wrote it to the bucket, not to its own disk (which the web could not read).
    assert not any((stack.tmp / "worker-media").rglob("*.xlsx"))
    # Report files are private: not under /media/, whoever asks.
    assert boss.get(f"/media/{keys[0]}").status == 404
    assert citizen(stack, 51).get(path).status == 404  # unpublished: not for an anonymous visitor


def test_russian_404_with_the_request_id_in_the_json_log(stack):
    visitor = citizen(stack, 60)
    response = visitor.get("/no-such-page/")
    assert response.status == 404
    assert '<html lang="ru">' in response.text and "Страница не найдена" in response.text
    # In the portal's layout, whose stylesheet nginx serves from the collectstatic folder.
    stylesheet = re.search(r'href="(/static/css/portal\.[0-9a-f]+\.css)"', response.text).group(1)
    css = visitor.get(stylesheet)
    assert css.status == 200 and b"--accent" in css.body
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id, passed through

    def logged():
        for line in stack.log("web").splitlines():
            if line.startswith("{") and request_id in line:
                return json.loads(line)
        return None

    record = wait_for(logged, timeout=10, what="the 404's log line")
    assert record["level"] == "WARNING" and record["client_ip"] == "127.0.0.61"
    assert "/no-such-page/" in record["message"]


def test_metrics_need_the_token(stack):
    visitor = citizen(stack, 70)
    assert visitor.get("/metrics/").status == 401
    response = visitor.get("/metrics/", headers={"Authorization": f"Bearer {stack.metrics_token}"})
    assert response.status == 200
    assert "django_http_requests_total_by_method_total" in response.text


def _pages(stack):
    return ["/", stack.data["roadmap_url"], f"/discussions/{stack.data['discussion']}/"]


def test_with_the_cache_down_pages_still_answer(stack):
    if not stack.data["cache_errors_ignored"]:
        pytest.skip(
            "CACHES does not ignore Redis errors (django-redis IGNORE_EXCEPTIONS): pages would be 500"
        )
    visitor = citizen(stack, 80)
    stack.stop("cache")
    try:
        for page in _pages(stack):
            response = visitor.get(page)
            assert response.status == 200, (page, response.status, response.text[:300])
    finally:
        stack.start("cache", stack.cache_cmd)
    wait_for(lambda: visitor.get("/health/ready/").status == 200, timeout=30, what="Redis to return")


def test_with_the_cache_down_readiness_fails_and_recovers(stack):
    visitor = citizen(stack, 81)
    stack.stop("cache")
    try:
        ready = visitor.get("/health/ready/")
        assert ready.status == 503
        checks = json.loads(ready.body)["checks"]
        assert checks["cache"]["status"] == "error" and checks["database"]["status"] == "ok"
        assert visitor.get("/health/live/").status == 200  # alive: restarting the web would not help
    finally:
        stack.start("cache", stack.cache_cmd)
    wait_for(
        lambda: visitor.get("/health/ready/").status == 200, timeout=30, what="readiness after Redis returns"
    )
    assert all(visitor.get(page).status == 200 for page in _pages(stack))
    stack.check_alive("web", "nginx", "worker")

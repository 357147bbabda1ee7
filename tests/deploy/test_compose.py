"""docker-compose.yml: valid Compose, and every service runs with a probe it can pass.

There is no Docker engine here or in CI, so `docker compose config` cannot be run: the file is checked
against the Compose Specification's JSON schema (vendored by check-jsonschema) and parsed with PyYAML.
"""

import copy
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml
from check_jsonschema.builtin_schemas import get_builtin_schema

ROOT = Path(__file__).resolve().parents[2]
NGINX_TEMPLATES = ROOT / "deploy" / "nginx"
PORTAL_IMAGE = "openness-portal:latest"
GUNICORN_PORT = 8000  # gunicorn.conf.py's default bind, 0.0.0.0:8000
STATIC_ROOT = "/app/staticfiles"
MEDIA_ROOT = "/app/media"


def argv(command):
    """A service's command as a list, the script of `sh -c` split too."""
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if words[:2] == ["sh", "-c"]:
        return shlex.split(words[2])
    return words


def probe(service):
    """The container's health check as one shell line, as Docker runs it (`$$` is a literal `$`)."""
    test = service["healthcheck"]["test"]
    line = test if isinstance(test, str) else shlex.join(test[1:]) if test[0] == "CMD" else test[1]
    return line.replace("$$", "$")


def portal_services(compose):
    return {name: s for name, s in compose["services"].items() if s.get("image") == PORTAL_IMAGE}


def celery_role(service):
    words = argv(service["command"])
    if words[:1] != ["celery"]:
        return None
    return "worker" if "worker" in words else "beat" if "beat" in words else None


def option(words, *names, default=None):
    for i, word in enumerate(words):
        if word in names:
            return words[i + 1]
    return default


def volume_mounts(service):
    """(source, target, read_only) of each short-syntax volume."""
    mounts = []
    for spec in service.get("volumes", []):
        source, target, *mode = re.split(r":(?![^{]*\})", spec)  # not the `:-` of a ${VAR:-default}
        mounts.append((source, target, mode == ["ro"]))
    return mounts


def test_the_file_is_valid_compose_specification(compose):
    jsonschema.validate(compose, get_builtin_schema("vendor.compose-spec"))


@pytest.mark.parametrize(
    ("service", "change"),
    [
        ("web", lambda s: s["healthcheck"].update(tset=["CMD", "true"])),
        ("worker", lambda s: s.update(restart_policy="always")),
        ("redis-broker", lambda s: s.update(comand=["redis-server"])),
    ],
)
def test_the_schema_check_rejects_a_wrong_field(compose, service, change):
    broken = copy.deepcopy(compose)
    change(broken["services"][service])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, get_builtin_schema("vendor.compose-spec"))


def test_the_project_name_fixes_the_volume_names_the_readme_uses(compose):
    assert compose["name"] == "openness"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    # openness_portal is the Python package (`celery -A openness_portal`), not a volume.
    named = set(re.findall(r"\bopenness_([a-z][a-z0-9-]*)\b", readme)) - {"portal"}
    assert named, "the README's backup recipe names no volume"
    assert named <= set(compose["volumes"]), f"README names volumes compose does not have: {named}"


def test_every_portal_container_declares_the_probe_of_what_it_runs(compose):
    # The image's HEALTHCHECK is the web's: a container that does not replace or disable it inherits it.
    services = portal_services(compose)
    assert set(services) == {"migrate", "web", "worker", "pdf-worker", "beat"}
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} would inherit the image's web probe"
        words = argv(service["command"])
        if words[0] == "gunicorn":
            assert "--config" in words and "gunicorn.conf.py" in words
            assert f"http://127.0.0.1:{GUNICORN_PORT}/health/live/" in probe(service)
        elif celery_role(service) == "worker":
            node = option(words, "-n", "--hostname", default="celery@%h")
            assert shlex.split(probe(service))[:4] == ["celery", "-A", "openness_portal", "inspect"]
            assert f"ping -d {node.replace('%h', '$HOSTNAME')} " in probe(service) + " ", name
        else:
            # beat and the one-shot migrate listen on nothing: any probe of theirs could never pass.
            assert service["healthcheck"] == {"disable": True}, name


def test_no_worker_probes_a_port(compose):
    for name, service in portal_services(compose).items():
        if celery_role(service) == "worker":
            assert "/health/" not in probe(service) and "curl" not in probe(service), name


def test_exactly_one_beat(compose):
    beats = [name for name, s in compose["services"].items() if "command" in s and celery_role(s) == "beat"]
    assert beats == ["beat"]
    assert compose["services"]["beat"]["deploy"]["replicas"] == 1


def test_every_queue_has_a_worker_and_the_pdf_worker_its_own_node_name(compose, celery_queues):
    consumed = {}
    for name, service in portal_services(compose).items():
        if celery_role(service) == "worker":
            words = argv(service["command"])
            for queue in option(words, "-Q", "--queues").split(","):
                consumed[queue] = name
            node = option(words, "-n", "--hostname", default="celery@%h")
            assert node.endswith("@%h"), f"{name}: two containers must never share a node name"
    assert celery_queues <= set(consumed), f"queues nobody consumes: {celery_queues - set(consumed)}"
    assert option(argv(compose["services"]["pdf-worker"]["command"]), "-n") == "pdf@%h"


def test_migrate_runs_once_and_everything_waits_for_it(compose):
    migrate = compose["services"]["migrate"]
    assert migrate["restart"] == "no"
    script = argv(migrate["command"])
    steps = [script[i + 1] for i, word in enumerate(script) if word == "manage.py"]
    assert steps == ["migrate", "setup_schedules"]
    # The image's collected static files (STATIC_ROOT) go into the volume nginx reads, fresh each release.
    (static_mount,) = [target for source, target, _ in volume_mounts(migrate) if source == "static"]
    assert ["cp", "-R", f"{STATIC_ROOT}/.", f"{static_mount}/"] == script[
        script.index("cp") : script.index("cp") + 4
    ]
    for name in ("web", "worker", "pdf-worker", "beat"):
        assert compose["services"][name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name


def test_every_dependency_condition_can_be_met(compose):
    services = compose["services"]
    for name, service in services.items():
        for target, rule in service.get("depends_on", {}).items():
            other = services[target]
            if rule["condition"] == "service_healthy":
                assert other.get("healthcheck", {}).get("disable") is not True, f"{name} → {target}"
                assert "test" in other.get("healthcheck", {}), (
                    f"{name} waits for {target}, which has no probe"
                )
            elif rule["condition"] == "service_completed_successfully":
                assert other.get("restart") == "no", f"{name} waits for {target} to exit, but it restarts"
            # A service of the default stack cannot wait for one that only starts with a profile.
            if not service.get("profiles"):
                assert not other.get("profiles"), f"{name} depends on optional {target}"


def test_cache_may_evict_and_the_broker_never(compose):
    services = compose["services"]
    cache = argv(services["redis-cache"]["command"])
    broker = argv(services["redis-broker"]["command"])
    assert option(cache, "--maxmemory") and option(cache, "--maxmemory-policy") == "allkeys-lru"
    assert option(broker, "--maxmemory-policy") == "noeviction"
    assert option(broker, "--appendonly") == "yes"
    assert any(target == "/data" for _, target, _ in volume_mounts(services["redis-broker"]))
    for name, service in portal_services(compose).items():
        environment = service["environment"]
        assert urlsplit(environment["CACHE_URL"]).hostname == "redis-cache", name
        assert urlsplit(environment["CELERY_BROKER_URL"]).hostname == "redis-broker", name
        assert environment["CACHE_URL"] != environment["CELERY_BROKER_URL"]
    assert urlsplit(services["flower"]["environment"]["CELERY_BROKER_URL"]).hostname == "redis-broker"


def test_the_portal_containers_take_their_settings_from_dot_env(compose):
    for name, service in portal_services(compose).items():
        assert service["env_file"] == [{"path": ".env", "required": True}], name
        # One proxy (nginx) in front of gunicorn unless .env says a balancer adds one: a value compose set
        # outright would override the administrator's .env.
        assert service["environment"]["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}", name
        assert service["environment"]["DJANGO_READ_DOT_ENV_FILE"] == "1", name
        assert service["environment"]["DEBUG"] == "0", name


def test_nginx_serves_static_and_media_read_only_and_proxies_to_web(compose):
    nginx = compose["services"]["nginx"]
    assert nginx["image"].startswith("nginx:")
    mounts = volume_mounts(nginx)
    template = [(s, t) for s, t, ro in mounts if t.startswith("/etc/nginx/templates/") and ro]
    assert template and template[0][1].endswith(".conf.template")
    environment = nginx["environment"]
    assert ("static", environment["PORTAL_STATIC_ROOT"], True) in mounts
    assert ("media", environment["PORTAL_MEDIA_ROOT"], True) in mounts
    # Same volumes as the processes that write them.
    assert ("media", MEDIA_ROOT, False) in volume_mounts(compose["services"]["web"])
    assert ("media", MEDIA_ROOT, False) in volume_mounts(compose["services"]["pdf-worker"])
    assert environment["PORTAL_UPSTREAM"] == f"web:{GUNICORN_PORT}"
    assert nginx["ports"] == ["80:80"]
    assert f"http://127.0.0.1:{environment['PORTAL_LISTEN']}/health/live/" in probe(nginx)
    assert nginx["depends_on"]["web"] == {"condition": "service_healthy"}


def test_the_tls_file_turns_nginx_to_https_and_probes_it_there(compose):
    overlay = yaml.safe_load((ROOT / "docker-compose.tls.yml").read_text(encoding="utf-8"))
    jsonschema.validate(overlay, get_builtin_schema("vendor.compose-spec"))
    assert set(overlay["services"]) == {"nginx"}, "TLS changes nothing but nginx"
    nginx = overlay["services"]["nginx"]
    assert nginx["environment"] == {"PORTAL_LISTEN": "443 ssl"}
    # Compose appends ports and replaces the probe: 80 (now a redirect) and 443 are both published.
    assert set(compose["services"]["nginx"]["ports"] + nginx["ports"]) == {"80:80", "443:443"}
    assert "https://127.0.0.1:443/health/live/" in probe(nginx)
    assert ("./certs", "/etc/nginx/certs", True) in volume_mounts(nginx)
    (config,) = nginx["configs"]
    assert config["target"].startswith("/etc/nginx/conf.d/") and config["target"].endswith(".conf")
    tls = overlay["configs"][config["source"]]["content"]
    for path in re.findall(r"ssl_certificate(?:_key)?\s+(\S+);", tls):
        assert path.startswith("/etc/nginx/certs/"), path
    assert "listen 80;" in tls and "return 301 https://" in tls


@pytest.mark.parametrize("mode", ["local", "s3"])
def test_nginx_is_given_every_variable_its_template_uses(compose, mode):
    template = NGINX_TEMPLATES / f"portal-{mode}.conf.template"
    if not NGINX_TEMPLATES.exists():
        pytest.skip("deploy/nginx/ (engineer h15's templates) is not in this branch yet")
    nginx = compose["services"]["nginx"]
    source = next(s for s, t, _ in volume_mounts(nginx) if t.startswith("/etc/nginx/templates/"))
    assert source.replace("${PORTAL_MEDIA_MODE:-local}", mode) == f"./deploy/nginx/{template.name}"
    used = set(re.findall(r"\$\{(PORTAL_[A-Z0-9_]+)\}", template.read_text(encoding="utf-8")))
    assert used, f"{template.name} uses none of the PORTAL_* variables"
    assert used <= set(nginx["environment"]), f"not set for nginx: {used - set(nginx['environment'])}"


def test_data_lives_in_named_volumes(compose):
    declared = set(compose["volumes"])
    for name, service in compose["services"].items():
        for source, target, _ in volume_mounts(service):
            if source.startswith((".", "/")):
                # The one bind mount is the nginx template from this repository: data is never in a host folder.
                assert name == "nginx" and target.startswith("/etc/nginx/templates/"), (
                    f"{name} keeps {target} in a host folder"
                )
            else:
                assert source in declared, f"{name} uses undeclared volume {source}"
    assert ("pgdata", "/var/lib/postgresql/data", False) in volume_mounts(compose["services"]["db"])


def test_optional_services_start_only_with_their_profile_and_listen_only_locally(compose):
    services = compose["services"]
    assert services["minio"]["profiles"] == ["s3"]
    assert services["minio-bucket"]["profiles"] == ["s3"] and services["minio-bucket"]["restart"] == "no"
    assert "mc mb --ignore-existing" in services["minio-bucket"]["command"][0]
    assert services["flower"]["profiles"] == ["monitoring"]
    # Flower shows task arguments (e-mail addresses): no password, no start.
    flower = services["flower"]
    assert flower["entrypoint"] == ["/bin/sh", "-c"]
    assert flower["command"][0].startswith(': "$${FLOWER_BASIC_AUTH:?') and flower["command"][0].endswith(
        "exec celery flower"
    )
    for name in ("minio", "flower"):
        assert all(port.startswith("127.0.0.1:") for port in services[name]["ports"]), name
    default_stack = {name for name, s in services.items() if not s.get("profiles")}
    assert default_stack == {
        "migrate",
        "web",
        "nginx",
        "worker",
        "pdf-worker",
        "beat",
        "db",
        "redis-cache",
        "redis-broker",
    }


def test_optional_services_require_nothing_of_a_stack_without_them():
    # Compose interpolates every service before it applies profiles: a `${VAR:?}` in an optional service
    # would stop `docker compose up` of the default stack whenever VAR is empty (as in .env.example).
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    for name, service in compose["services"].items():
        if service.get("profiles"):
            text = yaml.safe_dump(service)
            assert not re.search(r"(?<!\$)\$\{[A-Z0-9_]+:\?", text), name

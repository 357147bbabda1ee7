"""The Dockerfile: the probe of web, a non-root user, static files collected at build, gunicorn.conf.py."""

import fnmatch
import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def instructions():
    """(INSTRUCTION, arguments) in order, continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [tuple(line.strip().split(None, 1)) for line in joined.splitlines() if line.strip()]


def exec_form(arguments):
    return json.loads(arguments)


def test_the_image_probe_is_liveness_on_gunicorns_port():
    (healthcheck,) = [args for name, args in instructions() if name == "HEALTHCHECK"]
    command = exec_form(healthcheck.split(" CMD ", 1)[1])
    assert command[0] == "curl" and "-f" in command[1]
    assert command[-1] == "http://127.0.0.1:8000/health/live/"


def test_the_processes_run_as_a_numeric_non_root_user():
    users = [args for name, args in instructions() if name == "USER"]
    assert users, "the image would run as root"
    uid = users[-1].split(":")[0]
    # Numeric, so Kubernetes' runAsNonRoot can verify it; the same uid the manifests run as.
    assert uid.isdigit() and int(uid) != 0
    for manifest in (ROOT / "deploy" / "k8s").glob("*.yaml"):
        for document in yaml.safe_load_all(manifest.read_text(encoding="utf-8")):
            spec = (document or {}).get("spec", {}).get("template", {}).get("spec", {})
            images = {c["image"] for c in spec.get("containers", [])}
            if "openness-portal" in images:
                assert spec["securityContext"]["runAsUser"] == int(uid), manifest.name


def test_static_files_are_collected_at_build_after_the_code_is_copied():
    steps = instructions()
    copy_all = steps.index(("COPY", ". ."))
    collect = [i for i, (name, args) in enumerate(steps) if name == "RUN" and "collectstatic" in args]
    assert collect and collect[0] > copy_all
    # A new named volume takes the owner of its mount point in the image: the portal user must own the
    # folders compose's portal containers write volumes into.
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    written = {
        spec.split(":")[1]
        for service in compose["services"].values()
        if service.get("image") == "openness-portal:latest"
        for spec in service.get("volumes", [])
        if not spec.endswith(":ro")
    }
    assert written == {"/app/media", "/srv/portal/static"}
    assert f"chown portal:portal {' '.join(sorted(written))}" in steps[collect[0]][1]


def test_the_web_command_is_the_one_compose_and_kubernetes_run():
    (cmd,) = [args for name, args in instructions() if name == "CMD"]
    command = exec_form(cmd)
    assert command == ["gunicorn", "--config", "gunicorn.conf.py", "openness_portal.wsgi"]
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert compose["services"]["web"]["command"] == command


@pytest.mark.parametrize("path", [".env", "certs/privkey.pem", "db.sqlite3", "media/report.pdf"])
def test_secrets_and_local_state_stay_out_of_the_image(path):
    patterns = [
        p
        for p in (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
        if not p.startswith(("#", "!"))
    ]
    assert any(fnmatch.fnmatch(path, p) or path.startswith(p.rstrip("/") + "/") for p in patterns), path

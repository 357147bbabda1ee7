"""The deployment files, parsed once: docker-compose.yml, the Dockerfile and the Kubernetes manifests."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"


@pytest.fixture(scope="session")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def kustomization():
    return yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def manifests(kustomization):
    """Every object `kubectl apply -k deploy/k8s` would create, in file order."""
    objects = []
    for name in kustomization["resources"]:
        objects.extend(d for d in yaml.safe_load_all((K8S / name).read_text(encoding="utf-8")) if d)
    return objects


@pytest.fixture(scope="session")
def celery_queues():
    """Every queue a task can be sent to: the default one and each route's."""
    from django.conf import settings

    default = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
    return {default} | {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}

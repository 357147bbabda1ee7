"""The portal package names no app: what it needs from them it finds in `settings.PORTAL_APPS` (ground floor
first), module by module, or receives through the registries the apps fill (admin_site, views, notifications)."""

from collections.abc import Iterator
from importlib import import_module
from types import ModuleType

from django.conf import settings


def app_modules(submodule: str) -> Iterator[ModuleType]:
    """`<app>.<submodule>` of each portal app that has one, in the order of settings.PORTAL_APPS."""
    for app in settings.PORTAL_APPS:
        name = f"{app}.{submodule}"
        try:
            yield import_module(name)
        except ModuleNotFoundError as exc:
            parts = name.split(".")
            missing = {".".join(parts[:i]) for i in range(len(app.split(".")) + 1, len(parts) + 1)}
            if exc.name not in missing:  # the module exists and something it imports is missing: a real error
                raise

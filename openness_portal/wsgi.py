import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openness_portal.settings")
application = get_wsgi_application()


def _warm_up():
    """Import what the first request would: the URLconf and, through it, every app's views and API."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the property imports the URLconf module


_warm_up()
# What is loaded by now (Django, the apps, their modules, the URLconf) lives as long as the worker: out of
# the collector's full passes, which otherwise walked it every couple of thousand requests (~75 µs a
# request). With gunicorn's preload_app this runs in the master before the fork, as gc.freeze() intends.
gc.freeze()

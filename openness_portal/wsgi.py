import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openness_portal.settings")
application = get_wsgi_application()
# What is loaded by now (Django, the apps, their modules) lives as long as the worker: out of the
# collector's full passes, which otherwise walked it every couple of thousand requests (~75 µs a request).
gc.freeze()

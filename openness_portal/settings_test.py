"""Settings for the test suite: the development defaults, whatever DATABASE_URL/CELERY_BROKER_URL say."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_READ_DOT_ENV_FILE", "0")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
# Every test starts from an empty cache; rate limits and cached pages must not leak between tests.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
CELERY_TASK_ALWAYS_EAGER = True  # the real-worker tests build their own non-eager app configuration

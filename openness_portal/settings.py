"""Settings for the openness portal, read from the environment (cookiecutter-django style).

With no environment at all the portal runs embedded: SQLite in the project folder, Celery eager, mail to
the console. Production sets DEBUG off and must then provide SECRET_KEY and ALLOWED_HOSTS. The `.env` file is
read only when DJANGO_READ_DOT_ENV_FILE=1 (production sets it), so `make run` next to a production `.env`
stays embedded.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from openness_portal.cache_config import cache_config, same_redis_database

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env_file = BASE_DIR / ".env"
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False) and env_file.exists():
    env.read_env(str(env_file))

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

PORTAL_NAME = env("PORTAL_NAME", default="Открытость органов местного самоуправления")
PORTAL_URL = env("PORTAL_URL", default="http://127.0.0.1:8000").rstrip("/")

# The portal's own apps, from the ground floor up (the layers of [tool.importlinter] in pyproject.toml): the
# URL map, the beat schedules and `load_demo` take them in this order.
PORTAL_APPS = [
    "openness_portal.workdays",
    "openness_portal.notifications",
    "municipalities",
    "roadmaps",
    "importing",
    "surveys",
    "referents",
    "appeals",
    "opendata",
    "regions",
    "reports",
    "following",  # the top floor: listens to the signals of roadmaps, reports and surveys
]

INSTALLED_APPS = [
    "openness_portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "axes",
    "csp",
    "storages",
    *PORTAL_APPS,
]

MIDDLEWARE = [
    # First: probes answer whatever the Host header (a kubelet or Docker calls the pod's IP) and never mail.
    "openness_portal.health.ProbeMiddleware",
    # Every log line of the request carries its id (X-Request-ID from nginx, or a new one) and client IP.
    "openness_portal.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Admin pages in the staff member's municipality time zone (no «Ваше время опережает время сервера»).
    "municipalities.middleware.StaffTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must be last: it turns a lock-out raised during authentication into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "openness_portal.urls"
WSGI_APPLICATION = "openness_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openness_portal.context_processors.portal",
            ],
            # Slots of public pages that apps above the page's own app fill in (page_extras.py).
            "libraries": {"page_extras": "openness_portal.page_extras"},
        },
    },
]

# Database: SQLite file in the project unless DATABASE_URL says otherwise (PostgreSQL in production).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections, checked before each request reuses one (a restarted server is not an error).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis in production (rate limits must be shared by every gunicorn worker), memory otherwise. Through
# django-redis with errors ignored: with Redis down pages serve uncached (openness_portal/cache_config.py).
# Its own Redis database, never the broker's: give that Redis a memory bound (maxmemory + allkeys-lru).
CACHES = {"default": cache_config(env("CACHE_URL", default=""))}
if same_redis_database(env("CACHE_URL", default=""), env("CELERY_BROKER_URL", default="")):
    raise ImproperlyConfigured(
        "CACHE_URL and CELERY_BROKER_URL name the same Redis database: evicting cached pages would drop "
        "queued tasks. Use another database number (or another Redis) for the cache."
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "admin:login"

LANGUAGE_CODE = env("LANGUAGE_CODE", default="ru")
LANGUAGES = [("ru", _("Русский")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG  # serve straight from the apps' static folders without collectstatic
if DEBUG:
    STATIC_ROOT.mkdir(exist_ok=True)
# Uploaded and generated files: local disk (embedded, or one host), or an S3-compatible bucket (MinIO, Yandex
# Object Storage, VK Cloud) when AWS_STORAGE_BUCKET_NAME is set, so web and workers on different hosts share
# them. Either way public files are served by nginx under MEDIA_URL; private ones (reports, imports) only
# through their views (deploy/nginx/ refuses their prefixes).
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default=None)
    AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default=None)
    AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default=None)
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default=None)
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    AWS_S3_ADDRESSING_STYLE = env("AWS_S3_ADDRESSING_STYLE", default="path")
    AWS_S3_FILE_OVERWRITE = False  # as on disk: a second upload of «приказ.pdf» gets its own name
    AWS_DEFAULT_ACL = None  # the bucket's policy decides (public read of the public prefixes)
    AWS_QUERYSTRING_AUTH = False
    DEFAULT_FILE_STORAGE_BACKEND = "openness_portal.storage.MediaS3Storage"
else:
    DEFAULT_FILE_STORAGE_BACKEND = "django.core.files.storage.FileSystemStorage"
STORAGES = {
    "default": {"BACKEND": DEFAULT_FILE_STORAGE_BACKEND},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        # Pre-compressed copies cost minutes of collectstatic; STATIC_COMPRESS=0 leaves gzip to nginx.
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_COMPRESS", default=True)
        else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# E-mail: console in the embedded mode, SMTP from EMAIL_URL in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Портал открытости <noreply@example.ru>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
ADMINS = [("Администратор портала", a) for a in env.list("ADMINS", default=[])]

# Celery: without a broker every task runs eagerly in-process, so the embedded portal needs no Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_LONGEST_TASK_SECONDS = 900  # the PDF report queue's hard limit; see reports.tasks
# A late-acked task whose worker died is redelivered after the visibility timeout; it must exceed the
# longest task, or Redis would hand a still-running task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_TASK_ROUTES = {"reports.tasks.build_report_pdf": {"queue": "pdf"}}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The portal package is not an app (its AppConfig is the admin's): its tasks are imported by name.
CELERY_IMPORTS = ["openness_portal.tasks"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# REST framework and the OpenAPI schema.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "openness_portal.pagination.PortalPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API портала открытости",
    "DESCRIPTION": "Дорожные карты открытости муниципальных образований: мероприятия, сроки, показатели, "
    "ход реализации, отчеты, обсуждения, опросы и открытые данные.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A report and each of its files share one set of states: one named enum in the schema, not «Status648Enum».
    "ENUM_NAME_OVERRIDES": {"ReportStatusEnum": "reports.models.Report.Status"},
}

# Security. django-axes locks the admin login after 5 failures for an hour.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Reverse proxies in front of gunicorn (1 for the nginx of docker-compose.yml). The client's address is taken
# from X-Forwarded-For that many entries from the right, for every use: see openness_portal/client_ip.py.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=env.int("AXES_PROXY_COUNT", default=0))
AXES_CLIENT_IP_CALLABLE = "openness_portal.client_ip.axes_client_ip"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Prometheus scrapes over the cluster network; probes are answered before this (health.ProbeMiddleware).
    SECURE_REDIRECT_EXEMPT = [r"^metrics/$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

SIMPLE_HISTORY_REVERT_DISABLED = True

# Coordinators are reminded of progress entries waiting for review longer than this (working days).
PROGRESS_REVIEW_WAIT_DAYS = env.int("PROGRESS_REVIEW_WAIT_DAYS", default=5)
# The reminder sweep commits this many municipalities per transaction: a failing group rolls back alone.
REMINDER_MUNICIPALITIES_PER_TRANSACTION = env.int("REMINDER_MUNICIPALITIES_PER_TRANSACTION", default=50)
# Working days after which an unanswered open-data error report or data-set request is reminded.
OPENDATA_ANSWER_WORKING_DAYS = env.int("OPENDATA_ANSWER_WORKING_DAYS", default=10)

# Citizen comments: (max requests, window in seconds) per IP and per e-mail, counted in the cache.
COMMENT_RATE_LIMITS = {
    "ip": [
        (env.int("COMMENT_LIMIT_PER_MINUTE_IP", default=10), 60),
        (env.int("COMMENT_LIMIT_PER_HOUR_IP", default=60), 3600),
    ],
    "email": [
        (env.int("COMMENT_LIMIT_PER_MINUTE_EMAIL", default=5), 60),
        (env.int("COMMENT_LIMIT_PER_HOUR_EMAIL", default=20), 3600),
    ],
}

# Logs: one JSON object a line on stdout (python-json-logger), each with the request id and client IP of the
# request it belongs to (openness_portal/logging.py). LOG_FORMAT=plain for a human at a terminal.
LOG_FORMAT = env("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "openness_portal.logging.RequestContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(client_ip)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request"]},
        "mail_admins": {
            "level": "ERROR",
            "filters": ["request"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own default would print to the console only with DEBUG on and mail every error: errors
        # go to stdout always, and to ADMINS (if any) except what a stranger can cause at will.
        "django": {"handlers": ["console", "mail_admins"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # A wrong Host header (scanners send thousands), a forged session or an oversized form is a
        # stranger's doing, not an incident: logged, never mailed.
        "django.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Retention: what the nightly job (openness_portal.retention) deletes, in days; 0 keeps rows forever.
RETENTION_REMINDER_LOG_DAYS = env.int("RETENTION_REMINDER_LOG_DAYS", default=400)
RETENTION_NOTIFICATION_DAYS = env.int("RETENTION_NOTIFICATION_DAYS", default=400)
# Change history older than this is dropped, except each object's latest row (who changed it last).
RETENTION_HISTORY_DAYS = env.int("RETENTION_HISTORY_DAYS", default=3 * 365)
RETENTION_LOGIN_ATTEMPT_DAYS = env.int("RETENTION_LOGIN_ATTEMPT_DAYS", default=90)
# Expired sessions are removed by the same job (Django's clearsessions), whatever their age setting.

# Prometheus metrics (django-prometheus) at /metrics/, only with METRICS_TOKEN set and sent as
# `Authorization: Bearer <token>`; otherwise the path is a 404 and no metrics middleware runs. Under gunicorn
# set PROMETHEUS_MULTIPROC_DIR (an empty tmpfs folder) so all workers' counters are summed.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
if METRICS_TOKEN:
    INSTALLED_APPS.append("django_prometheus")
    MIDDLEWARE.insert(2, "django_prometheus.middleware.PrometheusBeforeMiddleware")
    MIDDLEWARE.append("django_prometheus.middleware.PrometheusAfterMiddleware")

# Followers' mail (following/): how long after an event its digest waits for more events of the burst.
FOLLOWING_DIGEST_DELAY_SECONDS = env.int("FOLLOWING_DIGEST_DELAY_SECONDS", default=300)

# Errors and failed Celery tasks to Sentry (or GlitchTip, its self-hosted counterpart) when SENTRY_DSN is set.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,  # citizens' addresses and e-mails stay on the portal
    )

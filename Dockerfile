# The portal's image: web (gunicorn), worker, pdf-worker, beat and migrate all run from it (docker-compose.yml,
# deploy/k8s/). tests/deploy/test_dockerfile.py checks the probe, the user and the build-time collectstatic.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # fontconfig (WeasyPrint) writes its cache here; /tmp is writable even with a read-only root filesystem.
    XDG_CACHE_HOME=/tmp/.cache

# WeasyPrint needs Pango/HarfBuzz; DejaVu fonts carry Cyrillic into the PDF reports; pg_dump/psql for the
# backup recipe; curl for the web probe.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
        postgresql-client curl \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 --user-group portal
WORKDIR /app

# Dependencies first: a code change then reuses the installed layer.
COPY pyproject.toml README.md ./
COPY openness_portal ./openness_portal
COPY roadmaps ./roadmaps
COPY reports ./reports
COPY opendata ./opendata
COPY surveys ./surveys
COPY referents ./referents
RUN pip install .

COPY . .
# Static files are part of the image (whitenoise serves them; compose's migrate copies them into the volume
# nginx reads). collectstatic needs settings, not secrets: a build-time key that is never used at run time.
RUN DEBUG=0 SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput -v0 \
    && rm -f /tmp/build.sqlite3 \
    # Mount points of compose's media and static volumes: a new volume takes this owner, so uid 1000 can write.
    && mkdir -p /app/media /srv/portal/static \
    && chown portal:portal /app/media /srv/portal/static

USER 1000:1000
EXPOSE 8000
# Liveness of the web process: touches no database or Redis, answers any Host header and never mails ADMINS.
# Worker, beat and migrate containers replace or disable it (see docker-compose.yml).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8000/health/live/"]
# Workers, threads, keep-alive, preload, access log: gunicorn.conf.py (GUNICORN_* variables change them).
CMD ["gunicorn", "--config", "gunicorn.conf.py", "openness_portal.wsgi"]

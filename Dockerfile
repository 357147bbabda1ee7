# The portal's image: web (gunicorn), worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint needs Pango/HarfBuzz; DejaVu fonts carry Cyrillic into the PDF reports; libpq for psql tools.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
        postgresql-client curl \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 portal
WORKDIR /app

COPY pyproject.toml README.md ./
COPY openness_portal ./openness_portal
COPY roadmaps ./roadmaps
COPY reports ./reports
COPY opendata ./opendata
COPY surveys ./surveys
COPY referents ./referents
RUN pip install .

COPY . .
# collectstatic needs settings, not secrets: a build-time key that is never used at run time.
RUN DEBUG=0 SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput -v0 \
    && mkdir -p /app/media && chown -R portal:portal /app/media

USER portal
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8000/health/ || exit 1
# Workers, threads, keep-alive, preload: gunicorn.conf.py (GUNICORN_* variables change them at run time).
CMD ["gunicorn", "--config", "gunicorn.conf.py", "openness_portal.wsgi", "--access-logfile", "-"]

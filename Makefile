# The two commands of the README: `make run` and `make test`. Everything else is a convenience.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The embedded mode: debug on, SQLite, Celery eager (no broker), mail printed to the console. A production
# .env in the same checkout is never read here (only DJANGO_READ_DOT_ENV_FILE=1 reads it).
RUN_ENV := DEBUG=$${DEBUG:-1} DJANGO_READ_DOT_ENV_FILE=0

.PHONY: run test lint format worker beat migrate demo install install-dev bench clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(BIN)/.installed-dev: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(BIN)/.installed $@

install: $(BIN)/.installed
install-dev: $(BIN)/.installed-dev

migrate: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput

demo: migrate
	$(RUN_ENV) $(BIN)/python manage.py load_demo

run: demo
	$(RUN_ENV) $(BIN)/python manage.py setup_schedules
	@echo "Портал: http://$(HOST):$(PORT)/   администрирование: http://$(HOST):$(PORT)/admin/"
	$(RUN_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: install
	$(BIN)/celery -A openness_portal worker -l info -Q celery,pdf --concurrency $${CELERY_CONCURRENCY:-2}

beat: install
	$(BIN)/celery -A openness_portal beat -l info --scheduler django_celery_beat.schedulers:DatabaseScheduler

bench: install-dev
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles .test-media

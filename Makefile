# Almanac — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PIP := $(BIN)/pip --disable-pip-version-check
HOST ?= 127.0.0.1
# make test and make e2e build their SQLite test databases from the models
# (--nomigrations: a minute and a half less each; lint's makemigrations --check keeps
# models and migrations in step); make test-services applies the migrations to
# PostgreSQL, the path a real upgrade takes.
# The test processes (pytest-xdist): one per CPU, each with its own test database (and
# its own cache keys), a test file's tests together. make test-services runs the same
# suite that way on PostgreSQL, then the tests marked services in one process: they
# share Redis and the worker processes they start. The heaviest suites run once: the
# API fuzzing on PostgreSQL (where column limits bite, and which calls every endpoint
# there), the cross-workspace matrix, the access matrix and the CSRF checks on SQLite
# (HTTP semantics and the access rules' queries, which the database does not change).
PG_ONLY_ONCE := --ignore=tests/security --ignore=tests/planner/test_access_matrix.py \
  --ignore=tests/planner/test_csrf.py
TEST_WORKERS ?= auto
PORT ?= 8000

# The services suite: PostgreSQL and Redis on loopback (override to taste).
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/almanac
SERVICES_REDIS_URL ?= redis://127.0.0.1:6379/15
# The import benchmark's PostgreSQL database (created when missing; its metrics are emptied).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/almanac_bench

.DEFAULT_GOAL := help
.PHONY: help install run worker test test-services e2e test-long lint format bench bench-load messages clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its dev tools

run: install ## Serve the demo on http://127.0.0.1:8000 (SQLite, in-process tasks, mail to var/mail)
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: install ## Run a Celery worker and beat against REDIS_URL (services setup)
	$(BIN)/celery -A config worker --beat -l INFO --scheduler django_celery_beat.schedulers:DatabaseScheduler

test: install ## The whole suite on the embedded default (SQLite, eager tasks)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --nomigrations -m "not services and not e2e" \
	  --ignore=tests/fuzz

test-services: install ## The suite on PostgreSQL + Redis, with a real Celery worker
	DATABASE_URL=$(SERVICES_DATABASE_URL) REDIS_URL=$(SERVICES_REDIS_URL) \
	  $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile -m "not services and not e2e" \
	  $(PG_ONLY_ONCE)
	DATABASE_URL=$(SERVICES_DATABASE_URL) REDIS_URL=$(SERVICES_REDIS_URL) \
	  $(BIN)/pytest -m services tests/services

e2e: install ## Browser tests in headless Chromium (Debian's /usr/bin/chromium)
	$(BIN)/pytest --nomigrations -m e2e tests/e2e

test-long: install ## The long variants: API fuzzing with 60 examples per operation, the load test (50 users, 5 minutes; figures printed)
	FUZZ_EXAMPLES=60 $(BIN)/pytest -n $(TEST_WORKERS) --nomigrations tests/fuzz
	$(BIN)/python bench/load/run.py --users 50 --duration 5m

lint: install ## ruff, ruff format --check, mypy, import contracts, migrations check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/mypy .
	$(BIN)/lint-imports
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

format: install ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install ## Benchmarks: figures with a ratio to a reference measured in the same run
	DEBUG=0 SECRET_KEY=bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz \
	  SECURE_SSL_REDIRECT=0 ALMANAC_VAR_DIR=var/bench $(BIN)/python bench/run.py
	DEBUG=0 SECRET_KEY=bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz \
	  SECURE_SSL_REDIRECT=0 ALMANAC_VAR_DIR=var/bench-dashboard $(BIN)/python bench/dashboard.py
	$(BIN)/python bench/anomaly_scan.py
	$(PIP) install -q channelattribution matplotlib  # GPL, the benchmark's reference only
	$(BIN)/python bench/attribution.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python bench/import_metrics.py

messages: install ## Refresh the Chinese catalogue and compile it
	DEBUG=1 $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=staticfiles
	DEBUG=1 $(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var staticfiles

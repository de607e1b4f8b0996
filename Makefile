# Partner Center support-workflow portal. `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= partnercenter.settings.local

.DEFAULT_GOAL := help
.PHONY: help venv install install-dev migrate demo run test lint format check worker beat ci clean bench bench-quick

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/.created:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	@touch $@

$(VENV)/.installed: $(VENV)/.created requirements.txt
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.created ## Create the virtual environment

install: $(VENV)/.installed ## Install the runtime requirements

install-dev: $(VENV)/.installed-dev ## Install the development and test requirements

migrate: install ## Apply database migrations
	$(PY) manage.py migrate --noinput

demo: migrate ## Load the demo scenario once (skipped when data exists)
	$(PY) manage.py load_scenario --if-empty scenarios/demo.yaml

run: demo ## Set everything up and serve the portal with demo data at http://127.0.0.1:8000
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install-dev ## Run the whole test suite (SQLite by default; PostgreSQL when DATABASE_URL is set)
	DJANGO_SETTINGS_MODULE=partnercenter.settings.test $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install-dev ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev ## Format the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install-dev ## Django system checks, missing migrations, scenario validation
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py load_scenario --check scenarios/demo.yaml

worker: install ## Run a Celery worker consuming every queue (needs REDIS_URL)
	$(VENV)/bin/celery -A partnercenter worker --loglevel=INFO

beat: install ## Run Celery beat (needs REDIS_URL; run exactly one)
	$(VENV)/bin/celery -A partnercenter beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule

bench: install ## Benchmark suite at 1,000,000 requests on PostgreSQL + Redis (bench/README.md)
	$(PY) -m bench.run $(BENCH_ARGS)

bench-quick: install ## Benchmark suite at 100,000 requests, under 3 minutes (bench/README.md)
	$(PY) -m bench.run --quick $(BENCH_ARGS)

ci: ## What CI runs (bash .ci/run)
	bash .ci/run

clean: ## Remove the virtual environment and the SQLite database
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache

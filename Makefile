# Partner Center support-workflow portal. `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
UV := $(VENV)/bin/uv
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= partnercenter.settings.local

.DEFAULT_GOAL := help
.PHONY: help venv install install-dev lock audit migrate demo run test lint format check worker relay beat ci clean bench bench-quick screenshots messages messages-check

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV)/.created:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	@touch $@

# The lock files (every package, pinned, with its hashes) are what gets installed; requirements*.txt
# are the top-level pins they are compiled from (`make lock`).
$(VENV)/.installed: $(VENV)/.created requirements.lock
	$(PIP) install --quiet --require-hashes -r requirements.lock
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(PIP) install --quiet --require-hashes -r requirements-dev.lock
	@touch $@

# One resolution for Python 3.11 on every platform (the image and laptops alike), with the hashes of
# every file PyPI has for each pinned release. Versions already in a lock file are kept unless a pin
# needs another; `make lock LOCK_ARGS=--upgrade` (or `--upgrade-package NAME`) moves them on. The dev
# lock is constrained by the runtime one, so both agree on every shared package.
LOCK_FLAGS = --quiet --universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock" $(LOCK_ARGS)
define uv_compile
$(UV) pip compile $(LOCK_FLAGS) $(1) || { echo "PyPI unreachable? Retrying from uv's cache only." >&2; \
  $(UV) pip compile --offline $(LOCK_FLAGS) $(1); }
endef

venv: $(VENV)/.created ## Create the virtual environment

install: $(VENV)/.installed ## Install the runtime requirements (requirements.lock, every file hash-checked)

install-dev: $(VENV)/.installed-dev ## Install the development and test requirements (requirements-dev.lock, hash-checked)

lock: $(VENV)/.created ## Recompile requirements.lock and requirements-dev.lock (hashes) from requirements*.txt
	$(PIP) install --quiet "$$(grep -E '^uv==' requirements-dev.txt)"
	$(call uv_compile,requirements.txt --output-file requirements.lock)
	$(call uv_compile,requirements-dev.txt --constraints requirements.lock --output-file requirements-dev.lock)

audit: install-dev ## Check the locked dependencies for known vulnerabilities (pip-audit; pip-audit-ignore.txt)
	$(PY) scripts/audit_dependencies.py

migrate: install ## Apply database migrations
	$(PY) manage.py migrate --noinput

demo: migrate ## Load the demo scenario once (skipped when data exists)
	$(PY) manage.py load_scenario --if-empty scenarios/demo.yaml

run: demo ## Set everything up and serve the portal with demo data at http://127.0.0.1:8000
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install-dev ## Run the whole test suite (SQLite by default; PostgreSQL when DATABASE_URL is set)
	DJANGO_SETTINGS_MODULE=partnercenter.settings.test $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: install-dev ## ruff check and format check, the import layers (lint-imports) and no import cycle
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) scripts/import_cycles.py

format: install-dev ## Format the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install-dev ## Django system checks, missing migrations, scenario validation
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py load_scenario --check scenarios/demo.yaml

worker: install ## Run a Celery worker consuming every queue (needs REDIS_URL)
	$(VENV)/bin/celery -A partnercenter worker --loglevel=INFO

relay: install ## Run the dispatch relay: delivers filed requests in batches (needs PostgreSQL)
	$(PY) manage.py dispatch_relay

beat: install ## Run Celery beat (needs REDIS_URL; run exactly one)
	$(VENV)/bin/celery -A partnercenter beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule

bench: install ## Benchmark suite at 1,000,000 requests on PostgreSQL + Redis (bench/README.md)
	$(PY) -m bench.run $(BENCH_ARGS)

bench-quick: install ## Benchmark suite at 100,000 requests, under 3 minutes (bench/README.md)
	$(PY) -m bench.run --quick $(BENCH_ARGS)

ci: ## What CI runs (bash .ci/run)
	bash .ci/run

messages: install-dev ## Update the translation catalogues from the code (needs GNU gettext), then compile them
	$(PY) scripts/messages.py extract
	$(PY) scripts/messages.py compile

messages-check: install-dev ## Fail on an untranslated or fuzzy catalogue entry, or a stale .mo (after extracting)
	$(PY) scripts/messages.py extract
	$(PY) scripts/messages.py check

screenshots: install-dev ## Screenshots of the main pages per demo persona, desktop and phone, into docs/screenshots/ (Chromium)
	$(PY) scripts/screenshots.py

clean: ## Remove the virtual environment and the SQLite database
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache

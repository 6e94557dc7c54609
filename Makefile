# The two commands: `make run` and `make test`. Everything else is for developers and CI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test test-fast lint messages bench loadtest faulttest serve-prod format help

# The port `make run` serves on: `make run PORT=8001` when 8000 is taken.
PORT ?= 8000

# Test processes: pytest-xdist, one database per worker (SQLite file or PostgreSQL database).
TEST_WORKERS ?= auto

help:
	@echo "make run   - set up .venv, migrate, load demo data, serve on http://127.0.0.1:8000 (PORT=8001 for another port)"
	@echo "make test  - set up .venv (with test tools) and run the whole test suite"
	@echo "make test-fast - the inner loop: the suite without browser, deploy and slow tests"
	@echo "make lint  - ruff check, ruff format --check, makemigrations --check, import contracts, translations"
	@echo "make messages - update the translation catalogues in locale/ (needs GNU gettext) and compile them"
	@echo "make bench - seed 5000 patients x 6 months (once) and time the key pages (bench/)"
	@echo "make loadtest   - 50 patients for 60 s against gunicorn + PostgreSQL: nothing lost? (bench/)"
	@echo "make faulttest  - 20 patients through a database restart, stop, read-only episode, killed worker, reload (bench/)"
	@echo "make serve-prod - serve as production does: gunicorn, WhiteNoise, DEBUG off (needs DATABASE_URL)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Stamp files make the install step run again only when a requirements file changes.
$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

run: $(VENV)/.runtime-installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.dev-installed
	$(BIN)/python manage.py check
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

test-fast: $(VENV)/.dev-installed
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not browser and not deploy and not slow"

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py translations_check

# The shipped languages' catalogues (docs/languages.md). makemessages needs GNU gettext's
# xgettext; compiling uses polib, and the compiled .mo files are committed, so `make run` and
# `make test` need no gettext at all.
MESSAGES_IGNORE := --ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'staticfiles/*' --ignore 'static/vendor/*' --ignore 'media/*'
messages: $(VENV)/.dev-installed
	$(BIN)/python manage.py makemessages --no-obsolete --no-location --all $(MESSAGES_IGNORE)
	$(BIN)/python manage.py makemessages --no-obsolete --no-location --all -d djangojs $(MESSAGES_IGNORE)
	$(BIN)/python manage.py translations_check --compile || true

bench: $(VENV)/.dev-installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python -m bench.run

# Arguments for the load test, e.g. `make loadtest LOADTEST_ARGS="--db-pool 2"`.
LOADTEST_ARGS ?=
loadtest: $(VENV)/.dev-installed
	$(BIN)/python -m bench.loadtest $(LOADTEST_ARGS)

# Faults against a throwaway PostgreSQL cluster of its own (never the machine's server), about
# 7 minutes, e.g. `make faulttest FAULTTEST_ARGS="--faults stop,reload"`.
FAULTTEST_ARGS ?=
faulttest: $(VENV)/.dev-installed
	$(BIN)/python -m bench.faulttest $(FAULTTEST_ARGS)

# Production as it runs for real (gunicorn, WhiteNoise, DEBUG off, PostgreSQL). Without
# DJANGO_ALLOWED_HOSTS it is a local trial over plain http://127.0.0.1:8000, so HTTPS redirect
# and Secure cookies go off (a browser would drop them over http); naming a real host keeps
# every hardening flag on. Without DJANGO_SECRET_KEY a throwaway key is made for this run.
serve-prod: $(VENV)/.runtime-installed
	@if [ -z "$$DATABASE_URL" ]; then \
	  echo "serve-prod: set DATABASE_URL; production runs on PostgreSQL, e.g." >&2; \
	  echo "  createdb homeplan && DATABASE_URL=postgres://postgres@127.0.0.1:5432/homeplan make serve-prod" >&2; \
	  exit 2; \
	fi
	@set -e; export DJANGO_DEBUG=0; \
	if [ -z "$$DJANGO_SECRET_KEY" ]; then \
	  DJANGO_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))'); \
	  export DJANGO_SECRET_KEY; \
	  echo "serve-prod: DJANGO_SECRET_KEY unset: a throwaway key for this run (sessions end when it stops)."; \
	fi; \
	if [ -z "$$DJANGO_ALLOWED_HOSTS" ]; then \
	  export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost; \
	  export DJANGO_SECURE_SSL_REDIRECT=$${DJANGO_SECURE_SSL_REDIRECT:-0}; \
	  export DJANGO_SECURE_COOKIES=$${DJANGO_SECURE_COOKIES:-0}; \
	  echo "serve-prod: LOCAL PLAIN-HTTP TRIAL: DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost,"; \
	  echo "  DJANGO_SECURE_SSL_REDIRECT=$$DJANGO_SECURE_SSL_REDIRECT DJANGO_SECURE_COOKIES=$$DJANGO_SECURE_COOKIES."; \
	  echo "  Set DJANGO_ALLOWED_HOSTS to your real host name for production (HTTPS only)."; \
	fi; \
	$(BIN)/python manage.py collectstatic --noinput -v 0; \
	$(BIN)/python manage.py migrate --noinput; \
	echo "serve-prod: gunicorn on http://$${GUNICORN_BIND:-127.0.0.1:8000}/ (ctrl-C stops it)"; \
	exec $(BIN)/gunicorn -c clinic/gunicorn.conf.py

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

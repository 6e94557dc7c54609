# The two commands: `make run` and `make test`. Everything else is for developers and CI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint bench format help

help:
	@echo "make run   - set up .venv, migrate, load demo data, serve on http://127.0.0.1:8000"
	@echo "make test  - set up .venv (with test tools) and run the whole test suite"
	@echo "make lint  - ruff check, ruff format --check, makemigrations --check"
	@echo "make bench - seed 5000 patients x 6 months (once) and time the key pages (bench/)"

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
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(VENV)/.dev-installed
	$(BIN)/python manage.py check
	$(BIN)/python -m pytest

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: $(VENV)/.dev-installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python -m bench.run

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

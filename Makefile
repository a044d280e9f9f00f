# Hospital logistics platform. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.DEFAULT_GOAL := help
.PHONY: help run setup test lint format check messages messages-compile collectstatic demo clean-var

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-18s %s\n", $$1, $$2}'

run: setup ## set up everything on the embedded defaults and start web + worker + beat (Ctrl-C stops all)
	@$(BIN)/python scripts/banner.py --plan
	$(BIN)/honcho start -f Procfile

setup: $(VENV)/.runtime node_modules/.installed ## install dependencies, build assets, migrate, load demo data
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py sync_roles -v 0
	$(BIN)/python manage.py seed_demo --scale small

test: ## set up and run the whole test suite (starts throwaway PostgreSQL + Redis unless DATABASE_URL/REDIS_URL are set)
	bash scripts/test.sh

lint: $(VENV)/.test ## ruff lint + format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.test ## apply ruff formatting and fixes
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(VENV)/.runtime ## update the message catalogs from the source (needs gettext)
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --no-location --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*'
	$(BIN)/python manage.py makemessages -d djangojs -l zh_Hans -l en --no-location --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*'
	$(MAKE) messages-compile

messages-compile: $(VENV)/.runtime ## compile the catalogs (.po -> .mo; the .mo files are committed)
	$(BIN)/python manage.py compilemessages -v 0 --ignore '.venv/*' --ignore 'node_modules/*'

clean-var: ## delete the embedded run's data (SQLite, queue, cache, secret) under var/
	rm -rf var

$(VENV)/.runtime: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Quick start: `make run` serves the service with demo data; `make test` runs lint and tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
CONSTRAINTS := requirements/constraints.txt
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages the test suite drives for real (firewall validators, TURN server, browser,
# the Redis servers that fault tests start, kill and hang, Node for the npm packages in .npm-test),
# as command:package pairs; only the packages of missing commands are installed (a Node.js from
# another source ships its own npm, which Debian's npm package conflicts with).
SYSTEM_DEPS ?= iptables-restore:iptables ip6tables-restore:iptables nft:nftables \
	turnserver:coturn chromium:chromium wrk:wrk unshare:util-linux redis-server:redis-server \
	shellcheck:shellcheck node:nodejs npm:npm

.PHONY: install run run-stack test lint format lock system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) ".[dev]"
	@rm -rf build *.egg-info
	@touch $(STAMP)

install: $(STAMP)

system-deps:
	@missing=""; for pair in $(SYSTEM_DEPS); do \
		command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

run: export DEBUG ?= 1
run: $(STAMP)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_reference_data
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	@echo "Admin: http://$(HOST):$(PORT)/admin/"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Web (gunicorn), worker and beat as deployed (see deploy/), run by honcho against a Redis
# server of their own on REDIS_PORT; Ctrl-C stops them all.
REDIS_PORT ?= 6390
run-stack: export DEBUG ?= 1
run-stack: export REDIS_PORT := $(REDIS_PORT)
run-stack: export CELERY_BROKER_URL ?= redis://127.0.0.1:$(REDIS_PORT)/0
run-stack: export CACHE_URL ?= redis://127.0.0.1:$(REDIS_PORT)/1
run-stack: export GUNICORN_BIND ?= $(HOST):$(PORT)
run-stack: export WEB_CONCURRENCY ?= 2
run-stack: export PATH := $(abspath $(BIN)):$(PATH)
run-stack: $(STAMP)
	@command -v redis-server >/dev/null || { echo "run-stack needs redis-server (apt-get install redis-server)"; exit 1; }
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_reference_data
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	@echo "Admin: http://$(HOST):$(PORT)/admin/"
	$(BIN)/honcho -f deploy/Procfile.dev -d . start

test: export SECRET_KEY ?= insecure-key-for-the-test-suite-only
test: $(STAMP) system-deps
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-resolve dependencies within pyproject's ranges and pin them for reproducible installs.
lock: | $(BIN)/python
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet ".[dev]"
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^proxy-provisioning' > $(CONSTRAINTS)
	rm -rf .venv-lock build *.egg-info

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache db.sqlite3 celerybeat-schedule*

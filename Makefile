# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist): one per core by default; PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= auto

.PHONY: run test test-fast install migrate demo serve lint check security messages lock clean rehearsal nation

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_exposition
	$(PY) manage.py load_demo

## make run: set up everything on SQLite and serve http://$(HOST):$(PORT), with one task
## worker beside the server (background jobs, periodic tasks); Ctrl-C stops both.
run: demo
	@echo ""
	@echo "Civil Affairs Study Portal: http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "Sign in with one of the demo accounts printed above."
	@echo "A task worker runs beside the server (manage.py run_worker)."
	@echo ""
	@$(PY) manage.py run_worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund; else \
	  echo "npm not found: the accessibility tests will skip"; fi

## make test: the whole suite (SQLite by default; PostgreSQL when DATABASE_URL is set)
test: install node_modules/.package-lock.json
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## make test-fast: the edit-test loop: no browser tests, no long tests, two processes
test-fast: install
	$(BIN)/pytest -n 2 -m "not browser and not long" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## make security: bandit over the project's code (each accepted finding carries an exemption comment saying why)
security: install
	$(BIN)/bandit -q -r portal expositions org training devtools api -x '*/migrations/*'

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

## make serve: gunicorn with production settings (needs DATABASE_URL and DJANGO_SECRET_KEY)
serve: install
	DJANGO_DEBUG=false $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=false $(PY) manage.py collectstatic --noinput -v0
	DJANGO_DEBUG=false $(BIN)/gunicorn portal.wsgi --bind $(HOST):$(PORT) \
		--workers $${WEB_CONCURRENCY:-3} --access-logfile -

## make rehearsal: the national deployment rehearsed on this machine (bench/cluster.py; root,
## pgbouncer, redis-server, Locust): two app hosts, a primary and a replica 5 s behind,
## PgBouncer, Redis, the worker, in network namespaces; read-your-writes, load, failure drills.
## Not part of `make test`. REHEARSAL_ARGS="--cadres 20000 --drills" to choose.
REHEARSAL_ARGS ?= --drills
rehearsal: install
	$(PY) bench/cluster.py $(REHEARSAL_ARGS)

## make nation: a generated nation for the benchmarks (issue #37: 31 provinces, 1,000,000 cadres,
## 50,000,000 completions) in a new PostgreSQL database $(NATION_DB), dropped first if it is
## there. Measured: 26 minutes on a 2-core machine; the database takes 15 GB (bench/RESULTS.md).
## NATION_ARGS="--cadres 100000" for a tenth.
NATION_DB ?= portal_bench_nation
NATION_ARGS ?=
NATION_ENV = DJANGO_DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/$(NATION_DB)
nation: install
	psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $(NATION_DB) WITH (FORCE)" -c "CREATE DATABASE $(NATION_DB)"
	$(NATION_ENV) $(PY) manage.py migrate --noinput -v0
	$(NATION_ENV) $(PY) manage.py generate_demo_data --nation $(NATION_ARGS)

## make messages: refresh and compile the translation catalogues
messages: install
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --ignore=test-artifacts --no-obsolete
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

## make lock: re-pin requirements.lock after changing pyproject.toml
lock:
	rm -rf /tmp/portal-lock-venv && $(PYTHON) -m venv /tmp/portal-lock-venv
	/tmp/portal-lock-venv/bin/pip install --quiet -e '.[dev,bench]'
	{ echo "# Pinned versions for reproducible installs: make lock regenerates it from pyproject.toml."; \
	  /tmp/portal-lock-venv/bin/pip freeze --exclude-editable | grep -v '^#'; } > requirements.lock

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

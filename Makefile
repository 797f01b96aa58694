# The two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run worker test lint bench fuzz loadtest loadtest-scale demo clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,dev]"
	touch $@

# dbt and Feast, for the connector tests only: their pins clash with the app's (pandas, mypy),
# so they live in a venv of their own and the tests run them as commands.
TOOLS_VENV ?= .venv-tools
$(TOOLS_VENV)/.installed:
	$(PYTHON) -m venv $(TOOLS_VENV)
	$(TOOLS_VENV)/bin/python -m pip install --quiet 'dbt-core>=1.9,<1.11' \
	  'dbt-duckdb>=1.9,<1.12' 'feast>=0.60,<1'
	touch $@

install: $(VENV)/.installed

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo

## run: the app on the embedded default (SQLite, tasks inline) with demo data
run: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

## worker: a Celery worker, for when REDIS_URL is set
worker: install
	$(VENV)/bin/celery -A valuechain worker --loglevel=info

## test: the whole suite
test: install $(TOOLS_VENV)/.installed
	$(PY) -m pytest

## lint: style, format, complexity, types and the import layers (the engine imports no Django...)
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	PYTHONPATH=. $(VENV)/bin/lint-imports --no-cache

## bench: every benchmark under bench/
bench: install
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

## fuzz: schemathesis over the API schema and hostile queries and forms on every page, against
## a throwaway database on a loopback server; passes on no server error (5xx). Budget:
## FUZZ_EXAMPLES cases per API operation and kind, FUZZ_PAGE_REQUESTS page requests.
FUZZ_PORT ?= 8765
FUZZ_EXAMPLES ?= 10
FUZZ_PAGE_REQUESTS ?= 1500
FUZZ_DIR := .fuzz
fuzz: install
	$(PY) -m pip install -q -e ".[fuzz]"
	rm -rf $(FUZZ_DIR) && mkdir -p $(FUZZ_DIR)
	@set -e; \
	export DATABASE_URL=sqlite:///$(CURDIR)/$(FUZZ_DIR)/fuzz.sqlite3 DEBUG=false \
	  AXES_ENABLED=false REDIS_URL= THROTTLE_ANON=100000/minute THROTTLE_AUTH=100000/minute \
	  THROTTLE_USER=100000/minute MEDIA_ROOT=$(CURDIR)/$(FUZZ_DIR)/media LOG_LEVEL=WARNING \
	  FUZZ_URL=http://127.0.0.1:$(FUZZ_PORT) FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
	  FUZZ_PAGE_REQUESTS=$(FUZZ_PAGE_REQUESTS); \
	$(PY) manage.py migrate --noinput -v 0; \
	$(PY) manage.py load_demo > /dev/null; \
	$(PY) manage.py runserver --noreload 127.0.0.1:$(FUZZ_PORT) > $(FUZZ_DIR)/server.log 2>&1 & \
	server=$$!; trap 'kill $$server 2>/dev/null' EXIT INT TERM; \
	for i in $$(seq 60); do curl -fs http://127.0.0.1:$(FUZZ_PORT)/healthz/ > /dev/null && break; sleep 1; done; \
	status=0; \
	$(PY) bench/fuzz_api.py || status=1; \
	$(PY) bench/fuzz_pages.py || status=1; \
	exit $$status

## loadtest: locust against gunicorn (as production runs it) on a throwaway PostgreSQL
## database and Redis, all on 127.0.0.1, over a generated company of LOAD_IDEAS ideas and
## LOAD_ASSETS assets; LOAD_USERS users for LOAD_SECONDS per endpoint. Prints requests/s, p50
## and p95 per endpoint, each p95 also as a ratio of a trivial view's in the same run.
## loadtest-scale: the ROI endpoint at each catalogue size of LOAD_SCALE_ASSETS.
LOAD_IDEAS ?= 2000
LOAD_ASSETS ?= 5000
LOAD_SCALE_ASSETS ?= 1000 20000
# As many users as gunicorn workers, each asking again as soon as it is answered: every worker
# busy, no request queued behind another (more users measure the queue, not the request).
LOAD_USERS ?= 3
LOAD_SECONDS ?= 20
LOAD_ENV = PY=$(PY) LOAD_IDEAS=$(LOAD_IDEAS) LOAD_ASSETS=$(LOAD_ASSETS) \
  LOAD_SCALE_ASSETS="$(LOAD_SCALE_ASSETS)" LOAD_USERS=$(LOAD_USERS) LOAD_SECONDS=$(LOAD_SECONDS)
loadtest: install
	$(PY) -m pip install -q -e ".[load]"
	$(LOAD_ENV) bench/loadtest/run.sh

loadtest-scale: install
	$(PY) -m pip install -q -e ".[load]"
	$(LOAD_ENV) bench/loadtest/run.sh scale

clean:
	rm -rf $(VENV) $(TOOLS_VENV) $(FUZZ_DIR) .loadtest staticfiles .pytest_cache .mypy_cache .ruff_cache

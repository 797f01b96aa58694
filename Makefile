# The two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run worker test lint bench demo clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,dev]"
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
test: install
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

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache

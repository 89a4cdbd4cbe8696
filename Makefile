# yichuang 一窗 — everyday commands. Only Python 3.11 is needed; everything else is installed here.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test run lint format bench bench-catalog bench-sweep bench-cases bench-licences bench-hall bench-dispatch bench-supervision clean

# Create the virtual environment and install pinned dependencies (re-run when the pins change).
$(VENV)/.installed-runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-runtime requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

## make demo — set up, load the demo centre and serve it at http://$(HOST):$(PORT)
demo: $(VENV)/.installed-runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_load
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## make run — serve without reloading the demo
run: $(VENV)/.installed-runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## make test — the whole suite (DATABASE_URL picks the database; browser tests need Chromium)
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make bench — print performance figures (needs PostgreSQL, see bench/README.md)
bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.api_read

## make bench-sweep — the deadline sweep over 1,000,000 open cases on PostgreSQL (target < 10 s)
bench-sweep: $(VENV)/.installed-dev
	$(BIN)/python -m bench.case_sweep

## make bench-catalog — catalog search p50/p95 over 56,000 items on SQLite and PostgreSQL
bench-catalog: $(VENV)/.installed-dev
	$(BIN)/python -m bench.catalog_search

## make bench-cases — full case lifecycles over the API, 32 clients, gunicorn on PostgreSQL (bench_cases)
bench-cases: $(VENV)/.installed-dev
	$(BIN)/python -m bench.case_lifecycle $(BENCH_ARGS)

## make bench-licences — issue and verify 10,000 e-licences on PostgreSQL (bench_licences; target verify p95 < 20 ms)
bench-licences: $(VENV)/.installed-dev
	$(BIN)/python -m bench.licences $(BENCH_ARGS)

## make bench-hall — 20 kiosks × 1,000 numbers at once (p95 < 100 ms) and a simulated day, tidal on/off (PostgreSQL)
bench-hall: $(VENV)/.installed-dev
	$(BIN)/python -m bench.hall_rush $(BENCH_ARGS)

## make bench-dispatch — the 12345 classifier: top-1/top-3 accuracy on a fixed split, suggestion latency p95
bench-dispatch: $(VENV)/.installed-dev
	$(BIN)/python -m bench.dispatch $(BENCH_ARGS)

## make bench-supervision — 5,000,000 cases of a league on PostgreSQL: dashboard p95 (< 300 ms) and the match with a direct aggregation
bench-supervision: $(VENV)/.installed-dev
	$(BIN)/python -m bench.supervision $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3* .pytest_cache

# The two commands of the README. Both set up a virtual environment in .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
POLICY ?= national

.PHONY: setup dev demo test lint

$(BIN)/appraisal: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/appraisal

dev: setup  ## the whole stack on this machine: Temporal, worker, API on :8000, a demo city
	$(BIN)/appraisal dev --demo --policy $(POLICY)

demo: setup  ## run one fictional employee's whole year, step by step
	$(BIN)/appraisal demo --policy $(POLICY)

test: setup  ## the whole suite (SQLite unless DATABASE_URL is set)
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .

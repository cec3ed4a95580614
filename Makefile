# The README's two commands (dev, test), and the others of a working day. Each sets up a virtual
# environment in .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
POLICY ?= national

.PHONY: setup dev demo test test-fast lint

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

CHROMIUM ?= /usr/bin/chromium

$(CHROMIUM):  ## the browser tests drive Debian's Chromium (never a downloaded browser)
	apt-get install -y chromium >/dev/null || (apt-get update >/dev/null && apt-get install -y chromium >/dev/null)

# The suite in three processes (pytest-xdist), each with its own database and Temporal dev server
# (tests/conftest.py): on two cores a third keeps them busy while the others wait on servers and
# subprocesses (6m23s against 8m05s for two, one after the other on a quiet machine). A file's
# tests stay together in one process, so a module's fixture (a dev stack, a simulated year)
# starts once; the files holding a `slow` test go out first, in their order (not xdist's
# most-tests-first), and the small files even out the end.
TEST_PROCESSES ?= 3
SPLIT := -n $(TEST_PROCESSES) --dist loadfile --no-loadscope-reorder

test: setup $(CHROMIUM)  ## the whole suite (SQLite unless DATABASE_URL is set)
	CHROMIUM=$(CHROMIUM) $(BIN)/pytest -q $(SPLIT)

test-fast: setup  ## domain, store, service, API and web unit tests: no Temporal server, no subprocess
	$(BIN)/pytest -q -m "not temporal" tests/domain tests/store tests/services tests/api tests/web

lint: setup  ## ruff, strict mypy and the layer contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports --no-logo

# Everything installs from this repository's own files into .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := False

.PHONY: demo test test-fast lint format dev clean

PIP_QUIET := --quiet --disable-pip-version-check --no-input

$(STAMP): pyproject.toml
	@echo "installing cx-warehouse and its dependencies into $(VENV) (once; a few minutes)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install $(PIP_QUIET) --upgrade pip
	@$(BIN)/pip install $(PIP_QUIET) -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cx-pipeline demo

# The tests' data directories in memory where the system has it: a load commits a few
# thousand small SQLite transactions (Dagster's event log), each a disk flush on a disk.
TEST_TMP := $(shell test -d /dev/shm && test -w /dev/shm && echo /dev/shm)
PYTEST := $(if $(TEST_TMP),PYTEST_DEBUG_TEMPROOT=$(TEST_TMP)) $(BIN)/python -m pytest

# Two worker processes (the loads are mostly one busy core each); tests sharing a
# module's loaded data directory stay on one worker.
test: $(STAMP) lint
	$(PYTEST) -q -n 2 --dist loadgroup

# The edit-run loop: every test that does not run the pipeline (no load, no Dagster run).
test-fast: $(STAMP)
	$(PYTEST) -q -n 2 -m "not load"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The Dagster UI, daemon, schedule and sensor on the same instance the CLI uses.
dev: $(STAMP)
	DAGSTER_HOME=$${DAGSTER_HOME:-$$(pwd)/data/dagster_home} $(BIN)/python -c \
	  "from cx_pipeline.instance.home import ensure_dagster_home; ensure_dagster_home()"
	DAGSTER_HOME=$${DAGSTER_HOME:-$$(pwd)/data/dagster_home} $(BIN)/dagster dev -w workspace.yaml

clean:
	rm -rf $(VENV) dbt_project/target data

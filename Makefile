# The two commands: `make run` builds the warehouse, `make test` runs lint and the tests.
# Both set everything up first: uv (into .tools/, never the global Python) and .venv from uv.lock.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.9
TOOLS := $(CURDIR)/.tools
UV := $(TOOLS)/bin/uv
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin

export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Project-local state for Dagster CLIs started by make (faultlines sets the same defaults itself).
export DAGSTER_HOME ?= $(CURDIR)/.faultlines/dagster

.PHONY: help setup setup-spark run test test-spark lint ui docs status report serve-sql sql bench clean

help:  ## list the targets
	@grep -E '^[a-z][a-z-]*:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(UV):
	@echo "bootstrapping uv $(UV_VERSION) into .tools/"
	@$(PYTHON) -m venv $(TOOLS)
	@$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# The Spark engine's packages (pyspark, dbt-spark) are the `spark` extra, installed when FAULTLINES_ENGINE=spark
# or ARGS name `--engine spark`, and by setup-spark and test-spark. A sync is exact: `make test` and a DuckDB user
# run without them. The stamp names what the env was synced for, so switching engines syncs again.
ENGINE := $(if $(or $(filter spark,$(FAULTLINES_ENGINE)),$(findstring --engine spark,$(ARGS))),spark,duckdb)

# --compile-bytecode: every process (each run, dbt's, each test's) imports Dagster, dbt and dlt; where Python may
# not write its caches (PYTHONDONTWRITEBYTECODE, as set on the machine this was measured on) each one compiled them
# again: 1.2-2.3 s more to import the Dagster definitions. Compiling once at install costs about 15 s on 2 cores.
# The stamp also depends on this Makefile, so an env made before is synced (and compiled) again.
$(VENV)/.synced-%: $(UV) uv.lock pyproject.toml Makefile
	@rm -f $(VENV)/.synced-*
	$(UV) sync --locked --compile-bytecode $(if $(filter spark,$*),--extra spark)
	@touch $@

setup: $(VENV)/.synced-$(ENGINE)  ## create .venv from uv.lock (with the spark extra when FAULTLINES_ENGINE=spark)

setup-spark: $(VENV)/.synced-spark  ## create .venv from uv.lock with the Spark engine's packages

run: setup  ## build the warehouse (auto mode: live APIs, else bundled sample data)
	$(BIN)/faultlines run $(ARGS)

# Two workers: the e2e tests (one shared CLI build) and the tests sharing one replay build run side by side.
test: $(VENV)/.synced-duckdb  ## lint + the whole test suite
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

# Not part of `make test` (its 15-minute budget is full): CI runs it after. One DuckDB and one Spark build of the
# sample at 10 companies, every mart compared. Needs Java 17 (.ci/run installs it).
test-spark: setup-spark  ## the Spark engine: build the sample on DuckDB and on Spark, compare every mart
	$(BIN)/pytest -m spark tests/spark $(PYTEST_ARGS)

lint: setup  ## ruff only
	$(BIN)/ruff check .

ui: setup  ## the Dagster UI on http://127.0.0.1:3000 (sample warehouse; MODE=live for the live one)
	$(BIN)/faultlines ui --mode $(or $(MODE),sample)

docs: setup  ## the dbt docs site on http://127.0.0.1:8080 (built from the published warehouse; no internet needed)
	$(BIN)/faultlines docs $(if $(MODE),--mode $(MODE)) --port $(or $(PORT),8080)

report: setup  ## one self-contained HTML report from the published warehouse (OUT=path to choose the file)
	$(BIN)/faultlines report $(if $(MODE),--mode $(MODE)) $(if $(OUT),--out $(OUT))

serve-sql: setup  ## read-only PostgreSQL wire on 127.0.0.1:5433 over the published warehouse (psql, BI tools)
	$(BIN)/faultlines serve-sql $(if $(MODE),--mode $(MODE)) --port $(or $(PORT),5433)

sql: setup  ## interactive read-only SQL shell on the published warehouse (history, Tab completion; MODE=live)
	$(BIN)/faultlines sql $(if $(MODE),--mode $(MODE))

status: setup  ## last runs, freshness per source table, failing checks
	$(BIN)/faultlines status $(if $(MODE),--mode $(MODE))

bench: setup  ## benchmarks at scale 1 and 10: ingest vs DuckDB native read and a naive loader, full vs incremental build, growth
	$(BIN)/python benchmarks/bench.py

clean:  ## remove the environment and every generated file (warehouses included)
	rm -rf $(VENV) $(TOOLS) .faultlines dbt_project/target dbt_project/logs

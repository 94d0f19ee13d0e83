"""Great Expectations suites (``expectations/``) run against the warehouse, one suite per raw table (the marts'
rules are dbt tests: dbt_project/README.md says which rules each owns).

GX 1.x is used directly (dagster-ge supports only GX < 1) and imported lazily: it takes seconds to import, and only
runs that evaluate a suite pay for it. GX's SQL data source does not work with DuckDB, so each suite's query is
read into pandas by DuckDB and validated with GX's pandas data source, in an ephemeral context (nothing is written
to disk, usage statistics off).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import yaml

from ingestion import settings

EXPECTATIONS_DIR = settings.REPO_ROOT / "expectations"


class SuiteError(ValueError):
    """A suite file cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class Suite:
    name: str
    asset: str  # the Dagster asset key, `schema/table`
    description: str
    sql: str
    expectations: list[dict[str, Any]]
    blocking: bool = True
    path: Path | None = None


@dataclass
class SuiteResult:
    suite: Suite
    success: bool
    rows: int
    evaluated: int
    failures: list[dict[str, Any]] = field(default_factory=list)

    def metadata(self) -> dict[str, Any]:
        """What the check shows in the UI: how much was checked and, per failed expectation, what and how often."""
        return {"suite": self.suite.name, "rows_validated": self.rows, "expectations": self.evaluated,
                "failed_expectations": len(self.failures), "failures": self.failures,
                "suite_file": str(self.suite.path.relative_to(settings.REPO_ROOT)) if self.suite.path else ""}

    def summary(self) -> str:
        if self.success:
            return f"{self.suite.name}: {self.evaluated} expectations met on {self.rows:,} rows"
        first = self.failures[0]
        return (f"{self.suite.name}: {len(self.failures)} of {self.evaluated} expectations failed, e.g. "
                f"{first['expectation']} on {first.get('column') or 'the table'}"
                + (f" ({first['unexpected_count']} rows, e.g. {first['examples']})" if first.get("unexpected_count")
                   else f" (observed {first.get('observed')})"))


def load_suite(path: Path) -> Suite:
    try:
        raw = yaml.safe_load(path.read_text())
        return Suite(name=path.stem, asset=raw["asset"],
                     description=raw.get("description", ""), sql=raw["sql"], expectations=raw["expectations"],
                     blocking=raw.get("blocking", True), path=path)
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        raise SuiteError(f"expectation suite {path}: {exc!r}; see expectations/README.md for the format") from exc


@functools.cache
def load_suites(directory: Path = EXPECTATIONS_DIR) -> tuple[Suite, ...]:
    return tuple(load_suite(p) for p in sorted(directory.rglob("*.yml")))


def suites_for(asset_prefix: str) -> list[Suite]:
    return [s for s in load_suites() if s.asset.startswith(asset_prefix)]


@functools.cache
def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults(), analytics_enabled=False,
                               progress_bars=ProgressBarsConfig(globally=False))
    context = gx.get_context(project_config=config, mode="ephemeral")
    batches = context.data_sources.add_pandas("faultlines").add_dataframe_asset("frame")
    return context, batches.add_batch_definition_whole_dataframe("whole_frame")


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def validate(suite: Suite, con: duckdb.DuckDBPyConnection) -> SuiteResult:
    """Read the suite's frame from DuckDB and validate it; a missing table is a failure, not a crash."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    try:
        frame = con.execute(suite.sql).df()
    except duckdb.Error as exc:
        failure = {"expectation": "the suite's query runs", "column": None, "observed": str(exc).splitlines()[0]}
        return SuiteResult(suite, False, 0, 1, [failure])
    _, batch_definition = _context()
    gx_suite = gx.ExpectationSuite(name=suite.name)
    for expectation in suite.expectations:
        gx_suite.add_expectation_configuration(ExpectationConfiguration(**expectation))
    result = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(
        gx_suite, result_format="SUMMARY")
    failures = []
    for item in result.results:
        if item.success:
            continue
        kwargs = item.expectation_config.kwargs
        details = item.result or {}
        failures.append({
            "expectation": item.expectation_config.type,
            "column": kwargs.get("column") or kwargs.get("column_list") or (
                f"{kwargs['column_A']} vs {kwargs['column_B']}" if "column_A" in kwargs else None),
            "unexpected_count": details.get("unexpected_count"),
            "examples": _jsonable((details.get("partial_unexpected_list") or [])[:5]),
            "observed": _jsonable(details.get("observed_value")),
            "error": (item.exception_info or {}).get("exception_message") if not details else None,
        })
    return SuiteResult(suite, bool(result.success), len(frame), len(result.results), failures)

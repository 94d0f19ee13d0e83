"""Great Expectations suites (``expectations/``) run against the warehouse, one suite per raw table (the marts'
rules are dbt tests: dbt_project/README.md says which rules each owns).

GX 1.x is used directly (dagster-ge supports only GX < 1) and imported lazily: it takes seconds to import, and only
runs that evaluate a suite pay for it. GX's SQL data source does not work with DuckDB, so each suite's query is
read into pandas by DuckDB and validated with GX's pandas data source, in an ephemeral context (nothing is written
to disk, usage statistics off).
"""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Sequence
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
    batch_by: str | None = None  # a column of ``sql``: large results are validated in batches of its values
    # A column of ``sql`` holding dlt's load id: a run that loaded the table validates the rows its loads wrote.
    load_id_column: str | None = None

    def unique_keys(self) -> list[list[str]]:
        """The columns of each uniqueness expectation."""
        keys = []
        for expectation in self.expectations:
            kwargs = expectation.get("kwargs", {})
            if expectation["type"] == "expect_compound_columns_to_be_unique":
                keys.append(list(kwargs["column_list"]))
            elif expectation["type"].endswith("_unique") and "column" in kwargs:
                keys.append([kwargs["column"]])
        return keys


@dataclass
class SuiteResult:
    suite: Suite
    success: bool
    rows: int
    evaluated: int
    failures: list[dict[str, Any]] = field(default_factory=list)
    batches: int = 1  # frames GX validated (suites with ``batch_by`` over BATCH_ROWS rows)
    rows_written: int | None = None  # rows validated when only those the run's loads wrote were (load_id_column)

    def metadata(self) -> dict[str, Any]:
        """What the check shows in the UI: how much was checked and, per failed expectation, what and how often."""
        return {"suite": self.suite.name, "rows_in_table": self.rows, "batches": self.batches,
                "rows_validated": self.rows if self.rows_written is None else self.rows_written,
                "only_rows_this_run_wrote": self.rows_written is not None,
                "expectations": self.evaluated,
                "failed_expectations": len(self.failures), "failures": self.failures,
                "suite_file": str(self.suite.path.relative_to(settings.REPO_ROOT)) if self.suite.path else ""}

    def summary(self) -> str:
        if self.success:
            return f"{self.suite.name}: {self.evaluated} expectations met on " + (
                f"{self.rows:,} rows" if self.rows_written is None
                else f"the {self.rows_written:,} rows this run's loads wrote (of {self.rows:,})")
        first = self.failures[0]
        return (f"{self.suite.name}: {len(self.failures)} of {self.evaluated} expectations failed, e.g. "
                f"{first['expectation']} on {first.get('column') or 'the table'}"
                + (f" ({first['unexpected_count']} rows, e.g. {first['examples']})" if first.get("unexpected_count")
                   else f" (observed {first.get('observed')})"))


def load_suite(path: Path) -> Suite:
    try:
        raw = yaml.safe_load(path.read_text())
        suite = Suite(name=path.stem, asset=raw["asset"],
                      description=raw.get("description", ""), sql=raw["sql"], expectations=raw["expectations"],
                      blocking=raw.get("blocking", True), path=path, batch_by=raw.get("batch_by"),
                      load_id_column=raw.get("load_id_column"))
        keys = suite.unique_keys()
    except (yaml.YAMLError, KeyError, TypeError) as exc:
        raise SuiteError(f"expectation suite {path}: {exc!r}; see expectations/README.md for the format") from exc
    for key in keys if suite.batch_by else ():
        if suite.batch_by not in key:
            raise SuiteError(f"expectation suite {path}: uniqueness of {key} would miss duplicates in different "
                             f"batches: batch_by ({suite.batch_by}) must be one of its columns")
    if suite.load_id_column and len(keys) > 1:
        raise SuiteError(f"expectation suite {path}: with load_id_column, at most one uniqueness expectation (the "
                         f"rows sharing its key with a new row are validated with them); found {keys}")
    return suite


@functools.cache
def load_suites(directory: Path = EXPECTATIONS_DIR) -> tuple[Suite, ...]:
    return tuple(load_suite(p) for p in sorted(directory.rglob("*.yml")))


def suites_for(asset_prefix: str) -> list[Suite]:
    return [s for s in load_suites() if s.asset.startswith(asset_prefix)]


@functools.cache
def _context():
    # GX logs 80 lines at INFO while it imports ("Skipping registering function ..."): not for a run's log file.
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
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


# Rows per frame GX validates. DuckDB's conversion of the bars at scale 50 (13M rows, 0.9 GB as a frame) to pandas
# peaked at 3.1 GB; a suite with ``batch_by`` is validated in batches of about this many rows instead. The bars'
# suite at scale 50 alone: 1.8 GB peak (30.2 s) in batches of 2M rows, 1.3 GB (27.9 s) of 1M, 1.0 GB (33.0 s) of 0.5M.
BATCH_ROWS = 1_000_000


def validate(suite: Suite, con: duckdb.DuckDBPyConnection, batch_rows: int = BATCH_ROWS,
             load_ids: Sequence[str] = ()) -> SuiteResult:
    """Read the suite's frame from DuckDB and validate it; a missing table is a failure, not a crash.

    A result over ``batch_rows`` with ``batch_by`` set is validated in batches (rows split by a hash of that column,
    so a uniqueness key that holds it is checked whole in one batch): the table's own expectations (its row count)
    on a frame of one flag per row, every other expectation on each batch, their failures added up.

    With ``load_ids`` (the loads of the run checking the table) and a ``load_id_column``, only the rows those loads
    wrote are validated, with every row sharing a uniqueness key with one of them; the table's own expectations
    still on the whole result. The rest passed this suite when their own loads were checked (a load that fails a
    blocking suite is taken back). Derived columns (``gap_days``) are computed over the whole table first."""
    try:
        rows = con.execute(f"select count(*) from ({suite.sql}) as suite").fetchone()[0]
        if load_ids and suite.load_id_column:
            written = _written_rows_sql(suite, load_ids)
            written_rows = con.execute(f"select count(*) from ({written}) as written").fetchone()[0]
            if written_rows <= batch_rows:  # else (a first load: every row is new) as below, in batches
                result = _result(suite, [_validated(_of_table(suite), _row_flags(suite, con)),
                                         _validated(_of_rows(suite), con.execute(written).df())], rows)
                result.rows_written = written_rows
                return result
        batches = -(-rows // batch_rows) if suite.batch_by and rows > batch_rows else 1
        if batches == 1:
            return _result(suite, [_validated(suite.expectations, con.execute(suite.sql).df())], rows)
        validated = [_validated(_of_table(suite), _row_flags(suite, con))]
        for where in _batches(suite, con, batches):
            validated.append(_validated(_of_rows(suite),
                                        con.execute(f"select * from ({suite.sql}) as suite where {where}").df()))
        return _result(suite, validated, rows, len(validated) - 1)
    except duckdb.Error as exc:
        failure = {"expectation": "the suite's query runs", "column": None, "observed": str(exc).splitlines()[0]}
        return SuiteResult(suite, False, 0, 1, [failure])


def _of_table(suite: Suite) -> list[dict[str, Any]]:
    return [e for e in suite.expectations if e["type"].startswith("expect_table_")]


def _of_rows(suite: Suite) -> list[dict[str, Any]]:
    return [e for e in suite.expectations if not e["type"].startswith("expect_table_")]


def _row_flags(suite: Suite, con: duckdb.DuckDBPyConnection):
    """One flag per row of the suite's result: the frame the table's own expectations (its row count) are judged on
    when its rows are validated in parts."""
    return con.execute(f"select true as row_present from ({suite.sql}) as suite").df()


def _literal(value: Any) -> str:
    return str(value) if isinstance(value, int | float) else "'" + str(value).replace("'", "''") + "'"


def _written_rows_sql(suite: Suite, load_ids: Sequence[str]) -> str:
    """The rows of the suite's result that ``load_ids`` wrote, and every other row sharing a uniqueness key with one
    of them (a new row duplicating an old one is a duplicate too)."""
    column, ids = suite.load_id_column, ", ".join(_literal(i) for i in load_ids)
    written = f"select * from ({suite.sql}) as suite where {column} in ({ids})"
    for key in suite.unique_keys()[:1]:  # at most one (load_suite)
        written += (f" union all select earlier.* from ({suite.sql}) as earlier semi join ({written}) as written "
                    f"using ({', '.join(key)}) where coalesce(earlier.{column}, '') not in ({ids})")
    return written


def _batches(suite: Suite, con: duckdb.DuckDBPyConnection, batches: int) -> list[str]:
    """The filters of ``batches`` batches: the batch column's values dealt out in turn, as literal IN lists (DuckDB
    pushes those below window functions partitioned by the column, so a batch reads and sorts only its own rows; a
    hash() of the column or a list parameter was applied after a window over the whole table, 4x slower), and its
    NULLs, if any, as a batch of their own."""
    column = suite.batch_by
    values = [row[0] for row in con.execute(
        f"select distinct {column} from ({suite.sql}) as suite order by 1 nulls last").fetchall()]
    filters = []
    if values and values[-1] is None:
        values.pop()
        filters.append(f"{column} is null")

    return [f"{column} in ({', '.join(_literal(v) for v in values[i::batches])})"
            for i in range(min(batches, len(values)))] + filters


def _validated(expectations: list[dict[str, Any]], frame) -> list[tuple[str, dict[str, Any] | None]]:
    """Each expectation's failure on ``frame`` (None when met), keyed by the expectation."""
    if not expectations:
        return []
    _, batch_definition = _context()  # GX imported (quietly) there first
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    gx_suite = gx.ExpectationSuite(name="frame")
    for expectation in expectations:
        gx_suite.add_expectation_configuration(ExpectationConfiguration(**expectation))
    result = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(
        gx_suite, result_format="SUMMARY")
    outcomes = []
    for item in result.results:
        kwargs = item.expectation_config.kwargs
        details = item.result or {}
        column = kwargs.get("column") or kwargs.get("column_list") or (
            f"{kwargs['column_A']} vs {kwargs['column_B']}" if "column_A" in kwargs else None)
        key = f"{item.expectation_config.type} {json.dumps(kwargs, sort_keys=True, default=str)}"
        outcomes.append((key, None if item.success else {
            "expectation": item.expectation_config.type,
            "column": column,
            "unexpected_count": details.get("unexpected_count"),
            "examples": _jsonable((details.get("partial_unexpected_list") or [])[:5]),
            "observed": _jsonable(details.get("observed_value")),
            "error": (item.exception_info or {}).get("exception_message") if not details else None,
        }))
    return outcomes


def _result(suite: Suite, validated: list[list[tuple[str, dict[str, Any] | None]]], rows: int,
            batches: int = 1) -> SuiteResult:
    """One result from the batches': an expectation fails if it failed in any batch, with the counts added up."""
    failures: dict[str, dict[str, Any]] = {}
    evaluated = set()
    for key, failure in (outcome for batch in validated for outcome in batch):
        evaluated.add(key)
        if failure is None:
            continue
        if key not in failures:
            failures[key] = failure
            continue
        merged = failures[key]
        if failure["unexpected_count"] is not None:
            merged["unexpected_count"] = (merged["unexpected_count"] or 0) + failure["unexpected_count"]
        merged["examples"] = (merged["examples"] + failure["examples"])[:5]
    return SuiteResult(suite, not failures, rows, len(evaluated), list(failures.values()), batches)

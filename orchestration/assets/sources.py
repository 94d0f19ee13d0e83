"""The raw layer: one Dagster multi-asset per provider, one asset per raw table, keyed ``raw_<provider>/<table>``.

Those keys are the ones the dbt sources declare, so the graph runs unbroken from API to mart. (dagster-dlt
maps one dlt resource to one asset; one chart response fills three tables and one EDGAR pass three more, so
the table assets are declared here from ``ingestion.sources.TABLES``.)
"""

import logging
from collections.abc import Iterator

import duckdb
import yaml
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    AssetSpec,
    DefaultScheduleStatus,
    Definitions,
    MaterializeResult,
    RetryRequested,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
    multi_asset,
)

from ingestion import settings
from ingestion.http import SourceError
from ingestion.pipeline import rows_loaded
from ingestion.sources import RAW_TABLES, RELEASE_CALENDARS, SOURCES, TABLES
from orchestration import run_records
from orchestration.assets.checks import freshness_checks, gx_checks
from orchestration.calendars import CALENDARS, TIMEZONE
from orchestration.resources import FaultlinesResource

log = logging.getLogger(__name__)

def _descriptions() -> dict[str, str]:
    """Each raw table's description, from its dbt source (one text for dbt docs and the Dagster UI)."""
    descriptions = {}
    for path in (settings.DBT_PROJECT_DIR / "models" / "staging").glob("*/_*__sources.yml"):
        for source in yaml.safe_load(path.read_text())["sources"]:
            for table in source["tables"]:
                descriptions[f"{source['name']}/{table['name']}"] = " ".join(table.get("description", "").split())
    return descriptions


DESCRIPTIONS = _descriptions()
# The column that dates each raw table's rows (shown as the table's date range in the UI).
DATE_COLUMNS = {f"{provider}/{table.name}": table.date_column for provider, tables in RAW_TABLES.items()
                for table in tables if table.date_column}


def _date_range(con, provider: str, table: str) -> tuple[str, str]:
    column = DATE_COLUMNS.get(f"{provider}/{table}")
    if column is None:
        return "", ""
    try:
        first, last = con.execute(f'select min("{column}"), max("{column}") from raw_{provider}."{table}"').fetchone()
    except duckdb.Error:  # the table does not exist yet (nothing loaded, e.g. vintages without a FRED key)
        return "", ""
    return str(first or ""), str(last or "")


SCHEMA_CHECK = "schema_unchanged"
LOAD_IDS = "load_ids"


def provider_assets(provider: str):
    """Load one provider from the run's endpoints into its raw schema; one materialization per table."""
    specs = [AssetSpec(AssetKey([f"raw_{provider}", table]), group_name=provider, kinds={"dlt", "duckdb"},
                       description=DESCRIPTIONS[f"{provider}/{table}"]) for table in TABLES[provider]]

    drift_checks = [AssetCheckSpec(SCHEMA_CHECK, asset=spec.key, description="Warns when a load changed the "
                                   "table's columns: the API added a field or a field changed type (dlt evolves "
                                   "the schema instead of failing; the new columns are listed).")
                    for spec in specs]

    @multi_asset(name=provider, specs=specs, check_specs=drift_checks)
    def load_provider(context: AssetExecutionContext, faultlines: FaultlinesResource) -> Iterator:
        tables = TABLES[provider]
        pipeline = faultlines.pipeline(provider)
        with faultlines.connect() as con:
            before = run_records.table_counts(con, f"raw_{provider}", tables)
            columns_before = run_records.table_columns(con, f"raw_{provider}", tables)
        if pipeline.has_pending_data:
            # A run killed mid-load (SIGKILL, out of memory) left its package, and dlt would resume it: a copy job
            # that had written its file into a staging table before the kill writes it again (dlt empties the
            # staging tables only when a package starts), and the bars and FRED observations are merged as
            # deduplicated. The cursors move only with a loaded package, so this run fetches the same data again.
            pipeline.abort_packages()
            context.log.warning(f"{provider}: aborted the load package a killed run left; its data is fetched again")
        source = SOURCES[provider](faultlines.endpoints)
        try:
            info = pipeline.run(source, refresh="drop_sources" if faultlines.full_refresh else None,
                                loader_file_format=faultlines.loader_file_format)
            info.raise_on_failed_jobs()
        except Exception as exc:
            _retry_if_transient(context, faultlines, exc)
            if pipeline.has_pending_data:
                # dlt would retry this package first in every later run and fail the same way: drop it. The
                # source's cursors move only with a loaded package, so the next run fetches the same data again.
                pipeline.abort_packages()
                context.log.warning(f"{provider}: dropped the load package that failed; the next run fetches "
                                    "its data again from the last loaded state")
            raise
        fetched = rows_loaded(pipeline)
        with faultlines.connect() as con:
            after = run_records.table_counts(con, f"raw_{provider}", tables)
            # What the load changed decides what the run rebuilds (orchestration.incremental) and re-checks.
            changed, checksums = run_records.changes(con, provider, tables, fetched, before, after)
            run_records.record_loads(con, context.run.run_id, provider, faultlines.endpoints.mode, tables, fetched,
                                     before, after, changed, checksums)
            date_ranges = {table: _date_range(con, provider, table) for table in tables}
            columns_after = run_records.table_columns(con, f"raw_{provider}", tables)
        endpoints = faultlines.endpoints
        for table in tables:
            first, last = date_ranges[table]
            yield MaterializeResult(asset_key=AssetKey([f"raw_{provider}", table]), metadata={
                "rows_fetched": fetched.get(table, 0), "rows_added": after[table] - before[table],
                "rows_in_table": after[table], "changed": changed[table], "first_date": first, "last_date": last,
                "mode": endpoints.mode,
                "data_dir": str(endpoints.data_dir) if endpoints.data_dir else "",
                "warehouse": str(faultlines.warehouse_path),
                # What a failed blocking check of this table takes back (checks.py): this run's loads.
                LOAD_IDS: ",".join(info.loads_ids)})
        for table in tables:
            drift = run_records.schema_drift(columns_before[table], columns_after[table])
            changed = [*drift["new_columns"], *drift["variant_columns"], *drift["changed_types"]]
            yield AssetCheckResult(
                asset_key=AssetKey([f"raw_{provider}", table]), check_name=SCHEMA_CHECK, passed=not changed,
                severity=AssetCheckSeverity.WARN, metadata=drift,
                description=f"columns changed: {', '.join(changed)}" if changed else "same columns as before")
        context.log.info(f"{provider}: fetched {sum(fetched.values())} rows, "
                         f"{sum(after.values()) - sum(before.values())} new")

    return load_provider


def source_error(exc: BaseException) -> SourceError | None:
    """Our SourceError inside dlt's wrappers (dlt re-raises extraction errors as its own types)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, SourceError):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def _retry_if_transient(context: AssetExecutionContext, faultlines: FaultlinesResource, exc: Exception) -> None:
    """An outage that outlasted the HTTP retries: try the whole provider again later, with a doubling wait."""
    error = source_error(exc)
    if error is None or not error.transient or context.retry_number >= faultlines.step_retries:
        return
    wait = faultlines.retry_wait_seconds * 2 ** context.retry_number
    message = (f"{error.source} is unavailable ({error.problem}); retry {context.retry_number + 1}/"
               f"{faultlines.step_retries} of the whole provider in {wait:.0f}s")
    context.log.warning(message)
    log.warning(message)  # the terminal of a CLI run shows it (Dagster's own log goes to the UI)
    raise RetryRequested(max_retries=faultlines.step_retries, seconds_to_wait=wait) from exc


PROVIDER_ASSETS = [provider_assets(provider) for provider in SOURCES]
# Beside the tables they guard: a GX suite per raw table and a freshness check per release calendar.
PROVIDER_CHECKS = [check for provider in SOURCES for check in
                   (*gx_checks(f"raw_{provider}/"), *freshness_checks(f"raw_{provider}/"))]


def provider_job(provider: str):
    """One provider's tables and everything downstream of them (its marts, the run record, publishing)."""
    return define_asset_job(
        f"load_{provider}", selection=AssetSelection.groups(provider).downstream(), executor_def=in_process_executor,
        description=f"Load {provider}, rebuild the models that read it, check, and publish.")


PROVIDER_JOBS = {provider: provider_job(provider) for provider in SOURCES}
# One schedule per provider, just after the release its calendar says (New York time). Off until turned on in the
# UI: a fresh clone should not start calling public APIs on its own.
PROVIDER_SCHEDULES = [
    ScheduleDefinition(name=calendar.name, job=PROVIDER_JOBS[provider], cron_schedule=calendar.cron,
                       execution_timezone=TIMEZONE, default_status=DefaultScheduleStatus.STOPPED,
                       description=f"{calendar.description} → {PROVIDER_JOBS[provider].name}")
    for provider, calendar in ((p, CALENDARS[name]) for p, name in RELEASE_CALENDARS.items())
]

defs = Definitions(assets=PROVIDER_ASSETS, asset_checks=PROVIDER_CHECKS, jobs=list(PROVIDER_JOBS.values()),
                   schedules=PROVIDER_SCHEDULES)

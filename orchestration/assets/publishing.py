"""The end of a run: the run record (schema `meta`), then the published copy readers use.

Publishing depends on every other asset, not just the run record: Dagster skips a step whose upstream in the run
failed or failed a blocking check, and assets outside a selection are not in the run, so a run of any selection
publishes only when every step it ran succeeded and every blocking check passed.
"""

import datetime as dt

from dagster import AssetExecutionContext, AssetKey, Definitions, MaterializeResult, asset

from ingestion import settings
from orchestration import incremental, run_records
from orchestration.dbt_manifest import MANIFEST_PATH
from orchestration.incremental import LOAD_RUN_TAG, PUBLISHED_KEY, RUN_RECORD_KEY
from orchestration.readers.publish import publish
from orchestration.resources import FaultlinesResource


def end_of_run(source_keys: list[AssetKey], dbt_keys: list[AssetKey]) -> Definitions:
    """The run record after the marts and history snapshots, publishing after everything: the same two assets in
    the project's Definitions and in the load run's job (orchestration.jobs.load_job)."""
    keys = sorted({*source_keys, *dbt_keys})
    return definitions(marts=[key for key in keys if key.path[0] in ("marts", "history")], upstream=keys)


def definitions(marts: list[AssetKey], upstream: list[AssetKey]) -> Definitions:
    """The run record (written after `marts`) and publishing (after every key in `upstream` and the record)."""

    @asset(key=RUN_RECORD_KEY, group_name="publish", deps=marts,  # the end of a run, beside the copy it publishes
           description="One row per run: mode, start and end, rows loaded (details per table in meta.loads).")
    def run_record(context: AssetExecutionContext, faultlines: FaultlinesResource) -> MaterializeResult:
        # A run in two (orchestration.incremental) is recorded under its first run, the one that loaded.
        run_id = context.run.tags.get(LOAD_RUN_TAG, context.run.run_id)
        stats = context.instance.get_run_stats(run_id)
        started = dt.datetime.fromtimestamp(stats.start_time, dt.UTC).replace(tzinfo=None) if stats.start_time \
            else None
        endpoints = faultlines.endpoints
        with faultlines.connect() as con:
            fetched, added = run_records.record_run(con, run_id, endpoints.mode, started, endpoints.fallback_reason)
            selection = context.run.asset_selection
            if selection and PUBLISHED_KEY not in selection:  # else once published, below (empty: the whole job)
                incremental.record_if_complete(con, context, MANIFEST_PATH)
        return MaterializeResult(metadata={"mode": endpoints.mode, "rows_fetched": fetched, "rows_added": added,
                                           "warehouse": str(faultlines.warehouse_path)})

    @asset(key=PUBLISHED_KEY, group_name="publish", deps=sorted({*upstream, RUN_RECORD_KEY}),
           kinds={"duckdb", "parquet"},
           description="The read-only copy of the warehouse that BI tools, `faultlines sql`, the report and the docs "
                       "read, with a Parquet file per mart. Replaced atomically, and only when every step and "
                       "blocking check of the run succeeded, whatever it selected: a failed run leaves the last "
                       "good copy in place.")
    def published_warehouse(context: AssetExecutionContext, faultlines: FaultlinesResource) -> MaterializeResult:
        mode = faultlines.endpoints.mode
        with faultlines.connect() as con:
            changed = _changed(context, con)
        result = publish(faultlines.warehouse_path, settings.published_path(mode),
                         settings.published_parquet_dir(mode), changed=changed)
        with faultlines.connect() as con:  # the models are built and published: a complete build, if it was one
            incremental.record_if_complete(con, context, MANIFEST_PATH)
        context.log.info(f"published {result.tables} tables to {result.path} ({result.bytes / 1e6:.1f} MB) and "
                         f"{result.parquet_files} Parquet files to {result.parquet_dir}")
        return MaterializeResult(metadata={"path": str(result.path), "tables": result.tables, "mode": mode,
                                           "size_mb": round(result.bytes / 1e6, 1),
                                           "parquet_dir": str(result.parquet_dir),
                                           "parquet_files": result.parquet_files})

    return Definitions(assets=[run_record, published_warehouse])


def _changed(context: AssetExecutionContext, con) -> frozenset[str] | None:
    """What a run in two wrote since the last publish (``schema.name``): the models its build selected, the raw
    tables loads wrote to since the last complete build (which was published: a build is recorded once
    published), dlt's and the run record's own tables. Everything else reads nothing that changed, so the published
    copy and the Parquet files of the last publish hold it. None for any other run, which writes everything."""
    if incremental.BUILT_THROUGH_TAG not in context.run.tags:
        return None
    last = run_records.last_build(con)
    if last is None:
        return None
    models = {".".join(key.path) for key in context.run.asset_selection or ()}
    raw = {f"raw_{provider}.{table}" for provider, table in run_records.written_since(con, last[0])}
    bookkeeping = {f"{schema}.{name}" for schema, name in con.execute(
        r"""select schema_name, table_name from duckdb_tables()
            where schema_name = 'meta' or (schema_name like 'raw\_%' escape '\' and table_name like '\_dlt%' escape '\')
        """).fetchall()}
    return frozenset(models | raw | bookkeeping)

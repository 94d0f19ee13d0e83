"""What every dlt-backed asset does around the load: the mode's pipeline, counts before and after, meta.loads."""

from collections.abc import Iterator

from dagster import AssetExecutionContext
from dagster_dlt import DagsterDltResource

from ingestion.pipeline import make_pipeline, rows_loaded
from orchestration import meta
from orchestration.resources import FaultlinesResource


def load(context: AssetExecutionContext, dlt: DagsterDltResource, faultlines: FaultlinesResource, provider: str,
         source, tables: list[str]) -> Iterator:
    """Run ``source`` into ``raw_<provider>`` of the run's warehouse and record what it changed."""
    pipeline = make_pipeline(provider, faultlines.warehouse_path)
    with faultlines.connect() as con:
        before = meta.table_counts(con, f"raw_{provider}", tables)
    refresh = {"refresh": "drop_sources"} if faultlines.full_refresh else {}
    yield from dlt.run(context, dlt_source=source, dlt_pipeline=pipeline, **refresh)
    fetched = rows_loaded(pipeline)
    with faultlines.connect() as con:
        after = meta.table_counts(con, f"raw_{provider}", tables)
        meta.record_loads(con, context.run.run_id, provider, faultlines.endpoints.mode, tables, fetched, before,
                          after)
    added = sum(after.values()) - sum(before.values())
    context.log.info(f"{provider}: fetched {sum(fetched.values())} rows, {added} new, into {faultlines.warehouse_path}")

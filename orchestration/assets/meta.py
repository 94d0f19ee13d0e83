"""The run record: written last, so the warehouse says which runs built it and what they loaded."""

import datetime as dt

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration import meta
from orchestration.resources import FaultlinesResource

MARTS = [AssetKey(["marts", name]) for name in (
    "mart_reserve_adequacy", "mart_bill_absorption", "mart_sector_valuation", "mart_claims", "fct_treasury_auctions")]
HISTORY = [AssetKey(["history", name]) for name in ("snap_nyfed__reference_rates", "snap_treasury__auctions")]


@asset(key=["meta", "runs"], group_name="meta", deps=[*MARTS, *HISTORY],
       description="One row per run: mode, start and end, rows loaded (details per table in meta.loads).")
def run_record(context: AssetExecutionContext, faultlines: FaultlinesResource) -> MaterializeResult:
    stats = context.instance.get_run_stats(context.run.run_id)
    started = dt.datetime.fromtimestamp(stats.start_time, dt.UTC).replace(tzinfo=None) if stats.start_time else None
    endpoints = faultlines.endpoints
    with faultlines.connect() as con:
        fetched, added = meta.record_run(con, context.run.run_id, endpoints.mode, started,
                                         endpoints.fallback_reason)
    return MaterializeResult(metadata={"mode": endpoints.mode, "rows_fetched": fetched, "rows_added": added,
                                       "warehouse": str(faultlines.warehouse_path)})

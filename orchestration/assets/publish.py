"""The last step of a green run: publish the read-only copy and the Parquet files that readers use."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from ingestion import settings
from orchestration.publish import publish
from orchestration.resources import FaultlinesResource

PUBLISHED_KEY = AssetKey(["published", "warehouse"])


def published_asset(upstream: list[AssetKey]):
    """The publishing step, downstream of every other asset.

    Depending on all of them (not just on the run record) is what makes a run of any selection publish only when
    every step it ran succeeded and every blocking check passed: Dagster skips a step whose upstream failed or
    failed a blocking check, and only the selected assets are in a run, so the others do not hold it back.
    """

    @asset(key=PUBLISHED_KEY, group_name="publish", deps=upstream, kinds={"duckdb", "parquet"},
           description="The read-only copy of the warehouse that BI tools, `faultlines sql`, the report and the docs "
                       "read, with a Parquet file per mart. Replaced atomically, and only when every step and "
                       "blocking check of the run succeeded, whatever it selected: a failed run leaves the last "
                       "good copy in place.")
    def published_warehouse(context: AssetExecutionContext, faultlines: FaultlinesResource) -> MaterializeResult:
        mode = faultlines.endpoints.mode
        result = publish(faultlines.warehouse_path, settings.published_path(mode),
                         settings.published_parquet_dir(mode))
        context.log.info(f"published {result.tables} tables to {result.path} ({result.bytes / 1e6:.1f} MB) and "
                         f"{result.parquet_files} Parquet files to {result.parquet_dir}")
        return MaterializeResult(metadata={"path": str(result.path), "tables": result.tables, "mode": mode,
                                           "size_mb": round(result.bytes / 1e6, 1),
                                           "parquet_dir": str(result.parquet_dir),
                                           "parquet_files": result.parquet_files})

    return published_warehouse

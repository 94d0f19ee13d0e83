"""Running a dlt source into the warehouse: one place that knows how pipelines are named and where they write."""

from __future__ import annotations

from pathlib import Path

import dlt
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from ingestion import settings


def make_pipeline(provider: str, warehouse: Path) -> dlt.Pipeline:
    """The dlt pipeline for one provider, writing schema ``raw_<provider>`` in ``warehouse``.

    Local pipeline state lives under FAULTLINES_HOME per warehouse file; the authoritative copy is in the
    warehouse itself (``_dlt_pipeline_state``), so a wiped local folder is restored from DuckDB.
    """
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    return dlt.pipeline(
        pipeline_name=f"{provider}_{warehouse.stem}",
        pipelines_dir=str(settings.home() / "dlt" / "pipelines"),
        destination=dlt.destinations.duckdb(DuckDbCredentials(str(warehouse),
                                                              global_config=settings.duckdb_settings())),
        dataset_name=f"raw_{provider}",
    )


def rows_loaded(pipeline: dlt.Pipeline) -> dict[str, int]:
    """Rows extracted into each data table by the pipeline's last run (dlt's own tables left out)."""
    trace = pipeline.last_trace
    if trace is None or trace.last_normalize_info is None:
        return {}
    return {table: count for table, count in trace.last_normalize_info.row_counts.items()
            if not table.startswith("_dlt")}


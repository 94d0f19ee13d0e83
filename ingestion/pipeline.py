"""Running a dlt source into the warehouse: one place that knows how pipelines are named and where they write, and
how a load that failed its checks is taken back."""

from __future__ import annotations

from pathlib import Path

import dlt
import duckdb
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from ingestion import settings
from ingestion.progress import RowCounter


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
        progress=RowCounter(),  # rows so far, for the terminal's progress line (ingestion/progress.py)
    )


def rows_loaded(pipeline: dlt.Pipeline) -> dict[str, int]:
    """Rows extracted into each data table by the pipeline's last run (dlt's own tables left out)."""
    trace = pipeline.last_trace
    if trace is None or trace.last_normalize_info is None:
        return {}
    return {table: count for table, count in trace.last_normalize_info.row_counts.items()
            if not table.startswith("_dlt")}



def rollback_loads(provider: str, warehouse: Path, load_ids: list[str]) -> dict[str, int]:
    """Take back loads whose data failed a blocking check: their rows, their load records and the pipeline state
    they wrote are deleted, and the local state is dropped, so the next run restores the state from before them
    (dlt restores it from the warehouse) and fetches the same window again. Returns rows deleted per table.

    Rows a load replaced (merge on a key) are gone with it; every source re-reads a window that covers what its
    last load re-read (cursors move only with a load), so the next run brings them back.
    """
    if not load_ids:
        return {}
    schema = f"raw_{provider}"
    deleted: dict[str, int] = {}
    with duckdb.connect(str(warehouse), config=settings.duckdb_settings()) as con:
        tables = con.execute("""select table_name from information_schema.columns
                                where table_schema = ? and column_name = '_dlt_load_id'""", [schema]).fetchall()
        for (table,) in tables:
            count = con.execute(f'delete from "{schema}"."{table}" where _dlt_load_id in (select unnest(?))',
                                [load_ids]).fetchone()[0]
            if count and not table.startswith("_dlt"):
                deleted[table] = count
        con.execute(f'delete from "{schema}"._dlt_loads where load_id in (select unnest(?))', [load_ids])
    make_pipeline(provider, warehouse).drop()
    return deleted

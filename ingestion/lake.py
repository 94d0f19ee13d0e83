"""The Spark engine's raw layer: dlt's ``filesystem`` destination writes every raw table as Parquet to a lake, and
this module says where and what is there, for dbt-spark to register (``dbt_project/macros/lake.sql``).

Layout (dlt's default ``{table_name}/{load_id}.{file_id}.{ext}``, under one folder per dataset)::

    <lake>/raw/raw_<provider>/<table>/<load_id>.<file_id>.parquet   every load's rows, with their _dlt_load_id
    <lake>/raw/raw_<provider>/_dlt_loads/<schema>__<load_id>.jsonl one row per load (status 0: complete; dlt
                                                                   writes its own tables as JSON lines)
    <lake>/warehouse/<schema>.db/<model>/                          Spark's tables (staging, intermediate, marts)
    <lake>/metastore_db                                            Spark's catalog (embedded Derby; a Hive
                                                                   metastore or Unity Catalog on a cluster)

Append-only: the filesystem destination has no merge (dlt writes a `merge` table's rows as appends), so every
version of a row stays with its load id. dbt sees two relations per table: ``<table>__loads`` (every row of every
complete load, an external Parquet table) and ``<table>`` (the latest version per primary key, a view), so the
staging models read the same current rows from either engine and the load history is there for point in time.
"""

from __future__ import annotations

import json
from pathlib import Path

import dlt

from ingestion import settings
from ingestion.progress import RowCounter
from ingestion.sources import RAW_TABLES

LOADER_FILE_FORMAT = "parquet"


def raw_dir(lake: Path) -> Path:
    return lake / "raw"


def make_lake_pipeline(provider: str, lake: Path) -> dlt.Pipeline:
    """The dlt pipeline for one provider, writing Parquet under ``<lake>/raw/raw_<provider>/``.

    Its local state sits beside the DuckDB engine's, under its own name; the authoritative copy is in the lake
    (dlt's ``_dlt_pipeline_state`` table), so a wiped local folder is restored from there.
    """
    raw_dir(lake).mkdir(parents=True, exist_ok=True)
    return dlt.pipeline(
        pipeline_name=f"{provider}_{lake.name}_lake",
        pipelines_dir=str(settings.home() / "dlt" / "pipelines"),
        destination=dlt.destinations.filesystem(bucket_url=raw_dir(lake).as_uri()),
        dataset_name=f"raw_{provider}",
        progress=RowCounter(),
    )


def _has_files(folder: Path, extension: str) -> bool:
    return folder.is_dir() and any(folder.glob(f"*.{extension}"))


def lake_tables(lake: Path) -> dict[str, dict[str, dict]]:
    """What dbt-spark registers: ``{schema: {table: {"path", "format", "keys"}}}`` for every raw table
    with files (a table not loaded yet, such as ALFRED's vintages without a key, is left out, as in DuckDB), and
    each dataset's ``_dlt_loads``."""
    out: dict[str, dict[str, dict]] = {}
    for provider, tables in RAW_TABLES.items():
        dataset = raw_dir(lake) / f"raw_{provider}"
        registered = {table.name: {"path": str(dataset / table.name), "format": LOADER_FILE_FORMAT,
                                   "keys": list(table.primary_key)}
                      for table in tables if _has_files(dataset / table.name, LOADER_FILE_FORMAT)}
        if registered and _has_files(dataset / "_dlt_loads", "jsonl"):
            registered["_dlt_loads"] = {"path": str(dataset / "_dlt_loads"), "format": "json", "keys": []}
            out[f"raw_{provider}"] = registered
    return out


def lake_tables_json(lake: Path) -> str:
    """lake_tables as the JSON dbt reads from FAULTLINES_LAKE_TABLES (macros/lake.sql)."""
    return json.dumps(lake_tables(lake), sort_keys=True)

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
from ingestion.sources.tables import RAW_TABLES

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


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def register_in_duckdb(con, lake: Path, providers: list[str] | None = None) -> None:  # noqa: ANN001 (duckdb con)
    """The lake as DuckDB views, for what reads the warehouse through DuckDB with either engine (run records,
    freshness and Great Expectations checks, publishing, BI): ``raw_<provider>.<table>`` the latest version per
    key of the loads dlt completed (as dbt-spark registers them), and every table Spark built
    (``<schema>.<model>`` from ``<lake>/warehouse/<schema>.db/<model>/``). Views, not copies: nothing is loaded
    twice, and the next query sees the next load."""
    for schema, tables in lake_tables(lake).items():
        if providers is not None and schema.removeprefix("raw_") not in providers:
            continue
        con.execute(f'create schema if not exists "{schema}"')
        loads = _sql_string(str(Path(tables["_dlt_loads"]["path"]) / "*.jsonl"))
        for table, spec in tables.items():
            if table == "_dlt_loads":
                continue
            files = _sql_string(str(Path(spec["path"]) / "*.parquet"))
            complete = (f"select * from read_parquet({files}, union_by_name = true) where _dlt_load_id in "
                        f"(select load_id from read_json_auto({loads}) where status = 0)")
            latest = (f"qualify row_number() over (partition by {', '.join(spec['keys'])} "
                      f"order by _dlt_load_id desc) = 1") if spec["keys"] else ""
            con.execute(f'create or replace view "{schema}"."{table}" as select * from ({complete}) {latest}')
    built = lake / "warehouse"
    for folder in sorted(built.glob("*.db/*")) if built.is_dir() else []:
        if _has_files(folder, "parquet"):
            schema = folder.parent.name.removesuffix(".db")
            con.execute(f'create schema if not exists "{schema}"')
            con.execute(f'create or replace view "{schema}"."{folder.name}" as select * from '
                        f'read_parquet({_sql_string(str(folder / "*.parquet"))})')


def rollback_lake_loads(provider: str, lake: Path, load_ids: list[str]) -> dict[str, int]:
    """Take back loads whose data failed a blocking check (ingestion.pipeline.rollback_loads for the lake): their
    files and load records are deleted, and the local pipeline state dropped, so the next run fetches the same
    window again. Returns the files deleted per table."""
    dataset = raw_dir(lake) / f"raw_{provider}"
    deleted: dict[str, int] = {}
    for load_id in load_ids:
        for path in dataset.glob(f"*/*{load_id}*"):
            path.unlink()
            if not path.parent.name.startswith("_dlt"):
                deleted[path.parent.name] = deleted.get(path.parent.name, 0) + 1
    if load_ids:
        make_lake_pipeline(provider, lake).drop()
    return deleted

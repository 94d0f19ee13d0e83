"""Helpers the tests share: load one provider as the product does, and read the sample data as written."""

from __future__ import annotations

import datetime as dt
import fcntl
from pathlib import Path

import dlt
import duckdb
import yaml

from ingestion import settings
from ingestion.pipeline import make_pipeline
from ingestion.sources import TABLES


def load(provider: str, warehouse: Path, source) -> dlt.Pipeline:  # noqa: ANN001 (any provider's dlt source)
    """Run one provider's dlt source into ``warehouse`` through the product's pipeline; a failed job fails the test."""
    pipeline = make_pipeline(provider, warehouse)
    pipeline.run(source).raise_on_failed_jobs()
    return pipeline


def fred_csv(data_dir: Path, series_id: str) -> dict[dt.date, float | None]:
    """A series of a data dir as the fredgraph CSV holds it (``observation_date,<ID>``); ``.`` or empty: missing."""
    lines = (data_dir / "fred" / f"{series_id}.csv").read_text().splitlines()[1:]
    return {dt.date.fromisoformat(day): None if value in (".", "") else float(value)
            for day, value in (line.split(",") for line in lines)}


def _checksums(con: duckdb.DuckDBPyConnection, objects: list[tuple[str, str]],
               column_filter: str = "true") -> dict[str, tuple]:
    """``schema.name`` → (row count, order-independent checksum of the columns `column_filter` keeps)."""
    out = {}
    for schema, name in objects:
        columns = [c for (c,) in con.execute(f"""select column_name from information_schema.columns
                   where table_schema = ? and table_name = ? and ({column_filter})
                   order by column_name""", [schema, name]).fetchall()]
        row = ", ".join(f'"{c}"' for c in columns)
        out[f"{schema}.{name}"] = con.execute(
            f'select count(*), coalesce(sum(hash({row})), 0) from "{schema}"."{name}"').fetchone()
    return out


def fingerprints(warehouse: Path) -> dict[str, tuple]:
    """Row count and an order-independent checksum of every raw and mart table (dlt's own columns left out, and
    the marts' copies of dlt load ids: lineage differs between two warehouses by design)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute("""select table_schema, table_name from information_schema.tables
                                where (table_schema like 'raw\\_%' escape '\\' and table_schema not like '%staging'
                                       and table_name not like '\\_dlt%' escape '\\')
                                   or table_schema = 'marts'""").fetchall()
        return _checksums(con, tables, "column_name not like '\\_dlt%' escape '\\' "
                                       "and column_name not like '%load\\_id' escape '\\'")


def every_table(database: Path) -> dict[str, tuple]:
    """Row count and an order-independent checksum of every table and view of a DuckDB file, every column (dlt's
    merge scratch schemas left out): equal for a warehouse and a copy of it published from it."""
    with duckdb.connect(str(database), read_only=True) as con:
        objects = con.execute(r"""select schema_name, table_name from duckdb_tables()
                                  where schema_name not like '%\_staging' escape '\'
                                  union all
                                  select schema_name, view_name from duckdb_views() where not internal""").fetchall()
        return _checksums(con, objects)


def raw_tables(separator: str = "/") -> set[str]:
    """Every raw table the providers declare: ``raw_<provider>/<table>`` (asset keys) or, with ".", SQL names."""
    return {f"raw_{provider}{separator}{table}" for provider, tables in TABLES.items() for table in tables}


def seed_claim_ids() -> list[str]:
    """The claims of the `claims` seed: every build has one mart_claims row per claim."""
    import csv

    from ingestion import settings

    with (settings.DBT_PROJECT_DIR / "seeds" / "claims.csv").open() as seed:
        return [row["claim_id"] for row in csv.DictReader(seed)]


def daily_marts(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Every daily mart (one with a `date_day` or `trade_date` column): table name → that column."""
    rows = con.execute("""select table_name, column_name from information_schema.columns
                          where table_schema = 'marts' and column_name in ('date_day', 'trade_date')""").fetchall()
    return dict(rows)


def no_look_ahead(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """For every `*_as_of` column of every daily mart: the rows using a value without a `*_known_from`, or with
    one after the day's close (the dbt var `daily_close_time`). {mart.column: offending rows}; also raises when
    an `*_as_of` has no `*_known_from` column at all."""
    close = yaml.safe_load((settings.DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["daily_close_time"]
    offending = {}
    for mart, day in daily_marts(con).items():
        columns = {c for (c,) in con.execute("""select column_name from information_schema.columns
                                                where table_schema = 'marts' and table_name = ?""", [mart]).fetchall()}
        for as_of in sorted(c for c in columns if c.endswith("_as_of")):
            known_from = as_of.removesuffix("_as_of") + "_known_from"
            assert known_from in columns, f"marts.{mart}.{as_of} has no {known_from}"
            offending[f"{mart}.{as_of}"] = con.execute(f"""
                select count(*) from marts.{mart} where {as_of} is not null
                and ({known_from} is null or cast({known_from} as timestamp) > {day} + time '{close}')""").fetchone()[0]
    return offending


def held_by_another(lock_file: Path) -> bool:
    """Another process holds an flock on ``lock_file`` (the writer lock, the sample data's lock)."""
    if not lock_file.exists():
        return False
    with lock_file.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


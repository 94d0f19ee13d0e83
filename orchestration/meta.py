"""The warehouse's own bookkeeping: schema ``meta``, written by every run (mode, times, rows loaded)."""

from __future__ import annotations

import datetime as dt

import duckdb

DDL = """
create schema if not exists meta;
create table if not exists meta.loads (
    run_id varchar not null,
    provider varchar not null,
    table_name varchar not null,
    rows_loaded bigint not null,
    rows_in_table bigint,
    mode varchar not null,
    loaded_at timestamp not null
);
create table if not exists meta.runs (
    run_id varchar primary key,
    mode varchar not null,
    started_at timestamp,
    finished_at timestamp not null,
    rows_loaded bigint not null,
    fallback_reason varchar
);
"""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def record_loads(con: duckdb.DuckDBPyConnection, run_id: str, provider: str, mode: str,
                 rows: dict[str, int]) -> None:
    """One row per table of the provider: rows this run loaded, and rows now in the table."""
    ensure_schema(con)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for table, count in sorted(rows.items()):
        in_table = con.execute(f'select count(*) from raw_{provider}."{table}"').fetchone()[0]
        con.execute("insert into meta.loads values (?, ?, ?, ?, ?, ?, ?)",
                    [run_id, provider, table, count, in_table, mode, now])


def record_run(con: duckdb.DuckDBPyConnection, run_id: str, mode: str, started_at: dt.datetime | None,
               fallback_reason: str | None) -> int:
    """Record the run and return the rows it loaded across all providers."""
    ensure_schema(con)
    rows = con.execute("select coalesce(sum(rows_loaded), 0) from meta.loads where run_id = ?",
                       [run_id]).fetchone()[0]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute("insert or replace into meta.runs values (?, ?, ?, ?, ?, ?)",
                [run_id, mode, started_at, now, rows, fallback_reason])
    return int(rows)

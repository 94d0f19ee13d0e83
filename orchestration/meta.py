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
    rows_fetched bigint not null,   -- rows the source yielded (a re-read look-back window counts here)
    rows_added bigint not null,     -- rows the table gained (what is really new)
    rows_in_table bigint not null,
    mode varchar not null,
    loaded_at timestamp not null
);
create table if not exists meta.runs (
    run_id varchar primary key,
    mode varchar not null,
    started_at timestamp,
    finished_at timestamp not null,
    rows_fetched bigint not null,
    rows_added bigint not null,
    fallback_reason varchar
);
"""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def table_counts(con: duckdb.DuckDBPyConnection, schema: str, tables: list[str]) -> dict[str, int]:
    """Rows in each table (0 for a table that does not exist yet)."""
    existing = {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = ?", [schema]).fetchall()}
    return {t: (con.execute(f'select count(*) from "{schema}"."{t}"').fetchone()[0] if t in existing else 0)
            for t in tables}


def record_loads(con: duckdb.DuckDBPyConnection, run_id: str, provider: str, mode: str, tables: list[str],
                 fetched: dict[str, int], before: dict[str, int], after: dict[str, int]) -> None:
    """One row per table of the provider: rows fetched, rows added, rows now in the table."""
    ensure_schema(con)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for table in tables:
        con.execute("insert into meta.loads values (?, ?, ?, ?, ?, ?, ?, ?)",
                    [run_id, provider, table, fetched.get(table, 0), after[table] - before[table], after[table],
                     mode, now])


def record_run(con: duckdb.DuckDBPyConnection, run_id: str, mode: str, started_at: dt.datetime | None,
               fallback_reason: str | None) -> tuple[int, int]:
    """Record the run; return the rows it fetched and added across all providers."""
    ensure_schema(con)
    fetched, added = con.execute("""select coalesce(sum(rows_fetched), 0), coalesce(sum(rows_added), 0)
                                    from meta.loads where run_id = ?""", [run_id]).fetchone()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute("insert or replace into meta.runs values (?, ?, ?, ?, ?, ?, ?)",
                [run_id, mode, started_at, now, fetched, added, fallback_reason])
    return int(fetched), int(added)

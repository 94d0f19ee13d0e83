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


def table_columns(con: duckdb.DuckDBPyConnection, schema: str, tables: list[str]) -> dict[str, dict[str, str]]:
    """Column → type of each table, dlt's bookkeeping columns left out (empty for a table not there yet)."""
    rows = con.execute("""select table_name, column_name, data_type from information_schema.columns
                          where table_schema = ? and column_name not like '\\_dlt%' escape '\\'""",
                       [schema]).fetchall()
    columns: dict[str, dict[str, str]] = {t: {} for t in tables}
    for table, column, data_type in rows:
        if table in columns:
            columns[table][column] = data_type
    return columns


def schema_drift(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    """What a load changed in a table's columns. dlt evolves schemas instead of failing: a new field becomes a
    column, and a value of another type goes to a variant column (``<name>__v_<type>``).

    Read from the warehouse before and after, not from dlt's ``schema_update``: that is relative to the pipeline's
    local schema, which is empty in a new FAULTLINES_HOME over an existing warehouse and complete again after a
    full refresh (every column "new"), where the warehouse's own columns say what really changed."""
    if not before:
        return {"new_columns": [], "changed_types": [], "variant_columns": []}
    new = sorted(set(after) - set(before))
    return {"new_columns": [c for c in new if "__v_" not in c],
            "variant_columns": [c for c in new if "__v_" in c],
            "changed_types": sorted(f"{c}: {before[c]} → {after[c]}" for c in set(before) & set(after)
                                    if before[c] != after[c])}


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

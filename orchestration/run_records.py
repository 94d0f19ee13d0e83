"""The warehouse's own bookkeeping: schema ``meta``, written by every run (mode, times, rows loaded)."""

from __future__ import annotations

import datetime as dt
import json

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
-- Whether the load changed the table (rows added, or re-read rows that came back different), with the table's
-- checksum after it: what a run compares against next, so that it rebuilds only the models downstream of a change.
alter table meta.loads add column if not exists changed boolean;
alter table meta.loads add column if not exists checksum hugeint;
create table if not exists meta.builds (
    run_id varchar not null,
    built_through timestamp not null,  -- loads up to this loaded_at are reflected in every model
    dbt_checksums varchar not null,    -- JSON {unique_id: checksum} of the dbt project these models were built from
    finished_at timestamp not null
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


def table_checksum(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> int | None:
    """An order-independent checksum of a table's rows, dlt's own columns left out (they differ on every load);
    None when the table does not exist."""
    columns = "*columns(lambda c: c not like '\\_dlt%' escape '\\')"
    try:
        return int(con.execute(f'select coalesce(sum(hash({columns})::hugeint), 0) from "{schema}"."{table}"')
                   .fetchone()[0])
    except duckdb.CatalogException:
        return None


def last_checksums(con: duckdb.DuckDBPyConnection, provider: str) -> dict[str, int]:
    """Each table's checksum after its last recorded load (what this load is compared against)."""
    ensure_schema(con)
    return dict(con.execute("""select table_name, arg_max(checksum, loaded_at) from meta.loads
                               where provider = ? and checksum is not null group by 1""", [provider]).fetchall())


def changes(con: duckdb.DuckDBPyConnection, provider: str, tables: list[str], fetched: dict[str, int],
            before: dict[str, int], after: dict[str, int]) -> tuple[dict[str, bool], dict[str, int | None]]:
    """Which tables the load changed, and their checksums now.

    A table nothing was fetched for is unchanged (and not read again). One that gained or lost rows changed. One
    whose rows were re-read (a look-back window, a replaced list) changed only if its checksum moved: compared with
    the checksum recorded after its last load, or taken now for a table loaded before checksums were recorded."""
    recorded = last_checksums(con, provider)
    changed, checksums = {}, {}
    for table in tables:
        previous = recorded.get(table)
        if not fetched.get(table, 0) and previous is not None and after[table] == before[table]:
            changed[table], checksums[table] = False, previous
            continue
        checksums[table] = table_checksum(con, f"raw_{provider}", table)
        changed[table] = after[table] != before[table] or previous is None or checksums[table] != previous
    return changed, checksums


def record_loads(con: duckdb.DuckDBPyConnection, run_id: str, provider: str, mode: str, tables: list[str],
                 fetched: dict[str, int], before: dict[str, int], after: dict[str, int],
                 changed: dict[str, bool], checksums: dict[str, int | None]) -> None:
    """One row per table of the provider: rows fetched, rows added, rows now in the table, whether it changed."""
    ensure_schema(con)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for table in tables:
        con.execute("""insert into meta.loads (run_id, provider, table_name, rows_fetched, rows_added, rows_in_table,
                                               mode, loaded_at, changed, checksum)
                       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                    [run_id, provider, table, fetched.get(table, 0), after[table] - before[table], after[table],
                     mode, now, changed[table], checksums[table]])


def load_changed(con: duckdb.DuckDBPyConnection, run_id: str, provider: str, table: str) -> bool | None:
    """Whether this run's load of the table changed it (a load with unknown changes counts as a change); None when
    the run did not load it."""
    ensure_schema(con)
    return con.execute("""select bool_or(coalesce(changed, true)) from meta.loads where run_id = ? and provider = ?
                          and table_name = ?""", [run_id, provider, table]).fetchone()[0]


def last_build(con: duckdb.DuckDBPyConnection) -> tuple[dt.datetime, dict[str, str]] | None:
    """When the models were last built from every load (``built_through``) and from which dbt project, or None
    when this warehouse has no record of a complete build."""
    ensure_schema(con)
    row = con.execute("""select built_through, dbt_checksums from meta.builds
                         order by finished_at desc limit 1""").fetchone()
    return (row[0], json.loads(row[1])) if row else None


def changed_since(con: duckdb.DuckDBPyConnection, built_through: dt.datetime) -> list[tuple[str, str]]:
    """(provider, table) of every load after ``built_through`` that changed its table; a load from before this
    bookkeeping (changed unknown) counts as a change."""
    return con.execute("""select distinct provider, table_name from meta.loads
                          where loaded_at > ? and coalesce(changed, true) order by 1, 2""",
                       [built_through]).fetchall()


def written_since(con: duckdb.DuckDBPyConnection, built_through: dt.datetime) -> list[tuple[str, str]]:
    """(provider, table) of every table a load after ``built_through`` changed or wrote rows to: a re-read that came
    back the same changed nothing a model reads, but dlt wrote its rows again under the new load's id."""
    return con.execute("""select distinct provider, table_name from meta.loads
                          where loaded_at > ? and (coalesce(changed, true) or rows_fetched > 0) order by 1, 2""",
                       [built_through]).fetchall()


def newest_load(con: duckdb.DuckDBPyConnection) -> dt.datetime:
    ensure_schema(con)
    return con.execute("select coalesce(max(loaded_at), timestamp '1970-01-01') from meta.loads").fetchone()[0]


def record_build(con: duckdb.DuckDBPyConnection, run_id: str, built_through: dt.datetime,
                 dbt_checksums: dict[str, str]) -> None:
    ensure_schema(con)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute("insert into meta.builds values (?, ?, ?, ?)",
                [run_id, built_through, json.dumps(dbt_checksums, sort_keys=True), now])


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

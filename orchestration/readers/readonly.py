"""The one way readers open the published copy: `faultlines sql` (query, stdin script, shell) and each serve-sql
session.

Each reader gets its own in-memory DuckDB instance with the published file attached read-only, then DuckDB's own
lockdown: `enable_external_access = false` (file functions, COPY, ATTACH of files, INSTALL/LOAD, secrets refused),
extension auto-install/auto-load off, no spilling to disk, a memory limit, and `lock_configuration = true` so no
`SET` can undo any of it. DuckDB still lets a session `DETACH` the published catalog and re-`ATTACH` the same file
read-write (its path stays on the external-access allow-list), so ATTACH and DETACH statements are refused here,
by the statement types of DuckDB's own parser.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from ingestion.settings import SettingsError

MEMORY_LIMIT_SETTING = "FAULTLINES_SQL_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "300MB"

_REFUSED_TYPES = {duckdb.StatementType.ATTACH: "ATTACH", duckdb.StatementType.DETACH: "DETACH"}


class Refused(duckdb.Error):
    """A statement the published copy's readers may not run; the message is the one line the user sees."""


def memory_limit() -> str:
    return os.environ.get(MEMORY_LIMIT_SETTING) or DEFAULT_MEMORY_LIMIT


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quote(name: str) -> str:
    """An identifier quoted for DuckDB's SQL."""
    return '"' + name.replace('"', '""') + '"'


_identifier = quote


def connect(path: Path, setup: tuple[str, ...] = ()) -> duckdb.DuckDBPyConnection:
    """A locked-down connection to the published copy at `path`, under its usual catalog name (the file's stem).

    `setup`: statements run in the session's in-memory database before the lockdown (temporary macros and views)."""
    limit = memory_limit()
    try:
        # A fresh in-memory instance each time: DuckDB caches instances by path, which would share one between
        # sessions and keep a replaced copy open. Spilling is off (temp_directory ''), so a reader writes nothing.
        # Half the cores per reader: a runaway query of one client leaves the other half to everyone else.
        con = duckdb.connect(":memory:", config={"memory_limit": limit, "temp_directory": "",
                                                 "threads": max(1, (os.cpu_count() or 2) // 2),
                                                 "autoinstall_known_extensions": False,
                                                 "autoload_known_extensions": False})
    except duckdb.Error as exc:
        raise SettingsError(f"{MEMORY_LIMIT_SETTING}={limit!r} is not a memory size DuckDB accepts "
                            f"(e.g. 300MB, 1GB): {_first_line(exc)}") from None
    try:
        con.execute(f"attach {_literal(str(path))} as {_identifier(path.stem)} (read_only)")
        con.execute(f"use {_identifier(path.stem)}")
        _define_point_in_time_macro(con, _identifier(path.stem))
        for statement in setup:
            con.execute(statement)
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")  # last: from here on no SET can change the above
    except BaseException:
        con.close()
        raise
    return con


def _define_point_in_time_macro(con: duckdb.DuckDBPyConnection, catalog: str) -> None:
    """`fred_as_known_on(day)`: every FRED observation as it was known at that day's close (dbt var
    `daily_close_time`), from intermediate.int_fred__vintages: one row per observation published by then, in the
    vintage current then. A session macro (TEMP): the published copy holds tables only. Not defined on a warehouse
    built before the vintages existed."""
    if not con.execute("""select count(*) from information_schema.tables
                          where table_schema = 'intermediate' and table_name = 'int_fred__vintages'""").fetchone()[0]:
        return
    import yaml

    from ingestion import settings

    close = yaml.safe_load((settings.DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["daily_close_time"]
    con.execute(f"""create temp macro fred_as_known_on(day) as table
        select series_id, observation_date, value_raw, value_usd_bn, value_pct, known_from, vintage_number,
               vintage_source
        from {catalog}.intermediate.int_fred__vintages
        where known_from <= cast(day as date) + time {_literal(close)}
          and (known_until is null or known_until > cast(day as date) + time {_literal(close)})""")


def execute(con: duckdb.DuckDBPyConnection, sql: str, params: object = None) -> duckdb.DuckDBPyRelation | None:
    """Run `sql` (one statement or a script) on a connection from `connect`; the last statement's rows, if any.

    A SELECT comes back as a relation, which streams its rows within the session's memory limit (a DB-API result
    would copy every row into Python first).
    """
    try:
        statements = con.extract_statements(sql)
    except duckdb.ParserException:
        statements = []  # DuckDB reports the syntax error itself below
    for statement in statements:
        if statement.type in _REFUSED_TYPES:
            raise Refused(f"refused: {_REFUSED_TYPES[statement.type]} is off on the published copy (a session reads "
                          "only the copy it was given, read-only)")
    return con.sql(sql, params=params or None)


def explain(exc: BaseException) -> str:
    """One line for a failed statement: what was refused and why, keeping DuckDB's own words where they are clear."""
    line = _first_line(exc)
    if isinstance(exc, Refused):
        return line
    if isinstance(exc, duckdb.PermissionException):
        return f"refused: files, network and extensions are off on the published copy ({line})"
    if "the configuration has been locked" in line:
        return f"refused: settings are locked on the published copy ({line})"
    if "read-only mode" in line:
        return f"refused: the published copy is read-only ({line})"
    return line


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]

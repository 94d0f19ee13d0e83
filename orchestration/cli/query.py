"""`faultlines sql`: one query, a script on stdin, or an interactive shell, on the published copy (read-only)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ingestion import settings
from orchestration.cli.app import (
    ReaderModeOption,
    _published,
    app,
    err,
    fail,
    out,
)


@app.command()
def sql(
    query: Annotated[str | None, typer.Argument(help="a SQL query (read-only); none: read SQL from stdin, "
                                                     "or an interactive shell in a terminal")] = None,
    mode: ReaderModeOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv (default) or table")] = "csv",
) -> None:
    """Query the published copy of a warehouse (read-only: a build can run meanwhile)."""
    import duckdb
    from rich.markup import escape

    from orchestration.readers import readonly

    if fmt not in ("csv", "table"):
        raise fail(f"unknown --format {fmt!r}: use csv or table")
    mode, path = _published(mode)
    if query is None and sys.stdin.isatty():
        _sql_shell(mode, path, fmt)
        return
    try:
        with readonly.connect(path) as con:
            _print_result(readonly.execute(con, query if query is not None else sys.stdin.read()), fmt)
    except settings.SettingsError as exc:
        raise fail(str(exc)) from None
    except duckdb.Error as exc:
        raise fail(f"query failed on {path.name}: {escape(readonly.explain(exc))}", 1) from None


def _print_result(relation, fmt: str) -> None:
    if relation is None:  # an empty script
        return
    columns = [d[0] for d in relation.description or []]
    rows = relation.fetchall()
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return
    table = Table(*columns)
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    out.print(table)


def _sql_shell(mode: str, path: Path, fmt: str) -> None:
    """A small read-only shell: statements end with `;`, `.quit` or Ctrl-D leaves. It reopens the published copy
    for each statement, so a publish in between is seen at once."""
    import duckdb
    from rich.markup import escape

    from orchestration.readers import readonly

    out.print(f"faultlines sql on the published {mode} copy ({path}), read-only. End statements with ';', "
              "'.quit' to leave.")
    buffer: list[str] = []
    while True:
        try:
            line = input(f"{mode}> " if not buffer else "   ...> ")
        except (EOFError, KeyboardInterrupt):
            out.print()
            return
        if not buffer and line.strip() in (".quit", ".exit", "\\q"):
            return
        buffer.append(line)
        statement = "\n".join(buffer).strip()
        if not statement.endswith(";"):
            continue
        buffer.clear()
        try:
            with readonly.connect(path) as con:
                _print_result(readonly.execute(con, statement), "table" if fmt == "csv" else fmt)
        except settings.SettingsError as exc:
            raise fail(str(exc)) from None
        except duckdb.Error as exc:
            err.print(f"[bold red]error:[/] {escape(readonly.explain(exc))}", soft_wrap=True)

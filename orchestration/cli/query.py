"""`faultlines sql`: one query, a script on stdin, or an interactive shell, on the published copy (read-only)."""

from __future__ import annotations

import csv
import sys
from typing import Annotated

import typer

from ingestion import settings
from orchestration.cli.app import (
    ReaderModeOption,
    _published,
    app,
    fail,
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
        from orchestration.cli.shell import run_shell

        run_shell(mode, path)
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
    if fmt == "table":
        from orchestration.cli.shell import print_table

        print_table(relation)
        return
    columns = [d[0] for d in relation.description or []]
    rows = relation.fetchall()
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)

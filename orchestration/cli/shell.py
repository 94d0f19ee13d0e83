"""The interactive `faultlines sql` shell (`make sql`): prompt_toolkit's line editing, a history kept across
sessions, completion of SQL words and the copy's schema, table and column names, a few dot commands; and the
table printer the shell and `--format table` share."""

from __future__ import annotations

import re
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

from ingestion import settings
from orchestration.cli.app import err, fail, out

HELP = """Statements end with ';' (Enter on an unfinished one starts a new line). Tab completes names, Up/Down and
Ctrl-R search the history, Ctrl-C clears the line, Ctrl-D or .quit leaves.
  .tables [SCHEMA]   the tables and views (of one schema)
  .schema TABLE      a table's columns and types
  .help              this text"""
SQL_WORDS = ("select", "from", "where", "group by", "order by", "having", "limit", "join", "left join", "on", "as",
             "and", "or", "not", "in", "is null", "distinct", "count", "sum", "avg", "min", "max", "with", "union",
             "case", "when", "then", "else", "end", "describe", "summarize", "desc", "asc", "between", "like")
NUMERIC = re.compile(r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|"
                     r"DECIMAL.*)$")


def print_table(relation) -> None:
    """Rows as a table: numbers right-aligned and shown as typed (15 significant digits, so 20.7492 and not
    20.749200000000002), every cell whole (a table wider than the terminal runs past it, as in psql)."""
    if relation is None:
        return
    columns = [d[0] for d in relation.description or []]
    numeric = [bool(NUMERIC.match(str(kind))) for kind in relation.types]
    table = Table(show_lines=False)
    for name, right in zip(columns, numeric, strict=True):
        table.add_column(escape(name), justify="right" if right else "left", no_wrap=True, overflow="fold")
    for row in relation.fetchall():
        table.add_row(*(escape(_cell(value)) for value in row))
    width = Measurement.get(out, out.options.update_width(1_000_000), table).maximum
    # rich caps a print at the console's width; a console as wide as the table prints it whole.
    Console(width=max(width, out.width), highlight=False, force_terminal=out.is_terminal,
            color_system=out.color_system).print(table)


def _cell(value: object) -> str:
    if value is None:
        return ""
    return f"{value:.15g}" if isinstance(value, float) else str(value)


def run_shell(mode: str, path: Path) -> None:
    """Read statements until Ctrl-D; each runs on a fresh read-only connection, so a publish in between is seen."""
    import duckdb
    from prompt_toolkit import PromptSession
    from prompt_toolkit.completion import WordCompleter
    from prompt_toolkit.history import FileHistory
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.lexers import PygmentsLexer
    from pygments.lexers.sql import SqlLexer

    from orchestration.readers import readonly

    try:
        with readonly.connect(path) as con:
            names = _names(con)
    except settings.SettingsError as exc:
        raise fail(str(exc)) from None
    keys = KeyBindings()

    @keys.add("enter")
    def _enter(event) -> None:  # a statement runs once it ends with ';'; a dot command at once
        buffer = event.current_buffer
        text = buffer.text.strip()
        if not text or text.endswith(";") or text.startswith((".", "\\")) or text in ("exit", "quit"):
            buffer.validate_and_handle()
        else:
            buffer.insert_text("\n")

    history = settings.home() / "sql_history"
    history.parent.mkdir(parents=True, exist_ok=True)
    session = PromptSession(history=FileHistory(str(history)), multiline=True, key_bindings=keys,
                            completer=WordCompleter(sorted(set(names) | set(SQL_WORDS)), ignore_case=True,
                                                    pattern=re.compile(r"([\w.]+)")),
                            lexer=PygmentsLexer(SqlLexer), prompt_continuation=lambda width, *_: "...> ".rjust(width))
    out.print(f"faultlines sql on the published {mode} copy ({path}), read-only. '.help' for help, Ctrl-D leaves.")
    while True:
        try:
            text = session.prompt(f"{mode}> ").strip()
        except KeyboardInterrupt:
            continue  # Ctrl-C: the line is dropped, the shell stays
        except EOFError:
            out.print()
            return
        if text in (".quit", ".exit", "\\q", "exit", "quit"):
            return
        if not text:
            continue
        try:
            with readonly.connect(path) as con:
                if text.startswith((".", "\\")):
                    _dot_command(con, text)
                else:
                    print_table(readonly.execute(con, text))
        except KeyboardInterrupt:
            err.print("interrupted")
        except duckdb.Error as exc:
            err.print(f"[bold red]error:[/] {escape(readonly.explain(exc))}", soft_wrap=True)


def _names(con) -> list[str]:
    """Schemas, `schema.table` (and bare table names), columns: what Tab completes."""
    tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    columns = con.execute("select distinct column_name from information_schema.columns").fetchall()
    return ([schema for schema, _ in tables] + [f"{schema}.{table}" for schema, table in tables]
            + [table for _, table in tables] + [column for (column,) in columns])


def _dot_command(con, text: str) -> None:
    from orchestration.readers import readonly

    command, _, argument = text.rstrip(";").partition(" ")
    argument = argument.strip()
    if command in (".help", "\\?", ".h"):
        out.print(HELP, markup=False, highlight=False)
    elif command in (".tables", "\\dt", "\\d") and not (command == "\\d" and argument):
        where = "where table_schema = ?" if argument else ""
        print_table(readonly.execute(con, "select table_schema as schema, table_name as name, table_type as type "
                                          f"from information_schema.tables {where} order by 1, 2",
                                     [argument] if argument else None))
    elif command in (".schema", "\\d") and argument:
        schema, _, table = argument.rpartition(".")
        print_table(readonly.execute(con, "select column_name as column, data_type as type, is_nullable as nullable "
                                          "from information_schema.columns where table_name = ? "
                                          "and (? = '' or table_schema = ?) order by ordinal_position",
                                     [table, schema, schema]))
    else:
        err.print(f"unknown command {escape(command)}: '.help' lists them")

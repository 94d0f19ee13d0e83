"""``faultlines``: build the warehouse, query it, generate sample data, run the API emulator.

``faultlines run`` executes the same Dagster job the UI and the schedules run, in this process.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import json
import logging
import os
import re
import shutil
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ingestion import settings

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="faultlines: a local-first warehouse for today's market questions.")
# Wide enough for the summary table when output goes to a file or a pipe (rich would assume 80 columns).
out = Console(highlight=False, soft_wrap=True, width=shutil.get_terminal_size((120, 24)).columns)
err = Console(stderr=True, highlight=False, soft_wrap=True)

ModeOption = Annotated[str, typer.Option("--mode", "-m", help="auto, live, sample or replay")]


def fail(message: str, code: int = 2) -> typer.Exit:
    """One line on stderr, then exit non-zero."""
    err.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(code)


def _sample_banner(reason: str | None) -> str:
    why = f" ({reason})" if reason else ""
    return f"[bold black on yellow] SAMPLE MODE: SYNTHETIC DATA, NOT REAL FIGURES{why} [/]"


@app.command()
def run(
    mode: ModeOption = "auto",
    data_dir: Annotated[Path | None, typer.Option(help="replay: data dir to serve; sample: where to generate")] = None,
    select: Annotated[str | None, typer.Option(help="Dagster asset selection, e.g. 'group:fred' or "
                                                     "'key:marts/mart_reserve_adequacy'")] = None,
    full_refresh: Annotated[bool, typer.Option(help="reload sources from scratch, rebuild all models")] = False,
    seed: Annotated[int, typer.Option(help="sample generator seed")] = settings.DEFAULT_SAMPLE_SEED,
    base_url: Annotated[str | None, typer.Option(help="sample/replay: use an emulator already running here")] = None,
    retries: Annotated[int, typer.Option(min=0, max=5, help="times a provider whose API is down is tried again, "
                                         "after 2 minutes, then 4, … (schedules and the UI try twice); each call is "
                                         "retried for a few seconds first in any case")] = 0,
) -> None:
    """Load the sources and build every model, then say what the warehouse holds."""
    from ingestion.emulator.server import EmulatorError, check_data_dir
    from ingestion.endpoints import probe_emulator, probe_live

    try:
        settings.check_mode(mode)
        settings.check_all()  # a malformed setting (FAULTLINES_SAMPLE_END, DuckDB limits, …) now, not mid-run
        if mode == "replay" and data_dir is None and base_url is None:
            raise settings.SettingsError("replay mode needs --data-dir DIR (or --base-url of a running emulator)")
        if data_dir is not None and mode in ("replay", "auto", "live"):
            check_data_dir(data_dir)
        elif data_dir is not None and data_dir.exists():
            check_data_dir(data_dir)
    except (settings.SettingsError, EmulatorError) as exc:
        raise fail(str(exc)) from None
    if base_url and (reason := probe_emulator(base_url)):
        raise fail(reason)

    fallback_reason = None
    if mode == "auto":
        with err.status("auto mode: checking whether the live APIs answer…"):
            fallback_reason = probe_live()
        mode = "sample" if fallback_reason else "live"
    if mode == "sample":
        out.print(_sample_banner(fallback_reason and f"live APIs unreachable: {fallback_reason}"))
    else:
        out.print(f"[bold]faultlines: {mode.upper()} mode[/] → {settings.warehouse_path(mode)}")

    summary = _run_job(mode, data_dir, select, full_refresh, seed, base_url, retries)
    _print_summary(mode, summary)
    if mode == "sample":
        out.print(_sample_banner(fallback_reason and "auto mode fell back to sample data"))


class _TerminalLines(logging.Handler):
    """faultlines' own warnings (a source being retried, a wait) as one line each on the terminal while a run
    works: a long wait is never silent, and says how to stop it."""

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "retry" in message:
            message += " (Ctrl-C stops the run)"
        err.print(f"[yellow]faultlines:[/] {message}", soft_wrap=True, markup=True, highlight=False)


@contextlib.contextmanager
def _terminal_lines():
    handler = _TerminalLines(logging.WARNING)
    loggers = [logging.getLogger(name) for name in ("ingestion", "orchestration")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def _cli_instance():
    """The Dagster instance of DAGSTER_HOME without per-step capture of stdout/stderr: a CLI run keeps its own log
    file, and that capture starts two processes per step (`tail` and a watcher), which cost time and print
    tracebacks of their own on Ctrl-C. Same run storage, so the UI lists these runs."""
    from dagster import DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    return DagsterInstance.from_ref(InstanceRef.from_dir(os.environ["DAGSTER_HOME"], overrides={"compute_logs": {
        "module": "dagster._core.storage.noop_compute_log_manager", "class": "NoOpComputeLogManager"}}))


INTERRUPTED = ("interrupted (Ctrl-C): the run stopped; nothing was published, the last published copy is unchanged "
               "and the next run starts from the last good load")


def _run_job(mode: str, data_dir: Path | None, select: str | None, full_refresh: bool, seed: int,
             base_url: str | None, retries: int = 0) -> dict:
    with err.status("loading the Dagster definitions…"):
        from dagster import AssetKey, AssetSelection, DagsterRunStatus

        from orchestration.definitions import BUILD_JOB_NAME, defs
    job = defs.resolve_job_def(BUILD_JOB_NAME)
    asset_graph = defs.resolve_asset_graph()
    asset_keys = None
    if select:
        try:
            # A provider loads all its tables in one step: selecting one selects its siblings.
            selection = AssetSelection.from_string(select).required_multi_asset_neighbors()
            asset_keys = sorted(selection.resolve(asset_graph))
        except Exception as exc:  # Dagster raises several types for a bad selection string
            raise fail(f"--select {select!r} is not a valid asset selection: {exc}") from None
        if not asset_keys:
            raise fail(f"--select {select!r} matches no asset; try 'group:fred' or 'key:marts/*'")
        # Every run is recorded and, when green, published, whatever it selects.
        asset_keys = sorted({*asset_keys, AssetKey(["meta", "runs"]), AssetKey(["published", "warehouse"])})
    planned = len(asset_keys) if asset_keys else len(asset_graph.get_all_asset_keys())

    run_config = {
        "resources": {"faultlines": {"config": {
            "mode": mode, "data_dir": str(data_dir) if data_dir else None, "sample_seed": seed,
            "base_url": base_url, "full_refresh": full_refresh, "step_retries": retries}}},
        # Dagster's console log would print whole tracebacks here; failures are summed up in one line below and
        # kept in full in the run's event log (UI) and the log file.
        "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
    }
    instance = _cli_instance()
    run_id = str(uuid.uuid4())
    started = time.monotonic()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
                  "{task.total} assets"), TimeElapsedColumn(), console=err, transient=True) as progress:
        task = progress.add_task("building", total=planned)
        stop = threading.Event()
        watcher = threading.Thread(target=_watch_run, args=(instance, run_id, progress, task, stop), daemon=True)
        watcher.start()
        log_path = settings.home() / "logs" / f"run-{run_id[:8]}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # dbt echoes every event to stdout: keep it in the run's log file, not on the user's screen.
            with log_path.open("w") as log_file, contextlib.redirect_stdout(log_file), _terminal_lines():
                result = job.execute_in_process(run_config=run_config, instance=instance, run_id=run_id,
                                                asset_selection=asset_keys, raise_on_error=False,
                                                tags={"faultlines/mode": mode, "faultlines/entry": "cli"})
        except KeyboardInterrupt:  # Ctrl-C before a step started (resources set up, the lock waited for)
            raise fail(f"{INTERRUPTED} (log: {log_path})", 130) from None
        except Exception as exc:  # resource set-up errors surface here
            stop.set()
            raise fail(_first_line(exc), 1) from None
        finally:
            stop.set()
            watcher.join(timeout=2)
    if not result.success:
        _append_failures(log_path, result)
        failures = result.get_step_failure_events()
        if any(_was_interrupted(f.step_failure_data.error) for f in failures):
            raise fail(f"{INTERRUPTED} (log: {log_path})", 130)
        messages = _failure_lines(result) or [
            root_cause(error) for error in _run_errors(result)][:1] or [str(DagsterRunStatus.FAILURE)]
        raise fail(f"run {run_id[:8]} failed: {'; '.join(messages)} (log: {log_path})", 1)
    return {"run_id": run_id, "seconds": time.monotonic() - started, "log": log_path, "full_refresh": full_refresh}


def _append_failures(log_path: Path, result) -> None:
    """The log file holds dbt's output; a failed run also gets each failed step's error and failed check in full."""
    from dagster import DagsterEventType

    with log_path.open("a") as log_file:
        for event in result.all_events:
            data = event.event_specific_data
            if event.event_type == DagsterEventType.STEP_FAILURE:
                log_file.write(f"\n=== step {event.step_key} failed\n{data.error.to_string()}\n")
            elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION and not data.passed:
                details = {key: value.value for key, value in data.metadata.items()}
                log_file.write(f"\n=== check {data.check_name} on {data.asset_key.to_user_string()} failed "
                               f"({data.severity.value})\n{json.dumps(details, indent=1, default=str)}\n")
        if not result.get_step_failure_events():
            for error in _run_errors(result):
                log_file.write(f"\n=== run failed\n{error.to_string()}\n")


def _was_interrupted(error) -> bool:
    while error is not None:
        if error.cls_name in ("DagsterExecutionInterruptedError", "KeyboardInterrupt"):
            return True
        error = error.cause
    return False


def _failure_lines(result) -> list[str]:
    """What failed, by name: each failed step with its cause, a failed blocking check with its summary (not just
    "1 blocking asset check failed"), each dbt model or test that errored or failed."""
    from dagster import DagsterEventType

    checks = [event.event_specific_data for event in result.all_events
              if event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION
              and not event.event_specific_data.passed and event.event_specific_data.severity.value == "ERROR"]
    lines = []
    for failure in result.get_step_failure_events():
        error = failure.step_failure_data.error
        if error.cls_name == "DagsterAssetCheckFailedError" and checks:
            lines += [f"check {check.check_name} on {check.asset_key.to_user_string()}: "
                      f"{_first_line(check.description or 'failed')}" for check in checks]
        elif "dbt CLI process" in error.message:
            named = list(dict.fromkeys(re.findall(r"(?:ERROR|FAIL \d+) (\S+)", error.message.split(
                "Errors parsed from dbt logs:", 1)[-1])))
            lines.append(f"{failure.step_key}: dbt " + (", ".join(f"{name} failed" for name in named)
                                                        if named else root_cause(error)))
        else:
            lines.append(f"{failure.step_key}: {root_cause(error)}")
    return list(dict.fromkeys(lines))


def _run_errors(result) -> list:
    """Errors of a run that failed outside any step (a resource that could not start, say)."""
    return [event.event_specific_data.error for event in result.all_events
            if getattr(event.event_specific_data, "error", None) is not None]


def _watch_run(instance, run_id: str, progress: Progress, task, stop: threading.Event) -> None:
    """Move the progress bar as the run materializes assets (read from the run's event log)."""
    from dagster import DagsterEventType

    seen: set = set()
    while not stop.wait(0.5):
        try:
            records = instance.get_records_for_run(run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION).records
        except Exception:  # the run may not exist yet
            continue
        for record in records:
            key = record.event_log_entry.dagster_event.asset_key
            if key not in seen:
                seen.add(key)
                progress.update(task, completed=len(seen), description=f"built {key.to_user_string()}")


def root_cause(error) -> str:
    """The error of a Dagster failure that says most, first line only: ours when one is in the chain (it names the
    source, the call and what to do: "FRED: … WRESBAL line 3: …", where the innermost error only says "could not
    convert string to float"), otherwise the innermost (Dagster and dlt wrap the cause)."""
    chain = []
    while error is not None:
        chain.append(error)
        error = getattr(error, "cause", None)
    ours = [e for e in chain if e.message.startswith(("ingestion.", "orchestration."))]
    error = ours[0] if ours else chain[-1]
    message, marker = error.message, f"{error.cls_name}: "  # "ingestion.http.SourceError: SEC EDGAR: ..."
    return _first_line(message.split(marker, 1)[1] if marker in message else message)


def _first_line(exc_or_text: object) -> str:
    text = str(exc_or_text).strip()
    return text.splitlines()[-1] if text.startswith("Traceback") else (text.splitlines() or [""])[0]


DATE_COLUMNS = ("date_day", "trade_date", "window_end", "auction_date", "fiscal_quarter_end")


def _rows_and_latest(con, table: str) -> tuple[int, object]:
    """Rows in a mart and its latest date (from the first date column it has, if any)."""
    columns = {c for (c,) in con.execute("select column_name from information_schema.columns "
                                         "where table_schema = 'marts' and table_name = ?", [table]).fetchall()}
    date_column = next((c for c in DATE_COLUMNS if c in columns), None)
    latest = f'max("{date_column}")' if date_column else "null"
    return con.execute(f'select count(*), {latest} from marts."{table}"').fetchone()


def _print_summary(mode: str, summary: dict) -> None:
    import duckdb

    # The published copy: the warehouse itself may already be another run's, which holds DuckDB's write lock.
    path = settings.published_path(mode)
    with duckdb.connect(str(path), read_only=True) as con:
        loads = con.execute("""select 'raw_' || provider || '.' || table_name, rows_fetched, rows_added,
                               rows_in_table from meta.loads where run_id = ? order by 1""",
                            [summary["run_id"]]).fetchall()
        marts = con.execute("""select table_name from information_schema.tables
                               where table_schema = 'marts' order by 1""").fetchall()
        mart_rows = [(name, _rows_and_latest(con, name)) for (name,) in marts]
    new_rows = sum(r[2] for r in loads)
    table = Table(title=f"faultlines: {mode} warehouse built in {summary['seconds']:.0f}s", title_justify="left")
    for column, justify in [("table", "left"), ("fetched", "right"), ("new", "right"), ("in table", "right")]:
        table.add_column(column, justify=justify)
    for name, fetched, added, total in loads:
        table.add_row(name, f"{fetched:,}", f"{added:,}", f"{total:,}")
    for name, (rows, latest) in mart_rows:
        table.add_row(f"marts.{name}", "", "", f"{rows:,}" + (f" (latest {latest})" if latest else ""))
    out.print(table)
    if summary["full_refresh"]:
        out.print(f"Reloaded {sum(r[1] for r in loads):,} rows from scratch (full refresh)")
    else:
        up_to_date = " (nothing new: the warehouse was up to date)" if not new_rows else ""
        out.print(f"Loaded {new_rows:,} new rows{up_to_date}")
    out.print(f"Warehouse: {settings.warehouse_path(mode)}")
    out.print(f"Published: {path} (read-only copy for SQL and BI tools; Parquet in "
              f"{settings.published_parquet_dir(mode)})")
    out.print(f"Query it:  faultlines sql --mode {mode} \"select * from marts.mart_reserve_adequacy "
              "order by date_day desc limit 5\" --format table")
    out.print("Open the UI: make ui   (Dagster on http://127.0.0.1:3000)")


def _published(mode: str | None) -> tuple[str, Path]:
    """The published (read-only) copy readers use: of `mode`, or live if it was ever published, else sample."""
    try:
        if mode is None:
            mode = "live" if settings.published_path("live").exists() else "sample"
        path = settings.published_path(mode)
    except settings.SettingsError as exc:
        raise fail(str(exc)) from None
    if not path.exists():
        built = settings.warehouse_path(mode).exists()
        raise fail(f"no published {mode} warehouse at {path}: "
                   + ("the last build did not finish green; see `faultlines status`" if built else
                      f"build it with `faultlines run --mode {mode}` (or `make run`)"))
    return mode, path


ReaderModeOption = Annotated[str | None, typer.Option("--mode", "-m", help="which warehouse: live, sample or "
                                                      "replay (default: live if published, else sample)")]


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

    from orchestration import readonly

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

    from orchestration import readonly

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


@app.command()
def status(mode: ReaderModeOption = None) -> None:
    """Last runs, freshness of every source table, and failing checks, in the terminal."""
    import duckdb

    from orchestration import calendars

    mode, path = _published(mode)
    with err.status("reading the run history…"):
        from dagster import DagsterInstance

        from orchestration.definitions import defs
        instance = DagsterInstance.get()
        records = instance.get_run_records(limit=5)
        check_keys = list(defs.resolve_asset_graph().asset_check_keys)
        latest_checks = instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)

    runs = Table(title="Last runs", title_justify="left")
    for column in ("run", "job", "mode", "status", "started (UTC)", "took"):
        runs.add_column(column)
    for record in records:
        run = record.dagster_run
        took = f"{record.end_time - record.start_time:.0f}s" if record.start_time and record.end_time else ""
        started = (dt.datetime.fromtimestamp(record.start_time, dt.UTC).strftime("%Y-%m-%d %H:%M")
                   if record.start_time else "")
        runs.add_row(run.run_id[:8], run.job_name, run.tags.get("faultlines/mode", ""), run.status.value, started,
                     took)
    out.print(runs if records else "No runs recorded yet in this DAGSTER_HOME.")

    now = dt.datetime.now(calendars.NEW_YORK)
    freshness = Table(title=f"Freshness of the published {mode} warehouse (release calendars, New York time)",
                      title_justify="left")
    for column in ("table", "newest data", "fresh from", "", "calendar"):
        freshness.add_column(column)
    stale = 0
    with duckdb.connect(str(path), read_only=True) as con:
        for asset, (calendar, latest_sql) in calendars.FRESHNESS.items():
            try:
                latest = con.execute(latest_sql).fetchone()[0]
            except duckdb.Error:
                latest = None
            fresh = calendar.is_fresh(latest, now)
            stale += not fresh
            freshness.add_row(asset.replace("/", "."), str(latest or "none"), str(calendar.oldest_fresh(now)),
                              "[green]fresh[/]" if fresh else "[yellow]late[/]", calendar.description)
    out.print(freshness)

    failing = [(key, record) for key, record in latest_checks.items() if record.status.value == "FAILED"]
    evaluated = sum(1 for record in latest_checks.values() if record.status.value in ("SUCCEEDED", "FAILED"))
    out.print(f"Checks: {evaluated - len(failing)} of {len(check_keys)} passed at their latest run, "
              f"{len(failing)} failing, {len(check_keys) - evaluated} never run")
    for key, record in sorted(failing, key=lambda item: item[0].to_user_string()):
        evaluation = record.event.dagster_event.event_specific_data if record.event else None
        detail = getattr(evaluation, "description", None) or ""
        severity = getattr(getattr(evaluation, "severity", None), "value", "")
        out.print(f"  [red]✗[/] {key.asset_key.to_user_string()} · {key.name} {severity}: {detail}", soft_wrap=True)
    published_at = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    out.print(f"Published copy: {path} ({path.stat().st_size / 1e6:.0f} MB, {published_at}); "
              f"{stale} source tables late")


@app.command()
def docs(
    mode: ReaderModeOption = None,
    port: Annotated[int, typer.Option(help="port on 127.0.0.1 (0 = any free port)")] = 8080,
    serve: Annotated[bool, typer.Option(help="serve the site after generating it")] = True,
) -> None:
    """Generate the dbt docs site from the published warehouse and serve it on 127.0.0.1 (no internet needed)."""
    import functools
    import os
    import subprocess
    import tempfile
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    mode, path = _published(mode)
    site = settings.home() / "docs"
    dbt = str(Path(sys.executable).parent / "dbt")
    with tempfile.TemporaryDirectory(prefix="faultlines-docs-") as scratch, \
            err.status("dbt docs generate (catalog from the published copy)…"):
        # dbt-duckdb opens its database for writing: give it a scratch copy, never the published file.
        copy = Path(scratch) / path.name
        shutil.copyfile(path, copy)
        result = subprocess.run([dbt, "docs", "generate", "--static", "--target-path", str(site)],
                                cwd=settings.DBT_PROJECT_DIR, capture_output=True, text=True,
                                env={**os.environ, "FAULTLINES_DUCKDB_PATH": str(copy)})
    if result.returncode != 0:
        raise fail(f"dbt docs generate failed: {_first_line(result.stdout.strip().splitlines()[-1:] or ['?'])}", 1)
    out.print(f"docs site written to {site} (single shareable file: {site / 'static_index.html'})")
    if not serve:
        return
    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # one line per request would drown the URL above
            pass

    handler = functools.partial(QuietHandler, directory=str(site))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise fail(f"cannot serve the docs on 127.0.0.1:{port}: {exc.strerror}; pick another --port") from None
    out.print(f"dbt docs on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
    _serve_until_interrupted(server)


def _serve_until_interrupted(server) -> None:
    """Serve until Ctrl-C or SIGTERM, then release the port."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@app.command("serve-sql")
def serve_sql(
    mode: ReaderModeOption = None,
    port: Annotated[int, typer.Option(help="port to listen on")] = 5433,
    host: Annotated[str, typer.Option(help="address to listen on; beyond loopback only with FAULTLINES_SQL_PASSWORD "
                                           "set")] = "127.0.0.1",
) -> None:
    """A read-only PostgreSQL-wire endpoint over the published warehouse (psql, BI tools without DuckDB drivers)."""
    from orchestration import readonly
    from orchestration.sql_server import make_server

    mode, path = _published(mode)
    try:
        server = make_server(path, host, port)
    except settings.SettingsError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot listen on {host}:{port}: {exc.strerror}; pick another --host or --port") from None
    limits = server.limits
    bound = server.server_address[1]
    out.print(f"PostgreSQL wire on {host}:{bound} over {path} (read-only; each new connection sees the newest "
              f"published copy; {'password required' if limits.password else 'no password'}; a query stops after "
              f"{limits.timeout_seconds:g} s; at most {limits.max_connections} connections, "
              f"{readonly.memory_limit()} each). Try: psql -h {host} -p {bound} "
              "-c \"select * from marts.mart_claims\"  (Ctrl-C to stop)", soft_wrap=True)
    _serve_until_interrupted(server)


@app.command()
def report(
    mode: ReaderModeOption = None,
    out_path: Annotated[Path | None, typer.Option("--out", help="the HTML file to write "
                                                  "(default: FAULTLINES_HOME/report/<mode>.html)")] = None,
) -> None:
    """Write one self-contained HTML report (charts and claims) from the published warehouse; works offline."""
    from orchestration.report import build_report

    mode, path = _published(mode)
    target = out_path or settings.home() / "report" / f"{mode}.html"
    try:
        with err.status("drawing the report…"):
            result = build_report(path, target, mode)
    except OSError as exc:
        raise fail(f"cannot write the report to {target}: {exc.strerror}") from None
    if mode == "sample":
        out.print(_sample_banner(None))
    out.print(f"report written to {result['path']} ({result['bytes'] / 1e6:.1f} MB, {result['charts']} charts, "
              "self-contained: open it in any browser, offline)")


@app.command()
def sample(
    out_dir: Annotated[Path, typer.Option("--out", help="where to write the data dir")],
    seed: Annotated[int, typer.Option(help="generator seed")] = settings.DEFAULT_SAMPLE_SEED,
    end: Annotated[str | None, typer.Option(help="last date (YYYY-MM-DD), default today")] = None,
    scale: Annotated[int | None, typer.Option(min=1, max=100, help="units of data for benchmarks: 50 tickers, 20 "
                                              "FRED series, 2,000 auctions each; 10 is the full scale")] = None,
) -> None:
    """Generate deterministic synthetic data in the emulator's data-dir layout."""
    from ingestion.synthetic.compose import generate

    try:
        end_date = dt.date.fromisoformat(end) if end else None
    except ValueError:
        raise fail(f"--end {end!r} is not a date (YYYY-MM-DD)") from None
    try:
        generate(out_dir, seed, end_date, scale)
    except OSError as exc:
        raise fail(f"cannot write sample data to {out_dir}: {exc.strerror}") from None
    out.print(f"sample data (seed {seed}{f', scale {scale}' if scale else ''}) written to {out_dir}")
    if scale:
        env_file = out_dir / "faultlines.env"
        out.print(f"load it with the settings in {env_file}:\n  env $(cat {env_file}) FRED_API_KEY=any "
                  f"faultlines run --mode replay --data-dir {out_dir}")


@app.command()
def record(
    out_dir: Annotated[Path, typer.Option("--out", help="the data dir to write (emulator layout)")],
    from_base_url: Annotated[str | None, typer.Option(help="record from this emulator, not the live APIs")] = None,
) -> None:
    """Fetch every source once, from scratch, and save the answers as a data dir that replay mode rebuilds from."""
    from ingestion.emulator.record import record as record_data_dir
    from ingestion.endpoints import EMULATOR_REQUESTS_PER_SECOND, LIVE_URLS, probe_emulator
    from ingestion.http import SourceError

    if from_base_url:
        if reason := probe_emulator(from_base_url):
            raise fail(reason)
        upstreams = {name: from_base_url.rstrip("/") for name in (*LIVE_URLS, "treasury_host")}
        rate, label = EMULATOR_REQUESTS_PER_SECOND, from_base_url
    else:
        upstreams = {**LIVE_URLS, "treasury_host": LIVE_URLS["treasury"].split("/services/")[0]}
        rate, label = None, "live"
    if out_dir.exists() and any(out_dir.iterdir()):
        raise fail(f"{out_dir} is not empty: record into a new folder")
    with err.status(f"recording from {label}…"):
        try:
            files = record_data_dir(out_dir, upstreams, rate, label)
        except SourceError as exc:
            raise fail(str(exc), 1) from None
    out.print(f"recorded {len(files)} files from {label} into {out_dir}")
    out.print(f"rebuild from them: faultlines run --mode replay --data-dir {out_dir}")


@app.command()
def emulator(
    data_dir: Annotated[Path, typer.Option(help="data dir in the emulator layout (see ingestion/emulator/README.md)")],
    port: Annotated[int, typer.Option(help="port on 127.0.0.1 (0 = any free port)")] = 0,
    fault: Annotated[list[str] | None, typer.Option(
        help="misbehave like the real APIs: KIND[:RATE], repeatable. Kinds: 429, 500, 503, timeout, reset, "
             "truncated, html_200, interstitial, new_column, changed_type, duplicate_rows, revised_values, "
             "empty_page; RATE is the share of requests hit (default 1)")] = None,
) -> None:
    """Serve a data dir with the public APIs' URLs on 127.0.0.1 until interrupted."""
    from ingestion.emulator.faults import Fault, FaultSpecError
    from ingestion.emulator.server import Emulator, EmulatorError

    try:
        faults = [Fault.parse(spec) for spec in fault or []]
        server = Emulator(data_dir, port)
    except (EmulatorError, FaultSpecError) as exc:
        raise fail(str(exc)) from None
    for injected in faults:
        server.inject(injected)
        out.print(f"injecting {injected.kind} into {injected.rate:.0%} of requests")
    out.print(f"emulator serving {server.data_dir} on {server.base_url} (Ctrl-C to stop)", soft_wrap=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


@app.command()
def ui(
    mode: ModeOption = "sample",
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 3000,
) -> None:
    """Open the Dagster UI (`dagster dev`) on this project, with run history kept in FAULTLINES_HOME."""
    import os
    import signal

    try:
        settings.check_mode(mode)
    except settings.SettingsError as exc:
        raise fail(str(exc)) from None
    os.environ["FAULTLINES_MODE"] = mode
    dagster = str(Path(sys.executable).parent / "dagster")
    # A background `make ui` inherits SIGINT/SIGTERM ignored, and dagster dev keeps that: restore the defaults
    # so the UI can be stopped by its PID.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    out.print(f"Dagster UI on http://{host}:{port} (mode {mode}, DAGSTER_HOME {os.environ['DAGSTER_HOME']})")
    os.chdir(settings.REPO_ROOT)
    os.execv(dagster, [dagster, "dev", "-m", "orchestration.definitions", "-h", host, "-p", str(port)])


def main() -> None:
    """The `faultlines` command: every error is one line on stderr and a non-zero exit, unless --debug."""
    import signal
    import warnings

    from rich.markup import escape
    from typer._click.exceptions import NoArgsIsHelpError, UsageError  # Typer's own Click (not the `click` package)

    # A process started in the background (or by a test runner) can inherit SIGINT/SIGTERM as ignored: restore the
    # defaults, so Ctrl-C and `kill` stop every faultlines command, servers included.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    debug = "--debug" in sys.argv[1:]
    if debug:
        sys.argv.remove("--debug")
    else:  # Dagster's notes about its own beta APIs are not the user's business
        warnings.filterwarnings("ignore", message=r".*(beta|preview).*", category=Warning)
    try:
        settings.configure_environment()
        code = app(standalone_mode=False)
    except NoArgsIsHelpError:
        sys.exit(0)  # Typer has printed the help
    except UsageError as exc:
        command = f"faultlines {exc.ctx.info_name} --help" if exc.ctx and exc.ctx.parent else "faultlines --help"
        err.print(f"[bold red]error:[/] {exc.format_message()} (see `{command}`)", soft_wrap=True, markup=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except settings.SettingsError as exc:  # a setting the user gave (FAULTLINES_*): the message says what to do
        if debug:
            raise
        err.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        sys.exit(2)
    except Exception as exc:
        if debug:
            raise
        err.print(f"[bold red]error:[/] {type(exc).__name__}: {_first_line(exc)} (run again with --debug for the "
                  "traceback)", soft_wrap=True, markup=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()

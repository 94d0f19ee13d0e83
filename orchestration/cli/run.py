"""`faultlines run`: the build job in this process, its progress and waits on the terminal, failures in one line,
the summary of what the warehouse holds."""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from ingestion import settings
from orchestration.cli.app import (
    ModeOption,
    _first_line,
    _sample_banner,
    app,
    err,
    fail,
    out,
)


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
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="also show the libraries' log lines (dlt, "
                                          "Dagster) on the terminal; they are always in the run's log file")] = False,
    engine: Annotated[str | None, typer.Option(help="duckdb (default) or spark: dlt writes a Parquet lake and dbt "
                                               "builds on Spark (default: FAULTLINES_ENGINE)")] = None,
) -> None:
    """Load the sources and build every model, then say what the warehouse holds."""
    from ingestion.emulator.server import EmulatorError, check_data_dir
    from ingestion.endpoints import probe_emulator, probe_live

    try:
        settings.check_mode(mode)
        os.environ["FAULTLINES_ENGINE"] = settings.engine(engine)  # the run's resource and dbt read it from here
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

    generating = None
    if mode == "sample" and base_url is None:  # generated while Dagster's definitions load (new homes)
        from ingestion.synthetic.compose import generate_ahead

        generating = generate_ahead(data_dir or settings.sample_data_dir(seed), seed, settings.sample_end_date())
    try:
        summary = _run_job(mode, data_dir, select, full_refresh, seed, base_url, retries, verbose)
    finally:
        if generating is not None:  # done long before a run that used it ends; not left behind by one that failed
            generating.terminate()
            generating.wait()
    _print_summary(mode, summary)
    if mode == "sample":
        out.print(_sample_banner(fallback_reason and "auto mode fell back to sample data"))


def _cli_instance():
    """The Dagster instance of DAGSTER_HOME without per-step capture of stdout/stderr: a CLI run keeps its own log
    file, and that capture starts two processes per step (`tail` and a watcher), which cost time and print
    tracebacks of their own on Ctrl-C. Same run storage, so the UI lists these runs; the same event log files, kept
    with one engine per file (orchestration.event_log)."""
    from dagster import DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    from orchestration.event_log import storage_overrides

    home = os.environ["DAGSTER_HOME"]
    return DagsterInstance.from_ref(InstanceRef.from_dir(home, overrides={**storage_overrides(home), "compute_logs": {
        "module": "dagster._core.storage.noop_compute_log_manager", "class": "NoOpComputeLogManager"}}))


INTERRUPTED = ("interrupted (Ctrl-C): the run stopped; nothing was published, the last published copy is unchanged "
               "and the next run starts from the last good load")


def _run_job(mode: str, data_dir: Path | None, select: str | None, full_refresh: bool, seed: int,
             base_url: str | None, retries: int = 0, verbose: bool = False) -> dict:
    # A run without a selection or full refresh loads first, then builds only what the loads changed
    # (orchestration.incremental); a selection or a full refresh is built as asked, in one run.
    in_two = not select and not full_refresh
    with err.status("loading the Dagster definitions…"):
        from dagster import AssetKey, AssetSelection, DagsterRunStatus

        from orchestration import incremental
        from orchestration.assets.sources import PROVIDER_ASSETS, SOURCES
        from orchestration.cli.progress import DbtOutput, RunDisplay, terminal_and_log_file, watch_run
        if in_two:  # the load's job has no dbt project: the dbt assets load only if the load changed something
            from orchestration import jobs

            load_job = jobs.load_job()
        else:
            from orchestration.definitions import BUILD_JOB_NAME, defs
    load_keys = sorted({key for assets in PROVIDER_ASSETS for key in assets.keys})
    asset_keys = None
    if select:
        asset_graph = defs.resolve_asset_graph()
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
    # The load's tables first; a run in two learns how many assets it builds once the load is done.
    planned = len(load_keys) if in_two else len(asset_keys or defs.resolve_asset_graph().get_all_asset_keys())

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
    display = RunDisplay(providers=frozenset(SOURCES))
    tags = {"faultlines/mode": mode, "faultlines/entry": "cli"}
    log_path = settings.home() / "logs" / f"run-{run_id[:8]}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(bar_width=20),
                  TextColumn("{task.completed}/{task.total} assets"), TimeElapsedColumn(), console=err,
                  transient=True) as progress, log_path.open("w") as log_file:
        task = progress.add_task(display.describe(), total=planned)

        def execute(job, keys, this_run_id: str, run_tags: dict):
            stop = threading.Event()
            watcher = threading.Thread(target=watch_run, args=(instance, this_run_id, display, progress, task, stop),
                                       daemon=True)
            watcher.start()
            try:
                # dbt echoes every event to stdout: keep it in the run's log file, not on the user's screen (each
                # node it starts goes to the progress line); so do the libraries' log lines.
                with contextlib.redirect_stdout(DbtOutput(log_file, display)), \
                        terminal_and_log_file(log_file, verbose):
                    return job.execute_in_process(run_config=run_config, instance=instance, run_id=this_run_id,
                                                  asset_selection=keys, raise_on_error=False, tags=run_tags)
            except KeyboardInterrupt:  # Ctrl-C before a step started (resources set up, the lock waited for)
                raise fail(f"{INTERRUPTED} (log: {log_path})", 130) from None
            except Exception as exc:  # resource set-up errors surface here
                raise fail(_first_line(exc), 1) from None
            finally:
                stop.set()
                watcher.join(timeout=2)
                # The run is over: a step whose end the watcher had not read yet must not show as running into
                # the next run of the pair.
                display.running.clear()

        if in_two:
            from orchestration.dbt_manifest import MANIFEST_PATH

            def execute_and_count(job, keys, this_run_id: str, run_tags: dict):
                if run_tags:  # the second run: now it is known how many assets the run builds
                    progress.update(task, total=len(load_keys) + len(keys))
                return execute(job, keys, this_run_id, {**tags, **run_tags})

            def full_definitions():
                from orchestration.definitions import defs

                return defs

            results = incremental.build_in_two(execute_and_count, load_job, full_definitions, load_keys,
                                               settings.warehouse_path(mode), MANIFEST_PATH, run_id)
        else:
            results = [execute(defs.resolve_job_def(BUILD_JOB_NAME), asset_keys, run_id, tags)]
    result = results[-1]
    if not result.success:
        _append_failures(log_path, result)
        failures = result.get_step_failure_events()
        if any(_was_interrupted(f.step_failure_data.error) for f in failures):
            raise fail(f"{INTERRUPTED} (log: {log_path})", 130)
        messages = _failure_lines(result) or [
            root_cause(error) for error in _run_errors(result)][:1] or [str(DagsterRunStatus.FAILURE)]
        raise fail(f"run {result.run_id[:8]} failed: {'; '.join(messages)} (log: {log_path})", 1)
    published = any(event.asset_key == incremental.PUBLISHED_KEY
                    for event in result.get_asset_materialization_events())
    return {"run_id": run_id, "seconds": time.monotonic() - started, "log": log_path, "full_refresh": full_refresh,
            "loads": _loads(results[0]), "published": published}


def _loads(result) -> list[tuple[str, int, int, int]]:
    """(table, rows fetched, rows added, rows in table) of each raw table the run loaded, from its
    materializations (the summary of a run that published nothing has no published record to read)."""
    loads = []
    for event in result.get_asset_materialization_events():
        materialization = event.step_materialization_data.materialization
        key, metadata = materialization.asset_key, materialization.metadata
        if key.path[0].startswith("raw_") and "rows_fetched" in metadata:
            loads.append((".".join(key.path), *(int(metadata[name].value) for name in
                                                 ("rows_fetched", "rows_added", "rows_in_table"))))
    return sorted(loads)


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
    loads = summary["loads"]
    with duckdb.connect(str(path), read_only=True) as con:
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
    kept = "" if summary["published"] else "; kept as it was, nothing changed"
    out.print(f"Published: {path} (read-only copy for SQL and BI tools; Parquet in "
              f"{settings.published_parquet_dir(mode)}{kept})")
    out.print(f"Query it:  faultlines sql --mode {mode} \"select * from marts.mart_reserve_adequacy "
              "order by date_day desc limit 5\" --format table")
    out.print("Open the UI: make ui   (Dagster on http://127.0.0.1:3000)")

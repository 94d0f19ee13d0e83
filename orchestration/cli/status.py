"""`faultlines status`: the last runs, freshness of every source table, failing checks.

It answers from what the runs recorded (Dagster's run storage and event log, the warehouse's `meta.runs`) and never
loads the Dagster definitions (dbt's manifest, every asset): that took 15 s, for a command meant to be glanced at.
With Dagster's default storage it does not import Dagster either (`orchestration/run_history.py`).
"""

from __future__ import annotations

import datetime as dt

from rich.table import Table

from orchestration.cli.app import (
    ReaderModeOption,
    _published,
    app,
    err,
    out,
)

# Runs whose check results count: the latest evaluation of each check among them is its state.
CHECK_HISTORY_RUNS = 20


@app.command()
def status(mode: ReaderModeOption = None) -> None:
    """Last runs, freshness of every source table, and failing checks, in the terminal."""
    import duckdb

    from orchestration import calendars, run_history

    mode, path = _published(mode)
    with err.status("reading the run history…"):
        history, latest_checks = run_history.recent(CHECK_HISTORY_RUNS)
    with duckdb.connect(str(path), read_only=True) as con:
        recorded_modes = dict(con.execute("select run_id, mode from meta.runs").fetchall())
        latest = {}
        for asset, (_, latest_sql) in calendars.FRESHNESS.items():
            try:
                latest[asset] = con.execute(latest_sql).fetchone()[0]
            except duckdb.Error:
                latest[asset] = None

    records = history[:5]
    runs = Table(title="Last runs", title_justify="left")
    for column in ("run", "job", "mode", "status", "started (UTC)", "took"):
        runs.add_column(column)
    for run in records:
        took = f"{run.end_time - run.start_time:.0f}s" if run.start_time and run.end_time else ""
        started = (dt.datetime.fromtimestamp(run.start_time, dt.UTC).strftime("%Y-%m-%d %H:%M")
                   if run.start_time else "")
        runs.add_row(run.run_id[:8], run.job_name, _run_mode(run, recorded_modes), run.status, started, took)
    out.print(runs if records else "No runs recorded yet in this DAGSTER_HOME.")

    now = dt.datetime.now(calendars.NEW_YORK)
    freshness = Table(title=f"Freshness of the published {mode} warehouse (release calendars, New York time)",
                      title_justify="left")
    for column in ("table", "newest data", "fresh from", "verdict", "calendar"):
        freshness.add_column(column)
    stale = 0
    for asset, (calendar, _) in calendars.FRESHNESS.items():
        fresh = calendar.is_fresh(latest[asset], now)
        stale += not fresh
        freshness.add_row(asset.replace("/", "."), str(latest[asset] or "none"), str(calendar.oldest_fresh(now)),
                          _verdict(fresh, latest[asset], now), calendar.description)
    out.print(freshness)

    failing = sorted((key, result) for key, result in latest_checks.items() if not result.passed)
    out.print(f"Checks: {len(latest_checks) - len(failing)} of {len(latest_checks)} passed at their latest run "
              f"(the last {len(history)} runs), {len(failing)} failing")
    for (asset, check), result in failing:
        out.print(f"  [red]✗[/] {asset} · {check} {result.severity}: {result.description}", soft_wrap=True)
    published_at = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    out.print(f"Published copy: {path} ({path.stat().st_size / 1e6:.0f} MB, {published_at}); "
              f"{stale} source tables late")


def _verdict(fresh: bool, latest, now: dt.datetime) -> str:
    if fresh:
        return "[green]fresh[/]"
    # Dated after today in New York (the time zone the sources and the calendars use): not late, wrong.
    return "[red]future[/]" if latest and latest > now.date() else "[yellow]late[/]"


def _run_mode(run, recorded_modes: dict[str, str]) -> str:
    """The mode a run built: its tag (every run sets it once its mode is known, `auto` resolved), else the run
    record it wrote, else its run config (runs from before the tag; the UI's launches carry none)."""
    config = run.run_config.get("resources", {}).get("faultlines", {}).get("config", {})
    return run.tags.get("faultlines/mode") or recorded_modes.get(run.run_id) or config.get("mode", "")

"""`faultlines status`: the last runs, freshness of every source table, failing checks."""

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

"""What ``faultlines status`` shows of Dagster's run history: the last runs, and each check's latest result.

Why hand-written: importing Dagster and opening its instance takes 2 s (1.45 s of it imports: SQLAlchemy, Alembic,
the whole definitions API), for a command meant to answer in about a second. Dagster's default storage is SQLite
files under DAGSTER_HOME (``history/runs.db`` for runs, ``history/runs/index.db`` for check executions), and this
module reads them directly, read-only, with the standard library: 0.01 s. A home whose ``dagster.yaml`` names
another storage (Postgres, say), or files without the expected tables, is read through ``DagsterInstance`` as
before. The e2e tests compare both readers on the CLI's home and on the UI's (a failed run, checks planned and
never run), so a Dagster upgrade that changes the layout fails a test instead of misleading a user.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

STORAGE_KEYS = ("storage", "run_storage", "event_log_storage", "instance_class")  # any: ask Dagster


@dataclass(frozen=True)
class Run:
    run_id: str
    job_name: str
    status: str  # Dagster's DagsterRunStatus value: SUCCESS, FAILURE, STARTED, …
    start_time: float | None  # Unix seconds
    end_time: float | None
    tags: dict[str, str] = field(default_factory=dict)
    run_config: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CheckResult:
    asset: str  # the asset key as Dagster writes it for users: raw_fred/observations
    check_name: str
    run_id: str
    passed: bool
    severity: str  # WARN or ERROR
    description: str


class UnreadableHistory(Exception):
    """The SQLite files are not Dagster's default layout (or not there in a way this reader knows)."""


def recent(limit: int) -> tuple[list[Run], dict[tuple[str, str], CheckResult]]:
    """The last `limit` runs, newest first, and the latest result of each check evaluated in them."""
    home = Path(os.environ["DAGSTER_HOME"])
    if not _configures_storage(home / "dagster.yaml"):
        try:
            return from_sqlite(home, limit)
        except UnreadableHistory:
            pass
    return from_dagster(limit)


def _configures_storage(dagster_yaml: Path) -> bool:
    if not dagster_yaml.exists():
        return False
    import yaml

    config = yaml.safe_load(dagster_yaml.read_text()) or {}
    return any(key in config for key in STORAGE_KEYS)


def from_sqlite(home: Path, limit: int) -> tuple[list[Run], dict[tuple[str, str], CheckResult]]:
    """Dagster's default SQLite storage, read directly (see the module's docstring)."""
    runs_db, index_db = home / "history" / "runs.db", home / "history" / "runs" / "index.db"
    if not runs_db.exists():
        return [], {}  # no run yet
    try:
        with _read_only(runs_db) as con:
            rows = con.execute("select run_id, pipeline_name, status, start_time, end_time, run_body from runs "
                               "order by id desc limit ?", [limit]).fetchall()
        runs = []
        for run_id, job_name, status, start_time, end_time, body in rows:
            # The run's own record holds its tags as Dagster reports them (table run_tags also indexes hidden ones).
            body = json.loads(body)
            runs.append(Run(run_id, job_name, status, start_time, end_time, body.get("tags") or {},
                            body.get("run_config") or {}))
        checks: dict[tuple[str, str], CheckResult] = {}
        if runs and index_db.exists():
            rank = {run.run_id: position for position, run in enumerate(runs)}  # newest run first
            with _read_only(index_db) as con:
                # The ids first, from the table's index: each row holds its evaluation's JSON (2 kB), and the table
                # grows by ~130 rows a run, so a scan of it would slow status down with the history.
                evaluations = con.execute(
                    "select run_id, id, evaluation_event from asset_check_executions where id in ("
                    "select id from asset_check_executions where "
                    f"run_id in ({', '.join('?' * len(runs))})) and evaluation_event is not null", list(rank))
                # As Dagster's API answers: runs newest first, and each run's evaluations newest first.
                for _, _, event in sorted(evaluations, key=lambda row: (rank[row[0]], -row[1])):
                    entry = json.loads(event)
                    # A check planned by a run that stopped before it (a failed step upstream) keeps its plan here.
                    if entry["dagster_event"]["event_type_value"] != "ASSET_CHECK_EVALUATION":
                        continue
                    result = _check_result(entry)
                    checks.setdefault((result.asset, result.check_name), result)
    except (sqlite3.Error, KeyError, TypeError, ValueError) as exc:
        raise UnreadableHistory(f"{home / 'history'}: {exc}") from exc
    return runs, checks


def _read_only(path: Path) -> contextlib.closing[sqlite3.Connection]:
    return contextlib.closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True))


def _check_result(entry: dict) -> CheckResult:
    evaluation = entry["dagster_event"]["event_specific_data"]
    severity = evaluation.get("severity") or {}
    return CheckResult(asset="/".join(evaluation["asset_key"]["path"]), check_name=evaluation["check_name"],
                       run_id=entry["run_id"], passed=bool(evaluation["success"]),
                       severity=severity.get("__enum__", "").rpartition(".")[2],
                       description=evaluation.get("description") or "")


def from_dagster(limit: int) -> tuple[list[Run], dict[tuple[str, str], CheckResult]]:
    """The same, through Dagster's own API: for any storage Dagster supports."""
    from dagster import DagsterEventType, DagsterInstance

    instance = DagsterInstance.get()
    runs, checks = [], {}
    for record in instance.get_run_records(limit=limit):
        run = record.dagster_run
        runs.append(Run(run.run_id, run.job_name, run.status.value, record.start_time, record.end_time,
                        dict(run.tags), dict(run.run_config or {})))
        events = instance.get_records_for_run(run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION).records
        for event in reversed(events):
            evaluation = event.event_log_entry.dagster_event.event_specific_data
            result = CheckResult(asset=evaluation.asset_key.to_user_string(), check_name=evaluation.check_name,
                                 run_id=run.run_id, passed=evaluation.passed,
                                 severity=getattr(evaluation.severity, "value", ""),
                                 description=evaluation.description or "")
            checks.setdefault((result.asset, result.check_name), result)
    return runs, checks

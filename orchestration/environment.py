"""The process environment every faultlines entry point sets up first (the CLI, `dagster dev`, tests): dlt's
folders (ingestion.settings), then Dagster's and dbt's, all under FAULTLINES_HOME so nothing lands in `~/.dagster`
or `~/.dbt`. Idempotent; a variable already set wins.
"""

from __future__ import annotations

import os
from pathlib import Path

from ingestion import settings


def configure() -> None:
    settings.configure_environment()
    root = settings.home()
    defaults = {
        "DAGSTER_HOME": str(root / "dagster"),
        "DBT_PROFILES_DIR": str(settings.DBT_PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_LOG_PATH": str(root / "dbt-logs"),
        "DBT_TARGET_PATH": str(settings.DBT_PROJECT_DIR / "target"),
        # dbt's profile reads the warehouse path and DuckDB's limits from the environment (profiles.yml).
        "FAULTLINES_DUCKDB_PATH": str(settings.warehouse_path("sample")),
        **{f"FAULTLINES_DUCKDB_{k.upper()}": v for k, v in settings.duckdb_settings().items()},
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    dagster_home = Path(os.environ["DAGSTER_HOME"])
    dagster_home.mkdir(parents=True, exist_ok=True)
    dagster_yaml = dagster_home / "dagster.yaml"
    if not dagster_yaml.exists():
        # One writer at a time on the warehouse: runs launched from the UI queue behind each other.
        dagster_yaml.write_text("telemetry:\n  enabled: false\nrun_queue:\n  max_concurrent_runs: 1\n")

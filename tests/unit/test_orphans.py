"""A dbt child of a run killed with -9 keeps writing the warehouse without the writer lock; the next run ends it,
and nothing else: every faultlines process (the Dagster UI's included) carries the same setting in its environment."""

import os
import subprocess
import sys
import time

from orchestration.locking import end_orphaned_writers


def _process(tmp_path, name: str, warehouse) -> subprocess.Popen:
    """A real process named `name` (argv[0], as the dbt executable is) started with the warehouse path dbt reads."""
    executable = tmp_path / name
    executable.parent.mkdir(parents=True, exist_ok=True)
    executable.symlink_to(sys.executable)
    return subprocess.Popen([str(executable), "-c", "import time; time.sleep(120)"],
                            env={**os.environ, "FAULTLINES_DUCKDB_PATH": str(warehouse)})


def test_only_a_dbt_process_still_writing_this_warehouse_is_ended(tmp_path):
    warehouse, other = tmp_path / "sample.duckdb", tmp_path / "replay.duckdb"
    orphan = _process(tmp_path / "a", "dbt", warehouse)
    other_warehouse = _process(tmp_path / "b", "dbt", other)
    not_dbt = _process(tmp_path / "c", "dagster-webserver", warehouse)
    time.sleep(0.3)  # started, environment in place
    try:
        started = time.monotonic()
        assert end_orphaned_writers(warehouse) == [orphan.pid]
        assert orphan.wait(timeout=5) != 0 and time.monotonic() - started < 5
        assert other_warehouse.poll() is None and not_dbt.poll() is None
    finally:
        for process in (orphan, other_warehouse, not_dbt):
            process.kill()
            process.wait()

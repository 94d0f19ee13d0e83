"""A dbt child of a run killed with -9 keeps writing the warehouse without the writer lock; the next run ends it."""

import os
import subprocess
import sys
import time

from orchestration.locking import end_orphaned_writers


def _writer(warehouse) -> subprocess.Popen:
    """A real process that was started to write `warehouse` (dbt gets the path from FAULTLINES_DUCKDB_PATH)."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"],
                            env={**os.environ, "FAULTLINES_DUCKDB_PATH": str(warehouse)})


def test_a_process_still_writing_the_warehouse_is_ended_and_others_are_left_alone(tmp_path):
    warehouse, other = tmp_path / "sample.duckdb", tmp_path / "replay.duckdb"
    orphan, bystander = _writer(warehouse), _writer(other)
    time.sleep(0.3)  # started, environment in place
    try:
        started = time.monotonic()
        assert end_orphaned_writers(warehouse) == [orphan.pid]
        assert orphan.wait(timeout=5) != 0 and time.monotonic() - started < 5
        assert bystander.poll() is None
    finally:
        for process in (orphan, bystander):
            process.kill()
            process.wait()

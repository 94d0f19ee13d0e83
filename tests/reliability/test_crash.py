"""Crash safety: the run process killed (SIGKILL, no clean-up) while loading and while dbt builds; the next run
completes, the warehouse equals a clean build of the same data table by table, and the published copy was never
touched by the killed runs."""

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import FAULTLINES, cli_env
from tests.utils import fingerprints

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("replay")]  # compares with the shared replay build



def _run(home: Path, data_dir: Path) -> subprocess.Popen:
    return subprocess.Popen([FAULTLINES, "run", "--mode", "replay", "--data-dir", str(data_dir)], env=cli_env(home),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _kill_when(process: subprocess.Popen, ready, then_wait: float, timeout: float = 400) -> None:
    """SIGKILL the run (and its dbt child) `then_wait` seconds after `ready()` first holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not ready():
        assert process.poll() is None, "the run finished before it could be killed"
        time.sleep(0.2)
    time.sleep(then_wait)
    assert process.poll() is None, "the run finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _dbt_started(home: Path) -> bool:
    return any("Running with dbt=" in log.read_text(errors="ignore") for log in (home / "logs").glob("run-*.log"))


def _loading(home: Path) -> bool:
    return (home / "warehouse" / "replay.duckdb").exists()


def test_runs_killed_mid_load_and_mid_dbt_then_rerun_equal_a_clean_build(sample_dir, replay_build, tmp_path):
    home = tmp_path / "home"
    chance = random.Random(2026)

    # Killed while loading: some providers in, some not, maybe a dlt package half-loaded.
    first = _run(home, sample_dir)
    _kill_when(first, lambda: _loading(home), then_wait=chance.uniform(0.5, 4.0))
    # Killed while dbt builds the models (tables being replaced, tests running).
    second = _run(home, sample_dir)
    _kill_when(second, lambda: _dbt_started(home), then_wait=chance.uniform(2.0, 10.0))
    assert not (home / "published" / "replay.duckdb").exists(), "nothing was published by a killed run"

    rerun = subprocess.run([FAULTLINES, "run", "--mode", "replay", "--data-dir", str(sample_dir)], env=cli_env(home),
                           capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert fingerprints(home / "warehouse" / "replay.duckdb") == fingerprints(replay_build[2])
    published = home / "published" / "replay.duckdb"
    assert fingerprints(published) == fingerprints(replay_build[2])

"""The CLI as users run it without a warehouse built first: mistakes, the emulator, replay, Dagster's own CLI.

Not in the e2e group: these run on whichever test worker is free.
"""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import FAULTLINES, _env, _free_port, _one_line_error, faultlines

pytestmark = pytest.mark.slow


def test_wrong_mode(tmp_path):
    assert "unknown mode 'bogus'" in _one_line_error(faultlines(tmp_path, "run", "--mode", "bogus"))


def test_missing_data_dir(tmp_path):
    line = _one_line_error(faultlines(tmp_path, "run", "--mode", "replay", "--data-dir", str(tmp_path / "nope")))
    assert "does not exist" in line


def test_data_dir_that_is_not_a_data_dir(tmp_path):
    not_a_dir = tmp_path / "file.txt"
    not_a_dir.write_text("x")
    _one_line_error(faultlines(tmp_path, "run", "--mode", "replay", "--data-dir", str(not_a_dir)))
    line = _one_line_error(faultlines(tmp_path, "run", "--mode", "replay", "--data-dir", str(tmp_path)))
    assert "none of the folders" in line


def test_unreachable_emulator(tmp_path):
    url = f"http://127.0.0.1:{_free_port()}"
    line = _one_line_error(faultlines(tmp_path, "run", "--mode", "replay", "--base-url", url))
    assert url in line and "faultlines emulator" in line


def test_emulator_on_a_busy_port(tmp_path):
    assert faultlines(tmp_path, "sample", "--out", str(tmp_path / "data"), "--end", "2025-01-31").returncode == 0
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        line = _one_line_error(faultlines(tmp_path, "emulator", "--data-dir", str(tmp_path / "data"),
                                          "--port", str(port)))
    assert "cannot listen" in line


def test_sql_without_a_warehouse(tmp_path):
    assert "faultlines run" in _one_line_error(faultlines(tmp_path, "sql", "--mode", "live", "select 1"))


def test_replay_against_an_emulator_started_by_hand(tmp_path):
    data = tmp_path / "data"
    assert faultlines(tmp_path, "sample", "--out", str(data), "--seed", "3", "--end", "2024-12-31").returncode == 0
    port = _free_port()
    server = subprocess.Popen([FAULTLINES, "emulator", "--data-dir", str(data), "--port", str(port)],
                              env=_env(tmp_path), stdout=subprocess.PIPE, text=True)
    try:
        assert "emulator serving" in server.stdout.readline()
        # FRED only (a whole build is what test_sample_run_* covers): the point is the hand-started emulator.
        result = faultlines(tmp_path, "run", "--mode", "replay", "--base-url", f"http://127.0.0.1:{port}",
                            "--select", "group:fred")
        assert result.returncode == 0, result.stderr
        latest = faultlines(tmp_path, "sql", "--mode", "replay",
                            "select max(date) from raw_fred.observations where series_id = 'SOFR'")
        assert latest.stdout.strip().splitlines()[1] == "2024-12-31"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_dagster_asset_materialize_from_the_repo_root(tmp_path):
    """The headless Dagster CLI works on the same definitions, with a project-local DAGSTER_HOME."""
    env = _env(tmp_path) | {"FAULTLINES_MODE": "sample", "DAGSTER_HOME": str(tmp_path / "dagster")}
    (tmp_path / "dagster").mkdir()
    dagster = str(Path(sys.executable).parent / "dagster")
    started = time.monotonic()
    result = subprocess.run([dagster, "asset", "materialize", "-m", "orchestration.definitions",
                             "--select", "raw_fred/series,raw_fred/observations,raw_fred/vintages"],
                            env=env, capture_output=True, text=True, timeout=300,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "RUN_SUCCESS" in result.stderr + result.stdout, time.monotonic() - started
    assert (tmp_path / "warehouse" / "sample.duckdb").exists()



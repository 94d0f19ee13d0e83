"""The CLI as users run it: a subprocess, its output, its exit codes."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

FAULTLINES = str(Path(sys.executable).parent / "faultlines")


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "DLT_DATA_DIR", "FAULTLINES_DUCKDB_PATH")}
    # A pinned sample end: two runs either side of midnight must still see the same sample data.
    env.update(FAULTLINES_HOME=str(home), COLUMNS="200", FAULTLINES_SAMPLE_END="2026-06-30")
    return env


def faultlines(home: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([FAULTLINES, *args], env=_env(home), capture_output=True, text=True, timeout=timeout)


def _one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0, result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli-home")


@pytest.fixture(scope="module")
def first_run(home):
    return faultlines(home, "run", "--mode", "sample")


def test_sample_run_says_so_first_and_last(first_run):
    assert first_run.returncode == 0, first_run.stderr
    lines = [line for line in first_run.stdout.splitlines() if line.strip()]
    assert "SAMPLE MODE" in lines[0] and "SAMPLE MODE" in lines[-1]
    assert "marts.mart_reserve_adequacy" in first_run.stdout
    assert "Warehouse: " in first_run.stdout and "sample.duckdb" in first_run.stdout


def test_sql_prints_a_positive_count_as_csv(first_run, home):
    result = faultlines(home, "sql", "--mode", "sample", "select count(*) as n from marts.mart_reserve_adequacy")
    assert result.returncode == 0, result.stderr
    header, value = result.stdout.strip().splitlines()
    assert header == "n" and int(value) > 7000


def test_sql_is_read_only(first_run, home):
    line = _one_line_error(faultlines(home, "sql", "--mode", "sample", "create table marts.x as select 1"))
    assert "read-only" in line.lower()


def test_sql_error_is_one_line(first_run, home):
    _one_line_error(faultlines(home, "sql", "--mode", "sample", "select * from no_such_table"))


def test_second_run_loads_nothing(first_run, home):
    second = faultlines(home, "run", "--mode", "sample")
    assert second.returncode == 0, second.stderr
    assert "Loaded 0 new rows" in second.stdout
    count = faultlines(home, "sql", "--mode", "sample",
                       "select count(*) - count(distinct (series_id, date)) from raw_fred.observations")
    assert count.stdout.strip().splitlines()[1] == "0", "no duplicate rows"


def test_full_refresh_of_a_selection_reloads_without_duplicates(first_run, home):
    result = faultlines(home, "run", "--mode", "sample", "--select", "group:fred", "--full-refresh")
    assert result.returncode == 0, result.stderr
    counts = faultlines(home, "sql", "--mode", "sample", """
        select (select count(*) from raw_fred.observations),
               (select count(distinct (series_id, date)) from raw_fred.observations),
               (select rows_fetched from meta.runs order by finished_at desc limit 1),
               (select count(*) from raw_fred.series)""")
    total, distinct, reloaded, series = map(int, counts.stdout.strip().splitlines()[1].split(","))
    assert total == distinct > 20_000
    assert reloaded == total + series, "everything refetched (observations and series), recorded in meta.runs"


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

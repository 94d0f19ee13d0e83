"""Bad input wherever a person types: one line on stderr naming what is wrong, a non-zero exit, no traceback
(unless --debug), and nothing lost."""

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import FAULTLINES, cli_env


def _run(home: Path, *args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([FAULTLINES, *args], env=cli_env(home, **(env or {})), capture_output=True, text=True,
                          timeout=timeout)


def _one_line(result: subprocess.CompletedProcess, code: int | None = None) -> str:
    assert result.returncode != 0 if code is None else result.returncode == code, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


@pytest.mark.parametrize("args,expected", [
    (("docs", "--port", "abc"), "Invalid value for '--port'"),
    (("run", "--no-such-flag"), "No such option: --no-such-flag"),
    (("frobnicate",), "No such command 'frobnicate'"),
    (("run", "--mode", "bogus"), "unknown mode 'bogus'"),
    (("sample", "--out", "x", "--end", "31/12/2025"), "is not a date"),
    (("emulator", "--data-dir", ".", "--fault", "gremlins"), "unknown fault kind 'gremlins'"),
    (("sql", "select 1", "--format", "xml"), "unknown --format 'xml'"),
])
def test_mistyped_commands_and_options(tmp_path, args, expected):
    line = _one_line(_run(tmp_path, *args))
    assert expected in line


def test_a_malformed_setting_is_named(tmp_path):
    line = _one_line(_run(tmp_path, "run", "--mode", "sample", env={"FAULTLINES_SAMPLE_END": "next tuesday"}), 2)
    assert "FAULTLINES_SAMPLE_END='next tuesday'" in line


def test_a_home_that_is_a_file_fails_in_one_line_and_debug_shows_the_traceback(tmp_path):
    not_a_dir = tmp_path / "home-file"
    not_a_dir.write_text("oops")
    line = _one_line(_run(not_a_dir, "sql", "select 1"), 1)
    assert "Not a directory" in line and "--debug" in line
    debug = _run(not_a_dir, "--debug", "sql", "select 1")
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_a_write_through_sql_is_refused_and_a_corrupted_copy_is_named(tmp_path):
    published = tmp_path / "published"
    published.mkdir()
    (published / "sample.duckdb").write_bytes(os.urandom(50_000))
    line = _one_line(_run(tmp_path, "sql", "--mode", "sample", "select 1"), 1)
    assert "sample.duckdb" in line and "not a valid DuckDB database file" in line


def test_a_corrupted_warehouse_fails_the_run_in_one_line(sample_dir, tmp_path):
    (tmp_path / "warehouse").mkdir()
    (tmp_path / "warehouse" / "replay.duckdb").write_bytes(os.urandom(50_000))
    result = _run(tmp_path, "run", "--mode", "replay", "--data-dir", str(sample_dir), "--select", "key:raw_fred/series")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "replay.duckdb" in errors[0] and "not a valid DuckDB database file" in errors[0]
    assert not (tmp_path / "published" / "replay.duckdb").exists(), "nothing published from a failed run"


def test_a_data_dir_missing_a_file_names_the_series_and_the_call(sample_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(sample_dir / "fred", data / "fred")
    (data / "fred" / "WRESBAL.csv").unlink()
    result = _run(tmp_path / "home", "run", "--mode", "replay", "--data-dir", str(data), "--select",
                  "key:raw_fred/observations")
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert result.returncode == 1 and len(errors) == 1 and "Traceback" not in result.stderr
    # The sample holds vintages, so replay reads FRED through its API, which answers a missing series with HTTP 400.
    assert re.search(r"FRED( API)?: GET ", errors[0]) and "WRESBAL" in errors[0]
    assert "HTTP 404" in errors[0] or "series does not exist" in errors[0]
    # The one line names the run's log, which holds the whole error.
    log = Path(errors[0].rsplit("(log: ", 1)[1].rstrip(")"))
    assert "=== step fred failed" in log.read_text() and "WRESBAL" in log.read_text()


@pytest.mark.parametrize("name,value,expected", [
    ("FAULTLINES_DUCKDB_MEMORY_LIMIT", "banana", "a size DuckDB understands"),
    ("FAULTLINES_DUCKDB_MEMORY_LIMIT", "1000", "a size DuckDB understands"),
    ("FAULTLINES_DUCKDB_THREADS", "0", "a whole number of at least 1"),
    ("FAULTLINES_DUCKDB_THREADS", "two", "a whole number of at least 1"),
])
def test_a_malformed_duckdb_setting_is_named_before_the_run_starts(tmp_path, name, value, expected):
    started = time.monotonic()
    line = _one_line(_run(tmp_path, "run", "--mode", "sample", "--select", "group:nyfed", env={name: value}), 2)
    assert f"{name}={value!r}" in line and expected in line
    assert time.monotonic() - started < 10, "refused at start-up, not when the first connection opens"
    assert not (tmp_path / "warehouse").exists()


def test_a_quote_in_faultlines_home_is_refused_in_one_line(tmp_path):
    """dlt pastes its load files' paths into DuckDB SQL without escaping a `'`: every load would fail with a
    parser error, so the setting is refused up front."""
    home = tmp_path / "o'brien"
    started = time.monotonic()
    line = _one_line(_run(home, "run", "--mode", "sample", "--select", "group:nyfed"), 2)
    assert "FAULTLINES_HOME" in line and "o'brien" in line and "without" in line
    assert time.monotonic() - started < 10
    assert not home.exists()


def test_a_replay_data_dir_with_a_broken_fred_file_is_refused_before_the_run(sample_dir, tmp_path):
    """Served as it was, the file's extra column and wrong header were dropped without a word, and an empty file
    loaded nothing: the data dir is checked before anything runs."""
    data = tmp_path / "data"
    shutil.copytree(sample_dir / "fred", data / "fred")
    lines = (data / "fred" / "WRESBAL.csv").read_text().splitlines()
    lines[0], lines[5] = "date,value,note", lines[5] + ",revised"
    (data / "fred" / "WRESBAL.csv").write_text("\n".join(lines) + "\n")
    started = time.monotonic()
    line = _one_line(_run(tmp_path / "home", "run", "--mode", "replay", "--data-dir", str(data)), 2)
    assert "fred/WRESBAL.csv line 1: the header is 'date,value,note'" in line and "observation_date,WRESBAL" in line
    assert time.monotonic() - started < 15
    (data / "fred" / "WRESBAL.csv").write_text("\n".join(["observation_date,WRESBAL", *lines[1:]]) + "\n")
    line = _one_line(_run(tmp_path / "home", "run", "--mode", "replay", "--data-dir", str(data)), 2)
    assert "fred/WRESBAL.csv line 6: 3 fields" in line
    (data / "fred" / "WRESBAL.csv").write_text("")
    line = _one_line(_run(tmp_path / "home", "run", "--mode", "replay", "--data-dir", str(data)), 2)
    assert "fred/WRESBAL.csv is empty" in line

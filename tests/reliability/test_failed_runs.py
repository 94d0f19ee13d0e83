"""A failed run publishes nothing, whatever it selected, and leaves no bad rows behind for the next run to trip on.

The CLI as a user runs it, over FRED data dirs made by the sample generator: a good week, then the next week with a
WRESBAL value no reserve balance can have (the raw GX suite's unit range stops it), then that week corrected.
"""

import datetime as dt
import hashlib
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from ingestion.synthetic.compose import generate
from tests.conftest import FAULTLINES, cli_env

pytestmark = pytest.mark.slow

GOOD_END, NEXT_END = dt.date(2026, 6, 23), dt.date(2026, 6, 30)


def _fred_only(tmp: Path, name: str, end: dt.date) -> Path:
    full = generate(tmp / f"full-{name}", seed=42, end=end)
    out = tmp / name
    shutil.copytree(full / "fred", out / "fred")
    return out


def _run(home: Path, data: Path) -> subprocess.CompletedProcess:
    return subprocess.run([FAULTLINES, "run", "--mode", "replay", "--data-dir", str(data), "--select", "group:fred"],
                          env=cli_env(home), capture_output=True, text=True, timeout=600)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _observations(warehouse: Path) -> set[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return set(con.execute("select series_id, date, value from raw_fred.observations").fetchall())


def _file_rows(data: Path) -> set[tuple]:
    rows = set()
    for path in (data / "fred").glob("*.csv"):
        for line in path.read_text().splitlines()[1:]:
            day, value = line.split(",")
            rows.add((path.stem, dt.date.fromisoformat(day), None if value in ("", ".") else float(value)))
    return rows


def _next_week(good: Path, later: Path, out: Path) -> Path:
    """The good files plus the rows of the later ones dated after them (a revision of older dates is issue 17's)."""
    (out / "fred").mkdir(parents=True)
    for path in (good / "fred").glob("*.csv"):
        lines = path.read_text().splitlines()
        last = max(line.split(",")[0] for line in lines[1:])
        new = [line for line in (later / "fred" / path.name).read_text().splitlines()[1:] if line.split(",")[0] > last]
        (out / "fred" / path.name).write_text("\n".join([*lines, *new]) + "\n")
    shutil.copytree(good / "fred" / "series", out / "fred" / "series")
    return out


def test_a_bad_load_fails_publishes_nothing_and_is_gone_for_the_next_run(tmp_path):
    good = _fred_only(tmp_path, "good", GOOD_END)
    corrected = _next_week(good, _fred_only(tmp_path, "later", NEXT_END), tmp_path / "corrected")
    bad = tmp_path / "bad"
    shutil.copytree(corrected, bad)
    wresbal = bad / "fred" / "WRESBAL.csv"
    lines = wresbal.read_text().splitlines()
    day, _ = lines[-1].split(",")
    assert dt.date.fromisoformat(day) > GOOD_END, "the bad value arrives with the new week"
    wresbal.write_text("\n".join([*lines[:-1], f"{day},-99999999"]) + "\n")

    home = tmp_path / "home"
    published = home / "published" / "replay.duckdb"
    warehouse = home / "warehouse" / "replay.duckdb"
    first = _run(home, good)
    assert first.returncode == 0, first.stderr
    before, loaded = _digest(published), _observations(warehouse)

    # A selection of one provider: the check that fails is on its raw table; publishing must not happen anyway.
    failed = _run(home, bad)
    assert failed.returncode == 1 and "gx_fred__observations" in failed.stderr, failed.stderr
    # The one error line names the check and what it found, not just "1 blocking asset check failed".
    error = next(line for line in failed.stderr.splitlines() if line.startswith("error:"))
    assert "reserves_usd_mn" in error and "-99999999" in error, error
    assert _digest(published) == before, "a failed run replaced the published copy"
    # The bad week is gone from the warehouse, and the cursors with it.
    assert _observations(warehouse) == loaded

    fixed = _run(home, corrected)
    assert fixed.returncode == 0, fixed.stderr
    assert _digest(published) != before
    # Exactly what a clean build of the corrected data loads: every row of its files, nothing else.
    assert _observations(warehouse) == _observations(published) == _file_rows(corrected)

"""The sample generator is deterministic and shaped like the real series."""

import csv
import datetime as dt
import time

from ingestion.synthetic import compose
from ingestion.synthetic.compose import ensure_sample_data, generate, generate_ahead
from tests.utils import held_by_another


def _read(path):
    with path.open() as handle:
        rows = list(csv.reader(handle))
    return rows[0], {dt.date.fromisoformat(d): v for d, v in rows[1:]}


def test_same_seed_same_bytes(tmp_path, sample_dir):
    again = generate(tmp_path / "again", seed=42, end=dt.date(2026, 6, 30))
    # Every provider's files, not only FRED's: each draws from its own seeded streams.
    files = sorted(p.relative_to(sample_dir) for p in sample_dir.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert {f.parts[0] for f in files} >= {"fred", "treasury", "nyfed", "prices", "sec"}
    for path in files:
        assert (again / path).read_bytes() == (sample_dir / path).read_bytes(), path


def test_other_seed_other_numbers(tmp_path, sample_dir):
    other = generate(tmp_path / "other", seed=7, end=dt.date(2026, 6, 30))
    assert (other / "fred" / "WRESBAL.csv").read_bytes() != (sample_dir / "fred" / "WRESBAL.csv").read_bytes()


def test_a_later_end_only_appends(tmp_path, sample_dir):
    later = generate(tmp_path / "later", seed=42, end=dt.date(2026, 9, 30))
    for name in ("WRESBAL.csv", "SOFR.csv", "GDP.csv"):
        _, before = _read(sample_dir / "fred" / name)
        _, after = _read(later / "fred" / name)
        assert {d: after[d] for d in before} == before, name
        assert len(after) > len(before), name


def test_sample_data_generated_ahead_is_waited_for_not_generated_twice(tmp_path, monkeypatch):
    """`faultlines run --mode sample` generates in a process of its own while Dagster loads; the run's resource
    then waits for it on the lock and finds the data there, and a run after that starts no process at all."""
    out, end = tmp_path / "sample" / "seed-42", dt.date(2026, 6, 30)
    ahead = generate_ahead(out, 42, end)
    assert ahead is not None
    try:
        _wait_for_it(ahead, out, end, monkeypatch)
    finally:
        ahead.kill()
        ahead.wait()
    assert generate_ahead(out, 42, end) is None
    # Out of date (a new day) but perhaps served by a run going on: replaced by the run, under the writer lock.
    assert generate_ahead(out, 42, end + dt.timedelta(days=1)) is None


def _wait_for_it(ahead, out, end, monkeypatch) -> None:
    # As in a run, where Dagster takes seconds to load: the other process holds the lock by the time this one asks.
    deadline = time.monotonic() + 30
    while not held_by_another(out.parent / ".seed-42.lock"):
        assert time.monotonic() < deadline and ahead.poll() is None, "the process never took the lock"
        time.sleep(0.05)

    def generate_again(*args):
        raise AssertionError("the run generated the sample data a second time")

    monkeypatch.setattr(compose, "generate", generate_again)  # this process must only wait for the other one
    assert ensure_sample_data(out, 42, end) == out
    assert ahead.wait(timeout=60) == 0
    assert (out / "prices").is_dir() and not list(out.parent.glob("seed-42.tmp-*"))


def test_h41_series_are_wednesdays_in_millions(sample_dir):
    header, rows = _read(sample_dir / "fred" / "WRESBAL.csv")
    assert header == ["observation_date", "WRESBAL"]
    assert {d.weekday() for d in rows} == {2}
    assert 2_000_000 < float(rows[max(rows)]) < 5_000_000, "millions of dollars, trillions in size"


def test_business_day_rates_have_holidays_missing_and_no_weekends(sample_dir):
    _, rows = _read(sample_dir / "fred" / "SOFR.csv")
    assert all(d.weekday() < 5 for d in rows)
    assert rows[dt.date(2025, 12, 25)] == "."
    assert rows[dt.date(2025, 7, 4)] == "."
    assert rows[dt.date(2025, 12, 24)] != "."
    assert min(rows) == dt.date(2018, 4, 3)


def test_iorb_is_seven_day_and_starts_in_2021(sample_dir):
    _, rows = _read(sample_dir / "fred" / "IORB.csv")
    assert min(rows) == dt.date(2021, 7, 29)
    assert dt.date(2025, 12, 27) in rows  # a Saturday


def test_gdp_is_quarterly_and_lags(sample_dir):
    _, rows = _read(sample_dir / "fred" / "GDP.csv")
    assert {(d.month, d.day) for d in rows} <= {(1, 1), (4, 1), (7, 1), (10, 1)}
    assert max(rows) == dt.date(2026, 1, 1), "Q1 2026 is out by end of June; Q2 is not"

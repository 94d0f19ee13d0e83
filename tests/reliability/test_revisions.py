"""A revised value: the raw table takes it (dlt merges on the key), and the history snapshot keeps the old one with
the window it was current in. The real NY Fed source, the emulator's `revised_values` fault and `dbt snapshot`."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from ingestion import settings
from ingestion.emulator.faults import Fault
from ingestion.emulator.server import Emulator
from ingestion.sources.nyfed import NyFedClient, nyfed_source
from tests.utils import fred_csv, load

TODAY = dt.date(2026, 6, 30)
SOFR = "/api/rates/secured/sofr/search.json"


def _load(base_url: str, warehouse: Path) -> None:
    load("nyfed", warehouse, nyfed_source(NyFedClient.create(base_url, requests_per_second=500), today=TODAY))


def _snapshot(warehouse: Path, scratch: Path) -> None:
    env = {**os.environ, "FAULTLINES_DUCKDB_PATH": str(warehouse), "DBT_LOG_PATH": str(scratch / "logs")}
    result = subprocess.run([str(Path(sys.executable).parent / "dbt"), "snapshot", "--select",
                             "snap_nyfed__reference_rates", "--target-path", str(scratch / "target")],
                            cwd=settings.DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]


def test_a_revision_updates_the_current_value_and_keeps_the_old_one(sample_dir, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    with Emulator(sample_dir) as emulator:
        _load(emulator.base_url, warehouse)
        _snapshot(warehouse, tmp_path)
        with duckdb.connect(str(warehouse), read_only=True) as con:
            day, original = con.execute("""select effective_date, percent_rate from raw_nyfed.reference_rates
                                           where type = 'SOFR' order by effective_date desc limit 1""").fetchone()
        emulator.inject(Fault(SOFR, kind="revised_values", times=None))
        _load(emulator.base_url, warehouse)  # the look-back window re-reads the latest fixings
    _snapshot(warehouse, tmp_path)
    revised = round(original * 1.01 + 0.01, 4)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        current = con.execute("select percent_rate, count(*) over () from raw_nyfed.reference_rates "
                              "where type = 'SOFR' and effective_date = ?", [day]).fetchone()
        versions = con.execute("""select percent_rate, dbt_valid_to is null from history.snap_nyfed__reference_rates
                                  where type = 'SOFR' and effective_date = ? order by dbt_valid_from""",
                               [day]).fetchall()
        others = con.execute("""select count(*) from history.snap_nyfed__reference_rates
                                where dbt_valid_to is not null""").fetchone()[0]
    assert current == (revised, 1), "the raw table holds the revision, once"
    assert versions == [(original, False), (revised, True)], "the history keeps both, the old one closed"
    assert others == 1, "nothing else was revised"


FREDGRAPH = "/graph/fredgraph.csv"


def _load_fred(base_url: str, warehouse: Path) -> None:
    from ingestion.sources.fred import FredClient, fred_source

    client = FredClient.create(base_url, base_url, requests_per_second=500)  # keyless: the warehouse's own vintages
    load("fred", warehouse, fred_source(client, series_ids=("WRESBAL",), today=TODAY))


def _build_fred(warehouse: Path, scratch: Path) -> None:
    """The FRED models up to the point-in-time view (seeds, the history snapshot, the vintages), without tests."""
    env = {**os.environ, "FAULTLINES_DUCKDB_PATH": str(warehouse), "DBT_LOG_PATH": str(scratch / "logs")}
    result = subprocess.run([str(Path(sys.executable).parent / "dbt"), "build", "--select",
                             "+int_fred__observations_as_of_day", "--exclude-resource-type", "test", "unit_test",
                             "--target-path", str(scratch / "target")],
                            cwd=settings.DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]


def _views(warehouse: Path, observation: dt.date) -> tuple[list, list, list]:
    """(point-in-time values of the days that used the observation, its latest values, its vintages)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("""select date_day, value_usd_bn, latest_value_usd_bn
                              from intermediate.int_fred__observations_as_of_day
                              where series_id = 'WRESBAL' and observation_date = ? order by date_day""",
                           [observation]).fetchall()
        vintages = con.execute("""select value_raw, vintage_source, known_from from intermediate.int_fred__vintages
                                  where series_id = 'WRESBAL' and observation_date = ? order by vintage_number""",
                               [observation]).fetchall()
    return [(d, v) for d, v, _ in rows], [latest for _, _, latest in rows], vintages


def test_a_fred_revision_changes_the_latest_view_not_what_earlier_days_knew(sample_dir, tmp_path):
    """Keyless: the look-back window re-reads WRESBAL's last weeks, the warehouse's snapshot keeps the first value
    with its release-calendar date and the revision from when it was first seen; the days before that keep the
    first print, the latest view moves."""
    warehouse = tmp_path / "w.duckdb"
    with Emulator(sample_dir) as emulator:
        _load_fred(emulator.base_url, warehouse)
        _build_fred(warehouse, tmp_path)
        with duckdb.connect(str(warehouse), read_only=True) as con:
            last = con.execute("select max(date) from raw_fred.observations where value is not null").fetchone()[0]
        # The fault revises the oldest row of the next answer: the first Wednesday of the 28-day look-back window.
        observation = min(d for d in fred_csv(sample_dir, "WRESBAL") if d >= last - dt.timedelta(days=28))
        before_pit, before_latest, before_vintages = _views(warehouse, observation)
        emulator.inject(Fault(FREDGRAPH, kind="revised_values", times=None))
        seen_after = dt.datetime.now(dt.UTC)
        _load_fred(emulator.base_url, warehouse)
    _build_fred(warehouse, tmp_path)
    after_pit, after_latest, after_vintages = _views(warehouse, observation)
    original = fred_csv(sample_dir, "WRESBAL")[observation]
    revised = round(original * 1.01 + 0.01, 4)
    assert before_pit and [v for _, v in before_pit] == [original / 1000] * len(before_pit)
    assert before_latest == [original / 1000] * len(before_pit)
    assert after_pit == before_pit, "what the earlier days knew does not change"
    assert after_latest == [pytest.approx(revised / 1000)] * len(before_pit), "the latest view moves"
    assert [(v, s) for v, s, _ in after_vintages] == [(original, "release_calendar"), (revised, "first_seen")]
    assert before_vintages == after_vintages[:1]
    # The revision counts from when this warehouse first saw it (New York time), after every day of the sample.
    first_seen = after_vintages[1][2].replace(tzinfo=ZoneInfo("America/New_York"))
    assert seen_after - dt.timedelta(minutes=10) <= first_seen <= dt.datetime.now(dt.UTC)

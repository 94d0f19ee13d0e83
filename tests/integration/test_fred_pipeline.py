"""The FRED dlt source through the emulator into a real DuckDB file: both access paths, incremental, no secrets."""

import datetime as dt
import json
import shutil

import duckdb
import pytest

from ingestion.emulator.server import Emulator
from ingestion.pipeline import rows_loaded
from ingestion.sources.fred import FredClient, fred_source
from tests.utils import fred_csv, load

SERIES = ("WRESBAL", "SOFR", "GDP")
TODAY = dt.date(2026, 6, 30)
SECRET = "0123456789abcdef0123456789abcdef"


def _load(emulator, warehouse, api_key=None, series=SERIES):
    client = FredClient.create(emulator.base_url, emulator.base_url, api_key=api_key)
    return load("fred", warehouse, fred_source(client, series, today=TODAY))


@pytest.mark.parametrize("api_key", [None, SECRET], ids=["keyless-csv", "json-api"])
def test_loads_every_observation_then_nothing_new(emulator, sample_dir, tmp_path, api_key):
    warehouse = tmp_path / "w.duckdb"
    first = _load(emulator, warehouse, api_key)
    expected = {s: fred_csv(sample_dir, s) for s in SERIES}
    loaded_counts = rows_loaded(first)
    assert loaded_counts["observations"] == sum(map(len, expected.values()))
    assert loaded_counts["series"] == len(SERIES)
    assert ("vintages" in loaded_counts) == bool(api_key), "ALFRED vintages come with a key only"

    with duckdb.connect(str(warehouse), read_only=True) as con:
        loaded = con.execute("select series_id, date, value from raw_fred.observations").fetchall()
        types = dict(con.execute("select column_name, data_type from information_schema.columns "
                                 "where table_schema = 'raw_fred' and table_name = 'observations'").fetchall())
        units = dict(con.execute("select series_id, units from raw_fred.series").fetchall())
    assert {(s, d): v for s, d, v in loaded} == {(s, d): v for s in SERIES for d, v in expected[s].items()}
    assert types["date"] == "DATE" and types["value"] == "DOUBLE"
    assert units == {"WRESBAL": "Millions of Dollars", "SOFR": "Percent", "GDP": "Billions of Dollars"}

    second = _load(emulator, warehouse, api_key)
    assert rows_loaded(second) == {}, "a second run with nothing new must load nothing"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw_fred.observations").fetchone()[0] == len(loaded)


def test_only_dates_after_the_cursor_are_fetched(emulator, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    pipeline = _load(emulator, warehouse, series=("WRESBAL",))
    cursor = pipeline.state["sources"]["fred"]["resources"]["observations"]["last_date"]
    assert cursor == {"WRESBAL": "2026-06-24"}, "the cursor is the last H.4.1 Wednesday loaded"
    with duckdb.connect(str(warehouse)) as con:
        total = con.execute("select count(*) from raw_fred.observations").fetchone()[0]
        con.execute("delete from raw_fred.observations where date > '2026-06-16'")
    # Rewind the cursor as if the last two weeks had not been published yet, then load again.
    with pipeline.managed_state() as managed:
        managed["sources"]["fred"]["resources"]["observations"]["last_date"]["WRESBAL"] = "2026-06-16"
    pipeline.run(fred_source(FredClient.create(emulator.base_url, emulator.base_url), ("WRESBAL",), today=TODAY))
    assert rows_loaded(pipeline) == {"observations": 2}, "exactly the Wednesdays 2026-06-17 and 2026-06-24"
    assert emulator.requests.count("/graph/fredgraph.csv") == 2
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw_fred.observations").fetchone()[0] == total


def test_the_api_key_reaches_no_state_log_or_table(emulator, tmp_path, test_home):
    warehouse = tmp_path / "secret.duckdb"
    pipeline = _load(emulator, warehouse, SECRET, series=("GDP",))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
        for schema, table in tables:
            dump = con.execute(f'select * from "{schema}"."{table}"').fetchall()
            assert SECRET not in repr(dump), f"{schema}.{table}"
    for path in [*test_home.rglob("*"), *tmp_path.rglob("*")]:
        if path.is_file() and path.suffix != ".duckdb":
            assert SECRET.encode() not in path.read_bytes(), path
    assert SECRET not in repr(pipeline.last_trace)


def test_vintages_with_a_key_and_new_vintages_close_old_ones(sample_dir, tmp_path):
    """ALFRED rows keyed (series, date, realtime_start); a later vintage ends the earlier one's window."""
    data = tmp_path / "data"
    shutil.copytree(sample_dir / "fred", data / "fred")
    vintages_file = data / "fred" / "vintages" / "GDP.json"
    content = json.loads(vintages_file.read_text())
    expected = len([o for o in content["observations"] if o["date"] >= "2005-01-01"])
    warehouse = tmp_path / "v.duckdb"
    with Emulator(data) as emulator:
        _load(emulator, warehouse, SECRET, series=("GDP",))
        with duckdb.connect(str(warehouse), read_only=True) as con:
            assert con.execute("select count(*) from raw_fred.vintages").fetchone()[0] == expected
            current = con.execute("""select date, value from raw_fred.vintages
                                     where realtime_end = '9999-12-31' order by date desc limit 1""").fetchone()
        latest_csv = fred_csv(data, "GDP")[current[0]]
        assert current[1] == pytest.approx(latest_csv), "the open vintage is the value FRED shows today"
        # A new estimate of the latest quarter is published.
        last = max((o for o in content["observations"] if o["realtime_end"] == "9999-12-31"), key=lambda o: o["date"])
        last["realtime_end"] = "2026-07-14"
        content["observations"].append({**last, "realtime_start": "2026-07-15", "realtime_end": "9999-12-31",
                                        "value": "99999.0000"})
        vintages_file.write_text(json.dumps(content))
        _load(emulator, warehouse, SECRET, series=("GDP",))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select realtime_start, realtime_end, value from raw_fred.vintages where date = ? "
                           "order by realtime_start", [dt.date.fromisoformat(last["date"])]).fetchall()
        total = con.execute("select count(*) from raw_fred.vintages").fetchone()[0]
    assert total == expected + 1
    assert rows[-2][1] == dt.date(2026, 7, 14)
    assert rows[-1] == (dt.date(2026, 7, 15), dt.date(9999, 12, 31), 99999.0)

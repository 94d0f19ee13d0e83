"""ALFRED through the emulator: the 2,000-vintage-dates cap per request, and the client reading past it in
real-time windows whose pieces it joins back into one row per vintage."""

import datetime as dt
import json

import requests

from ingestion.emulator.server import Emulator
from ingestion.sources.fred import ALFRED_VINTAGE_CAP, FredClient

FIRST = dt.date(2000, 1, 3)
DAYS = ALFRED_VINTAGE_CAP + 1  # one vintage date too many for one request


def _data_dir(tmp_path):
    """Series X: 2000-01-01 revised every day for 2,001 days; 2000-02-01 published once and never revised."""
    fred = tmp_path / "fred"
    (fred / "vintages").mkdir(parents=True)
    starts = [FIRST + dt.timedelta(days=i) for i in range(DAYS)]
    revised = [{"date": "2000-01-01", "value": f"{100 + i}.0", "realtime_start": start.isoformat(),
                "realtime_end": (starts[i + 1] - dt.timedelta(days=1)).isoformat() if i + 1 < DAYS else "9999-12-31"}
               for i, start in enumerate(starts)]
    steady = {"date": "2000-02-01", "value": "7.0", "realtime_start": "2000-03-01", "realtime_end": "9999-12-31"}
    (fred / "vintages" / "X.json").write_text(json.dumps({"observations": [*revised, steady]}))
    (fred / "X.csv").write_text(f"observation_date,X\n2000-01-01,{100 + DAYS - 1}.0\n2000-02-01,7.0\n")
    return tmp_path


def test_more_vintage_dates_than_the_cap_is_refused_as_alfred_does(tmp_path):
    with Emulator(_data_dir(tmp_path)) as emulator:
        params = {"series_id": "X", "api_key": "k", "file_type": "json"}
        dates = requests.get(f"{emulator.base_url}/fred/series/vintagedates", params=params, timeout=5).json()
        r = requests.get(f"{emulator.base_url}/fred/series/observations", timeout=5,
                         params={**params, "realtime_start": "1776-07-04", "realtime_end": "9999-12-31"})
    assert dates["count"] == DAYS and dates["vintage_dates"][0] == FIRST.isoformat()
    assert r.status_code == 400
    assert r.json()["error_message"] == (
        f"Bad Request.  There are {DAYS} vintage dates in the specified real-time period: 1776-07-04 to 9999-12-31."
        "  This exceeds the maximum number of vintage dates allowed (2000).")


def test_the_client_reads_every_vintage_in_windows_and_joins_the_pieces(tmp_path):
    with Emulator(_data_dir(tmp_path)) as emulator:
        client = FredClient.create(emulator.base_url, emulator.base_url, api_key="k", requests_per_second=500)
        rows = client.vintages("X", dt.date(1990, 1, 1))
        windows = [p for p in emulator.requests if p == "/fred/series/observations"]
    assert len(windows) == 2, "two real-time windows: 2,000 vintage dates, then the rest"
    revised = [r for r in rows if r["date"] == dt.date(2000, 1, 1)]
    assert len(revised) == DAYS and [r["value"] for r in revised] == [100.0 + i for i in range(DAYS)]
    assert all(a["realtime_end"] + dt.timedelta(days=1) == b["realtime_start"]
               for a, b in zip(revised, revised[1:], strict=False))
    # Cut in two by the window edge, joined again: one vintage from its first day, still open.
    steady = [r for r in rows if r["date"] == dt.date(2000, 2, 1)]
    assert [(r["realtime_start"], r["realtime_end"], r["value"]) for r in steady] == [
        (dt.date(2000, 3, 1), dt.date(9999, 12, 31), 7.0)]

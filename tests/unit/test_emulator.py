"""The emulator speaks FRED's URLs and parameters over a data dir, over real HTTP on loopback."""

import csv
import io

import pytest
import requests

from ingestion.emulator.server import Emulator, EmulatorError


def _csv_rows(text):
    return list(csv.reader(io.StringIO(text)))


def test_fredgraph_csv_window_and_current_format(emulator):
    r = requests.get(f"{emulator.base_url}/graph/fredgraph.csv",
                     params={"id": "SOFR", "cosd": "2025-12-22", "coed": "2025-12-26"}, timeout=5)
    assert r.status_code == 200
    rows = _csv_rows(r.text)
    assert rows[0] == ["observation_date", "SOFR"]
    dates = [row[0] for row in rows[1:]]
    assert dates == ["2025-12-22", "2025-12-23", "2025-12-24", "2025-12-25", "2025-12-26"]
    christmas = dict(rows[1:])["2025-12-25"]
    assert christmas == "", "today's fredgraph.csv writes holidays as an empty field"


def test_fredgraph_unknown_series_is_404(emulator):
    r = requests.get(f"{emulator.base_url}/graph/fredgraph.csv", params={"id": "NOPE"}, timeout=5)
    assert r.status_code == 404


def test_api_requires_key(emulator):
    r = requests.get(f"{emulator.base_url}/fred/series/observations",
                     params={"series_id": "GDP", "file_type": "json"}, timeout=5)
    assert r.status_code == 400
    assert "api_key is not set" in r.json()["error_message"]


def test_api_paging_covers_every_row_once(emulator, sample_dir):
    expected = [line.split(",")[0] for line in (sample_dir / "fred" / "WRESBAL.csv").read_text().splitlines()[1:]]
    seen, offset = [], 0
    while True:
        page = requests.get(f"{emulator.base_url}/fred/series/observations", timeout=5, params={
            "series_id": "WRESBAL", "api_key": "k" * 32, "file_type": "json", "limit": 100, "offset": offset}).json()
        assert page["count"] == len(expected)
        seen += [o["date"] for o in page["observations"]]
        offset += page["limit"]
        if offset >= page["count"]:
            break
    assert seen == expected


def test_api_missing_values_are_dots(emulator):
    page = requests.get(f"{emulator.base_url}/fred/series/observations", timeout=5, params={
        "series_id": "SOFR", "api_key": "k", "file_type": "json",
        "observation_start": "2025-12-25", "observation_end": "2025-12-25"}).json()
    assert page["observations"] == [
        {"realtime_start": page["realtime_start"], "realtime_end": page["realtime_end"],
         "date": "2025-12-25", "value": "."}]


def test_api_rejects_bad_limit(emulator):
    r = requests.get(f"{emulator.base_url}/fred/series/observations", timeout=5, params={
        "series_id": "SOFR", "api_key": "k", "file_type": "json", "limit": 100001})
    assert r.status_code == 400


def test_series_metadata_has_units(emulator):
    meta = requests.get(f"{emulator.base_url}/fred/series", timeout=5,
                        params={"series_id": "WALCL", "api_key": "k", "file_type": "json"}).json()
    assert meta["seriess"][0]["units"] == "Millions of Dollars"


def test_missing_data_dir_is_a_clear_error(tmp_path):
    with pytest.raises(EmulatorError, match="does not exist"):
        Emulator(tmp_path / "nope")


def test_data_dir_without_layout_is_a_clear_error(tmp_path):
    with pytest.raises(EmulatorError, match="none of the folders fred, treasury"):
        Emulator(tmp_path)


def test_busy_port_is_a_clear_error(emulator, sample_dir):
    port = int(emulator.base_url.rsplit(":", 1)[1])
    with pytest.raises(EmulatorError, match="cannot listen"):
        Emulator(sample_dir, port=port)

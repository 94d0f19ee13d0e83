"""The emulator speaks FRED's URLs and parameters over a data dir, over real HTTP on loopback."""

import csv
import io
import json
import os
import subprocess
import sys
import time

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


@pytest.mark.parametrize("text,where", [
    ("", "fred/WRESBAL.csv is empty"),
    ("date,value\n2024-01-03,1\n", "fred/WRESBAL.csv line 1: the header is 'date,value'"),
    ("observation_date,WALCL\n2024-01-03,1\n", "fred/WRESBAL.csv line 1: the header is 'observation_date,WALCL'"),
    ("observation_date,WRESBAL,NOTE\n2024-01-03,1,x\n", "fred/WRESBAL.csv line 1"),
    ("observation_date,WRESBAL\n2024-01-03,1\n2024-01-10,2,x\n", "fred/WRESBAL.csv line 3: 3 fields"),
    ("observation_date,WRESBAL\n2024-01-03,abc\n", "fred/WRESBAL.csv line 2: the value 'abc' is not a number"),
    ("observation_date,WRESBAL\n01/03/2024,1\n", "fred/WRESBAL.csv line 2: '01/03/2024' is not a date"),
])
def test_a_broken_fred_file_is_refused_with_its_name_and_line(tmp_path, text, where):
    (tmp_path / "fred").mkdir()
    (tmp_path / "fred" / "SOFR.csv").write_text("observation_date,SOFR\n2024-01-02,5.31\n")
    (tmp_path / "fred" / "WRESBAL.csv").write_text(text)
    with pytest.raises(EmulatorError) as refused:
        Emulator(tmp_path)
    assert where in str(refused.value) and str(tmp_path) in str(refused.value)


def test_every_fred_format_drift_is_served(tmp_path):
    """Old header, `.` and empty for missing, CRLF, a UTF-8 BOM, blank lines: all real, all served."""
    (tmp_path / "fred").mkdir()
    (tmp_path / "fred" / "EFFR.csv").write_bytes(b"\xef\xbb\xbfDATE,EFFR\r\n2009-09-04,0.15\r\n2009-09-07,.\r\n"
                                                 b"2009-09-08,\r\n\r\n")
    with Emulator(tmp_path) as running:
        text = requests.get(f"{running.base_url}/graph/fredgraph.csv", params={"id": "EFFR"}, timeout=5).text
    assert _csv_rows(text) == [["observation_date", "EFFR"], ["2009-09-04", "0.15"], ["2009-09-07", ""],
                               ["2009-09-08", ""]]


def test_the_runs_emulator_serves_from_its_own_process_and_ends_with_the_run(sample_dir):
    """Sample and replay runs serve the data dir from a child process (on the other core, as a remote API): it
    answers at once (connections wait in the socket's queue), and ends when the process that started it stops it or
    dies, even killed."""
    from ingestion.emulator.server import EmulatorProcess

    with EmulatorProcess(sample_dir) as emulator:
        r = requests.get(f"{emulator.base_url}/graph/fredgraph.csv", params={"id": "SOFR"}, timeout=10)
        assert r.status_code == 200 and r.text.startswith("observation_date,SOFR")
        child = emulator._child.pid
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{emulator.base_url}/graph/fredgraph.csv", params={"id": "SOFR"}, timeout=5)
    assert not os.path.exists(f"/proc/{child}") or _is_zombie(child), "stopped with its run"

    # A run killed outright (SIGKILL: no cleanup runs) leaves no emulator behind: its stdin pipe closes.
    parent = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(sample_dir)], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    parent.wait(timeout=30)
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{child}") and not _is_zombie(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{child}") or _is_zombie(child), "the emulator outlived its killed run"


KILLED_RUN = """
import os, signal, sys
from pathlib import Path
from ingestion.emulator.server import EmulatorProcess
emulator = EmulatorProcess(Path(sys.argv[1])).start()
print(emulator._child.pid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _is_zombie(pid: int) -> bool:
    try:
        return open(f"/proc/{pid}/stat").read().split(") ")[1].startswith("Z")
    except OSError:
        return True


def test_the_runs_emulator_refuses_a_broken_data_dir_in_the_run(tmp_path):
    from ingestion.emulator.server import EmulatorProcess

    with pytest.raises(EmulatorError, match="none of the folders fred, treasury"):
        EmulatorProcess(tmp_path)


CHECK_IN_A_NEW_PROCESS = """
import sys
from pathlib import Path
from ingestion.emulator.server import EmulatorError, check_data_dir
try:
    check_data_dir(Path(sys.argv[1]))
    print("ok")
except EmulatorError as exc:
    print(exc)
"""


def test_fred_files_checked_once_are_read_again_only_when_they_change(tmp_path):
    """The record of files found readable outlives the run (the next one skips them), never an edit."""
    data, home = tmp_path / "data", tmp_path / "home"
    (data / "fred").mkdir(parents=True)
    good = data / "fred" / "WRESBAL.csv"
    good.write_text("observation_date,WRESBAL\n2024-01-03,1\n")

    def check() -> str:
        return subprocess.run([sys.executable, "-c", CHECK_IN_A_NEW_PROCESS, str(data)], capture_output=True,
                              text=True, env={**os.environ, "FAULTLINES_HOME": str(home)}, timeout=60).stdout.strip()

    assert check() == "ok"
    record_path = home / "cache" / "fred-files-checked.json"
    record = json.loads(record_path.read_text())
    assert list(record["files"]) == [str(good.resolve())]
    # Recorded as readable, the next run does not read it: a record saying so of a broken file shows it (never
    # done by hand; here to see that the record is what the next run goes by).
    stamp = record["files"][str(good.resolve())]
    bad = data / "fred" / "SOFR.csv"
    bad.write_text("observation_date,SOFR\n2024-01-03,abc\n")
    record["files"][str(bad.resolve())] = [bad.stat().st_size, bad.stat().st_mtime_ns, bad.stat().st_ino,
                                           bad.stat().st_ctime_ns]
    record_path.write_text(json.dumps(record))
    assert check() == "ok"
    bad.unlink()
    # An edit, or a copy that keeps size and mtime, is a new file: read again.
    good.write_text("observation_date,WRESBAL\n2024-01-03,abc\n")
    assert "WRESBAL.csv line 2: the value 'abc' is not a number" in check()
    good.write_text("observation_date,WRESBAL\n2024-01-03,2\n")
    assert check() == "ok"
    same_size = data / "copy.csv"
    same_size.write_text("observation_date,WRESBAL\n2024-01-03,x\n")
    os.utime(same_size, ns=(good.stat().st_atime_ns, good.stat().st_mtime_ns))
    os.replace(same_size, good)  # same size and mtime as the checked file, another inode and ctime
    assert json.loads(record_path.read_text())["files"][str(good.resolve())][:2] == _stamp_of(good)[:2]
    assert "WRESBAL.csv line 2: the value 'x' is not a number" in check()
    assert stamp != _stamp_of(good)


def _stamp_of(path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns]


@pytest.mark.parametrize("raw", [
    b"\xef\xbb\xbfDATE,EFFR\r\n2009-09-04,0.15\r\n2009-09-07,.\r\n2009-09-08,\r\n\r\n",
    b"observation_date,EFFR\n 2009-09-04 , 0.15 \n,\n , \n2009-09-07,.",
    b'observation_date,EFFR\n"2009-09-04","0.15"\n2009-09-07,1e-2\n',  # quoted: read as the csv module reads it
    b"observation_date,EFFR\r2009-09-04,0.15\r2009-09-07,2\r",  # lone carriage returns, as old Macs wrote
])
def test_a_checked_fred_file_is_served_as_the_check_read_it(tmp_path, monkeypatch, raw):
    """Requests read a file the run found readable without checking each line again: the same rows."""
    from ingestion.emulator import fred as emulated

    monkeypatch.setenv("FAULTLINES_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(emulated, "_CHECKED", {})
    (tmp_path / "fred").mkdir()
    path = tmp_path / "fred" / "EFFR.csv"
    path.write_bytes(raw)
    emulated.check_files(tmp_path)
    assert emulated._CHECKED.get(str(path)) == emulated._stamp(path), "recorded as readable"
    assert emulated.served_rows(path) == emulated.read_fred_csv(path) != []

"""A revised value: the raw table takes it (dlt merges on the key), and the history snapshot keeps the old one with
the window it was current in. The real NY Fed source, the emulator's `revised_values` fault and `dbt snapshot`."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from ingestion import settings
from ingestion.emulator.faults import Fault
from ingestion.emulator.server import Emulator
from ingestion.sources.nyfed import NyFedClient, nyfed_source
from tests.utils import load

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

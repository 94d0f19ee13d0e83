"""The SEC source through the emulator into DuckDB: companyfacts (the large document) is read again only after a
new filing, and a re-read filing day loads only facts not loaded before."""

import json
import shutil

import duckdb

from ingestion.emulator.server import Emulator
from ingestion.pipeline import rows_loaded
from ingestion.sources.sec import EdgarClient, sec_source
from ingestion.universe import load_universe
from tests.utils import load


def _load(emulator, warehouse, companies):
    client = EdgarClient.create(emulator.base_url, contact="tests@faultlines.invalid", requests_per_second=1000)
    return rows_loaded(load("sec", warehouse, sec_source(client, companies)))


def _facts_requests(emulator) -> list[str]:
    return [r for r in emulator.requests if "/api/xbrl/companyfacts/" in r]


def test_companyfacts_is_fetched_again_only_after_a_new_filing(sample_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(sample_dir / "sec", data / "sec")
    companies = [c for c in load_universe() if c.ticker in ("AAPL", "JPM")]
    warehouse = tmp_path / "w.duckdb"
    with Emulator(data) as emulator:
        first = _load(emulator, warehouse, companies)
        assert first["facts"] > 0 and len(_facts_requests(emulator)) == 2

        second = _load(emulator, warehouse, companies)
        assert "facts" not in second, "nothing was filed: no fact is loaded again"
        assert len(_facts_requests(emulator)) == 2, "nothing was filed: companyfacts is not fetched again"

        # AAPL files a 10-Q with one new fact: only AAPL's companyfacts is read, and only that fact is loaded.
        apple = next(c for c in companies if c.ticker == "AAPL")
        submissions_path = data / "sec" / "submissions" / f"{apple.cik10}.json"
        submissions = json.loads(submissions_path.read_text())
        recent = submissions["filings"]["recent"]
        for key, value in [("accessionNumber", "0000320193-26-999999"), ("filingDate", "2026-08-01"),
                           ("reportDate", "2026-06-27"), ("acceptanceDateTime", "2026-08-01T20:05:12.000Z"),
                           ("form", "10-Q"), ("items", "")]:
            recent[key].insert(0, value)
        submissions_path.write_text(json.dumps(submissions))
        facts_path = data / "sec" / "companyfacts" / f"{apple.cik10}.json"
        facts = json.loads(facts_path.read_text())
        net_income = facts["facts"]["us-gaap"]["NetIncomeLoss"]["units"]["USD"]
        net_income.append({**net_income[-1], "start": "2026-03-29", "end": "2026-06-27", "val": 1.0e10,
                           "accn": "0000320193-26-999999", "filed": "2026-08-01", "frame": "CY2026Q2"})
        facts_path.write_text(json.dumps(facts))

        third = _load(emulator, warehouse, companies)
        assert third["facts"] == 1
        assert _facts_requests(emulator)[2:] == [r for r in _facts_requests(emulator)[2:] if apple.cik10 in r]
        assert len(_facts_requests(emulator)) == 3
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw_sec.facts where accn = '0000320193-26-999999'").fetchone() == (1,)
        accepted = con.execute("select acceptance_date_time from raw_sec.filings "
                               "where accession_number = '0000320193-26-999999'").fetchone()
    assert accepted == ("2026-08-01T20:05:12.000Z",), "kept as EDGAR wrote it"

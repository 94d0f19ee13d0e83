"""Treasury through the emulator into DuckDB: every row, parsed types, re-issued rows upserted, nothing twice."""

import datetime as dt
import json

import duckdb

from ingestion.emulator.server import Emulator
from ingestion.pipeline import rows_loaded
from ingestion.sources.treasury import DATASETS, FiscalDataClient, treasury_source
from tests.utils import load

TODAY = dt.date(2026, 6, 30)


def _load(base_url, warehouse, tables=tuple(DATASETS)):
    client = FiscalDataClient.create(f"{base_url}/services/api/fiscal_service")
    return load("treasury", warehouse, treasury_source(client, today=TODAY, tables=tables))


def _file_rows(data_dir, endpoint):
    return json.loads((data_dir / "treasury" / f"{endpoint.replace('/', '__')}.json").read_text())["data"]


def test_every_row_with_types_then_nothing_new(emulator, sample_dir, tmp_path):
    warehouse = tmp_path / "t.duckdb"
    _load(emulator.base_url, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for dataset in DATASETS.values():
            count = con.execute(f"select count(*) from raw_treasury.{dataset.name}").fetchone()[0]
            assert count == len(_file_rows(sample_dir, dataset.endpoint)), dataset.name
        types = dict(con.execute("""select column_name, data_type from information_schema.columns
                                    where table_schema = 'raw_treasury' and table_name = 'auctions'""").fetchall())
        announced = con.execute("""select count(*), count(soma_accepted) from raw_treasury.auctions
                                   where auction_date > '2026-06-30'""").fetchone()
        closing = con.execute("""select open_today_bal, close_today_bal from raw_treasury.operating_cash_balance
            where account_type = 'Treasury General Account (TGA) Closing Balance' order by record_date desc
            limit 1""").fetchone()
    assert types["auction_date"] == "DATE" and types["soma_accepted"] == "DOUBLE"
    assert "announcemt_date" in types and "high_discnt_rate" in types, "the API's own spellings"
    assert announced[0] > 0 and announced[1] == 0, "'null' strings are NULL"
    assert closing[0] > 0 and closing[1] is None

    pipeline = _load(emulator.base_url, warehouse)
    fetched = rows_loaded(pipeline)
    assert 0 < sum(fetched.values()) < 500, "only the look-back windows are re-read"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for dataset in DATASETS.values():
            count = con.execute(f"select count(*) from raw_treasury.{dataset.name}").fetchone()[0]
            assert count == len(_file_rows(sample_dir, dataset.endpoint)), f"{dataset.name} after a rerun"


def test_reissued_auction_results_are_upserted(sample_dir, tmp_path):
    data = tmp_path / "data"
    (data / "treasury").mkdir(parents=True)
    name = "v1__accounting__od__auctions_query.json"
    content = json.loads((sample_dir / "treasury" / name).read_text())
    (data / "treasury" / name).write_text(json.dumps(content))
    warehouse = tmp_path / "t.duckdb"
    with Emulator(data) as emulator:
        _load(emulator.base_url, warehouse, tables=("auctions",))
        # Treasury amends a recent result and publishes results for an announced auction.
        amended = next(r for r in reversed(content["data"]) if r["auction_date"] <= "2026-06-25")
        amended["soma_accepted"] = "1234000000"
        announced = next(r for r in content["data"] if r["auction_date"] > "2026-06-30")
        announced["bid_to_cover_ratio"] = "2.900000"
        (data / "treasury" / name).write_text(json.dumps(content))
        _load(emulator.base_url, warehouse, tables=("auctions",))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw_treasury.auctions").fetchone()[0] == len(content["data"])
        soma = con.execute("select soma_accepted from raw_treasury.auctions where cusip = ? and auction_date = ?",
                           [amended["cusip"], amended["auction_date"]]).fetchone()[0]
        btc = con.execute("select bid_to_cover_ratio from raw_treasury.auctions where cusip = ? and auction_date = ?",
                          [announced["cusip"], announced["auction_date"]]).fetchone()[0]
    assert soma == 1_234_000_000 and btc == 2.9

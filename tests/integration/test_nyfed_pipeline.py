"""NY Fed through the emulator into DuckDB: coherent with the Treasury sample, incremental, SVEs left out."""

import datetime as dt
import json

import duckdb

from ingestion.sources.nyfed import NyFedClient, nyfed_source
from tests.utils import load

TODAY = dt.date(2026, 6, 30)


def _load(emulator, warehouse):
    client = NyFedClient.create(emulator.base_url)
    return load("nyfed", warehouse, nyfed_source(client, holdings_start=dt.date(2026, 1, 1), today=TODAY))


def test_loads_coherent_data_once(emulator, sample_dir, tmp_path):
    warehouse = tmp_path / "n.duckdb"
    _load(emulator, warehouse)
    sofr_file = json.loads((sample_dir / "nyfed" / "rates" / "secured" / "sofr.json").read_text())["refRates"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = dict(con.execute("select type, count(*) from raw_nyfed.reference_rates group by 1").fetchall())
        bills = con.execute("""select h.as_of_date, sum(h.par_value), any_value(s.bills)
                               from raw_nyfed.soma_bill_holdings h
                               join raw_nyfed.soma_summary s using (as_of_date) group by 1""").fetchall()
        first_as_of = con.execute("select min(as_of_date) from raw_nyfed.soma_bill_holdings").fetchone()[0]
        holdings_count = con.execute("select count(*) from raw_nyfed.soma_bill_holdings").fetchone()[0]
        sve = con.execute("""select count(*) from raw_nyfed.reverse_repo_operations
                             where total_amt_accepted = 50000""").fetchone()[0]
        totals = con.execute("select count(*) from raw_nyfed.reverse_repo_operations").fetchone()[0]
        repo = con.execute("""select count(*), count(*) filter (where total_amt_accepted > 0),
                                     count(*) filter (where total_amt_accepted = 1000000),
                                     count(*) filter (where operation_id in (select operation_id
                                                                             from raw_nyfed.reverse_repo_operations))
                              from raw_nyfed.repo_operations""").fetchone()
        percentiles = con.execute("""select count(*) from raw_nyfed.reference_rates where type = 'SOFR'
                                     and percent_percentile1 <= percent_rate and percent_rate <= percent_percentile99
                                     and volume_in_billions > 0""").fetchone()[0]
    repo_file = json.loads((sample_dir / "nyfed" / "rp" / "results.json").read_text())["repo"]["operations"]
    srf = [op for op in repo_file if op["operationType"] == "Repo" and op.get("isSmallValue") != "Y"]
    assert repo[0] == len(srf) and repo[1] > 0, "every SRF operation of the file, some with take-up"
    assert repo[2] == 0 and repo[3] == 0, "no small-value exercise, no reverse repo among them"
    assert percentiles == len(sofr_file), "SOFR's percentiles and volume load with the rate"
    assert counts["SOFR"] == len(sofr_file)
    assert set(counts) == {"SOFR", "BGCR", "TGCR", "EFFR", "OBFR"}
    assert bills and all(abs(held - summary) < 1 for _, held, summary in bills), "holdings sum to the summary"
    assert first_as_of == dt.date(2026, 1, 7), "by-CUSIP holdings start at the first as-of date after the setting"
    assert sve == 0 and totals > 3000

    _load(emulator, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        again = dict(con.execute("select type, count(*) from raw_nyfed.reference_rates group by 1").fetchall())
        total_again = con.execute("select count(*) from raw_nyfed.reverse_repo_operations").fetchone()[0]
        repo_again = con.execute("select count(*) from raw_nyfed.repo_operations").fetchone()[0]
        holdings_again = con.execute("select count(*) from raw_nyfed.soma_bill_holdings").fetchone()[0]
    assert again == counts and total_again == totals and repo_again == repo[0]
    assert holdings_again == holdings_count > 0


def test_bill_holdings_follow_the_feds_auction_takes(emulator, sample_dir, tmp_path):
    """The sample's SOMA bills are exactly the bills the Fed took at auction and that have not matured."""
    warehouse = tmp_path / "n.duckdb"
    _load(emulator, warehouse)
    auctions = json.loads((sample_dir / "treasury" / "v1__accounting__od__auctions_query.json").read_text())["data"]
    as_of = dt.date(2026, 6, 24)
    expected = sum(float(a["soma_accepted"]) for a in auctions if a["security_type"] == "Bill"
                   and a["soma_accepted"] != "null" and a["issue_date"] <= as_of.isoformat() < a["maturity_date"])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        held = con.execute("select sum(par_value) from raw_nyfed.soma_bill_holdings where as_of_date = ?",
                           [as_of]).fetchone()[0]
    assert held == expected


def test_text_in_a_number_field_fails_the_load_naming_the_call_record_and_field(sample_dir, tmp_path):
    """"" and "NA" stay NULL (the API's markers for none); other text fails, where it used to become NULL."""
    import shutil

    import pytest

    from ingestion.emulator.server import Emulator
    from orchestration.assets.sources import source_error

    data = tmp_path / "data"
    shutil.copytree(sample_dir / "nyfed", data / "nyfed")
    sofr_path = data / "nyfed" / "rates" / "secured" / "sofr.json"
    sofr = json.loads(sofr_path.read_text())
    by_date = {r["effectiveDate"]: r for r in sofr["refRates"]}
    by_date["2026-06-26"]["percentPercentile1"], by_date["2026-06-29"]["percentPercentile99"] = "", "NA"
    sofr_path.write_text(json.dumps(sofr))
    warehouse = tmp_path / "n.duckdb"
    with Emulator(data) as emulator:
        _load(emulator, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("""select effective_date, percent_percentile1, percent_percentile99
                              from raw_nyfed.reference_rates where type = 'SOFR'
                              and (effective_date in ('2026-06-26', '2026-06-29'))
                              order by 1""").fetchall() == [
            (dt.date(2026, 6, 26), None, by_date["2026-06-26"]["percentPercentile99"]),
            (dt.date(2026, 6, 29), by_date["2026-06-29"]["percentPercentile1"], None)]

    by_date["2026-06-29"]["percentRate"] = "3.7O"  # a letter O: a typo in a hand-edited file
    sofr_path.write_text(json.dumps(sofr))
    with Emulator(data) as emulator, pytest.raises(Exception) as failure:
        _load(emulator, tmp_path / "fresh.duckdb")
    error = source_error(failure.value)
    assert error is not None and not error.transient
    assert str(error).startswith("NY Fed Markets: GET ") and "/api/rates/secured/sofr/search.json" in str(error)
    assert "SOFR 2026-06-29: percentRate is '3.7O', not a number" in str(error)

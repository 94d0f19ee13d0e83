"""Prices and SEC: parsers on real shapes, and the emulator's refusals (429 to bots, 403 without a contact)."""

import datetime as dt
import json

import pytest
import requests

from ingestion.sources.prices import BROWSER_USER_AGENT, ChartFormatError, parse_chart
from ingestion.sources.sec import parse_companyfacts, parse_submissions, user_agent


def _chart(timestamps, closes, zone="America/New_York"):
    n = len(timestamps)
    return {"chart": {"result": [{"meta": {"currency": "USD", "exchangeTimezoneName": zone, "priceHint": 2},
                                  "timestamp": timestamps,
                                  "indicators": {"quote": [{"open": closes, "high": closes, "low": closes,
                                                            "close": closes, "volume": [1] * n}],
                                                 "adjclose": [{"adjclose": closes}]}}], "error": None}}


def test_trade_date_is_the_exchange_date_and_nulls_and_todays_bar_are_dropped():
    # 2023-10-02 09:30 New York = 13:30 UTC; 2023-10-03 is a null (halted) bar; 2023-10-04 is "today".
    stamps = [1696253400, 1696339800, 1696426200]
    parsed = parse_chart(_chart(stamps, [300.0, None, 310.0]), "GS", before=dt.date(2023, 10, 4))
    assert parsed["prices_daily"].column("trade_date").to_pylist() == [dt.date(2023, 10, 2)]
    # In Tokyo the same instants are already the next calendar day: the date is the exchange's.
    tokyo = parse_chart(_chart([1696204800], [100.0], "Asia/Tokyo"), "7203.T")
    assert tokyo["prices_daily"].to_pylist()[0]["trade_date"] == dt.date(2023, 10, 2)


def test_bars_are_rounded_to_the_price_hint_and_ragged_arrays_refused():
    bars = parse_chart(_chart([1696253400], [300.123456789]), "GS")["prices_daily"].to_pylist()
    assert bars[0]["close"] == 300.1235 and bars[0]["volume"] == 1 and bars[0]["currency"] == "USD"
    ragged = _chart([1696253400, 1696339800], [300.0, 301.0])
    ragged["chart"]["result"][0]["indicators"]["quote"][0]["close"] = [300.0]
    with pytest.raises(ChartFormatError, match="close has 1 values for 2 timestamps"):
        parse_chart(ragged, "GS")


def test_one_bar_per_exchange_date_the_later_kept():
    # The load is declared deduplicated to dlt: two timestamps on one New York date (a session's bar and a live
    # bar an hour later) leave one bar, the later; the order of the dates is kept.
    stamps = [1696253400, 1696339800, 1696343400, 1696426200]
    bars = parse_chart(_chart(stamps, [300.0, 301.0, 302.0, 303.0]), "GS")["prices_daily"].to_pylist()
    assert [(b["trade_date"], b["close"]) for b in bars] == [
        (dt.date(2023, 10, 2), 300.0), (dt.date(2023, 10, 3), 302.0), (dt.date(2023, 10, 4), 303.0)]


def test_chart_error_body_is_refused(reference_dir):
    payload = json.loads((reference_dir / "samples" / "yahoo" / "chart_error_not_found.json").read_text())
    with pytest.raises(ChartFormatError, match="Not Found"):
        parse_chart(payload, "NOPE")


def test_reference_chart_parses(reference_dir):
    payload = json.loads((reference_dir / "samples" / "yahoo" / "chart_GS_1d_2023-10.json").read_text())
    bars = parse_chart(payload, "GS")["prices_daily"].to_pylist()
    assert bars and all(b["trade_date"].weekday() < 5 for b in bars)
    assert all(b["low"] <= b["close"] <= b["high"] for b in bars)


def test_companyfacts_keeps_quarterly_ytd_and_instant_facts_with_filed_dates(reference_dir):
    shapes = json.loads((reference_dir / "samples" / "sec" / "companyconcept_and_frames_shapes.json").read_text())
    payload = {"cik": 320193, "facts": {
        "us-gaap": {"Revenues": {"units": {"USD": [shapes["fact_quarterly_AAPL_revenue"],
                                                   shapes["fact_ytd_same_filing_no_frame"]]}}},
        "dei": {"EntityCommonStockSharesOutstanding": {"units": {"shares": [shapes["fact_instant_balance_sheet"]]}}}}}
    rows = parse_companyfacts(payload, 320193)
    assert len(rows) == 3 and len({r["fact_key"] for r in rows}) == 3
    quarter, ytd = [r for r in rows if r["tag"] == "Revenues"]
    assert (quarter["period_end"] - quarter["period_start"]).days < 100 < (ytd["period_end"] - ytd["period_start"]).days
    assert quarter["filed"] == dt.date(2026, 7, 31) and quarter["frame"] == "CY2026Q2" and ytd["frame"] is None
    instant = next(r for r in rows if r["tag"] == "EntityCommonStockSharesOutstanding")
    assert instant["period_start"] is None


def test_dual_class_share_counts_are_two_facts():
    facts = [{"end": "2026-04-20", "val": v, "accn": "0001652044-26-000010", "fy": 2026, "fp": "Q1", "form": "10-Q",
              "filed": "2026-04-28"} for v in (5_800_000_000, 5_400_000_000)]
    rows = parse_companyfacts({"facts": {"dei": {"EntityCommonStockSharesOutstanding": {"units": {"shares": facts}}}}},
                              1652044)
    assert len({r["fact_key"] for r in rows}) == 2


def test_reference_submissions_parse(reference_dir):
    payload = json.loads((reference_dir / "samples" / "sec" / "submissions_nvda_excerpt.json").read_text())
    company, filings = parse_submissions(payload)
    assert company["cik"] == 1045810 and company["sic"] == "3674" and company["fiscal_year_end"]
    assert filings and all(f["accession_number"] for f in filings)
    # The acceptance time as EDGAR wrote it (its `Z` is read in dbt: stg_sec__filings).
    assert [f["acceptance_date_time"] for f in filings] == payload["filings"]["recent"]["acceptanceDateTime"]


def test_chart_emulator_refuses_non_browsers(emulator):
    url = f"{emulator.base_url}/v8/finance/chart/NVDA"
    assert requests.get(url, params={"range": "max"}, timeout=5).status_code == 429
    ok = requests.get(url, params={"range": "max", "events": "div,splits"}, timeout=10,
                      headers={"User-Agent": BROWSER_USER_AGENT}).json()
    assert ok["chart"]["result"][0]["events"]["splits"], "NVDA split in the sample"
    missing = requests.get(f"{emulator.base_url}/v8/finance/chart/NOPE", timeout=5,
                           headers={"User-Agent": BROWSER_USER_AGENT})
    assert missing.status_code == 404 and missing.json()["chart"]["error"]["code"] == "Not Found"


def test_edgar_emulator_wants_a_declared_contact(emulator):
    url = f"{emulator.base_url}/submissions/CIK0001045810.json"
    refused = requests.get(url, timeout=5)
    assert refused.status_code == 403 and "Undeclared Automated Tool" in refused.text
    assert requests.get(url, timeout=5, headers={"User-Agent": user_agent("me@example.com")}).status_code == 200

"""Fiscal Data values are strings; "null" is missing; field names stay the API's."""

import datetime as dt
import json

from ingestion.sources.treasury import DATASETS, parse_rows, parse_value

AUCTIONS = DATASETS["auctions"]


def test_null_string_and_empty_are_missing():
    assert parse_value("soma_accepted", "null", AUCTIONS.numeric_fields) is None
    assert parse_value("security_term", "", AUCTIONS.numeric_fields) is None


def test_amounts_rates_and_dates():
    assert parse_value("offering_amt", "22000000000", AUCTIONS.numeric_fields) == 22e9
    assert parse_value("bid_to_cover_ratio", "2.380000", AUCTIONS.numeric_fields) == 2.38
    assert parse_value("announcemt_date", "2025-07-02", AUCTIONS.numeric_fields) == dt.date(2025, 7, 2)
    assert parse_value("cusip", "912810UK2", AUCTIONS.numeric_fields) == "912810UK2"


def test_reference_payloads_parse(reference_dir):
    folder = reference_dir / "samples" / "treasury"
    mspd = json.loads((folder / "mspd_table_1_response_2025-02-28.json").read_text())
    (row,) = parse_rows(mspd["data"], DATASETS["mspd_table_1"])
    assert row["record_date"] == dt.date(2025, 2, 28) and row["security_class_desc"] == "Bills"
    assert row["total_mil_amt"] == 6367951.7093
    penny = json.loads((folder / "debt_to_penny_response_2026-05-12.json").read_text())
    rows = parse_rows(penny["data"], DATASETS["debt_to_penny"])
    assert rows[0]["tot_pub_debt_out_amt"] > 3e13
    examples = json.loads((folder / "auctions_query_row_examples.json").read_text())
    fiscal = [{k: v for k, v in e.items() if not k.startswith("_")} for e in examples if "auction_date" in e]
    parsed = parse_rows(fiscal, AUCTIONS)
    assert parsed[0]["soma_accepted"] == 2_603_000_000 and parsed[0]["auction_date"] == dt.date(2025, 7, 10)

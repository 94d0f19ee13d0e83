"""NY Fed parsers and the emulator's NY Fed endpoints."""

import datetime as dt
import json

import requests

from ingestion.sources.nyfed import (
    is_small_value_exercise,
    number,
    parse_holding,
    parse_operation,
    parse_rate,
    parse_repo_operation,
    parse_soma_summary,
)


def test_rate_numbers_old_percentile_names_and_revisions():
    row = parse_rate({"effectiveDate": "2024-06-06", "type": "SOFR", "percentRate": 5.33, "percentile1": 5.29,
                      "percentPercentile99": "NA", "volumeInBillions": 2008, "revisionIndicator": "R"})
    assert row["effective_date"] == dt.date(2024, 6, 6) and row["percentRate"] == 5.33
    assert row["percentPercentile1"] == 5.29, "the older field name is mapped to today's"
    assert row["percentPercentile99"] is None, "'NA' is missing"
    assert row["revision_indicator"] == "R"
    assert parse_rate({"effectiveDate": "2024-06-05", "type": "SOFR", "revisionIndicator": ""})[
        "revision_indicator"] is None


def test_soma_strings_and_empty():
    row = parse_soma_summary({"asOfDate": "2021-10-27", "mbs": "2518385276066.40", "frn": "", "bills": "326044000000"})
    assert row["mbs"] == 2518385276066.40 and row["frn"] is None and row["cmbs"] is None
    holding = parse_holding({"asOfDate": "2019-01-02", "cusip": "3137EACA5", "maturityDate": "2019-03-27",
                             "coupon": "3.75", "parValue": "62000000", "percentOutstanding": ""})
    assert holding["par_value"] == 62e6 and holding["percent_outstanding"] is None
    assert number(True) is None and number("1e3") == 1000.0


def test_small_value_exercises_are_recognised():
    assert is_small_value_exercise({"note": "Small Value Exercise (SVE)"})
    assert is_small_value_exercise({"note": "", "isSmallValue": "Y"})
    assert not is_small_value_exercise({"note": "", "isSmallValue": ""})


def test_reference_payloads_parse(reference_dir):
    folder = reference_dir / "samples" / "nyfed"
    sofr = json.loads((folder / "rates_secured_sofr_search_2024-06-01_2024-06-06.json").read_text())["refRates"]
    rows = [parse_rate(r) for r in sofr]
    assert rows[0]["effective_date"] > rows[-1]["effective_date"], "newest first, as the API sends it"
    assert all(r["percentRate"] and r["volumeInBillions"] for r in rows)
    effr = json.loads((folder / "rates_unsecured_effr_search_2023-01-01_2023-06-06.json").read_text())["refRates"]
    assert all(parse_rate(r)["targetRateTo"] for r in effr)
    summary = json.loads((folder / "soma_summary_excerpt.json").read_text())["soma"]["summary"]
    assert parse_soma_summary(summary[0])["total"] > 7e12
    agency = json.loads((folder / "soma_agency_get_agency_debts_asof_2019-01-02.json").read_text())
    assert all(parse_holding(h)["par_value"] > 0 for h in agency["soma"]["holdings"])
    ops = json.loads((folder / "rp_reverserepo_operation_shape.json").read_text())["repo"]["operations"]
    parsed = [parse_operation(op) for op in ops]
    assert parsed[0]["total_amt_accepted"] == 545e6 and parsed[0]["percent_award_rate"] == 3.5
    # The repo operation of the same payload (an SRF operation): the table repo_operations reads it.
    srf = parse_repo_operation(next(op for op in ops if op["operationType"] == "Repo"))
    assert srf["operation_method"] == "Full Allotment" and srf["total_amt_accepted"] == 1e6
    assert (srf["treasury_amt_accepted"], srf["agency_amt_accepted"], srf["mbs_amt_accepted"]) == (1e6, 0, 0)
    assert srf["minimum_bid_rate_pct"] == 3.75 and srf["participating_cpty"] is None


def test_real_sofr_payload_carries_percentiles_and_volume(reference_dir):
    """The real `last/5.json` answer (re-serialized by its saver): every row has the band and the volume."""
    path = reference_dir / "real" / "nyfed-refrates-json-2026" / "nyfed_sofr.json"
    if not path.is_file():
        import pytest

        pytest.skip(f"{path} is not here")
    rows = [parse_rate(r) for r in json.loads(path.read_text())["refRates"]]
    assert rows and all(r["percentPercentile1"] <= r["percentPercentile25"] <= r["percentRate"]
                        <= r["percentPercentile75"] <= r["percentPercentile99"] for r in rows)
    assert all(r["volumeInBillions"] > 1000 for r in rows), "SOFR volume is in $bn (trillions of dollars a day)"


def test_repo_operation_amounts_by_collateral_and_text_refused():
    op = {"operationId": "RP 121125 4", "operationDate": "2025-12-11", "operationType": "Repo",
          "operationMethod": "Full Allotment", "totalAmtSubmitted": "5000000000", "totalAmtAccepted": "5000000000",
          "details": [{"securityType": "Treasury", "amtAccepted": 3500000000, "percentOfferingRate": 3.75},
                      {"securityType": "Mortgage-Backed", "amtAccepted": "1500000000", "percentOfferingRate": 3.75},
                      {"securityType": "Agency", "amtAccepted": "", "percentOfferingRate": ""}]}
    row = parse_repo_operation(op)
    assert row["total_amt_accepted"] == 5e9 and row["treasury_amt_accepted"] == 3.5e9
    assert row["mbs_amt_accepted"] == 1.5e9 and row["agency_amt_accepted"] is None
    assert row["minimum_bid_rate_pct"] == 3.75
    import pytest

    from ingestion.sources.nyfed import NyFedFormatError

    op["details"][0]["amtAccepted"] = "3.5bn"
    with pytest.raises(NyFedFormatError, match=r"operation RP 121125 4 Treasury: amtAccepted is '3.5bn'"):
        parse_repo_operation(op)


def test_emulator_rates_window_newest_first(emulator):
    body = requests.get(f"{emulator.base_url}/api/rates/secured/sofr/search.json", timeout=5,
                        params={"startDate": "2026-06-01", "endDate": "2026-06-12"}).json()
    dates = [r["effectiveDate"] for r in body["refRates"]]
    assert dates == sorted(dates, reverse=True) and dates[0] == "2026-06-12" and dates[-1] == "2026-06-01"
    last = requests.get(f"{emulator.base_url}/api/rates/unsecured/effr/last/3.json", timeout=5).json()
    assert len(last["refRates"]) == 3


def test_emulator_soma_as_of_rules(emulator):
    dates = requests.get(f"{emulator.base_url}/api/soma/asofdates/list.json", timeout=5).json()["soma"]["asOfDates"]
    assert all(dt.date.fromisoformat(d).weekday() == 2 for d in dates)
    held = requests.get(f"{emulator.base_url}/api/soma/tsy/get/bills/asof/{dates[0]}.json", timeout=5).json()
    assert held["soma"]["holdings"] and {h["securityType"] for h in held["soma"]["holdings"]} == {"Bills"}
    thursday = (dt.date.fromisoformat(dates[0]) + dt.timedelta(days=1)).isoformat()
    none = requests.get(f"{emulator.base_url}/api/soma/tsy/get/bills/asof/{thursday}.json", timeout=5).json()
    assert none["soma"]["holdings"] == [], "only as-of Wednesdays have holdings"


def test_emulator_repo_filter(emulator):
    ops = requests.get(f"{emulator.base_url}/api/rp/results/search.json", timeout=5, params={
        "startDate": "2026-03-01", "endDate": "2026-03-31", "operationTypes": "reverserepo"}).json()
    operations = ops["repo"]["operations"]
    assert operations and {op["operationType"] for op in operations} == {"Reverse Repo"}
    assert any(is_small_value_exercise(op) for op in operations), "the sample includes an SVE in March"
    repo = requests.get(f"{emulator.base_url}/api/rp/results/search.json", timeout=5, params={
        "startDate": "2025-12-01", "endDate": "2025-12-31", "operationTypes": "repo"}).json()["repo"]["operations"]
    assert repo and {op["operationType"] for op in repo} == {"Repo"}
    assert sum(op["totalAmtAccepted"] for op in repo) > 0, "the sample's SRF is used at the year-end"


def test_text_in_a_number_field_is_refused_with_the_record_and_field():
    """"" (SOMA and repo amounts) and "NA" (seen as a percentile, API-FORMATS.md §3) are the API's own markers
    for none; any other text would otherwise become a silent NULL."""
    import pytest

    from ingestion.sources.nyfed import NyFedFormatError

    with pytest.raises(NyFedFormatError, match=r"SOFR 2024-06-06: percentRate is 'abc', not a number"):
        parse_rate({"effectiveDate": "2024-06-06", "type": "SOFR", "percentRate": "abc"})
    with pytest.raises(NyFedFormatError, match=r"as of 2021-10-27: bills is 'n/a'"):
        parse_soma_summary({"asOfDate": "2021-10-27", "bills": "n/a"})
    with pytest.raises(NyFedFormatError, match=r"912797XX1 as of 2026-01-07: parValue is '1,000'"):
        parse_holding({"asOfDate": "2026-01-07", "cusip": "912797XX1", "parValue": "1,000"})
    with pytest.raises(NyFedFormatError, match=r"operation RP 1: totalAmtAccepted is 'NaN'"):
        parse_operation({"operationId": "RP 1", "operationDate": "2026-01-07", "totalAmtAccepted": "NaN"})
    assert parse_rate({"effectiveDate": "2024-06-06", "type": "SOFR", "percentRate": 5.33, "percentPercentile1": "",
                       "percentPercentile99": "NA"})["percentPercentile1"] is None


def test_last_updated_is_a_utc_timestamp_and_another_format_is_left_empty():
    """The type dlt's detection gave the column from the text (kept now the rows reach dlt as Arrow); the column is
    informational, so a value in another format does not fail the load."""
    op = {"operationId": "RP 1", "operationDate": "2026-07-10", "operationType": "Reverse Repo",
          "lastUpdated": "2026-07-10 13:18:11"}
    assert parse_operation(op)["last_updated"] == dt.datetime(2026, 7, 10, 13, 18, 11, tzinfo=dt.UTC)
    assert parse_operation(op | {"lastUpdated": "2026-07-10T09:18:11-04:00"})["last_updated"] == \
        dt.datetime(2026, 7, 10, 13, 18, 11, tzinfo=dt.UTC)
    assert parse_operation(op | {"lastUpdated": "10 July"})["last_updated"] is None
    assert parse_operation({k: v for k, v in op.items() if k != "lastUpdated"})["last_updated"] is None


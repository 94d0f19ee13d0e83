"""The FRED parsers against every format drift FRED has shown (API-FORMATS.md §1)."""

import datetime as dt

import pytest

from ingestion.sources.fred import FredFormatError, parse_fredgraph_csv, parse_observations_json


def test_current_header_and_empty_missing():
    rows = parse_fredgraph_csv("observation_date,SOFR\n2021-07-02,0.05\n2021-07-05,\n2021-07-06,0.05\n", "SOFR")
    assert rows == [
        {"date": dt.date(2021, 7, 2), "value": 0.05},
        {"date": dt.date(2021, 7, 5), "value": None},
        {"date": dt.date(2021, 7, 6), "value": 0.05},
    ]


def test_old_date_header_dot_missing_and_float_integers():
    rows = parse_fredgraph_csv("DATE,WALCL\n2018-07-18,4291615.0\n2018-07-25,.\n2018-08-01,4280000\n", "WALCL")
    assert [r["value"] for r in rows] == [4291615.0, None, 4280000.0]
    assert rows[0]["date"] == dt.date(2018, 7, 18)


def test_crlf_line_endings_and_trailing_blank_lines():
    rows = parse_fredgraph_csv("observation_date,GDP\r\n2025-01-01,29723.864\r\n\r\n", "GDP")
    assert rows == [{"date": dt.date(2025, 1, 1), "value": 29723.864}]


def test_html_error_page_is_refused():
    with pytest.raises(FredFormatError, match="HTML"):
        parse_fredgraph_csv("<!DOCTYPE html><html>Error</html>", "WRESBAL")


def test_wrong_series_column_is_refused():
    with pytest.raises(FredFormatError, match="WRESBAL"):
        parse_fredgraph_csv("observation_date,WALCL\n2024-01-03,1\n", "WRESBAL")


def test_bad_date_names_the_line():
    with pytest.raises(FredFormatError, match="line 3"):
        parse_fredgraph_csv("observation_date,SOFR\n2024-01-02,5.31\n01/03/2024,5.32\n", "SOFR")


def test_bad_number_names_the_line():
    with pytest.raises(FredFormatError, match="line 2"):
        parse_fredgraph_csv("observation_date,SOFR\n2024-01-02,n/a\n", "SOFR")


def test_api_json_strings_and_dot():
    payload = {"count": 2, "observations": [
        {"realtime_start": "2024-06-27", "realtime_end": "2024-06-27", "date": "2023-01-01", "value": "4.98"},
        {"realtime_start": "2024-06-27", "realtime_end": "2024-06-27", "date": "2023-01-02", "value": "."},
    ]}
    assert parse_observations_json(payload, "X") == [
        {"date": dt.date(2023, 1, 1), "value": 4.98}, {"date": dt.date(2023, 1, 2), "value": None}]


def test_api_error_body_is_refused():
    with pytest.raises(FredFormatError, match="observations"):
        parse_observations_json({"error_code": 400, "error_message": "Bad Request."}, "X")


def test_reference_csvs_parse(reference_dir):
    """Contract test on real downloads (skipped when ../shared/reference is absent)."""
    files = sorted((reference_dir / "samples" / "fred").glob("*.csv"))
    files += sorted((reference_dir / "real").glob("*/[A-Z]*.csv"))
    # Plain fredgraph downloads only: a header of exactly (DATE|observation_date, SERIES).
    fred_files = [f for f in files
                  if f.read_text().split("\n", 1)[0].startswith(("DATE,", "observation_date,"))
                  and f.read_text().split("\n", 1)[0].count(",") == 1]
    assert len(fred_files) >= 5, "expected FRED CSVs in the reference folder"
    for path in fred_files:
        text = path.read_text()
        series_id = text.splitlines()[0].split(",")[1].strip()
        rows = parse_fredgraph_csv(text, series_id)
        assert rows, path.name
        assert all(isinstance(r["date"], dt.date) for r in rows)
        assert any(r["value"] is not None for r in rows), path.name


def test_a_row_with_a_third_column_is_refused_with_its_line():
    with pytest.raises(FredFormatError, match=r"SOFR line 3: 3 fields"):
        parse_fredgraph_csv("observation_date,SOFR\n2024-01-02,5.31\n2024-01-03,5.32,x\n", "SOFR")


@pytest.mark.parametrize("header", ["observation_date,SOFR,EXTRA", "date,SOFR", "SOFR"])
def test_a_header_other_than_date_and_series_is_refused(header):
    with pytest.raises(FredFormatError, match="observation_date,SOFR"):
        parse_fredgraph_csv(f"{header}\n2024-01-02,5.31\n", "SOFR")


@pytest.mark.parametrize("text", ["", "\n\n"])
def test_an_empty_answer_is_refused(text):
    with pytest.raises(FredFormatError, match="SOFR: the answer is empty"):
        parse_fredgraph_csv(text, "SOFR")

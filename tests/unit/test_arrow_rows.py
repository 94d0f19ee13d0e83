"""Rows handed to dlt as Arrow keep the columns and types dlt made of the same rows as dicts."""

import datetime as dt

import pyarrow as pa

from ingestion.arrow_rows import rows_table

ROWS = [
    {"cusip": "912797AA", "auction_date": dt.date(2026, 1, 6), "amount": 1.5, "lots": 3, "note": None,
     "term": "4-Week"},
    {"cusip": "912797AB", "auction_date": dt.date(2026, 1, 7), "amount": 2, "lots": None, "note": None, "term": None},
]


def test_types_are_the_values_and_the_hints():
    hints = {"rate": {"data_type": "double"}, "note": {"data_type": "text"}}
    table = rows_table(ROWS, ("cusip", "auction_date"), hints)
    types = {field.name: field.type for field in table.schema}
    assert types == {"cusip": pa.string(), "auction_date": pa.date32(), "amount": pa.float64(), "lots": pa.int64(),
                     "note": pa.string(), "term": pa.string(), "rate": pa.float64(), "_dlt_id": pa.string()}
    assert table.column("amount").to_pylist() == [1.5, 2.0]  # an int among floats is a float, as in dlt's column
    assert table.column("rate").null_count == 2  # hinted: the column exists though no row has it


def test_a_column_none_on_every_row_is_left_out_unless_hinted():
    assert "note" not in rows_table(ROWS, ("cusip",)).column_names


def test_the_key_is_not_null_and_gives_the_row_id():
    table = rows_table(ROWS, ("cusip", "auction_date"))
    assert table.column("_dlt_id").to_pylist() == ["912797AA|2026-01-06", "912797AB|2026-01-07"]
    assert [f.name for f in table.schema if not f.nullable] == ["cusip", "auction_date", "_dlt_id"]


def test_values_arrow_cannot_put_in_one_column_stay_rows_for_dlt():
    rows = [{"id": "a", "fy": 2024}, {"id": "b", "fy": "2025"}]
    assert rows_table(rows, ("id",)) is rows


def test_a_hinted_column_whose_values_do_not_fit_stays_rows():
    rows = [{"id": "a", "amount": "1,000"}]
    assert rows_table(rows, ("id",), {"amount": {"data_type": "double"}}) is rows


def test_no_rows_stay_an_empty_list():
    assert rows_table([], ("id",), {"note": {"data_type": "text"}}) == []

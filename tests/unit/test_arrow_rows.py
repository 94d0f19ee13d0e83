"""Rows handed to dlt as Arrow keep the columns and types dlt made of the same rows as dicts."""

import datetime as dt

import dlt
import duckdb
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


def test_ints_beyond_64_bits_and_unmapped_hints_stay_rows():
    rows = [{"id": "a", "n": 2**70}]
    assert rows_table(rows, ("id",)) is rows
    assert rows_table([{"id": "a", "n": 1}], ("id",), {"n": {"data_type": "decimal"}})[0] == {"id": "a", "n": 1}


def test_a_table_loaded_from_dicts_takes_arrow_loads_unchanged(tmp_path):
    """The warehouses built before: their tables came from dicts (dlt's random NOT NULL row ids, its column types).
    A merge of Arrow rows replaces the row by key and leaves every column's type and nullability as it was."""
    hints = {"amount": {"data_type": "double"}, "note": {"data_type": "text"}}
    first = [{"cusip": "A", "auction_date": dt.date(2026, 1, 6), "amount": 1.5, "term": "4-Week", "note": None},
             {"cusip": "B", "auction_date": dt.date(2026, 1, 7), "amount": 2.0, "term": "8-Week", "note": None}]
    pipeline = dlt.pipeline("arrow_rows", pipelines_dir=str(tmp_path / "dlt"), dataset_name="raw",
                            destination=dlt.destinations.duckdb(str(tmp_path / "w.duckdb")))

    def load(items) -> None:
        resource = dlt.resource(items, name="auctions", write_disposition="merge",
                                primary_key=["cusip", "auction_date"], columns=hints, file_format="parquet")
        pipeline.run(resource).raise_on_failed_jobs()

    def columns() -> dict:
        with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
            return {row[0]: row[1:] for row in con.execute(
                "select column_name, data_type, is_nullable from information_schema.columns "
                "where table_schema = 'raw' and table_name = 'auctions'").fetchall()}

    load(first)
    before = columns()
    again = [first[0] | {"amount": 1.75}, {"cusip": "C", "auction_date": dt.date(2026, 1, 8), "amount": 3.0,
                                           "term": "4-Week", "note": None}]
    table = rows_table(again, ("cusip", "auction_date"), hints)
    assert isinstance(table, pa.Table)
    load(table)
    assert columns() == before
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        rows = con.execute("select cusip, amount, _dlt_id from raw.auctions order by cusip").fetchall()
    assert [(cusip, amount) for cusip, amount, _ in rows] == [("A", 1.75), ("B", 2.0), ("C", 3.0)]
    assert rows[0][2] == "A|2026-01-06" and rows[1][2] != "B|2026-01-07"  # B kept the id dlt drew for it


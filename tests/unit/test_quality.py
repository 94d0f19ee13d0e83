"""Great Expectations suites: every file loads, names a real asset, and a violation is caught and described."""

import duckdb
import pytest

from orchestration.definitions import defs
from orchestration.quality import Suite, SuiteError, load_suite, load_suites, validate
from tests.utils import raw_tables

# GX owns the edge: the raw tables as loaded. Models are checked by dbt tests, so no suite names a model.
# Every raw table has a suite but two: FRED's vintages (ALFRED, keyed API only), checked through the observations
# they revise, and the universe, our own file, which ingestion/universe.py validates as it reads it.
RAW_TABLES_WITH_A_SUITE = raw_tables() - {
    "raw_fred/vintages", "raw_prices/universe"}


def test_every_suite_guards_a_raw_table_that_exists():
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    suites = load_suites()
    assert {s.asset for s in suites} == RAW_TABLES_WITH_A_SUITE <= keys
    assert len({s.name for s in suites}) == len(suites)


def _rates_suite() -> Suite:
    return next(s for s in load_suites() if s.asset == "raw_nyfed/reference_rates")


def _rates_table(con, rates):
    con.execute("create schema raw_nyfed")
    con.execute("""create table raw_nyfed.reference_rates as
        select 'SOFR' as type, date '2026-01-01' + i::int as effective_date, rate as percent_rate,
               rate - 0.05 as percent_percentile1, rate + 0.05 as percent_percentile99,
               2000.0 as volume_in_billions
        from unnest(?) with ordinality as t(rate, i)""", [rates])


def test_a_rate_in_basis_points_fails_the_suite_with_the_offending_value():
    with duckdb.connect() as con:
        _rates_table(con, [3.6] * 120 + [366.0])
        result = validate(_rates_suite(), con)
    assert not result.success
    failure = next(f for f in result.failures if f["column"] == "percent_rate")
    assert failure["unexpected_count"] == 1 and failure["examples"] == [366.0]
    assert "percent_rate" in result.summary()


def test_clean_rates_pass():
    with duckdb.connect() as con:
        _rates_table(con, [3.6 + i / 1000 for i in range(120)])
        result = validate(_rates_suite(), con)
    assert result.success, result.failures


def test_a_missing_table_is_a_failure_not_a_crash():
    with duckdb.connect() as con:
        result = validate(_rates_suite(), con)
    assert not result.success and "reference_rates" in result.failures[0]["observed"]


def _bars_suite() -> Suite:
    return next(s for s in load_suites() if s.asset == "raw_prices/prices_daily")


def _bars_table(con, tickers: int = 30, days: int = 100) -> None:
    """``tickers`` × ``days`` clean daily bars (3,000 rows: over the suite's minimum of 1,000)."""
    con.execute("create schema raw_prices")
    con.execute(f"""create table raw_prices.prices_daily as
        select 'T' || t as ticker, date '2026-01-01' + d::int as trade_date, 10.0 + t as open, 11.0 + t as high,
               9.0 + t as low, 10.5 + t as close, 1000::bigint as volume, '1000.1' as _dlt_load_id
        from range({tickers}) r(t), range({days}) s(d)""")


def test_a_suite_validated_in_batches_finds_what_one_frame_finds():
    """The bars in batches of 500 rows (each under the suite's 1,000-row minimum, which is judged on the whole
    table): a clean table passes; a duplicate bar, a negative close and a 30-day gap planted in three tickers fail
    the same expectations with the same counts as when the table is validated whole."""
    suite = _bars_suite()
    assert suite.batch_by == "ticker"
    with duckdb.connect() as con:
        _bars_table(con)
        assert validate(suite, con, batch_rows=500).success
        con.execute("insert into raw_prices.prices_daily select * from raw_prices.prices_daily "
                    "where ticker = 'T3' and trade_date = date '2026-01-05'")
        con.execute("update raw_prices.prices_daily set close = -1, low = -2 where ticker = 'T17' and "
                    "trade_date = date '2026-02-01'")
        con.execute("delete from raw_prices.prices_daily where ticker = 'T25' and "
                    "trade_date between date '2026-02-01' and date '2026-03-02'")
        whole, batched = validate(suite, con), validate(suite, con, batch_rows=500)
    assert not whole.success and not batched.success
    assert batched.rows == whole.rows == 3_000 + 1 - 30
    assert (whole.batches, batched.batches) == (1, 6)
    assert batched.evaluated == whole.evaluated == len(suite.expectations)

    def counts(result):
        return {(f["expectation"], str(f["column"])): f["unexpected_count"] for f in result.failures}
    assert counts(batched) == counts(whole)
    assert {("expect_column_values_to_be_between", "close"), ("expect_column_values_to_be_between", "gap_days"),
            ("expect_compound_columns_to_be_unique", "['ticker', 'trade_date']")} <= set(counts(batched))


def test_a_batch_column_outside_a_uniqueness_key_is_refused(tmp_path):
    path = tmp_path / "bars.yml"
    path.write_text("asset: raw_prices/prices_daily\nbatch_by: close\nsql: select * from raw_prices.prices_daily\n"
                    "expectations:\n  - {type: expect_compound_columns_to_be_unique, "
                    "kwargs: {column_list: [ticker, trade_date]}}\n")
    with pytest.raises(SuiteError, match=r"bars.yml.*batch_by \(close\) must be one of its columns"):
        load_suite(path)


def test_a_run_validates_the_rows_its_loads_wrote_against_the_whole_table():
    """Load 2000.1 appends one day to 30 tickers' 100: only its rows are validated (a bad row an earlier load left,
    which its own check would have stopped, is not looked at again), but each new bar's gap is measured from the
    table's earlier bars, a new bar repeating an earlier one is a duplicate, and the row count is the whole table's."""
    suite = _bars_suite()
    assert suite.load_id_column == "_dlt_load_id"
    with duckdb.connect() as con:
        _bars_table(con)
        con.execute("update raw_prices.prices_daily set close = -1, low = -2 where ticker = 'T1' and "
                    "trade_date = date '2026-01-10'")  # an earlier load's row
        con.execute("""insert into raw_prices.prices_daily select ticker, trade_date + 1, open, high, low, close,
                       volume, '2000.1' from raw_prices.prices_daily where trade_date = date '2026-04-10'""")
        clean = validate(suite, con, load_ids=["2000.1"])
        assert clean.success, clean.failures
        assert (clean.rows, clean.rows_written) == (3_030, 30)
        assert clean.metadata()["rows_validated"] == 30 and "30 rows this run's loads wrote" in clean.summary()
        assert not validate(suite, con).success, "the whole table still holds the earlier load's bad row"

        con.execute("""insert into raw_prices.prices_daily select ticker, trade_date + 40, open, high, low, close,
                       volume, '2000.1' from raw_prices.prices_daily where ticker = 'T2' and
                       trade_date = date '2026-04-11'""")  # 40 days after that ticker's last bar
        con.execute("""insert into raw_prices.prices_daily select ticker, trade_date, open, high, low, close, volume,
                       '2000.1' from raw_prices.prices_daily where ticker = 'T3' and trade_date = date '2026-02-01'
                    """)  # an earlier bar loaded again without replacing it
        failed = validate(suite, con, load_ids=["2000.1"])
    counts = {(f["expectation"], str(f["column"])): f["unexpected_count"] for f in failed.failures}
    # Two gaps out of range: T2's 40 days, and the 0 days between the duplicate bar and the one it repeats.
    assert counts == {("expect_column_values_to_be_between", "gap_days"): 2,
                      ("expect_compound_columns_to_be_unique", "['ticker', 'trade_date']"): 2}
    assert failed.rows_written == 30 + 1 + 2, "the new rows and the earlier bar the duplicate repeats"


def test_load_ids_beyond_a_batch_are_validated_as_the_whole_table():
    """A first load writes every row: validated as the whole table is, in batches."""
    suite = _bars_suite()
    with duckdb.connect() as con:
        _bars_table(con)
        result = validate(suite, con, batch_rows=500, load_ids=["1000.1"])
    assert result.success and result.rows_written is None and result.batches == 6


def test_a_load_id_column_with_two_uniqueness_keys_is_refused(tmp_path):
    path = tmp_path / "bars.yml"
    path.write_text("asset: raw_prices/prices_daily\nload_id_column: _dlt_load_id\n"
                    "sql: select * from raw_prices.prices_daily\nexpectations:\n"
                    "  - {type: expect_compound_columns_to_be_unique, kwargs: {column_list: [ticker, trade_date]}}\n"
                    "  - {type: expect_column_values_to_be_unique, kwargs: {column: close}}\n")
    with pytest.raises(SuiteError, match=r"bars.yml.*at most one uniqueness expectation"):
        load_suite(path)

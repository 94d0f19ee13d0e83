"""Great Expectations suites: every file loads, names a real asset, and a violation is caught and described."""

import duckdb

from orchestration.definitions import defs
from orchestration.quality import Suite, load_suites, validate
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

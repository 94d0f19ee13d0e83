"""The raw layer: one Dagster multi-asset per provider, one asset per raw table, keyed ``raw_<provider>/<table>``.

Those keys are the ones the dbt sources declare, so the graph runs unbroken from API to mart. (dagster-dlt
maps one dlt resource to one asset; one chart response fills three tables and one EDGAR pass three more, so
the table assets are declared here from ``ingestion.sources.TABLES``.)
"""

from collections.abc import Iterator

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from ingestion.pipeline import make_pipeline, rows_loaded
from ingestion.sources import SOURCES, TABLES, treasury
from orchestration import meta
from orchestration.resources import FaultlinesResource

DESCRIPTIONS = {
    "fred/observations": "FRED observations, one row per (series_id, date) in the series' own units. Loaded "
                         "incrementally per series (only dates after the last one loaded).",
    "fred/series": "FRED series metadata: title, units, frequency. Units decide how staging scales each series.",
    "fred/vintages": "ALFRED vintages of the revised series (GDP, bank assets): one row per (series_id, date, "
                     "realtime_start) with its realtime_end. Loaded only when FRED_API_KEY is set.",
    **{f"treasury/{d.table}": f"{d.description} Merged on ({', '.join(d.primary_key)}); re-reads the last "
                              f"{d.lookback_days} days of `{d.date_field}` because Treasury re-issues rows."
       for d in treasury.DATASETS.values()},
    "nyfed/reference_rates": "NY Fed reference rates (SOFR, BGCR, TGCR, EFFR, OBFR) with percentiles and volumes; "
                             "revisions upserted on (type, effective_date) with their revision flag.",
    "nyfed/soma_summary": "SOMA holdings by asset class each Wednesday (USD, wide).",
    "nyfed/soma_bill_holdings": "Treasury bills the Fed holds, by CUSIP, at each SOMA as-of Wednesday (USD par).",
    "nyfed/reverse_repo_operations": "Reverse repo operation results (one row per operation; small-value "
                                     "exercises left out), USD.",
    "prices/prices_daily": "Daily bars per ticker of the universe seed (open, high, low, close, adjusted close, "
                           "volume), trade dates in New York; the day's partial bar is never loaded.",
    "prices/dividends": "Cash dividends per (ticker, ex_date), from the same chart responses as the bars.",
    "prices/splits": "Stock splits per (ticker, split_date), from the same chart responses as the bars.",
    "sec/companies": "SEC EDGAR submissions: one row per CIK of the universe (SIC code, fiscal year end).",
    "sec/filings": "SEC EDGAR filings per CIK (form, dates, 8-K items); item 2.02 marks earnings releases.",
    "sec/facts": "SEC EDGAR XBRL facts (net income, revenue, shares outstanding), each with its filed date.",
}


def provider_assets(provider: str):
    """Load one provider from the run's endpoints into its raw schema; one materialization per table."""
    specs = [AssetSpec(AssetKey([f"raw_{provider}", table]), group_name=provider, kinds={"dlt", "duckdb"},
                       description=DESCRIPTIONS[f"{provider}/{table}"]) for table in TABLES[provider]]

    @multi_asset(name=provider, specs=specs)
    def load_provider(context: AssetExecutionContext, faultlines: FaultlinesResource) -> Iterator[MaterializeResult]:
        tables = TABLES[provider]
        pipeline = make_pipeline(provider, faultlines.warehouse_path)
        with faultlines.connect() as con:
            before = meta.table_counts(con, f"raw_{provider}", tables)
        source = SOURCES[provider](faultlines.endpoints)
        pipeline.run(source, refresh="drop_sources" if faultlines.full_refresh else None).raise_on_failed_jobs()
        fetched = rows_loaded(pipeline)
        with faultlines.connect() as con:
            after = meta.table_counts(con, f"raw_{provider}", tables)
            meta.record_loads(con, context.run.run_id, provider, faultlines.endpoints.mode, tables, fetched, before,
                              after)
        for table in tables:
            yield MaterializeResult(asset_key=AssetKey([f"raw_{provider}", table]), metadata={
                "rows_fetched": fetched.get(table, 0), "rows_added": after[table] - before[table],
                "rows_in_table": after[table], "mode": faultlines.endpoints.mode,
                "warehouse": str(faultlines.warehouse_path)})
        context.log.info(f"{provider}: fetched {sum(fetched.values())} rows, "
                         f"{sum(after.values()) - sum(before.values())} new")

    return load_provider


PROVIDER_ASSETS = [provider_assets(provider) for provider in SOURCES]

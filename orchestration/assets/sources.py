"""The raw layer: one dlt source per provider, each table a Dagster asset keyed ``raw_<provider>/<table>``.

Those keys are the ones the dbt sources declare, so the graph runs unbroken from API to mart.
"""

import os
from collections.abc import Iterator

from dagster import AssetExecutionContext, AssetKey, AssetSpec
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from ingestion import settings
from ingestion.pipeline import make_pipeline
from ingestion.sources import fred, nyfed, prices, sec, treasury
from orchestration.assets.loading import load
from orchestration.resources import FaultlinesResource

DESCRIPTIONS = {
    "fred/observations": "FRED observations, one row per (series_id, date) in the series' own units. Loaded "
                         "incrementally per series (only dates after the last one loaded).",
    "fred/series": "FRED series metadata: title, units, frequency. Units decide how staging scales each series.",
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
                           "volume), trade dates in New York; the day's partial bar is never loaded. The same "
                           "responses fill raw_prices.dividends and raw_prices.splits.",
    "sec/companies": "SEC EDGAR for the universe: companies (SIC, fiscal year end) from submissions, with "
                     "raw_sec.filings and raw_sec.facts (net income, revenue, shares; every fact with its filed date).",
}


class RawTableTranslator(DagsterDltTranslator):
    """dlt resources become ``raw_<source>/<table>``, grouped by provider."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        spec = super().get_asset_spec(data)
        source, table = data.resource.source_name, data.resource.table_name
        return spec.replace_attributes(key=AssetKey([f"raw_{source}", table]), deps=[], group_name=source,
                                       description=DESCRIPTIONS.get(f"{source}/{table}", spec.description))


def _placeholder_pipeline(provider: str):
    # Definition-time only: each run swaps in its mode's endpoints and warehouse file.
    return make_pipeline(provider, settings.warehouse_path("sample"))


@dlt_assets(dlt_source=fred.fred_source(), dlt_pipeline=_placeholder_pipeline("fred"), name="fred",
            dagster_dlt_translator=RawTableTranslator())
def fred_assets(context: AssetExecutionContext, dlt: DagsterDltResource, faultlines: FaultlinesResource) -> Iterator:
    endpoints = faultlines.endpoints
    rate = endpoints.client_options("fred_graph")
    client = fred.FredClient.create(rate.pop("base_url"), endpoints.urls["fred_api"],
                                    api_key=os.environ.get("FRED_API_KEY"), **rate)
    yield from load(context, dlt, faultlines, "fred", fred.fred_source(client), ["observations", "series"])


@dlt_assets(dlt_source=treasury.treasury_source(), dlt_pipeline=_placeholder_pipeline("treasury"), name="treasury",
            dagster_dlt_translator=RawTableTranslator())
def treasury_assets(context: AssetExecutionContext, dlt: DagsterDltResource,
                    faultlines: FaultlinesResource) -> Iterator:
    client = treasury.FiscalDataClient.create(**faultlines.endpoints.client_options("treasury"))
    yield from load(context, dlt, faultlines, "treasury", treasury.treasury_source(client), list(treasury.DATASETS))


@dlt_assets(dlt_source=nyfed.nyfed_source(), dlt_pipeline=_placeholder_pipeline("nyfed"), name="nyfed",
            dagster_dlt_translator=RawTableTranslator())
def nyfed_assets(context: AssetExecutionContext, dlt: DagsterDltResource, faultlines: FaultlinesResource) -> Iterator:
    client = nyfed.NyFedClient.create(**faultlines.endpoints.client_options("nyfed"))
    yield from load(context, dlt, faultlines, "nyfed", nyfed.nyfed_source(client),
                    ["reference_rates", "soma_summary", "soma_bill_holdings", "reverse_repo_operations"])


@dlt_assets(dlt_source=prices.prices_source(tickers=["AAPL"]), dlt_pipeline=_placeholder_pipeline("prices"),
            name="prices", dagster_dlt_translator=RawTableTranslator())
def prices_assets(context: AssetExecutionContext, dlt: DagsterDltResource, faultlines: FaultlinesResource) -> Iterator:
    client = prices.ChartApiClient.create(**faultlines.endpoints.client_options("prices"))
    yield from load(context, dlt, faultlines, "prices", prices.prices_source(client),
                    ["prices_daily", "dividends", "splits"])


@dlt_assets(dlt_source=sec.sec_source(companies=[]), dlt_pipeline=_placeholder_pipeline("sec"), name="sec",
            dagster_dlt_translator=RawTableTranslator())
def sec_assets(context: AssetExecutionContext, dlt: DagsterDltResource, faultlines: FaultlinesResource) -> Iterator:
    client = sec.EdgarClient.create(**faultlines.endpoints.client_options("sec"))
    yield from load(context, dlt, faultlines, "sec", sec.sec_source(client), ["companies", "filings", "facts"])

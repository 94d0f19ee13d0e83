"""FRED, loaded by dlt into ``raw_fred``: one Dagster asset per dlt table."""

import os
from collections.abc import Iterator

from dagster import AssetExecutionContext, AssetKey, AssetSpec
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from ingestion import settings
from ingestion.pipeline import make_pipeline, rows_loaded
from ingestion.sources.fred import FredClient, fred_source
from orchestration import meta
from orchestration.resources import FaultlinesResource

DESCRIPTIONS = {
    "observations": "FRED observations, one row per (series_id, date) in the series' own units. Loaded "
                    "incrementally per series (only dates after the last one loaded).",
    "series": "FRED series metadata: title, units, frequency. Units decide how staging scales each series.",
}


class RawTableTranslator(DagsterDltTranslator):
    """dlt resources become ``raw_<source>/<table>``: the keys the dbt sources point at, so lineage is one graph."""

    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        spec = super().get_asset_spec(data)
        source = data.resource.source_name
        return spec.replace_attributes(
            key=AssetKey([f"raw_{source}", data.resource.table_name]),
            deps=[],
            group_name=source,
            description=DESCRIPTIONS.get(data.resource.name, spec.description),
        )


@dlt_assets(
    # Definition-time placeholders: the run swaps in the mode's endpoints and warehouse (see below).
    dlt_source=fred_source(),
    dlt_pipeline=make_pipeline("fred", settings.warehouse_path("sample")),
    name="fred",
    dagster_dlt_translator=RawTableTranslator(),
)
def fred_assets(context: AssetExecutionContext, dlt: DagsterDltResource,
                faultlines: FaultlinesResource) -> Iterator:
    endpoints = faultlines.endpoints
    client = FredClient.create(endpoints.fred_graph, endpoints.fred_api, api_key=os.environ.get("FRED_API_KEY"))
    pipeline = make_pipeline("fred", endpoints.warehouse_path)
    refresh = {"refresh": "drop_sources"} if faultlines.full_refresh else {}
    yield from dlt.run(context, dlt_source=fred_source(client), dlt_pipeline=pipeline, **refresh)
    rows = rows_loaded(pipeline)
    with faultlines.connect() as con:
        meta.record_loads(con, context.run.run_id, "fred", endpoints.mode,
                          {table: rows.get(table, 0) for table in ("observations", "series")})
    context.log.info(f"FRED: loaded {sum(rows.values())} new rows ({rows or 'nothing new'}) into "
                     f"{endpoints.warehouse_path}")

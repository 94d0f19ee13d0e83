"""The dbt project as Dagster assets: every model and seed an asset, every dbt test an asset check."""

import os
from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey, Definitions, Output
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from ingestion import settings
from ingestion.lake import lake_tables_json
from orchestration.dbt_manifest import DBT_EXECUTABLE, MANIFEST_PATH, ensure_manifest, node_key, target_path
from orchestration.incremental import UNIT_TESTS_TAG
from orchestration.resources import FaultlinesResource

# A run of part of the graph (`--select group:fred`) builds some models; dbt's default (eager) would also run every
# test touching one of them, including reconciliations whose other side was never built here. `buildable` runs a
# test only when all it reads is selected or upstream of the selection. dagster-dbt still overrides it where it
# selects tests one by one; a user's own DBT_INDIRECT_SELECTION wins.
os.environ.setdefault("DBT_INDIRECT_SELECTION", "buildable")
DBT_PROJECT = DbtProject(settings.DBT_PROJECT_DIR)
if DBT_PROJECT.manifest_path != MANIFEST_PATH:  # the run's planning reads it without dagster-dbt (dbt_manifest.py)
    raise RuntimeError(f"dagster-dbt's manifest is {DBT_PROJECT.manifest_path}, not {MANIFEST_PATH}")


class SchemaKeyTranslator(DagsterDbtTranslator):
    """Models and sources are keyed ``<schema>/<name>`` (``marts/mart_reserve_adequacy``, ``raw_<provider>/<table>``):
    the name a SQL user types.

    Groups by layer, so the lineage reads left to right: the raw tables by provider (their own assets), then
    `reference` (seeds), `staging`, `intermediate`, `history` (snapshots) and `marts` (each model's folder), then
    `publish`.
    """

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        # A source is the raw table the dlt asset `raw_<provider>/<table>` loads: one lineage graph, from one rule
        # (no per-table meta in the sources' YAML).
        return node_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        if dbt_resource_props["resource_type"] == "snapshot":
            return "history"
        return fqn[1] if len(fqn) >= 2 else None


@dbt_assets(manifest=ensure_manifest(), project=DBT_PROJECT, dagster_dbt_translator=SchemaKeyTranslator(),
            name="dbt_models")
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, faultlines: FaultlinesResource) -> Iterator:
    """`dbt build` of the selected models: each model materialized, then its tests reported as checks."""
    args = ["build", *(["--full-refresh"] if faultlines.full_refresh else [])]
    if context.run.tags.get(UNIT_TESTS_TAG) == "skip":  # no edit since the last complete build (incremental.py)
        args += ["--exclude-resource-type", "unit_test"]
    if faultlines.is_spark:
        # The same project on Spark (profiles.yml `spark`), over the lake's raw tables, which dbt registers on
        # run start from this list (dbt_project/macros/lake.sql).
        args += ["--target", "spark"]
        os.environ["FAULTLINES_LAKE_TABLES"] = lake_tables_json(faultlines.lake_path)
        context.log.info(f"dbt build on Spark over {faultlines.lake_path}")
    else:
        context.log.info(f"dbt build into {faultlines.warehouse_path}")
    target = target_path(faultlines.warehouse_path)
    faultlines.wait_for_dbt_parse()  # the parse started with the run, in a new home (dbt_manifest.parse_ahead)
    if faultlines.is_spark:
        # The snapshots do not run on Spark (dbt-spark's need Delta tables): the append-only lake keeps every loaded
        # version instead (macros/cross_engine/fred_history.sql). Reported as done, so the run record and publishing,
        # which wait for every model selected, run as they do with DuckDB; first, as they read only raw tables
        # (Dagster wants a multi-asset's outputs in dependency order).
        for key in sorted(context.selected_asset_keys, key=lambda k: k.path):
            if key.path[0] == "history":
                yield Output(None, output_name=context.assets_def.get_output_name_for_asset_key(key),
                             metadata={"engine": "spark", "history": "every load's rows in the lake"})
    yield from dbt.cli(args, context=context, target_path=target).stream()


def dbt_resource() -> DbtCliResource:
    # dagster-dbt also opens a dbt adapter in this process before each step (about 1.5 s), only to fetch row counts
    # and column metadata we do not ask for; it has no public switch, so we pay it rather than override a private
    # hook that would stop working unnoticed on an upgrade.
    return DbtCliResource(project_dir=DBT_PROJECT, dbt_executable=DBT_EXECUTABLE)


# The marts' quality rules are all dbt tests, which dagster-dbt turns into checks itself; GX owns the raw tables.
defs = Definitions(assets=[dbt_models], resources={"dbt": dbt_resource()})

"""The dbt project as Dagster assets: every model and seed an asset, every dbt test an asset check."""

import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, Definitions, Output
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from ingestion import settings
from ingestion.lake import lake_tables_json
from orchestration.incremental import UNIT_TESTS_TAG
from orchestration.resources import FaultlinesResource

# Our dbt entry point, which answers dagster-dbt's `dbt --version` before every step without starting dbt.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "faultlines-dbt")
# A run of part of the graph (`--select group:fred`) builds some models; dbt's default (eager) would also run every
# test touching one of them, including reconciliations whose other side was never built here. `buildable` runs a
# test only when all it reads is selected or upstream of the selection. dagster-dbt still overrides it where it
# selects tests one by one; a user's own DBT_INDIRECT_SELECTION wins.
os.environ.setdefault("DBT_INDIRECT_SELECTION", "buildable")
DBT_PROJECT = DbtProject(settings.DBT_PROJECT_DIR)
MANIFEST_PATH = DBT_PROJECT.manifest_path
_SOURCES_OF_TRUTH = ("models", "seeds", "snapshots", "macros", "tests", "dbt_project.yml")


def _newest_input_mtime() -> float:
    newest = 0.0
    for name in _SOURCES_OF_TRUTH:
        path = settings.DBT_PROJECT_DIR / name
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        newest = max([newest, *(f.stat().st_mtime for f in files)])
    return newest


def _manifest_is_fresh() -> bool:
    return MANIFEST_PATH.exists() and MANIFEST_PATH.stat().st_mtime >= _newest_input_mtime()


def ensure_manifest() -> Path:
    """Parse the dbt project when its manifest is missing or older than a model (about 7 s).

    Every process that loads the definitions calls it, the UI's (`dg dev`) on each reload included: a user who edits
    a model expects the edit to be built. dagster-dbt's own `prepare_if_dev` is not used: under `dg dev` it parsed
    into the shared target dir in place, and a CLI run reading the manifest beside it read half a file (seen in
    `make test`: the UI test beside the incremental record/replay test).

    Several processes load the definitions at once (test workers, the UI beside a CLI run): one parses while the
    others wait on a file lock, and the manifest is written beside and moved into place, so no process ever reads
    a manifest another is half-way through writing.
    """
    if _manifest_is_fresh():
        return MANIFEST_PATH
    MANIFEST_PATH.parent.mkdir(parents=True, exist_ok=True)
    with open(MANIFEST_PATH.parent / ".parse.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _manifest_is_fresh():  # another process parsed while this one waited
            return MANIFEST_PATH
        scratch = MANIFEST_PATH.parent / f"parse-{os.getpid()}"
        result = subprocess.run([DBT_EXECUTABLE, "parse", "--quiet", "--target-path", str(scratch)],
                                cwd=settings.DBT_PROJECT_DIR, capture_output=True, text=True)
        if result.returncode != 0:
            shutil.rmtree(scratch, ignore_errors=True)
            raise RuntimeError(f"dbt parse failed in {settings.DBT_PROJECT_DIR}:\n{result.stdout}{result.stderr}")
        os.replace(scratch / "manifest.json", MANIFEST_PATH)
        shutil.rmtree(scratch, ignore_errors=True)
    return MANIFEST_PATH


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
        return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

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
    # One target dir per warehouse, kept between runs: dbt then re-parses only changed files (partial parsing),
    # where a fresh dir per invocation (dagster-dbt's default) costs a full parse every run.
    target = settings.home() / "dbt-target" / faultlines.warehouse_path.stem
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

"""The Dagster definitions hold what the control room promises: assets, checks of three kinds, jobs, schedules."""

import json
import subprocess
import sys
from pathlib import Path

from dagster import AssetKey, AssetSelection

from ingestion.sources import SOURCES
from orchestration import calendars, incremental, jobs
from orchestration.assets import dbt
from orchestration.assets.sources import PROVIDER_ASSETS
from orchestration.dbt_manifest import MANIFEST_PATH, node_keys
from orchestration.definitions import SCHEDULES, defs
from orchestration.quality import load_suites
from tests.utils import raw_tables


def test_every_table_and_mart_is_an_asset_in_one_graph():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    raw = raw_tables()
    marts = {"marts/mart_reserve_adequacy", "marts/mart_bill_absorption", "marts/mart_sector_valuation",
             "marts/mart_claims", "marts/fct_treasury_auctions", "marts/mart_earnings_reactions",
             "marts/mart_repo_stress", "marts/mart_fed_balance_sheet", "marts/mart_claim_evidence"}
    assert raw | marts | {"meta/runs", "published/warehouse"} <= keys
    # Publishing comes last: every table and mart is upstream of it.
    upstream = AssetSelection.assets(AssetKey(["published", "warehouse"])).upstream().resolve(graph)
    assert {AssetKey.from_user_string(k) for k in raw | marts | {"meta/runs"}} <= upstream


def test_the_load_runs_job_holds_the_same_end_of_run_without_the_dbt_project():
    """A run's load (and a second run with nothing to build) runs a job without the dbt assets, so it never imports
    dbt: its run record and publishing must follow the very models the project's do."""
    assert node_keys() == sorted(key for assets in dbt.defs.assets for key in assets.keys)
    light, full = jobs.load_job(), defs.resolve_job_def(incremental.BUILD_JOB_NAME)
    light_graph, full_graph = light.asset_layer.asset_graph, full.asset_layer.asset_graph
    for key in (incremental.RUN_RECORD_KEY, incremental.PUBLISHED_KEY):
        assert light_graph.get(key).parent_keys == full_graph.get(key).parent_keys, key
    executable = {key for key in light_graph.get_all_asset_keys() if light_graph.get(key).is_executable}
    loads = {key for assets in PROVIDER_ASSETS for key in assets.keys}
    assert executable == loads | {incremental.RUN_RECORD_KEY, incremental.PUBLISHED_KEY}
    assert set(light_graph.asset_check_keys) == {check for check in full_graph.asset_check_keys
                                                  if check.asset_key in loads}, "the raw tables' checks, all"


def test_the_module_loads_as_a_code_location(tmp_path):
    """As `dagster dev` (`faultlines ui`) loads it: importing `defs` alone misses what only the loader refuses."""
    dagster = Path(sys.executable).parent / "dagster"
    result = subprocess.run([str(dagster), "definitions", "validate", "-m", "orchestration.definitions"],
                            capture_output=True, text=True, timeout=300,
                            env={"PATH": "/usr/bin:/bin", "FAULTLINES_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr


def test_checks_of_every_kind_sit_beside_their_assets():
    checks = defs.resolve_asset_graph().asset_check_keys
    names = {(c.asset_key.to_user_string(), c.name) for c in checks}
    gx = {n for n in names if n[1].startswith("gx_")}
    fresh = {n for n in names if n[1] == "fresh_per_release_calendar"}
    drift = {n for n in names if n[1] == "schema_unchanged"}
    assert {asset for asset, _ in drift} == raw_tables()
    dbt = names - gx - fresh - drift
    # Each GX suite is a check on its raw table; the marts are checked by their dbt tests alone.
    assert gx == {(s.asset, f"gx_{s.name}") for s in load_suites()}
    assert not {asset for asset, _ in gx if not asset.startswith("raw_")}
    assert {asset for asset, _ in fresh} == set(calendars.FRESHNESS)
    # Every dbt test in the manifest is one check, by its own name; a generic test sits on the model it tests.
    manifest = json.loads(MANIFEST_PATH.read_text())
    models = {node_id: f"{n['schema']}/{n['name']}" for node_id, n in manifest["nodes"].items()}
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    assert sorted(name for _, name in dbt) == sorted(n["name"] for n in tests)
    assert {(models[n["attached_node"]], n["name"]) for n in tests if n.get("attached_node")} <= dbt
    assert ("marts/mart_reserve_adequacy", "unique_combination_of_columns_mart_reserve_adequacy_date_day") in dbt


def test_a_job_per_provider_and_schedules_per_release_calendar_in_new_york_time():
    jobs = {job.name for job in defs.jobs}
    assert {"build_everything", *(f"load_{p}" for p in SOURCES)} <= jobs
    assert {s.name for s in SCHEDULES} >= {"h41_weekly", "nyfed_rates_daily", "treasury_daily",
                                           "prices_after_close", "sec_weekly", "warehouse_weekly_rebuild"}
    assert {s.execution_timezone for s in SCHEDULES} == {"America/New_York"}
    by_name = {s.name: s for s in SCHEDULES}
    assert by_name["h41_weekly"].cron_schedule == "45 16 * * 4", "after the Thursday 16:30 H.4.1 release"
    assert by_name["h41_weekly"].job.name == "load_fred"


def test_the_lineage_reads_left_to_right_by_layer():
    """Groups are layers: raw tables by provider, then staging, intermediate, history, marts, publish; every
    dependency goes from an earlier layer (or the same) to a later one, so the global graph tells the story."""
    graph = defs.resolve_asset_graph()
    order = {**{provider: 0 for provider in SOURCES}, "reference": 1, "staging": 2, "intermediate": 3,
             "history": 3, "marts": 4, "publish": 5}
    groups = {key: graph.get(key).group_name for key in graph.get_all_asset_keys()}
    assert set(groups.values()) <= set(order), set(groups.values()) - set(order)
    assert {groups[key] for key in groups if key.path[0] == "staging"} == {"staging"}
    assert groups[AssetKey(["meta", "runs"])] == groups[AssetKey(["published", "warehouse"])] == "publish"
    backwards = [(parent.to_user_string(), key.to_user_string()) for key in groups
                 for parent in graph.get(key).parent_keys if order[groups[parent]] > order[groups[key]]]
    assert backwards == []

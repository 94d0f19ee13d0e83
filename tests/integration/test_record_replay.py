"""`faultlines record` through the emulator, then replay: the same warehouse, table by table; and a warehouse
brought up to date by an incremental run equals one built from scratch on the same data."""

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance

from ingestion import settings
from ingestion.emulator.server import Emulator
from ingestion.synthetic.compose import generate
from orchestration import incremental, jobs
from orchestration.assets.sources import PROVIDER_ASSETS
from orchestration.dbt_manifest import MANIFEST_PATH, ensure_manifest
from orchestration.definitions import BUILD_JOB_NAME, defs
from tests.conftest import SAMPLE_END
from tests.utils import every_table, fingerprints, raw_tables

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("replay")]  # one worker: they share one replay build


def _build(data_dir: Path, home: Path, monkeypatch) -> Path:
    monkeypatch.setenv("FAULTLINES_HOME", str(home))
    result = defs.resolve_job_def(BUILD_JOB_NAME).execute_in_process(
        instance=DagsterInstance.ephemeral(),
        run_config={"resources": {"faultlines": {"config": {"mode": "replay", "data_dir": str(data_dir)}}}})
    assert result.success
    return settings.warehouse_path("replay")


def test_recorded_data_dir_rebuilds_an_identical_warehouse(sample_dir, replay_build, tmp_path, monkeypatch):
    recorded = tmp_path / "recorded"
    with Emulator(sample_dir) as emulator:
        result = subprocess.run([str(Path(sys.executable).parent / "faultlines"), "record", "--out", str(recorded),
                                 "--from-base-url", emulator.base_url], capture_output=True, text=True, timeout=600,
                                # With a key, as the sample's replay reads FRED: the vintages are recorded too.
                                env={**os.environ, "FAULTLINES_HOME": str(tmp_path / "record-home"),
                                     "FRED_API_KEY": "any-key-the-emulator-takes"})
    assert result.returncode == 0, result.stderr
    assert (recorded / "MANIFEST.json").exists()
    original = fingerprints(replay_build[2])
    replayed = fingerprints(_build(recorded, tmp_path / "b", monkeypatch))
    manifest = json.loads(ensure_manifest().read_text())
    marts = {f"marts.{n['alias']}" for n in manifest["nodes"].values()
             if n["resource_type"] == "model" and n["schema"] == "marts"}
    # Every raw table (FRED's ALFRED vintages recorded too) and every mart.
    raw = raw_tables(".")
    assert (recorded / "fred" / "vintages" / "GDP.json").is_file()
    assert set(original) == raw | marts
    assert all(count > 0 for count, _ in original.values())
    assert replayed == original


def _build_in_two(data_dir: Path, instance: DagsterInstance) -> list:
    """A run as `faultlines run` makes it: the load, then what it changed (orchestration.incremental)."""
    config = {"resources": {"faultlines": {"config": {"mode": "replay", "data_dir": str(data_dir)}}}}
    load_keys = sorted({key for assets in PROVIDER_ASSETS for key in assets.keys})
    results = incremental.build_in_two(
        lambda job, keys, run_id, tags: job.execute_in_process(run_config=config, instance=instance, run_id=run_id,
                                                               asset_selection=keys, tags=tags),
        jobs.load_job(), lambda: defs, load_keys, settings.warehouse_path("replay"), MANIFEST_PATH,
        run_id=str(uuid.uuid4()))
    assert all(result.success for result in results)
    return results


def _dbt_ran(result) -> bool:
    return any(event.step_key == "dbt_models" for event in result.all_events)


def test_an_incremental_run_builds_the_warehouse_a_full_build_would(sample_dir, replay_build, tmp_path,
                                                                     monkeypatch):
    """The shared replay build, brought up to date with one more day by a run that rebuilds only what changed: its
    models equal those of a build from scratch over the same raw tables (and history: the snapshots keep what each
    run saw). A third run, with nothing new, runs no dbt and publishes nothing."""
    monkeypatch.setenv("FAULTLINES_HOME", str(tmp_path / "incremental"))
    incremental_warehouse = settings.warehouse_path("replay")
    incremental_warehouse.parent.mkdir(parents=True)
    shutil.copyfile(replay_build[2], incremental_warehouse)  # a complete build of the data up to SAMPLE_END
    published = settings.published_path("replay")  # and its published copy, which the next publish starts from
    published.parent.mkdir(parents=True)
    shutil.copyfile(replay_build[2].parent.parent / "published" / "replay.duckdb", published)
    day_after = generate(tmp_path / "data", seed=42, end=SAMPLE_END + dt.timedelta(days=1))
    instance = DagsterInstance.ephemeral()
    catching_up = _build_in_two(day_after, instance)
    assert _dbt_ran(catching_up[1])
    # Nothing in the dbt project was edited since that build: its unit tests (fixtures, not data) are not run again.
    assert catching_up[1].dagster_run.tags.get(incremental.UNIT_TESTS_TAG) == "skip"
    dbt_results = json.loads((settings.home() / "dbt-target" / "replay" / "run_results.json").read_text())["results"]
    assert {"model", "test"} <= {r["unique_id"].split(".")[0] for r in dbt_results}
    assert not [r["unique_id"] for r in dbt_results if r["unique_id"].startswith("unit_test.")]
    assert {event.asset_key for event in catching_up[1].get_asset_materialization_events()} < set(
        defs.resolve_asset_graph().get_all_asset_keys()), "a run after one more day is planned, not the whole job"
    # Published by writing only what changed into a copy of the last published file: still the whole warehouse
    # (but for the build's own record, written once the copy is published).
    in_warehouse, in_copy = every_table(incremental_warehouse), every_table(published)
    assert in_warehouse.pop("meta.builds")[0] == in_copy.pop("meta.builds")[0] + 1
    assert in_copy == in_warehouse
    nothing_new = _build_in_two(day_after, instance)
    built = {event.asset_key for event in nothing_new[1].get_asset_materialization_events()}
    assert built == {incremental.RUN_RECORD_KEY}, "nothing changed: no model rebuilt, nothing re-published"
    assert not _dbt_ran(nothing_new[1])

    # The same raw tables and history, every model dropped and no build on record: the build plans every model.
    monkeypatch.setenv("FAULTLINES_HOME", str(tmp_path / "full"))
    scratch = settings.warehouse_path("replay")
    scratch.parent.mkdir(parents=True)
    shutil.copyfile(incremental_warehouse, scratch)
    with duckdb.connect(str(scratch)) as con:
        for schema in ("marts", "intermediate", "staging", "reference"):
            con.execute(f"drop schema if exists {schema} cascade")
        con.execute("delete from meta.builds")
        load_keys = sorted({key for assets in PROVIDER_ASSETS for key in assets.keys})
        every_model, _, unit_tests = incremental.plan_build(con, defs.resolve_asset_graph, MANIFEST_PATH, load_keys)
    assert unit_tests, "a build of everything runs dbt's unit tests"
    # Only the build: loading again would add nothing (the raw tables are the incremental warehouse's).
    config = {"resources": {"faultlines": {"config": {"mode": "replay", "data_dir": str(day_after)}}}}
    from_scratch = defs.resolve_job_def(BUILD_JOB_NAME).execute_in_process(
        run_config=config, instance=instance, asset_selection=every_model)
    assert from_scratch.success
    assert {key for key in defs.resolve_asset_graph().get_all_asset_keys() if key.path[0] == "marts"} <= {
        event.asset_key for event in from_scratch.get_asset_materialization_events()}, "every mart built anew"
    assert fingerprints(scratch) == fingerprints(incremental_warehouse)

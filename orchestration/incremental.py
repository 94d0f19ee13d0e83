"""Only what changed: a run loads every source, then builds only what those loads (or edits of the dbt project)
made out of date, and nothing at all when nothing changed.

A Dagster step whose upstream output was not produced is skipped, so one run cannot decide half-way to build part
of the graph: a model dbt did not rebuild would skip publishing. A run is therefore two Dagster runs of the build
job, each planned honestly: the load (every provider with its checks), then, planned from what the load recorded
in ``meta.loads``, the models downstream of the tables that changed since the last complete build, their checks,
the run record and publishing. With nothing changed the second run writes the run record only: no dbt, no GX, and
the published copy stays as it is (it already holds everything).

The last complete build is ``meta.builds``: the newest load it reflects and the dbt project it was built from
(checksums per node), so a run after a failed one rebuilds what the failure left behind, and a model edited since
is rebuilt with everything downstream of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
from dagster import AssetKey, AssetSelection

from ingestion import settings
from orchestration import run_records
from orchestration.dbt_manifest import BUILT, node_key
from orchestration.locking import writer_lock

if TYPE_CHECKING:
    from dagster._core.definitions.assets.graph.asset_graph import AssetGraph

LOAD_RUN_TAG = "faultlines/load_run"  # the first run of the pair: its id is the one the run record carries
BUILT_THROUGH_TAG = "faultlines/built_through"  # the newest load the second run's models reflect
BUILD_JOB_NAME = "build_everything"  # the job of every asset (orchestration/jobs.py)
RUN_RECORD_KEY = AssetKey(["meta", "runs"])
PUBLISHED_KEY = AssetKey(["published", "warehouse"])
# Set on the second run when nothing in the dbt project was edited since the last complete build: dbt's unit tests
# read fixtures, not data, so they would only repeat that build's verdict (dbt's own advice is to run them in
# development and CI, not on every load). Any edit runs them again. 25 unit tests, ≈ 2.4 s of each build.
UNIT_TESTS_TAG = "faultlines/unit_tests"


def dbt_checksums(manifest_path: Path) -> dict[str, str]:
    """A checksum per model, seed, snapshot, test and macro of our project: its file and its config."""
    return _checksums(json.loads(manifest_path.read_text()))


def _checksums(manifest: dict) -> dict[str, str]:
    project = manifest["metadata"].get("project_name")
    checksums = {}
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] in (*BUILT, "test"):
            what = {"file": node["checksum"]["checksum"], "config": node.get("config"),
                    "depends_on": node.get("depends_on", {}).get("nodes")}
            checksums[unique_id] = hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()
    for unique_id, macro in manifest["macros"].items():
        if macro.get("package_name") == project:
            checksums[unique_id] = hashlib.sha256(macro["macro_sql"].encode()).hexdigest()
    return checksums


def edited_since(manifest_path: Path, built_from: dict[str, str]) -> list[AssetKey] | None:
    """The models, seeds and snapshots edited since the last build (a test: the nodes it tests); None when a macro
    of the project changed, which may change any model."""
    manifest = json.loads(manifest_path.read_text())  # 1.7 MB: read once for the checksums and the nodes
    now = _checksums(manifest)
    changed = {unique_id for unique_id, checksum in now.items() if built_from.get(unique_id) != checksum}
    if any(unique_id.startswith("macro.") for unique_id in changed | (set(built_from) - set(now))):
        return None
    nodes = manifest["nodes"]
    keys = set()
    for unique_id in changed:
        node = nodes[unique_id]
        tested = node.get("depends_on", {}).get("nodes", []) if node["resource_type"] == "test" else [unique_id]
        keys |= {node_key(nodes[n]) for n in tested if n in nodes and nodes[n]["resource_type"] in BUILT}
    return sorted(keys)


def plan_build(con: duckdb.DuckDBPyConnection, full_graph: Callable[[], AssetGraph], manifest_path: Path,
               load_keys: Iterable[AssetKey]) -> tuple[list[AssetKey], dt.datetime, bool]:
    """The assets the second run builds, the newest load they will reflect, and whether dbt's unit tests run (only
    for a build of everything or after an edit of the project). ``full_graph`` gives the asset graph with the dbt
    models, asked for only when something changed."""
    return plan_from(*read_build_state(con), full_graph, manifest_path, load_keys)


def read_build_state(con: duckdb.DuckDBPyConnection) -> tuple[dt.datetime, tuple | None, list[AssetKey]]:
    """What planning reads from the warehouse: the newest load, the last complete build (None: none recorded) and
    the raw tables changed since it."""
    built_through = run_records.newest_load(con)
    last = run_records.last_build(con)
    changed = [] if last is None else [AssetKey([f"raw_{provider}", table])
                                       for provider, table in run_records.changed_since(con, last[0])]
    return built_through, last, changed


def plan_from(built_through: dt.datetime, last: tuple | None, changed: list[AssetKey],
              full_graph: Callable[[], AssetGraph], manifest_path: Path,
              load_keys: Iterable[AssetKey]) -> tuple[list[AssetKey], dt.datetime, bool]:
    """plan_build's answer from what read_build_state read."""
    load_keys = set(load_keys)
    edited = None if last is None else edited_since(manifest_path, last[1])
    if edited is None:  # no complete build recorded, or a macro changed: every model
        return sorted(full_graph().get_all_asset_keys() - load_keys), built_through, True
    if not changed and not edited:
        return [RUN_RECORD_KEY], built_through, False  # nothing to rebuild, nothing new to publish
    asset_graph = full_graph()
    roots = [key for key in (*changed, *edited) if asset_graph.has(key)]
    stale = AssetSelection.assets(*roots).downstream().resolve(asset_graph) - load_keys if roots else set()
    if not stale:
        return [RUN_RECORD_KEY], built_through, False  # nothing to rebuild, nothing new to publish
    return sorted({*stale, RUN_RECORD_KEY, PUBLISHED_KEY}), built_through, bool(edited)


def record_if_complete(con: duckdb.DuckDBPyConnection, context, manifest_path: Path) -> None:
    """Called by the run record: note a complete build (the second run of a pair, or a run of the whole job)."""
    tags = context.run.tags
    if BUILT_THROUGH_TAG in tags:
        built_through = dt.datetime.fromisoformat(tags[BUILT_THROUGH_TAG])
    elif context.run.job_name == BUILD_JOB_NAME and not context.run.asset_selection:
        # The whole job (Dagster gives a run launched in process without a selection an empty one, the UI none):
        # every load of the run precedes this step. A provider's job is not a complete build.
        built_through = run_records.newest_load(con)
    else:
        return
    run_records.record_build(con, tags.get(LOAD_RUN_TAG, context.run.run_id), built_through,
                             dbt_checksums(manifest_path))


def build_in_two(execute: Callable[[object, list[AssetKey], str, dict[str, str]], object], light_job,
                 full_definitions: Callable[[], object], load_keys: list[AssetKey], warehouse: Path,
                 manifest_path: Path, run_id: str) -> list:
    """Run the load (``execute(job, keys, run_id, tags)`` runs ``job`` on ``keys``), then, when it succeeded, what it
    changed. The load, and a second run that only records the run, run ``light_job`` (orchestration.jobs.load_job);
    a second run that builds models runs the build job of ``full_definitions()``, loaded then. Returns the runs'
    results: the first is the load's, whose id the run record carries."""
    results = [execute(light_job, load_keys, run_id, {})]
    if results[0].success:
        # Read under the writer lock (no run is writing the warehouse meanwhile); planned after it, since loading
        # the dbt assets takes seconds another run would wait.
        with writer_lock(holder=f"run {run_id[:8]} (planning)"), \
                duckdb.connect(str(warehouse), config=settings.duckdb_settings()) as con:
            state = read_build_state(con)
        keys, built_through, unit_tests = plan_from(*state, lambda: full_definitions().resolve_asset_graph(),
                                                    manifest_path, load_keys)
        tags = {LOAD_RUN_TAG: run_id, BUILT_THROUGH_TAG: built_through.isoformat()}
        job = light_job if keys == [RUN_RECORD_KEY] else full_definitions().resolve_job_def(BUILD_JOB_NAME)
        results.append(execute(job, keys, str(uuid.uuid4()),
                               tags if unit_tests else {**tags, UNIT_TESTS_TAG: "skip"}))
    return results

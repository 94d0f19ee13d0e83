"""The dbt project's manifest, and what a run learns from it, without importing dbt or dagster-dbt.

Importing dagster-dbt imports dbt (about 2 s a process): a run that loads nothing new must not pay it, so the load
run (orchestration.cli.run) and the run record read the manifest through this module, and only a run that builds
models loads the dbt assets (orchestration.assets.dbt).
"""

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from dagster import AssetKey

from ingestion import settings

# Our dbt entry point, which answers dagster-dbt's `dbt --version` before every step without starting dbt.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "faultlines-dbt")
# Where dagster-dbt's DbtProject puts it (its default target path); orchestration.assets.dbt checks they agree.
MANIFEST_PATH = settings.DBT_PROJECT_DIR / "target" / "manifest.json"
_SOURCES_OF_TRUTH = ("models", "seeds", "snapshots", "macros", "tests", "dbt_project.yml")
BUILT = ("model", "seed", "snapshot")  # the node types that are assets (tests are checks)


def _newest_input_mtime() -> float:
    newest = 0.0
    for name in _SOURCES_OF_TRUTH:
        path = settings.DBT_PROJECT_DIR / name
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        newest = max([newest, *(f.stat().st_mtime for f in files)])
    return newest


def manifest_is_fresh() -> bool:
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
    if manifest_is_fresh():
        return MANIFEST_PATH
    MANIFEST_PATH.parent.mkdir(parents=True, exist_ok=True)
    with open(MANIFEST_PATH.parent / ".parse.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if manifest_is_fresh():  # another process parsed while this one waited
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


def target_path(warehouse: Path) -> Path:
    """dbt's target dir for a warehouse: one per warehouse, kept between runs, so dbt re-parses only the files that
    changed (partial parsing); a fresh dir per invocation (dagster-dbt's default) costs a full parse every run."""
    return settings.home() / "dbt-target" / warehouse.stem


def parse_ahead(warehouse: Path) -> subprocess.Popen | None:
    """Start dbt parsing the project into the warehouse's target dir when that dir holds no parse yet (a new home):
    then the build's dbt, minutes later, parses only what changed since. Started with the run, beside its loads,
    on the core they leave idle: in a new home the full parse was 5 of the build's 26 s. dbt checks a saved parse
    against the project, the profile (the warehouse path included: hence one per target dir) and its version, so a
    parse that no longer fits is only redone. The caller waits for it before the build's dbt starts."""
    target = target_path(warehouse)
    if (target / "partial_parse.msgpack").exists() or os.environ.get("DBT_PARTIAL_PARSE", "").lower() in ("0", "false"):
        return None  # a parse is there, or the user turned partial parsing off: the build's dbt parses anyway
    target.mkdir(parents=True, exist_ok=True)
    # The environment of the build's dbt (dagster-dbt passes this process's), with the warehouse the profile reads;
    # its log lines go where the build's go, in the same format.
    env = {**os.environ, "FAULTLINES_DUCKDB_PATH": str(warehouse), "DBT_LOG_PATH": str(target),
           "DBT_LOG_FORMAT": "json"}
    return subprocess.Popen([DBT_EXECUTABLE, "parse", "--quiet", "--target-path", str(target)],
                            cwd=settings.DBT_PROJECT_DIR, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def node_key(node: dict) -> AssetKey:
    """A model's, seed's, snapshot's or source's asset key: ``<schema>/<name>``, the name a SQL user types."""
    return AssetKey([node["schema"], node["name"]])


def node_keys(manifest_path: Path = MANIFEST_PATH) -> list[AssetKey]:
    """The asset key of every model, seed and snapshot of the project (an ephemeral model is no table)."""
    nodes = json.loads(manifest_path.read_text())["nodes"].values()
    return sorted({node_key(node) for node in nodes if node["resource_type"] in BUILT
                   and node.get("config", {}).get("materialized") != "ephemeral"})  # no asset: dagster-dbt's rule

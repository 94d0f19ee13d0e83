"""`faultlines record` through the emulator, then replay: the same warehouse, table by table."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import DagsterInstance

from ingestion import settings
from ingestion.emulator.server import Emulator
from orchestration.assets.dbt import ensure_manifest
from orchestration.definitions import BUILD_JOB_NAME, defs
from tests.utils import fingerprints, raw_tables

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

"""Test-wide set-up: every test session gets its own FAULTLINES_HOME, so no test touches the user's warehouses.

This runs before any project module is imported (pytest imports conftest first).
"""

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

import pytest

_TEST_HOME = Path(tempfile.mkdtemp(prefix="faultlines-test-"))
os.environ["FAULTLINES_HOME"] = str(_TEST_HOME)
for _name in ("DAGSTER_HOME", "DLT_DATA_DIR", "FAULTLINES_DUCKDB_PATH", "FAULTLINES_MODE", "FAULTLINES_DATA_DIR"):
    os.environ.pop(_name, None)

from ingestion import settings  # noqa: E402
from ingestion.emulator.server import Emulator  # noqa: E402
from ingestion.synthetic.compose import generate  # noqa: E402
from orchestration import environment  # noqa: E402

environment.configure()

# A fixed end date keeps the sample data, and every number computed from it, the same on any day.
SAMPLE_END = dt.date(2026, 6, 30)
REFERENCE_DIR = settings.REPO_ROOT.parent / "shared" / "reference"
FAULTLINES = str(Path(sys.executable).parent / "faultlines")


def cli_env(home: Path, **extra: str) -> dict:
    """The environment of a `faultlines` subprocess with its own FAULTLINES_HOME: the session's derived folders
    (set by environment.configure above) are dropped, so the child derives its own from `home`."""
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "DLT_DATA_DIR", "FAULTLINES_DUCKDB_PATH")}
    return {**env, "FAULTLINES_HOME": str(home), **extra}


@pytest.fixture(scope="session")
def test_home() -> Path:
    return _TEST_HOME


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    """Sample data (seed 42) up to SAMPLE_END, generated once per session."""
    return generate(tmp_path_factory.mktemp("sample") / "data", seed=42, end=SAMPLE_END)


@pytest.fixture
def emulator(sample_dir):
    with Emulator(sample_dir) as running:
        yield running


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    if not REFERENCE_DIR.is_dir():
        pytest.skip("../shared/reference is not here (it is never committed)")
    return REFERENCE_DIR


@pytest.fixture(scope="session")
def replay_build(sample_dir):
    """The real Dagster job run twice over the sample data in replay mode: (first result, second result, warehouse).

    Shared by the tests that inspect a whole build, because a build is the slowest thing the suite does.
    """
    from dagster import DagsterInstance

    from orchestration.definitions import BUILD_JOB_NAME, defs

    instance = DagsterInstance.ephemeral()
    job = defs.resolve_job_def(BUILD_JOB_NAME)
    config = {"resources": {"faultlines": {"config": {"mode": "replay", "data_dir": str(sample_dir)}}}}
    first = job.execute_in_process(instance=instance, run_config=config)
    # The second run reloads every source and records itself; rebuilding the models again would prove nothing new.
    from dagster import AssetKey

    raw = [key for key in defs.resolve_asset_graph().get_all_asset_keys() if key.path[0].startswith("raw_")]
    second = job.execute_in_process(instance=instance, run_config=config,
                                    asset_selection=[*raw, AssetKey(["meta", "runs"])])
    return first, second, settings.warehouse_path("replay")

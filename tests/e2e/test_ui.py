"""`faultlines ui` serves the Dagster UI over the project's definitions, and stops cleanly by PID."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.e2e.test_cli import _env, _free_port

pytestmark = pytest.mark.slow

LINEAGE_QUERY = """{ assetNodes { assetKey { path } groupName dependencyKeys { path } } }"""


def test_ui_serves_one_lineage_graph_and_stops_by_pid(tmp_path):
    port = _free_port()
    ui = subprocess.Popen([str(Path(sys.executable).parent / "faultlines"), "ui", "--mode", "sample",
                           "--port", str(port)], env=_env(tmp_path), stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/server_info", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            assert ui.poll() is None, "dagster dev exited early"
            time.sleep(1)
        else:
            pytest.fail("the UI did not answer within 240 s")
        nodes = []
        while time.monotonic() < deadline and not nodes:  # the code location may still be loading
            nodes = requests.post(f"{base}/graphql", json={"query": LINEAGE_QUERY}, timeout=30).json()
            nodes = (nodes.get("data") or {}).get("assetNodes") or []
            time.sleep(0 if nodes else 1)
        by_key = {"/".join(n["assetKey"]["path"]): n for n in nodes}
        staging_deps = {"/".join(d["path"]) for d in by_key["staging/stg_fred__observations"]["dependencyKeys"]}
        assert "raw_fred/observations" in staging_deps, "dbt sources meet the dlt assets: one graph"
        assert by_key["raw_fred/observations"]["groupName"] == "fred"
        assert "marts/mart_reserve_adequacy" in by_key
        assert (tmp_path / "dagster" / "dagster.yaml").exists(), "run history lives in FAULTLINES_HOME"

        ui.send_signal(signal.SIGTERM)
        assert ui.wait(timeout=60) is not None
    finally:
        if ui.poll() is None:
            os.killpg(ui.pid, signal.SIGKILL)
            ui.wait()

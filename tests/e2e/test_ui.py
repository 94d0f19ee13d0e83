"""The Dagster UI as the control room: `faultlines ui` serves the definitions, runs launched through its GraphQL
API build and check the warehouse, a GX check fails on bad emulator data and blocks publishing, and the UI stops
cleanly by PID.

It shares the e2e sample warehouse (built by `faultlines run --mode sample`), so the launched runs are warm.
"""

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from ingestion.emulator.server import Emulator
from tests.e2e.browser import visit
from tests.e2e.conftest import FAULTLINES, SAME_HISTORY, _env, _free_port, faultlines

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]  # one worker: they share one sample build

LINEAGE_QUERY = """{ assetNodes { assetKey { path } groupName dependencyKeys { path } } }"""
LOCATION_QUERY = """{ workspaceOrError { ... on Workspace { locationEntries { name } } } }"""
LAUNCH = """mutation Launch($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message }
  ... on RunConfigValidationInvalid { errors { message } } } }"""
RUN_STATUS = """query Run($id: ID!) { runOrError(runId: $id) { ... on Run { status
  assetMaterializations { assetKey { path } } } } }"""
CHECK_EXECUTIONS = """query Checks($key: AssetKeyInput!, $name: String!) {
  assetCheckExecutions(assetKey: $key, checkName: $name, limit: 1) {
    runId status evaluation { success severity description } } }"""


class Ui:
    def __init__(self, base: str) -> None:
        self.base = base

    def query(self, query: str, **variables) -> dict:
        answer = requests.post(f"{self.base}/graphql", json={"query": query, "variables": variables}, timeout=60)
        answer.raise_for_status()
        body = answer.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def launch_and_wait(self, location: str, run_config: dict, timeout: float = 420) -> tuple[str, dict]:
        params = {"selector": {"repositoryLocationName": location, "repositoryName": "__repository__",
                               "jobName": "build_everything"}, "runConfigData": run_config}
        launched = self.query(LAUNCH, params=params)["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        run_id = launched["run"]["runId"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.query(RUN_STATUS, id=run_id)["runOrError"]
            if run["status"] in ("SUCCESS", "FAILURE", "CANCELED"):
                return run_id, run
            time.sleep(2)
        pytest.fail(f"run {run_id} did not finish within {timeout} s")

    def latest_check(self, asset: str, name: str) -> dict:
        executions = self.query(CHECK_EXECUTIONS, key={"path": asset.split("/")}, name=name)
        return executions["assetCheckExecutions"][0]


def _wait_until_up(ui: subprocess.Popen, base: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/server_info", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        assert ui.poll() is None, "dagster dev exited early"
        time.sleep(1)
    pytest.fail("the UI did not answer in time")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _bad_copy(data_dir: Path, target: Path) -> Path:
    """The sample data with one SOFR fixing published in basis points instead of percent (366 for 3.66)."""
    shutil.copytree(data_dir, target)
    sofr = target / "nyfed" / "rates" / "secured" / "sofr.json"
    payload = json.loads(sofr.read_text())
    payload["refRates"][0]["percentRate"] *= 100
    sofr.write_text(json.dumps(payload))
    return target


def test_ui_runs_checks_and_blocks_publishing_on_bad_data(first_run, home, tmp_path):
    assert first_run.returncode == 0, first_run.stderr
    port = _free_port()
    ui_log = (tmp_path / "ui.log").open("w")
    ui = subprocess.Popen([FAULTLINES, "ui", "--mode", "sample", "--port", str(port)], env=_env(home),
                          stdout=ui_log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    client = Ui(base)
    try:
        deadline = time.monotonic() + 240
        _wait_until_up(ui, base, deadline)
        nodes = []
        while time.monotonic() < deadline and not nodes:  # the code location may still be loading
            nodes = requests.post(f"{base}/graphql", json={"query": LINEAGE_QUERY}, timeout=30).json()
            nodes = (nodes.get("data") or {}).get("assetNodes") or []
            time.sleep(0 if nodes else 1)
        by_key = {"/".join(n["assetKey"]["path"]): n for n in nodes}
        staging_deps = {"/".join(d["path"]) for d in by_key["staging/stg_fred__observations"]["dependencyKeys"]}
        assert "raw_fred/observations" in staging_deps, "dbt sources meet the dlt assets: one graph"
        assert by_key["raw_fred/observations"]["groupName"] == "fred"
        assert {"meta/runs"} <= {"/".join(d["path"]) for d in by_key["published/warehouse"]["dependencyKeys"]}
        assert (home / "dagster" / "dagster.yaml").exists(), "run history lives in FAULTLINES_HOME"
        location = client.query(LOCATION_QUERY)["workspaceOrError"]["locationEntries"][0]["name"]

        # 1. The full job, launched like the UI's "Materialize all" (mode sample, from `faultlines ui`).
        run_id, run = client.launch_and_wait(location, {})
        assert run["status"] == "SUCCESS"
        status = faultlines(home, "status", "--mode", "sample")
        row = next(line for line in status.stdout.splitlines() if run_id[:8] in line)
        assert re.search(r"│\s*sample\s*│", row), "the mode of a run launched from the UI is known"
        materialized = {"/".join(m["assetKey"]["path"]) for m in run["assetMaterializations"]}
        assert {"marts/mart_reserve_adequacy", "published/warehouse"} <= materialized
        gx = client.latest_check("raw_nyfed/reference_rates", "gx_nyfed__reference_rates")
        assert gx["runId"] == run_id and gx["status"] == "SUCCEEDED"
        dbt_test = client.latest_check("marts/mart_reserve_adequacy",
                                       "unique_combination_of_columns_mart_reserve_adequacy_date_day")
        assert dbt_test["runId"] == run_id and dbt_test["status"] == "SUCCEEDED"
        freshness = client.latest_check("raw_prices/prices_daily", "fresh_per_release_calendar")
        assert freshness["runId"] == run_id and freshness["evaluation"]["severity"] == "WARN"
        # The sample ends in June 2026 here: the freshness check says the data is late, without failing the run.
        assert freshness["evaluation"]["success"] is False and "newest data 2026-06-30" in \
            freshness["evaluation"]["description"]

        published = home / "published" / "sample.duckdb"
        before = _digest(published)

        # 2. Bad data from the emulator: the blocking GX suite fails and nothing downstream runs or publishes.
        bad = _bad_copy(home / "sample-data" / "seed-42", tmp_path / "bad-data")
        with Emulator(bad) as emulator:
            run_id, run = client.launch_and_wait(location, {"resources": {"faultlines": {"config": {
                "mode": "sample", "base_url": emulator.base_url, "step_retries": 0}}}})
        assert run["status"] == "FAILURE"
        gx = client.latest_check("raw_nyfed/reference_rates", "gx_nyfed__reference_rates")
        assert gx["runId"] == run_id and gx["status"] == "FAILED"
        assert gx["evaluation"]["severity"] == "ERROR" and "percent_rate" in gx["evaluation"]["description"]
        materialized = {"/".join(m["assetKey"]["path"]) for m in run["assetMaterializations"]}
        assert "raw_nyfed/reference_rates" in materialized
        assert not {"marts/mart_reserve_adequacy", "published/warehouse"} & materialized
        assert _digest(published) == before, "the published copy is the last good one"
        status = faultlines(home, "status", "--mode", "sample")
        assert re.search(rf"{run_id[:8]}.*│\s*FAILURE\s*│", status.stdout), status.stdout
        assert "raw_nyfed/reference_rates · gx_nyfed__reference_rates ERROR" in status.stdout, status.stdout
        # Status's own reader of Dagster's SQLite files agrees with Dagster's API on this history (a failed run,
        # checks it planned and never ran, a UI launch); faultlines status used it, not the fallback.
        same = subprocess.run([sys.executable, "-c", SAME_HISTORY], env=_env(home), capture_output=True, text=True,
                              timeout=120)
        assert same.returncode == 0, same.stderr

        # 3. The UI itself in headless Chromium: the asset catalog draws, nothing is fetched from outside.
        # Tall enough for every asset: the catalog draws only the rows in view.
        with visit(f"{base}/assets", viewport=(1280, 3200)) as page:
            # The catalog lists assets by key (long names are middle-truncated on screen, hence the text content;
            # polled from here because the UI's content security policy forbids evaluating page scripts).
            deadline = time.monotonic() + 60
            text = ""
            while time.monotonic() < deadline and not ("mart_reserve_adequacy" in text and "raw_fred" in text):
                time.sleep(1)
                text = page.page.locator("body").text_content() or ""
            assert "mart_reserve_adequacy" in text and "raw_fred" in text
            page.screenshot("dagster-assets")
            page.page.goto(f"{base}/locations/{location}/asset-groups/marts")
            page.page.wait_for_load_state("networkidle", timeout=60_000)
            page.screenshot("dagster-lineage")
        assert page.outside_requests == [], page.outside_requests
        assert page.console_errors == [], page.console_errors

        ui.send_signal(signal.SIGTERM)
        assert ui.wait(timeout=60) is not None
    finally:
        if ui.poll() is None:
            os.killpg(ui.pid, signal.SIGKILL)
            ui.wait()
        ui_log.close()
    log = (tmp_path / "ui.log").read_text()
    assert "SupersessionWarning" not in log and "Serving dagster-webserver" in log, log[-2000:]

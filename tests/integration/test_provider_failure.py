"""One provider failing: a clear error (provider, URL path, HTTP status, no key), and the others still load."""

import duckdb
import pytest
from dagster import DagsterInstance

from ingestion import settings
from orchestration.cli.run import root_cause
from orchestration.definitions import BUILD_JOB_NAME, defs

pytestmark = pytest.mark.slow


def test_a_broken_provider_names_itself_and_the_rest_load(sample_dir, tmp_path, monkeypatch):
    # A data dir without SEC: every EDGAR call answers 404.
    data = tmp_path / "data"
    data.mkdir()
    for provider in ("fred", "treasury", "nyfed", "prices"):
        (data / provider).symlink_to(sample_dir / provider)
    monkeypatch.setenv("FAULTLINES_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("FRED_API_KEY", "0123456789abcdef0123456789abcdef")
    result = defs.resolve_job_def(BUILD_JOB_NAME).execute_in_process(
        instance=DagsterInstance.ephemeral(), raise_on_error=False,
        run_config={"resources": {"faultlines": {"config": {"mode": "replay", "data_dir": str(data)}}}})
    assert not result.success
    failures = result.get_step_failure_events()
    assert [f.step_key for f in failures] == ["sec"]
    message = root_cause(failures[0].step_failure_data.error)
    assert message.startswith("SEC EDGAR: GET ") and "/submissions/CIK" in message and "HTTP 404" in message
    assert "0123456789abcdef" not in message
    with duckdb.connect(str(settings.warehouse_path("replay")), read_only=True) as con:
        loaded = dict(con.execute("select provider, sum(rows_added) from meta.loads group by 1").fetchall())
    assert set(loaded) == {"fred", "treasury", "nyfed", "prices"} and all(n > 0 for n in loaded.values())


def test_an_outage_longer_than_the_http_retries_is_retried_by_dagster(sample_dir, tmp_path, monkeypatch):
    """Five 503s exhaust the HTTP client's attempts; the orchestrator retries the provider's step, which loads."""
    from dagster import AssetKey

    from ingestion.emulator.server import Emulator, Fault
    from ingestion.sources import TABLES

    monkeypatch.setenv("FAULTLINES_HOME", str(tmp_path / "home"))
    with Emulator(sample_dir) as emulator:
        emulator.inject(Fault("/api/soma/summary.json", 503, times=5, headers={"Retry-After": "0"}))
        result = defs.resolve_job_def(BUILD_JOB_NAME).execute_in_process(
            instance=DagsterInstance.ephemeral(), raise_on_error=False,
            asset_selection=[AssetKey(["raw_nyfed", table]) for table in TABLES["nyfed"]],
            run_config={"resources": {"faultlines": {"config": {
                "mode": "replay", "base_url": emulator.base_url, "step_retries": 1, "retry_wait_seconds": 0.1}}}})
    assert result.success
    events = [e.event_type_value for e in result.all_events if e.step_key == "nyfed"]
    assert events.count("STEP_UP_FOR_RETRY") == 1 and events[-1] == "STEP_SUCCESS"
    with duckdb.connect(str(settings.warehouse_path("replay")), read_only=True) as con:
        assert con.execute("select count(*) from raw_nyfed.soma_summary").fetchone()[0] > 50


def test_a_permanent_error_is_not_retried(sample_dir, tmp_path, monkeypatch):
    from dagster import AssetKey

    from ingestion.emulator.server import Emulator, Fault
    from ingestion.sources import TABLES

    monkeypatch.setenv("FAULTLINES_HOME", str(tmp_path / "home"))
    with Emulator(sample_dir) as emulator:
        emulator.inject(Fault("/api/soma/summary.json", 404, times=5))
        result = defs.resolve_job_def(BUILD_JOB_NAME).execute_in_process(
            instance=DagsterInstance.ephemeral(), raise_on_error=False,
            asset_selection=[AssetKey(["raw_nyfed", table]) for table in TABLES["nyfed"]],
            run_config={"resources": {"faultlines": {"config": {
                "mode": "replay", "base_url": emulator.base_url, "step_retries": 2, "retry_wait_seconds": 0.1}}}})
    assert not result.success
    events = [e.event_type_value for e in result.all_events if e.step_key == "nyfed"]
    assert "STEP_UP_FOR_RETRY" not in events and events[-1] == "STEP_FAILURE"

"""One provider failing: a clear error (provider, URL path, HTTP status, no key), and the others still load."""

import duckdb
import pytest
from dagster import DagsterInstance

from ingestion import settings
from orchestration.cli import root_cause
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

"""Settings are checked before a run starts: each bad one is named, with what to do."""

import pytest

from ingestion import settings


@pytest.mark.parametrize("name,value,named", [
    ("FAULTLINES_DUCKDB_MEMORY_LIMIT", "banana", "FAULTLINES_DUCKDB_MEMORY_LIMIT='banana'"),
    ("FAULTLINES_DUCKDB_THREADS", "-1", "FAULTLINES_DUCKDB_THREADS='-1'"),
    ("FAULTLINES_SAMPLE_END", "2026-13-01", "FAULTLINES_SAMPLE_END='2026-13-01'"),
    ("FAULTLINES_FRED_EXTRA_SERIES", "WALCL,DROP TABLE", "FAULTLINES_FRED_EXTRA_SERIES: DROP TABLE"),
    ("FAULTLINES_HOME", "/tmp/o'brien", "FAULTLINES_HOME=\"/tmp/o'brien\""),
])
def test_check_all_names_the_bad_setting(monkeypatch, name, value, named):
    settings.check_all()
    monkeypatch.setenv(name, value)
    with pytest.raises(settings.SettingsError) as refused:
        settings.check_all()
    assert str(refused.value).startswith(named)


@pytest.mark.parametrize("limit", ["1GB", "512MB", "1.5GB", "2GiB", "80%"])
def test_memory_limits_duckdb_accepts_pass(monkeypatch, limit):
    monkeypatch.setenv("FAULTLINES_DUCKDB_MEMORY_LIMIT", limit)
    monkeypatch.setenv("FAULTLINES_DUCKDB_THREADS", " 3 ")
    assert settings.duckdb_settings() == {"memory_limit": limit, "threads": "3"}


def test_an_empty_faultlines_home_is_the_default(monkeypatch):
    monkeypatch.setenv("FAULTLINES_HOME", "")
    assert settings.home() == (settings.REPO_ROOT / ".faultlines").resolve()

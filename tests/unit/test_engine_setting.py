"""FAULTLINES_ENGINE: validated with a clear error, and each engine builds its own files."""

from __future__ import annotations

import importlib.util

import pytest

from ingestion import lake, settings


def test_an_unknown_engine_is_named_with_the_engines_there_are(monkeypatch):
    monkeypatch.setenv("FAULTLINES_ENGINE", "snowflake")
    with pytest.raises(settings.SettingsError, match=r"FAULTLINES_ENGINE='snowflake'.*duckdb, spark"):
        settings.engine()
    with pytest.raises(settings.SettingsError, match=r"--engine='presto'"):
        settings.engine("presto")


def test_duckdb_is_the_default_and_keeps_its_paths(monkeypatch):
    monkeypatch.delenv("FAULTLINES_ENGINE", raising=False)
    assert settings.engine() == "duckdb"
    assert settings.warehouse_path("sample").name == "sample.duckdb"
    assert settings.published_path("sample").name == "sample.duckdb"


def test_spark_builds_its_own_catalog_copy_and_lake(monkeypatch):
    monkeypatch.setenv("FAULTLINES_ENGINE", " Spark ")
    assert settings.engine() == "spark"
    assert settings.warehouse_path("sample").name == "sample-spark.duckdb"
    assert settings.published_path("sample").name == "sample-spark.duckdb"
    assert settings.published_parquet_dir("sample").name == "sample-spark-parquet"
    assert settings.lake_path("sample") == settings.home() / "lake" / "sample"


def test_spark_without_java_is_refused_before_the_run(monkeypatch):
    monkeypatch.setenv("FAULTLINES_ENGINE", "spark")
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(settings.SettingsError, match=r"needs .*Java 17 \(Spark runs in a JVM.*openjdk-17-jre-headless"):
        settings.check_all()


def test_spark_without_its_packages_is_refused_with_the_command_that_installs_them(monkeypatch):
    """`make test` runs in the default engine's environment, without the `spark` extra (`make test-spark` has it)."""
    if importlib.util.find_spec("pyspark") is not None:
        pytest.skip("the spark extra is installed here")
    monkeypatch.setenv("FAULTLINES_ENGINE", "spark")
    with pytest.raises(settings.SettingsError, match=r"needs pyspark .*make setup-spark.*; and dbt-spark"):
        settings.check_all()


def test_the_lake_lists_only_tables_with_files_and_their_keys(tmp_path):
    fred = tmp_path / "raw" / "raw_fred"
    (fred / "observations").mkdir(parents=True)
    (fred / "observations" / "1.a.parquet").write_bytes(b"")
    (fred / "vintages").mkdir()  # no files yet: not registered (as DuckDB has no table)
    (fred / "_dlt_loads").mkdir()
    (fred / "_dlt_loads" / "fred__1.jsonl").write_text("")
    tables = lake.lake_tables(tmp_path)
    assert set(tables) == {"raw_fred"}
    assert set(tables["raw_fred"]) == {"observations", "_dlt_loads"}
    assert tables["raw_fred"]["observations"]["keys"] == ["series_id", "date"]
    assert tables["raw_fred"]["_dlt_loads"]["format"] == "json"

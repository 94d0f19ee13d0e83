"""The Spark engine builds the same warehouse as DuckDB: the sample at a small scale (10 companies), built once per
session by `faultlines run` with each engine over the same data dir, and every mart compared (tests/spark/parity.py).

Marked `spark` and left out of `make test` (its budget is full; a Spark build is minutes on two cores): run by
`make test-spark`, which CI runs after `make test`. Needs Java 17 (pyspark's local mode).
"""

from __future__ import annotations

import csv
import shutil
import subprocess

import duckdb
import pytest

from ingestion import settings
from ingestion.sources import TABLES
from tests.conftest import FAULTLINES, cli_env
from tests.spark.parity import compare_marts

pytestmark = pytest.mark.spark

SAMPLE_END = "2026-06-30"
# Ten companies: the AI names the claims read (Oracle's fall and who followed it), and other sectors.
TICKERS = ("AAPL", "MSFT", "NVDA", "ORCL", "GOOGL", "AMZN", "META", "AVGO", "JPM", "XOM")


@pytest.fixture(scope="session")
def builds(tmp_path_factory) -> dict:
    """The same replay data built by each engine in one FAULTLINES_HOME: {"home", "duckdb", "lake", "spark"}."""
    if not shutil.which("java"):
        pytest.fail("the Spark engine needs Java 17 on PATH (Debian: openjdk-17-jre-headless; .ci/run installs it)")
    root = tmp_path_factory.mktemp("spark-parity")
    universe = root / "universe.csv"
    with (settings.REPO_ROOT / "ingestion" / "universe.csv").open(newline="") as bundled, \
            universe.open("w", newline="") as small:
        reader = csv.DictReader(bundled)
        writer = csv.DictWriter(small, fieldnames=reader.fieldnames)
        writer.writeheader()
        writer.writerows(row for row in reader if row["ticker"] in TICKERS)
    home = root / "home"
    env = cli_env(home, FAULTLINES_UNIVERSE=str(universe), FAULTLINES_SAMPLE_END=SAMPLE_END, COLUMNS="200")
    data = root / "data"
    subprocess.run([FAULTLINES, "sample", "--out", str(data)], env=env, check=True, capture_output=True)
    for engine in ("duckdb", "spark"):
        result = subprocess.run([FAULTLINES, "run", "--mode", "replay", "--data-dir", str(data), "--engine", engine],
                                env=env, capture_output=True, text=True)
        assert result.returncode == 0, f"{engine} build failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    warehouse = home / "warehouse"
    return {"home": home, "duckdb": warehouse / "replay.duckdb", "spark": warehouse / "replay-spark.duckdb",
            "lake": home / "lake" / "replay"}


def test_every_mart_has_the_same_rows_keys_and_values_on_both_engines(builds):
    parity = compare_marts(builds["duckdb"], builds["lake"])
    assert len(parity) == 13, sorted(parity)
    assert all(p.duckdb_rows > 0 for p in parity.values()), {m: p.duckdb_rows for m, p in parity.items()}
    unequal = {m: p for m, p in parity.items() if not p.equal}
    assert not unequal, "\n".join(f"{p.mart}: rows {p.duckdb_rows} vs {p.spark_rows}, keys missing in Spark "
                                  f"{p.missing_in_spark} / in DuckDB {p.missing_in_duckdb}, differing columns "
                                  f"{p.differing}, rounding flips {p.rounding_flips}" for p in unequal.values())


def test_the_lake_holds_every_load_and_its_current_rows_are_duckdbs_raw_tables(builds):
    """dlt wrote Parquet with load ids (append-only), and the latest version per key is what DuckDB merged."""
    raw = builds["lake"] / "raw"
    files = sorted(raw.glob("raw_prices/prices_daily/*.parquet"))
    assert files, f"no Parquet files under {raw}"
    with duckdb.connect(str(builds["duckdb"]), read_only=True) as duck, \
            duckdb.connect(str(builds["spark"]), read_only=True) as lake:
        assert lake.execute(f"select count(*) from read_parquet('{files[0]}') where _dlt_load_id is null"
                            ).fetchone()[0] == 0
        for provider, tables in TABLES.items():
            for table in tables:
                in_duckdb = duck.execute(f'select count(*) from raw_{provider}."{table}"').fetchone()[0]
                in_lake = lake.execute(f'select count(*) from raw_{provider}."{table}"').fetchone()[0]
                assert in_lake == in_duckdb, (
                    f"raw_{provider}.{table}: {in_lake} rows in the lake, {in_duckdb} in DuckDB")


def test_the_spark_run_is_recorded_and_published_like_a_duckdb_run(builds):
    published = builds["home"] / "published" / "replay-spark.duckdb"
    assert published.is_file()
    with duckdb.connect(str(published), read_only=True) as con:
        marts = {t for (t,) in con.execute("select table_name from information_schema.tables "
                                           "where table_schema = 'marts' and table_type = 'BASE TABLE'").fetchall()}
        assert "mart_reserve_adequacy" in marts and len(marts) == 13, sorted(marts)
    with duckdb.connect(str(builds["spark"]), read_only=True) as con:
        assert con.execute("select count(*) from meta.runs").fetchone()[0] == 1

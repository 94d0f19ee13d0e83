"""Where faultlines keeps its files, and which mode it runs in.

Every path is derived here from one setting, ``FAULTLINES_HOME`` (default: ``.faultlines/`` in the repo),
so dlt, dbt and Dagster can never disagree about which DuckDB file is the warehouse. Importing this module
also points dlt and Dagster at project-local folders, so nothing lands in ``~/.dlt`` or ``~/.dagster``.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path
from zoneinfo import ZoneInfo

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

MODES = ("auto", "live", "sample", "replay")
# Modes that name a warehouse file: `auto` resolves to `live` or `sample` before anything is written.
WAREHOUSE_MODES = ("live", "sample", "replay")

DEFAULT_SAMPLE_SEED = 42

# Where the warehouse is built: DuckDB (embedded, the default) or Spark (dlt writes the raw layer as Parquet to a
# lake, dbt builds on Spark: local mode here, a cluster in production). docs/scaling.md.
ENGINES = ("duckdb", "spark")


class SettingsError(ValueError):
    """A setting the user gave cannot be used; the message says which and what to do."""


def load_dotenv(path: Path | None = None) -> None:
    """Read ``KEY=value`` lines from ``.env`` into the environment (the environment wins).

    Secrets such as ``FRED_API_KEY`` come only from here or the environment.
    """
    path = path or REPO_ROOT / ".env"
    if not path.is_file():
        return
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


def home() -> Path:
    # Empty counts as unset: `FAULTLINES_HOME= faultlines run` must not turn the current directory into the home.
    path = Path(os.environ.get("FAULTLINES_HOME") or REPO_ROOT / ".faultlines").resolve()
    if "'" in str(path):
        # dlt (1.31) writes its load files' paths, which are under this folder, into DuckDB SQL without escaping:
        # every load would fail with a parser error.
        raise SettingsError(f"FAULTLINES_HOME={str(path)!r} contains a ' (single quote), which the loader (dlt) "
                            "cannot put in its SQL: set FAULTLINES_HOME to a folder without one")
    return path


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise SettingsError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
    return mode


def _engine_suffix() -> str:
    """Each engine builds its own files: `sample.duckdb` (DuckDB), `sample-spark.duckdb` (Spark's catalog)."""
    return "" if engine() == "duckdb" else f"-{engine()}"


def warehouse_path(mode: str) -> Path:
    """The DuckDB file for one mode: sample and live data never share a file. With the Spark engine, the lake's
    catalog for DuckDB: run records, and views over the lake's raw tables and Spark's models (ingestion/lake.py)."""
    if mode not in WAREHOUSE_MODES:
        raise SettingsError(f"mode {mode!r} has no warehouse of its own: use one of {', '.join(WAREHOUSE_MODES)}")
    return home() / "warehouse" / f"{mode}{_engine_suffix()}.duckdb"


def engine(value: str | None = None) -> str:
    """The engine a run builds with: ``value`` (``--engine``), else FAULTLINES_ENGINE, else duckdb."""
    chosen = (value or os.environ.get("FAULTLINES_ENGINE") or "duckdb").strip().lower()
    if chosen not in ENGINES:
        source = "--engine" if value else "FAULTLINES_ENGINE"
        raise SettingsError(f"{source}={chosen!r} is not an engine faultlines builds with: use one of "
                            f"{', '.join(ENGINES)} (duckdb, the default, needs nothing more; spark needs Java 17)")
    return chosen


def lake_path(mode: str) -> Path:
    """The Spark engine's lake for one mode: ``raw/`` (dlt's Parquet files, one folder per raw table), ``warehouse/``
    (Spark's tables: staging, intermediate, marts) and Spark's catalog (``metastore_db``). An object store in
    production (docs/scaling.md). dbt gets it as FAULTLINES_LAKE_PATH (profiles.yml), set by the run."""
    warehouse_path(mode)  # validates the mode
    return home() / "lake" / mode


def check_engine() -> None:
    """The Spark engine needs its packages (the ``spark`` extra) and runs Spark in a JVM: without them, say so now
    (everything missing in one message) rather than when dbt starts Spark."""
    import importlib.util
    import shutil

    if engine() != "spark":
        return
    missing = [f"{package} (the `spark` extra: run `make setup-spark`, or `uv sync --extra spark`)"
               for package, module in (("pyspark", "pyspark"), ("dbt-spark", "dbt.adapters.spark"))
               if importlib.util.find_spec(module.split(".")[0]) is None or importlib.util.find_spec(module) is None]
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        missing.append("Java 17 (Spark runs in a JVM; there is no `java` on PATH and no JAVA_HOME): install it "
                       "(Debian: apt-get install openjdk-17-jre-headless)")
    if missing:
        raise SettingsError(f"FAULTLINES_ENGINE=spark needs {'; and '.join(missing)}; or build with the default "
                            "engine, duckdb")


def published_path(mode: str) -> Path:
    """The read-only copy readers use (BI tools, `faultlines sql`, the report), replaced only after a green build."""
    warehouse_path(mode)  # validates the mode
    return home() / "published" / f"{mode}{_engine_suffix()}.duckdb"


def published_parquet_dir(mode: str) -> Path:
    """One Parquet file per mart, published with the copy (a symlink to the latest run's folder)."""
    warehouse_path(mode)
    return home() / "published" / f"{mode}{_engine_suffix()}-parquet"


def sample_data_dir(seed: int = DEFAULT_SAMPLE_SEED) -> Path:
    """Where `sample` mode generates its synthetic data (a cache: safe to delete)."""
    return home() / "sample-data" / f"seed-{seed}"


def sample_end_date(now: dt.datetime | None = None) -> dt.date:
    """The last day of the sample data: today in New York, unless FAULTLINES_SAMPLE_END pins it (reproducible demos,
    tests). New York's date, as the sources date their data and the freshness checks read it: the machine's (UTC)
    date is already tomorrow from 19:00 or 20:00 ET, which dated sample data after the day it was checked on."""
    pinned = os.environ.get("FAULTLINES_SAMPLE_END")
    if not pinned:
        return (now or dt.datetime.now(dt.UTC)).astimezone(ZoneInfo("America/New_York")).date()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError as exc:
        raise SettingsError(f"FAULTLINES_SAMPLE_END={pinned!r} is not a date (YYYY-MM-DD)") from exc


def universe_path() -> Path:
    """The equity universe CSV (ticker, name, cik, sector, industry, ai_basket): FAULTLINES_UNIVERSE, else the
    bundled ``ingestion/universe.csv``. Prices and SEC load its companies; dbt reads it from ``raw_prices``."""
    return Path(os.environ.get("FAULTLINES_UNIVERSE") or REPO_ROOT / "ingestion" / "universe.csv").resolve()


def fred_extra_series() -> tuple[str, ...]:
    """FRED series to load besides the catalog's: FAULTLINES_FRED_EXTRA_SERIES, comma-separated ids."""
    raw = os.environ.get("FAULTLINES_FRED_EXTRA_SERIES", "")
    ids = tuple(dict.fromkeys(s.strip().upper() for s in raw.split(",") if s.strip()))
    bad = [s for s in ids if not s.replace("_", "").isalnum()]
    if bad:
        raise SettingsError(f"FAULTLINES_FRED_EXTRA_SERIES: {', '.join(bad)} is not a FRED series id "
                            "(letters, digits and underscores, comma-separated)")
    return ids


def duckdb_settings() -> dict[str, str]:
    """DuckDB's limits while it builds the warehouse (dlt, dbt, checks, publishing), so a build leaves the machine
    usable: FAULTLINES_DUCKDB_MEMORY_LIMIT (default 1GB; DuckDB spills larger work to disk) and
    FAULTLINES_DUCKDB_THREADS (default: every core). dbt reads the same two variables in profiles.yml.

    Checked here, at start-up (configure_environment calls this): DuckDB itself would refuse them only when the
    first connection opens, half a minute into a run, without naming the variable."""
    memory_limit = os.environ.get("FAULTLINES_DUCKDB_MEMORY_LIMIT") or "1GB"
    threads = os.environ.get("FAULTLINES_DUCKDB_THREADS") or str(os.cpu_count() or 1)
    _check_memory_limit(memory_limit)
    if not (threads.strip().isdigit() and int(threads) >= 1):
        raise SettingsError(f"FAULTLINES_DUCKDB_THREADS={threads!r} is not a whole number of at least 1: set it to "
                            "the cores DuckDB may use, e.g. 2, or leave it unset for all of them")
    return {"memory_limit": memory_limit, "threads": threads.strip()}


@functools.lru_cache
def _check_memory_limit(value: str) -> None:
    """DuckDB's own parser decides (1GB, 512MB, 2GiB, 80%, …): an in-memory connection with the setting."""
    import duckdb

    try:
        duckdb.connect(":memory:", config={"memory_limit": value}).close()
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0]
        raise SettingsError(f"FAULTLINES_DUCKDB_MEMORY_LIMIT={value!r} is not a size DuckDB understands ({reason}): "
                            "set it to e.g. 1GB or 512MB, or leave it unset for 1GB") from None


def check_all() -> None:
    """Every setting a run reads, checked before it starts: a bad one is named in one line, not mid-run."""
    home()
    duckdb_settings()
    sample_end_date()
    fred_extra_series()
    check_engine()


def configure_environment() -> None:
    """Point dlt at project-local state, from `.env` and the defaults below. Idempotent; the environment wins.
    (Dagster's and dbt's share is orchestration.environment's.)"""
    load_dotenv()
    root = home()
    defaults = {
        "DLT_DATA_DIR": str(root / "dlt"),
        "DLT_PROJECT_DIR": str(REPO_ROOT),
        "RUNTIME__DLTHUB_TELEMETRY": "false",
        # Arrow tables (bars, FRED observations) get dlt's load id too: incremental dbt models rebuild what a load
        # touched.
        "NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID": "true",
        # A loaded package's files are deleted (its metadata kept): dlt keeps them by default, and nothing reads them
        # again; a first prices load at scale 10 left 130 MB of Parquet in the home, and every run one more package.
        "LOAD__DELETE_COMPLETED_JOBS": "true",
        # Nor gzipped on the way: extract writes the rows as gzipped JSON lines and normalize reads and writes them
        # again, for files deleted once loaded (gzip was 1.3 s of the 15 s a cold sample run spends loading).
        "DATA_WRITER__DISABLE_COMPRESSION": "true",
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    duckdb_settings()  # a malformed DuckDB limit is named now, not mid-run

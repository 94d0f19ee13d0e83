"""`make bench`: how fast faultlines loads and builds, against the limit and against the naive way.

Scale 1 only for now (the bundled sample: 72 tickers × 21 years of bars, 21 FRED series, Treasury, NY Fed, SEC);
`faultlines sample --scale N` does not exist yet, so neither does the growth exponent (issue 9).

Each measurement runs in its own process, timed around its core work, with that process's peak RSS:
- ingest of the daily bars (the largest table, 377k rows) three ways, min of 3:
  `dlt` — our prices source from the emulator over HTTP into DuckDB (what `faultlines run` does);
  `duckdb_native` — DuckDB's own read_json of the same files from disk (the limit);
  `naive` — requests + pandas per ticker, inserted into DuckDB (the usual hand-written loader);
- the full build (`faultlines run --mode replay`, every provider, dbt, checks, publish) and an incremental run after
  one more day of data, once each (minutes per run).
Results: benchmarks/results.json and the table in benchmarks/README.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FAULTLINES = str(Path(sys.executable).parent / "faultlines")
END = dt.date(2026, 6, 30)
NEXT_DAY = dt.date(2026, 7, 1)
REPEATS = 3

INGEST_DLT = """
import sys, time
from pathlib import Path
from ingestion.emulator.server import Emulator
from ingestion.pipeline import make_pipeline
from ingestion.sources.prices import ChartApiClient, prices_source
import datetime as dt
data, warehouse = Path(sys.argv[1]), Path(sys.argv[2])
with Emulator(data) as emulator:
    started = time.perf_counter()
    client = ChartApiClient.create(emulator.base_url, requests_per_second=1000)
    pipeline = make_pipeline("prices", warehouse)
    pipeline.run(prices_source(client, today=dt.date(2026, 7, 1))).raise_on_failed_jobs()
    print(time.perf_counter() - started)
"""

INGEST_NATIVE = """
import sys, time, duckdb
data, warehouse = sys.argv[1], sys.argv[2]
started = time.perf_counter()
con = duckdb.connect(warehouse)
con.execute(f'''
    create table bars as
    with responses as (
        select parse_filename(filename, true) as ticker, unnest(chart.result) as result
        from read_json('{data}/prices/*.json', filename = true, maximum_object_size = 100000000)
    )
    select ticker, unnest(result.timestamp) as ts, unnest(result.indicators.quote[1].open) as open,
           unnest(result.indicators.quote[1].high) as high, unnest(result.indicators.quote[1].low) as low,
           unnest(result.indicators.quote[1].close) as close, unnest(result.indicators.quote[1].volume) as volume,
           unnest(result.indicators.adjclose[1].adjclose) as adj_close
    from responses''')
con.close()
print(time.perf_counter() - started)
"""

INGEST_NAIVE = """
import sys, time, csv
from pathlib import Path
import duckdb, pandas as pd, requests
from ingestion.emulator.server import Emulator
data, warehouse = Path(sys.argv[1]), sys.argv[2]
tickers = [row["ticker"] for row in csv.DictReader(open("dbt_project/seeds/universe.csv"))]
with Emulator(data) as emulator:
    started = time.perf_counter()
    con = duckdb.connect(warehouse)
    session = requests.Session()
    for ticker in tickers:
        result = session.get(f"{emulator.base_url}/v8/finance/chart/{ticker}",
                             params={"period1": 0, "period2": 1900000000, "interval": "1d"},
                             headers={"User-Agent": "Mozilla/5.0"}).json()["chart"]["result"][0]
        quote = result["indicators"]["quote"][0]
        frame = pd.DataFrame({"ticker": ticker, "ts": result["timestamp"], **quote,
                              "adj_close": result["indicators"]["adjclose"][0]["adjclose"]})
        con.execute("create table if not exists bars as select * from frame limit 0")
        con.execute("insert into bars select * from frame")
    con.close()
    print(time.perf_counter() - started)
"""


def measured(args: list[str], env: dict | None = None) -> dict:
    """Run a child; its own timing (last line of stdout) or wall time, and its peak RSS in MiB."""
    started = time.perf_counter()
    child = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    stdout, stderr = child.stdout.read(), child.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(args[:4])}…\n{stderr[-2000:]}")
    lines = stdout.strip().splitlines()
    try:
        seconds = float(lines[-1])
    except (IndexError, ValueError):
        seconds = wall
    return {"seconds": round(seconds, 3), "wall_seconds": round(wall, 3), "peak_rss_mib": round(usage.ru_maxrss / 1024)}


def best_of(repeats: int, make_args) -> dict:
    runs = [measured(make_args(i)) for i in range(repeats)]
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "runs_seconds": [r["seconds"] for r in runs], "peak_rss_mib": max(r["peak_rss_mib"] for r in runs)}


def main() -> None:
    from ingestion.emulator.sample import generate

    with tempfile.TemporaryDirectory(prefix="faultlines-bench-") as scratch_dir:
        scratch = Path(scratch_dir)
        data = generate(scratch / "data", seed=42, end=END)
        next_day = generate(scratch / "data-next", seed=42, end=NEXT_DAY)
        results: dict = {"machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
                         "scale": 1, "sample_end": END.isoformat(), "repeats": REPEATS, "measurements": {}}
        m = results["measurements"]
        for name, script in [("ingest_dlt", INGEST_DLT), ("ingest_duckdb_native", INGEST_NATIVE),
                             ("ingest_naive", INGEST_NAIVE)]:
            print(f"{name} ×{REPEATS}…", flush=True)
            m[name] = best_of(REPEATS, lambda i, s=script, n=name: [PYTHON, "-c", s, str(data),
                                                                      str(scratch / f"{n}-{i}.duckdb")])
        results["rows"] = {"dlt": _rows(scratch / "ingest_dlt-0.duckdb", "raw_prices.prices_daily"),
                           "duckdb_native": _rows(scratch / "ingest_duckdb_native-0.duckdb", "bars"),
                           "naive": _rows(scratch / "ingest_naive-0.duckdb", "bars")}
        home = scratch / "home"
        print("full build…", flush=True)
        m["full_build"] = measured([FAULTLINES, "run", "--mode", "replay", "--data-dir", str(data)],
                                   env={"FAULTLINES_HOME": str(home)})
        print("incremental run (one more day)…", flush=True)
        m["incremental_run"] = measured([FAULTLINES, "run", "--mode", "replay", "--data-dir", str(next_day)],
                                        env={"FAULTLINES_HOME": str(home)})
        results["ratios"] = {
            "dlt_vs_duckdb_native": round(m["ingest_dlt"]["seconds"] / m["ingest_duckdb_native"]["seconds"], 2),
            "dlt_vs_naive": round(m["ingest_dlt"]["seconds"] / m["ingest_naive"]["seconds"], 2),
            "incremental_vs_full_build": round(m["incremental_run"]["seconds"] / m["full_build"]["seconds"], 2),
        }
    (ROOT / "benchmarks" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    write_table(results)
    print(json.dumps(results["ratios"], indent=2))


def _rows(path: Path, table: str) -> int:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"select count(*) from {table}").fetchone()[0]


def write_table(results: dict) -> None:
    m, r = results["measurements"], results["ratios"]
    rows = "\n".join(f"| {name} | {v['seconds']:.2f} | {v['wall_seconds']:.2f} | {v['peak_rss_mib']} |"
                     for name, v in m.items())
    table = f"""<!-- results: written by `make bench` -->
Scale {results['scale']} (sample ending {results['sample_end']}), {results['machine']['cores']} cores,
Python {results['machine']['python']}; ingest timings are the min of {results['repeats']}, builds run once.
Rows of bars: dlt {results['rows']['dlt']:,}, DuckDB native {results['rows']['duckdb_native']:,}, naive
{results['rows']['naive']:,}.

| measurement | seconds (core work) | wall seconds (process) | peak RSS MiB |
|---|---:|---:|---:|
{rows}

| ratio | value | target |
|---|---:|---:|
| dlt ingest ÷ DuckDB native read | {r['dlt_vs_duckdb_native']} | ≤ 3 |
| dlt ingest ÷ naive requests + pandas | {r['dlt_vs_naive']} | < 1 |
| incremental run ÷ full build | {r['incremental_vs_full_build']} | ≤ 0.10 (at full scale) |
"""
    readme = ROOT / "benchmarks" / "README.md"
    text = readme.read_text() if readme.exists() else ""
    marker = "<!-- results: written by `make bench` -->"
    head = text.split(marker)[0] if marker in text else text
    readme.write_text(head + table)


if __name__ == "__main__":
    main()

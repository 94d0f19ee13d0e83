"""`make bench`: how fast faultlines loads and builds as the data grows, against the limit and the naive way.

At each scale (`faultlines sample --scale N`: N units of 50 tickers × 21 years of bars, 20 FRED series and 2,000
auctions, with SEC filings for every ticker; N = 10 is the full scale) it measures, each in its own process with
that process's peak RSS:
- ingest of the daily bars (the largest table) three ways, min of 3:
  `dlt` — our prices source from the emulator over HTTP into DuckDB (what `faultlines run` does);
  `duckdb_native` — DuckDB's own read_json of the same files from disk (the limit);
  `naive` — requests + pandas per ticker, inserted into DuckDB (the usual hand-written loader);
- the full build (`faultlines run --mode replay`: every provider, dbt, checks, publish) into an empty home;
- an incremental run after one more day of data, min of 3, each from a copy of the home the full build left.
Then the growth exponent from the smallest to the largest scale: time ∝ rows^k (k ≤ 1 is linear or better).
Results: benchmarks/results.json and the table in benchmarks/README.md.

    python benchmarks/bench.py [--scales 1,10] [--repeats 3] [--build-repeats 1]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
FAULTLINES = str(Path(sys.executable).parent / "faultlines")
END = dt.date(2026, 6, 30)
NEXT_DAY = dt.date(2026, 7, 1)
# The emulator accepts any key: with one, FRED's JSON API (with metadata, so the extra series have units) is used.
BENCH_FRED_KEY = "benchmarkkey0000000000000000000000"

# Raw tables whose rows the exponent counts (everything a build loads).
RAW_TABLES = ["raw_prices.prices_daily", "raw_fred.observations", "raw_sec.facts", "raw_treasury.auctions",
              "raw_nyfed.soma_bill_holdings"]


# `faultlines sql`'s measured query: reads the largest mart; its answer is text, so the timing is the wall time.
READER_QUERY = "select count(*) || ' equity days' as answer from marts.fct_equity_daily"


def measured(args: list[str], env: dict | None = None) -> dict:
    """Run a measurement (through _peak.py); its own timing (last stdout line) or wall time, and its peak RSS."""
    started = time.perf_counter()
    child = subprocess.run([PYTHON, str(Path(__file__).resolve().parent / "_peak.py"), *args], cwd=ROOT,
                           env={**os.environ, **(env or {})}, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(args[:4])}…\n{child.stderr[-3000:]}")
    peak_kib = int(child.stderr.strip().splitlines()[-1].removeprefix("PEAK_RSS_KIB="))
    lines = child.stdout.strip().splitlines()
    try:
        seconds = float(lines[-1])
    except (IndexError, ValueError):
        seconds = wall
    return {"seconds": round(seconds, 3), "wall_seconds": round(wall, 3), "peak_rss_mib": round(peak_kib / 1024)}


def best_of(repeats: int, run) -> dict:
    runs = [run(i) for i in range(repeats)]
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "runs_seconds": [r["seconds"] for r in runs], "peak_rss_mib": max(r["peak_rss_mib"] for r in runs)}


def measure(name: str, *args: str) -> list[str]:
    """The command that runs one measurement of benchmarks/measures.py in a fresh Python."""
    return [PYTHON, "-m", "benchmarks.measures", name, *args]


@contextlib.contextmanager
def emulator_process(data: Path) -> Iterator[str]:
    """`faultlines emulator` serving ``data`` on a free loopback port, in its own process."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([FAULTLINES, "emulator", "--data-dir", str(data), "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit(f"the emulator did not start on port {port}") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


def build_env(data: Path, home: Path) -> dict:
    settings_file = dict(line.split("=", 1) for line in (data / "faultlines.env").read_text().splitlines() if line)
    return {**settings_file, "FAULTLINES_HOME": str(home), "FRED_API_KEY": BENCH_FRED_KEY}


def run_build(data: Path, home: Path) -> list[str]:
    return [FAULTLINES, "run", "--mode", "replay", "--data-dir", str(data)]


def scale_point(scale: int, scratch: Path, repeats: int, build_repeats: int) -> dict:
    from ingestion.synthetic.compose import generate

    print(f"scale {scale}: generating data…", flush=True)
    data = generate(scratch / f"data-{scale}", seed=42, end=END, scale=scale)
    next_day = generate(scratch / f"data-{scale}-next", seed=42, end=NEXT_DAY, scale=scale)
    point: dict = {"scale": scale, "measurements": {}}
    m = point["measurements"]
    with emulator_process(data) as base_url:  # the API on its own process, as a remote one would be
        for name in ("ingest_dlt", "ingest_duckdb_native", "ingest_naive", "ingest_http_floor"):
            print(f"scale {scale}: {name} ×{repeats}…", flush=True)
            m[name] = best_of(repeats, lambda i, n=name: measured(
                measure(n, str(data), str(scratch / f"{n}-{scale}-{i}.duckdb"), base_url)))
    point["bar_rows"] = {"dlt": _count(scratch / f"ingest_dlt-{scale}-0.duckdb", "raw_prices.prices_daily"),
                         "duckdb_native": _count(scratch / f"ingest_duckdb_native-{scale}-0.duckdb", "bars"),
                         "naive": _count(scratch / f"ingest_naive-{scale}-0.duckdb", "bars")}
    for name in ("ingest_dlt", "ingest_duckdb_native", "ingest_naive"):
        for i in range(repeats):
            (scratch / f"{name}-{scale}-{i}.duckdb").unlink(missing_ok=True)

    print(f"scale {scale}: full build ×{build_repeats}…", flush=True)
    homes = [scratch / f"home-{scale}-{i}" for i in range(build_repeats)]
    m["full_build"] = best_of(build_repeats, lambda i: measured(run_build(data, homes[i]), build_env(data, homes[i])))
    built = homes[0]
    point["raw_rows"] = {t: _count(built / "warehouse" / "replay.duckdb", t) for t in RAW_TABLES}
    point["mart_rows"] = {"marts.fct_equity_daily": _count(built / "warehouse" / "replay.duckdb",
                                                           "marts.fct_equity_daily")}
    for extra in homes[1:]:
        shutil.rmtree(extra, ignore_errors=True)

    print(f"scale {scale}: incremental run (one more day) ×{repeats}…", flush=True)
    # Each incremental run starts from the built home, put back where it was built: a home copied elsewhere has
    # another warehouse path in dbt's profile, and dbt then parses the project afresh (≈ 5 s a user never waits).
    pristine = scratch / f"home-{scale}-pristine"
    shutil.copytree(built, pristine, symlinks=True)

    def incremental(i: int) -> dict:
        if i:
            shutil.rmtree(built)
            shutil.copytree(pristine, built, symlinks=True)
        return measured(run_build(next_day, built), build_env(next_day, built))

    m["incremental_run"] = best_of(repeats, incremental)
    point["steps"] = _step_seconds(built)
    # Again with nothing new: the runs an hourly schedule makes most of the time.
    print(f"scale {scale}: run with nothing new ×{repeats}…", flush=True)
    m["noop_run"] = best_of(repeats, lambda i: measured(run_build(next_day, built), build_env(next_day, built)))
    point["noop_steps"] = _step_seconds(built)
    # What readers wait for, on the built home (wall time: their last line is no number of seconds).
    print(f"scale {scale}: status and sql ×{repeats}…", flush=True)
    point["readers"] = {
        "status": best_of(repeats, lambda i: measured([FAULTLINES, "status", "--mode", "replay"],
                                                      build_env(next_day, built))),
        "sql": best_of(repeats, lambda i: measured([FAULTLINES, "sql", "--mode", "replay", READER_QUERY],
                                                   build_env(next_day, built)))}
    shutil.rmtree(built, ignore_errors=True)
    shutil.rmtree(pristine, ignore_errors=True)
    for folder in (data, next_day):
        shutil.rmtree(folder, ignore_errors=True)
    point["ratios"] = {
        "dlt_vs_duckdb_native": round(m["ingest_dlt"]["seconds"] / m["ingest_duckdb_native"]["seconds"], 2),
        "dlt_vs_naive": round(m["ingest_dlt"]["seconds"] / m["ingest_naive"]["seconds"], 2),
        "incremental_vs_full_build": round(m["incremental_run"]["seconds"] / m["full_build"]["seconds"], 3),
        "noop_vs_full_build": round(m["noop_run"]["seconds"] / m["full_build"]["seconds"], 3),
        # The floor: the same requests with bodies discarded, plus DuckDB's own read of the files.
        "ingest_vs_floor": round(m["ingest_dlt"]["seconds"] / (m["ingest_http_floor"]["seconds"]
                                                               + m["ingest_duckdb_native"]["seconds"]), 2),
    }
    return point


def _count(path: Path, table: str) -> int:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"select count(*) from {table}").fetchone()[0]


def _step_seconds(home: Path) -> dict[str, float]:
    """Where the last run's time went: seconds per Dagster step (over half a second), from its event log."""
    out = subprocess.run(measure("step_seconds"), cwd=ROOT, env={**os.environ, "FAULTLINES_HOME": str(home)},
                         capture_output=True, text=True, check=True).stdout
    return dict(sorted(json.loads(out.strip().splitlines()[-1]).items(), key=lambda kv: -kv[1]))


def growth(small: dict, large: dict) -> dict:
    """k in time ∝ rows^k from one scale to a larger one, per measurement."""
    rows_small, rows_large = sum(small["raw_rows"].values()), sum(large["raw_rows"].values())
    data_ratio = rows_large / rows_small
    out = {"from_scale": small["scale"], "to_scale": large["scale"], "raw_rows_ratio": round(data_ratio, 2)}
    for name in small["measurements"]:
        time_ratio = large["measurements"][name]["seconds"] / small["measurements"][name]["seconds"]
        exponent = math.log(time_ratio) / math.log(data_ratio)
        out[name] = {"time_ratio": round(time_ratio, 2), "exponent": round(exponent, 2)}
    return out


# A checkout's dbt project parsed into its manifest (dbt_project/target), as the first process that loads the
# Dagster definitions does it in a new checkout (orchestration.dbt_manifest.ensure_manifest).
PARSE_PROJECT = ("from orchestration import environment; environment.configure(); "
                 "from orchestration.dbt_manifest import ensure_manifest; ensure_manifest()")


def cold_sample_build(scratch: Path, runs: int = 2) -> dict:
    """`faultlines run --mode sample` into an empty home (the environment installed): what a new user waits.

    A new checkout parses its dbt project once first (about 8 s, for every later process): timed apart, as
    ``project_parse_seconds`` (None when the checkout's manifest was fresh). Then ``runs`` builds, each into an empty
    home; ``seconds`` is the first."""
    sys.path.insert(0, str(ROOT))
    from orchestration.dbt_manifest import manifest_is_fresh

    parse = None if manifest_is_fresh() else measured([PYTHON, "-c", PARSE_PROJECT])["wall_seconds"]
    results = []
    for run in range(runs):
        home = scratch / f"home-cold-sample-{run}"
        print("cold sample build…", flush=True)
        results.append(measured([FAULTLINES, "run", "--mode", "sample"], {"FAULTLINES_HOME": str(home)}))
        shutil.rmtree(home, ignore_errors=True)
    return results[0] | {"project_parse_seconds": parse, "later_runs_seconds": [r["seconds"] for r in results[1:]]}


def soak_point(work: Path, runs: int, readers: int = 4) -> dict:
    """The long soak (benchmarks/soak.py): `runs` runs with faults while `readers` query the published copy."""
    sys.path.insert(0, str(ROOT))  # benchmarks.soak, and the fingerprints it shares with the tests
    from benchmarks.soak import soak

    work.mkdir(parents=True, exist_ok=True)
    result = soak(work, runs=runs, readers=readers)
    print(f"soak: {json.dumps(result.summary())}", flush=True)
    return result.summary() | {"readers": readers, "reader_error_examples": result.reader_errors[:3],
                               "bad_run_endings_examples": result.bad_run_endings[:3],
                               "differing_tables": result.differing_tables}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10", help="comma-separated scales (10 is the full scale)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per ingest and incremental timing (min taken)")
    parser.add_argument("--build-repeats", type=int, default=1, help="runs per full build (min taken)")
    parser.add_argument("--soak-runs", type=int, default=20, help="runs of the soak (faults and readers; 0: none)")
    parser.add_argument("--no-cold-sample", action="store_true", help="skip the cold `faultlines run --mode sample`")
    args = parser.parse_args()
    scales = sorted(int(s) for s in args.scales.split(","))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="faultlines-bench-") as scratch_dir:
        cold = None if args.no_cold_sample else cold_sample_build(Path(scratch_dir))
        points = []
        for scale in scales:
            points.append(scale_point(scale, Path(scratch_dir), args.repeats, args.build_repeats))
            # In the log as soon as measured: a failure at a larger scale (results.json is written at the end)
            # does not lose the smaller ones.
            print(f"scale {scale}: {json.dumps(points[-1])}", flush=True)
        soaked = soak_point(Path(scratch_dir) / "soak", args.soak_runs) if args.soak_runs else None
    results = {"machine": {"cores": os.cpu_count(), "python": sys.version.split()[0],
                           "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)},
               "sample_end": END.isoformat(), "repeats": args.repeats, "build_repeats": args.build_repeats,
               "cold_sample_build": cold, "points": points,
               "growth": growth(points[0], points[-1]) if len(points) > 1 else None,
               # Each step too (1 → 10, 10 → 50): a k that creeps up with the scale shows in the later step.
               "growth_steps": [growth(a, b) for a, b in itertools.pairwise(points)] if len(points) > 2 else [],
               "soak": soaked,
               "bench_seconds": round(time.perf_counter() - started)}
    (ROOT / "benchmarks" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    write_table(results)
    print(json.dumps({p["scale"]: p["ratios"] for p in points} | {"growth": results["growth"]}, indent=2))


def write_table(results: dict) -> None:
    lines = ["<!-- results: written by `make bench` -->",
             f"{results['machine']['cores']} cores, {results['machine']['memory_gib']} GiB, Python "
             f"{results['machine']['python']}; sample data ending {results['sample_end']}. Ingest and incremental "
             f"timings are the min of {results['repeats']}, full builds of {results['build_repeats']}. "
             f"`make bench` took {results['bench_seconds'] / 60:.1f} min.", ""]
    for point in results["points"]:
        m, r = point["measurements"], point["ratios"]
        lines += [f"**Scale {point['scale']}** — raw rows: " + ", ".join(
            f"{t.split('.')[1]} {n:,}" for t, n in point["raw_rows"].items()), "",
                  "| measurement | seconds | wall seconds (process) | peak RSS MiB |", "|---|---:|---:|---:|"]
        lines += [f"| {name} | {v['seconds']:.2f} | {v['wall_seconds']:.2f} | {v['peak_rss_mib']:,} |"
                  for name, v in m.items()]
        lines += ["", "| ratio | value | target |", "|---|---:|---:|",
                  f"| dlt ingest ÷ DuckDB native read | {r['dlt_vs_duckdb_native']} | ≤ 3 |",
                  f"| dlt ingest ÷ naive requests + pandas | {r['dlt_vs_naive']} | < 1 |",
                  f"| incremental run ÷ full build | {r['incremental_vs_full_build']} | ≤ 0.10 (full scale) |",
                  f"| run with nothing new ÷ full build | {r['noop_vs_full_build']} | ≤ 0.05 (full scale) |",
                  f"| dlt ingest ÷ floor (same requests, bodies discarded, + DuckDB native read) | "
                  f"{r['ingest_vs_floor']} | ≤ 1.5 |", "",
                  "Incremental run, seconds per step: " + ", ".join(f"{k} {v}" for k, v in point["steps"].items()),
                  "",
                  "Run with nothing new, seconds per step: " + ", ".join(
                      f"{k} {v}" for k, v in point["noop_steps"].items()), ""]
        if "readers" in point:
            status, sql = point["readers"]["status"], point["readers"]["sql"]
            lines += [f"Readers on the built home (wall, min of {len(status['runs_seconds'])}): `faultlines status` "
                      f"{status['seconds']:.2f} s, `faultlines sql` {sql['seconds']:.2f} s (target: about a second).",
                      ""]
    cold = results.get("cold_sample_build")
    if cold:
        parse = cold.get("project_parse_seconds")
        lines += [f"**Cold sample build** (`faultlines run --mode sample` into an empty home): "
                  f"{cold['seconds']:.1f} s, peak RSS {cold['peak_rss_mib']:,} MiB (target ≤ 60 s on 2 cores); "
                  "again into another empty home: "
                  + ", ".join(f"{s:.1f} s" for s in cold.get("later_runs_seconds", []))
                  + (f". The checkout's first process parsed the dbt project before it, once: {parse:.1f} s."
                     if parse else "."), ""]
    for g in [results.get("growth"), *results.get("growth_steps", [])]:
        if not g:
            continue
        lines += [f"**Growth** from scale {g['from_scale']} to {g['to_scale']}: {g['raw_rows_ratio']}× the raw rows. "
                  "Exponent k in time ∝ rows^k (target: ≤ 1, i.e. 10× data ⇒ ≤ 10× time):", "",
                  "| measurement | time ratio | exponent k |", "|---|---:|---:|"]
        lines += [f"| {name} | {v['time_ratio']} | {v['exponent']} |" for name, v in g.items() if isinstance(v, dict)]
        lines += [""]
    soaked = results.get("soak")
    if soaked:
        lines += ["", f"**Soak**: {soaked['runs']} incremental runs (FRED and Treasury, one more day each) with random "
                  f"faults, {soaked['readers']} readers on the published copy throughout, {soaked['seconds']} s: "
                  f"{soaked['green']} green, {soaked['failed_with_one_clear_line']} failed with one clear line, "
                  f"{soaked['bad_run_endings']} other endings; {soaked['reads']:,} reads, {soaked['reader_errors']} "
                  f"reader errors; final warehouse equals a clean build: {soaked['equals_clean_build']}."]
    readme = ROOT / "benchmarks" / "README.md"
    text = readme.read_text() if readme.exists() else ""
    marker = "<!-- results: written by `make bench` -->"
    head = text.split(marker)[0] if marker in text else text
    readme.write_text(head + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

"""The measurements `make bench` times, each run in a fresh process: `python -m benchmarks.measures NAME ARGS…`.

A fresh process per measurement keeps one's imports and peak memory out of another's (benchmarks/_peak.py reports the
peak RSS). Each ingest prints its own seconds last, timed from after its imports.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
import time
from pathlib import Path


def ingest_dlt(data: str, warehouse: str, base_url: str) -> float:
    """The product's way: the prices source through dlt into DuckDB, as `faultlines run` loads it."""
    from ingestion import settings

    settings.configure_environment()
    from ingestion.pipeline import make_pipeline
    from ingestion.sources.prices import ChartApiClient, prices_source
    from ingestion.universe import load_universe

    companies = load_universe(Path(data) / "universe.csv")
    started = time.perf_counter()
    client = ChartApiClient.create(base_url, requests_per_second=1000)
    pipeline = make_pipeline("prices", Path(warehouse))
    pipeline.run(prices_source(client, companies, today=dt.date(2026, 7, 1))).raise_on_failed_jobs()
    return time.perf_counter() - started


def ingest_native(data: str, warehouse: str, base_url: str) -> float:
    """The limit: DuckDB reading the same JSON files from disk in one statement (no HTTP, no checks)."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect(warehouse)
    con.execute(f"""
        create table bars as
        with responses as (
            select parse_filename(filename, true) as ticker, unnest(chart.result) as result
            from read_json('{data}/prices/*.json', filename = true, maximum_object_size = 100000000)
        )
        select ticker, unnest(result.timestamp) as ts, unnest(result.indicators.quote[1].open) as open,
               unnest(result.indicators.quote[1].high) as high, unnest(result.indicators.quote[1].low) as low,
               unnest(result.indicators.quote[1].close) as close, unnest(result.indicators.quote[1].volume) as volume,
               unnest(result.indicators.adjclose[1].adjclose) as adj_close
        from responses""")
    con.close()
    return time.perf_counter() - started


def ingest_http_floor(data: str, warehouse: str, base_url: str) -> float:
    """The HTTP part of the floor: every request the dlt ingest makes (one whole history per ticker, the same
    parameters), from the same emulator with the same requests in flight (prefetched's 4), bodies read and
    discarded. The floor adds DuckDB's native read of the same files (`ingest_duckdb_native`)."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from ingestion.sources.prices import BROWSER_USER_AGENT, DEFAULT_START_DATE, _unix
    from ingestion.universe import load_universe

    tickers = [c.ticker for c in load_universe(Path(data) / "universe.csv")]
    last_day = dt.date(2026, 7, 1)  # as ingest_dlt's `today`
    params = {"period1": _unix(DEFAULT_START_DATE), "period2": _unix(last_day + dt.timedelta(days=1)),
              "interval": "1d", "events": "div,splits", "includePrePost": "false"}
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=4))

    def fetch(ticker: str) -> int:
        with session.get(f"{base_url}/v8/finance/chart/{ticker}", params=params, stream=True,
                         headers={"User-Agent": BROWSER_USER_AGENT, "Accept": "application/json"}) as response:
            response.raise_for_status()
            return sum(len(chunk) for chunk in response.iter_content(1 << 16))

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=4) as pool:
        received = sum(pool.map(fetch, tickers))
    assert received > 0
    return time.perf_counter() - started


def ingest_naive(data: str, warehouse: str, base_url: str) -> float:
    """The naive way: one request per ticker, a DataFrame each, inserted row by frame (no retries, no state)."""
    import duckdb
    import pandas as pd
    import requests

    with open(Path(data) / "universe.csv") as universe:
        tickers = [row["ticker"] for row in csv.DictReader(universe)]
    started = time.perf_counter()
    con = duckdb.connect(warehouse)
    session = requests.Session()
    for ticker in tickers:
        result = session.get(f"{base_url}/v8/finance/chart/{ticker}",
                             params={"period1": 0, "period2": 1900000000, "interval": "1d"},
                             headers={"User-Agent": "Mozilla/5.0"}).json()["chart"]["result"][0]
        quote = result["indicators"]["quote"][0]
        frame = pd.DataFrame({"ticker": ticker, "ts": result["timestamp"], **quote,  # noqa: F841 (read by DuckDB)
                              "adj_close": result["indicators"]["adjclose"][0]["adjclose"]})
        con.execute("create table if not exists bars as select * from frame limit 0")
        con.execute("insert into bars select * from frame")
    con.close()
    return time.perf_counter() - started


def step_seconds() -> dict[str, float]:
    """Where the last run in FAULTLINES_HOME spent its time: seconds per Dagster step over half a second."""
    from orchestration import environment

    environment.configure()
    from dagster import DagsterEventType, DagsterInstance

    instance = DagsterInstance.get()
    run = instance.get_runs(limit=1)[0]
    # `faultlines run` is two Dagster runs (orchestration.incremental): the load, tagged on the build.
    run_ids = [run.run_id, *([run.tags["faultlines/load_run"]] if "faultlines/load_run" in run.tags else [])]
    spans: dict[str, list[float]] = {}
    for record in (record for run_id in run_ids for record in instance.all_logs(run_id)):
        event = record.dagster_event
        if event and event.event_type in (DagsterEventType.STEP_START, DagsterEventType.STEP_SUCCESS):
            spans.setdefault(event.step_key, []).append(record.timestamp)
    return {k: round(v[-1] - v[0], 1) for k, v in spans.items() if len(v) == 2 and v[-1] - v[0] > 0.5}


MEASURES = {"ingest_dlt": ingest_dlt, "ingest_duckdb_native": ingest_native, "ingest_naive": ingest_naive,
            "ingest_http_floor": ingest_http_floor}

if __name__ == "__main__":
    name, *args = sys.argv[1:]
    print(json.dumps(step_seconds()) if name == "step_seconds" else MEASURES[name](*args))

"""Soak: consecutive incremental runs with random injected faults while readers query the published copy.

Each run is `faultlines run --mode replay --base-url …` (the CLI as users run it) against an emulator serving one more
day of data, with faults the real APIs produce (429 with Retry-After, 5xx, resets, cut-off bodies, an HTML page
with status 200, revised values) drawn at random; the last run has none. Meanwhile reader threads open the
published copy the way `faultlines sql` does (orchestration.readonly) and query it in a loop.

What must hold: no reader ever errors or sees a half-built copy (a raw table and its staging copy always agree,
the newest date never goes back); every run ends green or with one clear error line (no traceback); the final
warehouse equals a clean build of the final data. Used by tests/reliability/test_soak.py (short) and
benchmarks/bench.py (long).

The days are cut from one generated data dir (rows dated after each day removed), so a later day only adds rows:
the sample generator's revised FRED series would otherwise revise loaded dates, which FRED's incremental load does
not re-read (issue 17), and the final comparison would measure that instead of the faults.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

FAULTLINES = str(Path(sys.executable).parent / "faultlines")
# Faults every API produces: the transport ones are retried by the HTTP client, html_200 is not (a clear error);
# revised values are a data fault, aimed where each load re-reads its window (Treasury): the emulator revises the
# newest record, which the next run's look-back window re-reads and mends (a revision of an old row is outside every
# later window, and a clean build of the final data would not have it: a soak of 20 runs found four such rows).
FAULTS = [
    {"kind": "429", "rate": 0.3}, {"kind": "500", "rate": 0.2}, {"kind": "503", "rate": 0.2},
    {"kind": "reset", "rate": 0.15}, {"kind": "truncated", "rate": 0.15}, {"kind": "html_200", "rate": 0.05},
    {"kind": "revised_values", "rate": 0.5, "prefix": "/services/api/fiscal_service/"},
]
DATE_FIELDS = {"v1__accounting__od__auctions_query.json": "auction_date"}


@dataclass
class RunOutcome:
    day: str
    faults: list[dict]
    returncode: int
    seconds: float
    error: str = ""


@dataclass
class SoakResult:
    runs: list[RunOutcome] = field(default_factory=list)
    reads: int = 0
    reader_errors: list[str] = field(default_factory=list)
    bad_run_endings: list[str] = field(default_factory=list)
    equals_clean_build: bool = False
    differing_tables: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict:
        return {"runs": len(self.runs), "green": sum(r.returncode == 0 for r in self.runs),
                "failed_with_one_clear_line": sum(r.returncode == 1 for r in self.runs), "reads": self.reads,
                "reader_errors": len(self.reader_errors), "bad_run_endings": len(self.bad_run_endings),
                "equals_clean_build": self.equals_clean_build, "differing_tables": self.differing_tables,
                "seconds": round(self.seconds),
                "faults": [[f["kind"] for f in r.faults] for r in self.runs]}


def cut_day(full: Path, out: Path, day: dt.date, providers: tuple[str, ...]) -> Path:
    """The data dir as it stood on `day`: FRED and Treasury rows dated after it removed."""
    if "fred" in providers:
        (out / "fred").mkdir(parents=True)
        shutil.copytree(full / "fred" / "series", out / "fred" / "series")
        for path in (full / "fred").glob("*.csv"):
            header, *rows = path.read_text().splitlines()
            kept = [row for row in rows if row[:10] <= day.isoformat()]
            (out / "fred" / path.name).write_text("\n".join([header, *kept]) + "\n")
    if "treasury" in providers:
        (out / "treasury").mkdir(parents=True)
        for path in (full / "treasury").glob("*.json"):
            rows = json.loads(path.read_text())["data"]
            date_field = DATE_FIELDS.get(path.name, "record_date")
            kept = [row for row in rows if row[date_field] <= day.isoformat()]
            (out / "treasury" / path.name).write_text(json.dumps(
                {"data": kept, "meta": {"count": len(kept), "total-count": len(kept), "total-pages": 1}}))
    return out


def _select(providers: tuple[str, ...]) -> str:
    """The providers' raw tables and the staging models that read them (the readers compare the two)."""
    return " or ".join(f"group:{p} or (group:{p}+1 and group:staging)" for p in providers)


def _run(home: Path, base_url: str, providers: tuple[str, ...], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([FAULTLINES, "run", "--mode", "replay", "--base-url", base_url, "--select",
                           _select(providers)], env={**env, "FAULTLINES_HOME": str(home)}, capture_output=True,
                          text=True, timeout=900)


def _clear_ending(result: subprocess.CompletedProcess) -> str:
    """Empty when the run ended green or with one clear error line; otherwise what was wrong."""
    if result.returncode == 0:
        return ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    if result.returncode != 1 or len(errors) != 1 or not errors[0].startswith("error: run ") \
            or "Traceback" in result.stderr:
        return f"exit {result.returncode}: {result.stderr[-600:]}"
    return ""


class _Reader(threading.Thread):
    """Queries the published copy in a loop, as a BI tool would, until told to stop."""

    def __init__(self, published: Path, providers: tuple[str, ...], stop: threading.Event, pause: float) -> None:
        super().__init__(daemon=True)
        self.published, self.providers, self.stop, self.pause = published, providers, stop, pause
        self.reads, self.errors, self.newest = 0, [], {}

    def run(self) -> None:
        from orchestration.readers import readonly

        checks = {"fred": ("raw_fred.observations", "staging.stg_fred__observations", "date"),
                  "treasury": ("raw_treasury.auctions", "staging.stg_treasury__auctions", "auction_date")}
        while not self.stop.wait(self.pause):
            if not self.published.exists():
                continue
            try:
                con = readonly.connect(self.published)
                try:
                    for provider in self.providers:
                        raw, staged, date = checks[provider]
                        rows, staged_rows, newest = con.execute(
                            f"select (select count(*) from {raw}), (select count(*) from {staged}), "
                            f"(select max({date}) from {raw})").fetchone()
                        if rows != staged_rows:
                            self.errors.append(f"half-built copy: {raw} {rows} rows, {staged} {staged_rows}")
                        if newest is not None and provider in self.newest and newest < self.newest[provider]:
                            self.errors.append(f"{raw} went back from {self.newest[provider]} to {newest}")
                        self.newest[provider] = newest
                finally:
                    con.close()
                self.reads += 1
            except Exception as exc:  # noqa: BLE001 (any error a reader meets is a finding)
                self.errors.append(f"{type(exc).__name__}: {exc}")


def soak(work: Path, runs: int, readers: int = 4, providers: tuple[str, ...] = ("fred", "treasury"),
         faults: list[dict] | None = None, first_day: dt.date = dt.date(2026, 6, 1), seed: int = 2026,
         env: dict | None = None, clean_build: bool = True, reader_pause: float = 0.05) -> SoakResult:
    """`runs` consecutive runs, one day apart, the last without faults; see the module docstring. Without
    `clean_build` the final comparison is left to the caller (the warehouse is `work/home/warehouse/replay.duckdb`,
    the final data dir `work/day-<last day>`)."""
    import os

    from ingestion.emulator.faults import Fault
    from ingestion.emulator.server import Emulator
    from ingestion.synthetic.compose import generate
    from tests.utils import fingerprints

    env = env or dict(os.environ)
    started = time.monotonic()
    chance = random.Random(seed)
    days = [first_day + dt.timedelta(days=i) for i in range(runs)]
    full = generate(work / "full", seed=42, end=days[-1])
    home = work / "home"
    result = SoakResult()
    stop = threading.Event()
    threads = [_Reader(home / "published" / "replay.duckdb", providers, stop, reader_pause) for _ in range(readers)]
    for thread in threads:
        thread.start()
    try:
        for i, day in enumerate(days):
            data = cut_day(full, work / f"day-{day}", day, providers)
            drawn = [] if i == len(days) - 1 else chance.sample(faults or FAULTS, k=chance.randint(1, 3))
            with Emulator(data) as emulator:
                for spec in drawn:
                    emulator.inject(Fault(path=None, kind=spec["kind"], rate=spec["rate"], times=None,
                                          prefix=spec.get("prefix")))
                begun = time.monotonic()
                run = _run(home, emulator.base_url, providers, env)
            outcome = RunOutcome(day.isoformat(), drawn, run.returncode, time.monotonic() - begun,
                                 next((line for line in run.stderr.splitlines() if line.startswith("error:")), ""))
            result.runs.append(outcome)
            if problem := _clear_ending(run):
                result.bad_run_endings.append(f"{day}: {problem}")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    result.reads = sum(t.reads for t in threads)
    result.reader_errors = [error for t in threads for error in t.errors]
    if not clean_build:
        result.seconds = time.monotonic() - started
        return result
    clean_home = work / "clean"
    with Emulator(work / f"day-{days[-1]}") as emulator:
        clean = _run(clean_home, emulator.base_url, providers, env)
    if clean.returncode == 0 and result.runs[-1].returncode == 0:
        soaked = fingerprints(home / "warehouse" / "replay.duckdb")
        reference = fingerprints(clean_home / "warehouse" / "replay.duckdb")
        result.differing_tables = sorted(t for t in soaked.keys() | reference.keys()
                                         if soaked.get(t) != reference.get(t))
        result.equals_clean_build = not result.differing_tables
    result.seconds = time.monotonic() - started
    return result

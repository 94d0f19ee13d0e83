"""Data dirs: generate sample data, record the live APIs, serve a data dir with the emulator."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from ingestion import settings
from orchestration.cli.app import (
    app,
    err,
    fail,
    out,
)


@app.command()
def sample(
    out_dir: Annotated[Path, typer.Option("--out", help="where to write the data dir")],
    seed: Annotated[int, typer.Option(help="generator seed")] = settings.DEFAULT_SAMPLE_SEED,
    end: Annotated[str | None, typer.Option(help="last date (YYYY-MM-DD), default today")] = None,
    scale: Annotated[int | None, typer.Option(min=1, max=100, help="units of data for benchmarks: 50 tickers, 20 "
                                              "FRED series, 2,000 auctions each; 10 is the full scale")] = None,
) -> None:
    """Generate deterministic synthetic data in the emulator's data-dir layout."""
    from ingestion.synthetic.compose import generate

    try:
        end_date = dt.date.fromisoformat(end) if end else None
    except ValueError:
        raise fail(f"--end {end!r} is not a date (YYYY-MM-DD)") from None
    try:
        generate(out_dir, seed, end_date, scale)
    except OSError as exc:
        raise fail(f"cannot write sample data to {out_dir}: {exc.strerror}") from None
    out.print(f"sample data (seed {seed}{f', scale {scale}' if scale else ''}) written to {out_dir}")
    if scale:
        env_file = out_dir / "faultlines.env"
        out.print(f"load it with the settings in {env_file}:\n  env $(cat {env_file}) FRED_API_KEY=any "
                  f"faultlines run --mode replay --data-dir {out_dir}")


@app.command()
def record(
    out_dir: Annotated[Path, typer.Option("--out", help="the data dir to write (emulator layout)")],
    from_base_url: Annotated[str | None, typer.Option(help="record from this emulator, not the live APIs")] = None,
) -> None:
    """Fetch every source once, from scratch, and save the answers as a data dir that replay mode rebuilds from."""
    from ingestion.emulator.record import record as record_data_dir
    from ingestion.endpoints import EMULATOR_REQUESTS_PER_SECOND, LIVE_URLS, probe_emulator
    from ingestion.http import SourceError

    if from_base_url:
        if reason := probe_emulator(from_base_url):
            raise fail(reason)
        upstreams = {name: from_base_url.rstrip("/") for name in (*LIVE_URLS, "treasury_host")}
        rate, label = EMULATOR_REQUESTS_PER_SECOND, from_base_url
    else:
        upstreams = {**LIVE_URLS, "treasury_host": LIVE_URLS["treasury"].split("/services/")[0]}
        rate, label = None, "live"
    if out_dir.exists() and any(out_dir.iterdir()):
        raise fail(f"{out_dir} is not empty: record into a new folder")
    with err.status(f"recording from {label}…"):
        try:
            files = record_data_dir(out_dir, upstreams, rate, label)
        except SourceError as exc:
            raise fail(str(exc), 1) from None
    out.print(f"recorded {len(files)} files from {label} into {out_dir}")
    out.print(f"rebuild from them: faultlines run --mode replay --data-dir {out_dir}")


@app.command()
def emulator(
    data_dir: Annotated[Path, typer.Option(help="data dir in the emulator layout (see ingestion/emulator/README.md)")],
    port: Annotated[int, typer.Option(help="port on 127.0.0.1 (0 = any free port)")] = 0,
    fault: Annotated[list[str] | None, typer.Option(
        help="misbehave like the real APIs: KIND[:RATE], repeatable. Kinds: 429, 500, 503, timeout, reset, "
             "truncated, html_200, interstitial, new_column, changed_type, duplicate_rows, revised_values, "
             "empty_page; RATE is the share of requests hit (default 1)")] = None,
) -> None:
    """Serve a data dir with the public APIs' URLs on 127.0.0.1 until interrupted."""
    from ingestion.emulator.faults import Fault, FaultSpecError
    from ingestion.emulator.server import Emulator, EmulatorError

    try:
        faults = [Fault.parse(spec) for spec in fault or []]
        server = Emulator(data_dir, port)
    except (EmulatorError, FaultSpecError) as exc:
        raise fail(str(exc)) from None
    for injected in faults:
        server.inject(injected)
        out.print(f"injecting {injected.kind} into {injected.rate:.0%} of requests")
    out.print(f"emulator serving {server.data_dir} on {server.base_url} (Ctrl-C to stop)", soft_wrap=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass

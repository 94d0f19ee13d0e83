"""Helpers the tests share: load one provider as the product does, and read the sample data as written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dlt

from ingestion.pipeline import make_pipeline


def load(provider: str, warehouse: Path, source) -> dlt.Pipeline:  # noqa: ANN001 (any provider's dlt source)
    """Run one provider's dlt source into ``warehouse`` through the product's pipeline; a failed job fails the test."""
    pipeline = make_pipeline(provider, warehouse)
    pipeline.run(source).raise_on_failed_jobs()
    return pipeline


def fred_csv(data_dir: Path, series_id: str) -> dict[dt.date, float | None]:
    """A series of a data dir as the fredgraph CSV holds it (``observation_date,<ID>``); ``.`` or empty: missing."""
    lines = (data_dir / "fred" / f"{series_id}.csv").read_text().splitlines()[1:]
    return {dt.date.fromisoformat(day): None if value in (".", "") else float(value)
            for day, value in (line.split(",") for line in lines)}

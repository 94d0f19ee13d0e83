"""The provenance report of a real data dir (``MANIFEST.json``'s ``provenance``): per dataset the real files
used, the real and sample-filled date ranges, unit factors and notes; the files deliberately not used."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class DatasetReport:
    """One dataset of the data dir that holds real data."""

    files: list[str] = field(default_factory=list)  # real files used, relative to the real dir
    real: list[list[str]] = field(default_factory=list)  # [first, last] date ranges that are real
    sample_fill: list[list[str]] = field(default_factory=list)  # [first, last] date ranges taken from the sample
    unit_factors: dict[str, str] = field(default_factory=dict)  # real file → what its values were multiplied by
    notes: list[str] = field(default_factory=list)


@dataclass
class RealDataDir:
    out: Path
    end: dt.date
    seed: int
    datasets: dict[str, DatasetReport] = field(default_factory=dict)
    synthetic: list[str] = field(default_factory=list)  # datasets that are sample data only
    used: dict[str, list[str]] = field(default_factory=dict)  # real file → datasets it went into
    unused: dict[str, str] = field(default_factory=dict)  # real file → why it is deliberately not used
    notes: list[str] = field(default_factory=list)

    def dataset(self, name: str) -> DatasetReport:
        return self.datasets.setdefault(name, DatasetReport())

    def use(self, rel: str, dataset: str) -> None:
        if dataset not in self.used.setdefault(rel, []):
            self.used[rel].append(dataset)
        if rel not in self.dataset(dataset).files:
            self.dataset(dataset).files.append(rel)

    def as_dict(self) -> dict:
        return {"end": self.end.isoformat(), "seed": self.seed,
                "datasets": {k: asdict(v) for k, v in sorted(self.datasets.items())},
                "synthetic": sorted(self.synthetic), "used": dict(sorted(self.used.items())),
                "unused": dict(sorted(self.unused.items())), "notes": self.notes}


def _ranges(days: list[dt.date], all_days: list[dt.date]) -> list[list[str]]:
    """Runs of ``days`` that are consecutive within ``all_days`` (the merged series), as [first, last]."""
    chosen, runs, start, previous = set(days), [], None, None
    for day in all_days:
        if day in chosen:
            start = start or day
            previous = day
        elif start:
            runs.append([start.isoformat(), previous.isoformat()])
            start = None
    if start:
        runs.append([start.isoformat(), previous.isoformat()])
    return runs

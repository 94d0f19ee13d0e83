"""An emulator data dir built from every real published file in ``../shared/reference/real`` plus sample fill.

``build_real_data_dir(real_dir, out)`` generates the sample data dir up to the latest date in any real file,
then replaces datasets (one FRED series, one Treasury endpoint, one NY Fed file, one ticker's prices) with the
real data, so ``faultlines run --mode replay --data-dir out`` builds the warehouse from real numbers through the
same ingestion code as live mode. Files are recognised by their format (header line, JSON shape), never by
folder name; a file in no known format is an error that says to add a reader (``inventory.py``).

Fill policy (dbt reconciles pairs of independent sources: a real value must never sit opposite a synthetic one):
- FRED: every real file of a series merged (the newer vintage wins on a date), in the unit FRED publishes today
  (``ingestion.sources.fred.CATALOG``); the sample fills the days outside the real coverage (tails, and gaps
  longer than the series' frequency). WDTGAL is paired with the DTS TGA: real from the real DTS's first day on.
- Treasury: the DTS cash balance is sample before the first real day, real after; auctions, the MSPD, debt to
  the penny and DTS public debt transactions are real only (each is reconciled against another real one).
- NY Fed: the real reference-rate days replace the sample's; the rest is sample.
- Prices: a ticker with real files gets a chart file of real bars only (no sample after the last real day).
Nothing from the real folder is ever committed: this package reads it at test time.

Modules: ``report`` (the provenance report), ``inventory`` (reading every file), one per source that
replaces sample datasets (``fred``, ``treasury``, ``nyfed``, ``prices``); here the data dir itself.
"""

from __future__ import annotations

import json
from pathlib import Path

from ingestion.synthetic import compose
from tests.real.datadir.fred import _ddp_series, _fred, merge_series
from tests.real.datadir.inventory import Inventory, SeriesFile, UnrecognisedFile, read_inventory
from tests.real.datadir.nyfed import _nyfed
from tests.real.datadir.prices import PriceHistory, _prices, chart_payload, nvda_chart, price_history
from tests.real.datadir.report import DatasetReport, RealDataDir
from tests.real.datadir.treasury import _treasury

__all__ = [
    "DatasetReport", "Inventory", "PriceHistory", "RealDataDir", "SeriesFile", "UnrecognisedFile",
    "build_real_data_dir", "chart_payload", "merge_series", "nvda_chart", "price_history", "read_inventory",
]

SOURCE = "real reference files + sample fill"


def _synthetic(out: Path, report: RealDataDir) -> list[str]:
    names = set()
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        parts = path.relative_to(out).parts
        if parts[0] == "fred" and len(parts) == 2 and path.suffix == ".csv":
            names.add(f"fred/{path.stem}")
        elif parts[0] == "treasury":
            names.add("treasury/" + path.stem.replace("__", "/"))
        elif parts[0] == "nyfed":
            names.add(f"nyfed/rates/{parts[2]}/{path.stem}" if parts[1] == "rates" else f"nyfed/{parts[1]}")
        elif parts[0] == "prices":
            names.add(f"prices/{path.stem}")
        elif parts[0] == "sec":
            names.add("sec")
    return sorted(names - set(report.datasets))


def build_real_data_dir(real_dir: Path, out: Path, seed: int = 42) -> RealDataDir:
    """Write a complete emulator data dir into ``out`` from every real file under ``real_dir`` plus sample fill.

    The end date is the latest date in any real file; the sample is generated up to it first, then datasets
    are replaced or merged with real data (module docstring: the fill policy). Writes ``out/MANIFEST.json``
    with the provenance and returns the same report."""
    real_dir, out = Path(real_dir), Path(out)
    inventory = read_inventory(real_dir)
    end = inventory.last_date()
    compose.generate(out, seed, end)
    report = RealDataDir(out, end, seed)
    _ddp_series(inventory, report)
    windows = _treasury(inventory, out, report)
    _fred(inventory, out, report, windows)
    _nyfed(inventory, out, report)
    _prices(inventory, out, report)
    report.notes.append("fred/WSHOBL stays the sample's: it is reconciled against the NY Fed SOMA holdings by "
                        "CUSIP, which have no real file (the real H.4.1 bills column is deliberately not used)")
    report.notes.append("real FRED series sit beside sample NY Fed data (reference rates outside the real days, "
                        "SOMA, reverse repo operations): no real file exists for those")
    report.unused = {rel: why for rel, why in inventory.unused.items() if rel not in report.used}
    missing = [rel for rel in inventory.files if rel not in report.used and rel not in report.unused]
    if missing:
        raise RuntimeError(f"files read but neither used nor listed as unused: {missing}")
    report.synthetic = _synthetic(out, report)
    manifest = {"generator_version": compose.GENERATOR_VERSION, "seed": seed, "end": end.isoformat(),
                "synthetic": False, "source": SOURCE, "provenance": report.as_dict()}
    (out / compose.MANIFEST).write_text(json.dumps(manifest, indent=1))
    return report

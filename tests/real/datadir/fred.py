"""FRED: Fed DDP columns verified against FRED series, every real file of a series merged in the catalog's
unit, the sample filling the days outside the real coverage."""

from __future__ import annotations

import bisect
import datetime as dt
import json
import statistics
from decimal import Decimal
from pathlib import Path

from ingestion.sources.fred import CATALOG
from tests.real import formats
from tests.real.datadir.inventory import Inventory, SeriesFile
from tests.real.datadir.report import RealDataDir, _ranges

# Fed DDP columns mapped to FRED series: each is checked against the FRED files of the series on the overlap
# (after the unit conversion) with this relative tolerance. RESPPLLDT is the Wednesday-level TGA and equals FRED
# WDTGAL exactly; B1151NCBA is the H.8 total assets of commercial banks, a different (earlier) vintage than the
# FRED download, so benchmark revisions of up to ~0.5% separate them.
DDP_TO_FRED = {"RESPPLLDT_N.WW": ("WDTGAL", 0.0), "B1151NCBA": ("TLAACBW027SBOG", 0.01)}
# Series a DDP column is mapped to only when some column equals it exactly on the overlap.
DDP_SCAN_EXACT = ("WALCL",)
DDP_NOT_MAPPED = {
    "RESPPALGUOB_N.WW": "bills held outright (the WSHOBL equivalent) is not used: WSHOBL is reconciled against the "
                        "NY Fed SOMA holdings by CUSIP, which have no real file, so WSHOBL stays the sample's "
                        "(derived from the sample SOMA)",
}
# Series reconciled against another provider's dataset: real only inside that dataset's real range.
PAIRED = {"WDTGAL": "treasury/v1/accounting/dts/operating_cash_balance"}
# The longest normal spacing of a series' dates; a longer stretch between real dates is a gap the sample fills.
STEP_DAYS = {"Daily": 4, "Daily, 7-Day": 1, "Weekly": 7, "Monthly": 31, "Quarterly": 92}


def _catalog_multiplier(units: str) -> Decimal | None:
    lowered = units.lower()
    if "millions" in lowered:
        return Decimal(10) ** 6
    if "billions" in lowered:
        return Decimal(10) ** 9
    return None


def _median_ratio(a: dict[dt.date, Decimal | None], b: dict[dt.date, Decimal | None]) -> tuple[float, int]:
    ratios = [float(a[d] / b[d]) for d in a.keys() & b.keys() if a[d] and b[d]]
    return (statistics.median(ratios), len(ratios)) if ratios else (0.0, 0)


def _agrees(converted: dict[dt.date, Decimal | None], files: list[SeriesFile], tolerance: float) -> int | None:
    """How many overlapping dates ``converted`` shares with ``files`` if it agrees with all of them within
    ``tolerance`` (relative), else None; 0 when there is no overlap."""
    points = 0
    for f in files:
        for day in converted.keys() & f.rows.keys():
            a, b = converted[day], f.rows[day]
            if a is None or b is None:
                continue
            if abs(float(a - b)) > tolerance * abs(float(b)):
                return None
            points += 1
    return points


def _ddp_series(inventory: Inventory, report: RealDataDir) -> None:
    """DDP columns verified to be a FRED series become files of that series; the rest are noted as not used.

    The FRED files compared against are the series' own downloads, taken to be in today's unit: a mapped column
    that disagrees raises (the mapping or that assumption is wrong), it is never used unverified."""
    for rel, columns, vintage in inventory.ddp:
        mapped = []
        for code, column in columns.items():
            if code in DDP_NOT_MAPPED:
                continue
            targets = [DDP_TO_FRED[code]] if code in DDP_TO_FRED else [(s, 0.0) for s in DDP_SCAN_EXACT]
            for series_id, tolerance in targets:
                wanted = _catalog_multiplier(CATALOG[series_id].units) if series_id in CATALOG else None
                downloads = [f for f in inventory.fred.get(series_id, []) if f.factor is None]
                if wanted is None or not downloads:
                    continue
                factor = column.multiplier / wanted
                converted = {d: None if v is None else v * factor for d, v in column.rows.items()}
                points = _agrees(converted, downloads, tolerance)
                if code in DDP_TO_FRED and not points:
                    raise ValueError(f"{rel}: {code} " + ("does not overlap" if points == 0 else
                                     f"does not agree within {tolerance:.0%} with") +
                                     f" the FRED files of {series_id}; check DDP_TO_FRED in tests/real/datadir/fred.py")
                if not points or points < 8:
                    continue
                inventory.fred[series_id].append(
                    SeriesFile(rel, series_id, column.rows, vintage, factor, f"Fed DDP column {code}"))
                how = "equal" if tolerance == 0 else f"within {tolerance:.0%} (another vintage)"
                mapped.append((code, series_id, f"{code} → {series_id} (×{formats.plain(factor)}, {how} on "
                                                f"{points} overlapping dates)"))
        if not mapped:
            inventory.unused[rel] = "no column of it is verified equal to a FRED series in the catalog"
            continue
        notes = [m for _, _, m in mapped]
        notes += [f"no column equals {s} exactly on the overlap: none mapped to it" for s in DDP_SCAN_EXACT
                  if not any(t == s for _, t, _ in mapped) and inventory.fred.get(s)
                  and any(c.rows.keys() & f.rows.keys() for c in columns.values() for f in inventory.fred[s])]
        notes += [f"{code} not mapped: {why}" for code, why in DDP_NOT_MAPPED.items() if code in columns]
        report.notes.append(f"{rel}: {len(mapped)} of {len(columns)} columns used: " + "; ".join(notes))


def _unit_factors(series_id: str, files: list[SeriesFile], sample_rows: dict) -> list[str]:
    """Sets each file's unit factor to reach the catalog's unit; returns how each was found.

    Known factors (a DDP multiplier) stand. Otherwise, newest vintage first: the ratio on overlapping dates
    with a file already resolved (≈1000: the old WRESBAL download is in billions, today's FRED in millions), or,
    without overlap, the level against the sample (which follows the catalog's unit)."""
    methods = []
    if _catalog_multiplier(CATALOG[series_id].units) is None:  # percent: never re-based
        for f in files:
            f.factor = f.factor or Decimal(1)
        return methods
    resolved = [f for f in files if f.factor is not None]
    for f in sorted((f for f in files if f.factor is None), key=lambda f: f.vintage, reverse=True):
        for other in sorted(resolved, key=lambda o: o.vintage, reverse=True):
            converted = {d: None if v is None else v * other.factor for d, v in other.rows.items()}
            ratio, points = _median_ratio(converted, f.rows)
            if points:
                f.factor = formats.power_of_thousand(ratio, 0.02)
                methods.append(f"{f.rel}: ×{formats.plain(f.factor)} (ratio {ratio:.6g} to {other.rel} on "
                               f"{points} dates)")
                break
        else:
            ratio, points = _median_ratio(sample_rows, f.rows)
            if not points:
                raise ValueError(f"{series_id}: {f.rel} overlaps neither another file nor the sample: its unit "
                                 "cannot be checked")
            f.factor = formats.power_of_thousand(ratio, 10)
            methods.append(f"{f.rel}: ×{formats.plain(f.factor)} (level vs the sample, ratio {ratio:.3g})")
        resolved.append(f)
    return methods


def merge_series(series_id: str, files: list[SeriesFile], sample_rows: dict[dt.date, Decimal | None],
                 window: tuple[dt.date, dt.date] | None = None,
                 ) -> tuple[dict[dt.date, Decimal | None], dict[str, int], set[dt.date]]:
    """Real files merged (newer vintage wins), converted to the catalog unit, filled from the sample.

    Returns the rows, how many dates each file supplied, and the real dates. With a ``window`` (a paired
    series) real values are kept only inside it, and the sample only outside it."""
    real: dict[dt.date, Decimal | None] = {}
    origin: dict[dt.date, str] = {}
    for f in sorted(files, key=lambda f: f.vintage):
        for day, value in f.rows.items():
            if window and not window[0] <= day <= window[1]:
                continue
            real[day] = None if value is None else value * f.factor
            origin[day] = f.rel
    frequency = CATALOG[series_id].frequency
    step = next((days for prefix, days in sorted(STEP_DAYS.items(), key=lambda kv: -len(kv[0]))
                 if frequency.startswith(prefix)), 7)
    real_days = sorted(real)
    merged = dict(real)
    for day, value in sample_rows.items():
        if day in real:
            continue
        if window:
            if not window[0] <= day <= window[1]:
                merged[day] = value
            continue
        if not real_days or day < real_days[0] or day > real_days[-1]:
            merged[day] = value
            continue
        # Inside the real coverage: only a gap longer than the series' spacing is filled.
        i = bisect.bisect_left(real_days, day)
        if (real_days[i] - real_days[i - 1]).days > step:
            merged[day] = value
    counts: dict[str, int] = {}
    for rel in origin.values():
        counts[rel] = counts.get(rel, 0) + 1
    return merged, counts, set(real)


def _fred(inventory: Inventory, out: Path, report: RealDataDir, windows: dict[str, tuple[dt.date, dt.date] | None]
          ) -> None:
    fred_dir = out / "fred"
    for series_id, files in sorted(inventory.fred.items()):
        if series_id not in CATALOG:
            for f in files:
                inventory.unused[f.rel] = f"FRED series {series_id} is not in ingestion.sources.fred.CATALOG"
            continue
        name = f"fred/{series_id}"
        _, sample_rows = formats.fredgraph(formats.decode((fred_dir / f"{series_id}.csv").read_bytes()))
        methods = _unit_factors(series_id, files, sample_rows)
        window = None
        if series_id in PAIRED:
            window = windows.get(PAIRED[series_id])
            if window is None:
                for f in files:
                    inventory.unused[f.rel] = (f"{series_id} is reconciled against {PAIRED[series_id]}, which has "
                                               "no real file: the sample's stays")
                continue
            # Real from the paired dataset's first real day on (after its last day nothing pairs with it, and
            # the real value is the better one); the sample's only before, where the pair is sample too.
            window = (window[0], dt.date.max)
        merged, counts, real_days = merge_series(series_id, files, sample_rows, window)
        for f in files:
            if counts.get(f.rel):
                report.use(f.rel, name)
            elif f.rel not in report.used:
                inventory.unused.setdefault(f.rel, f"every date of it is superseded by a newer vintage of "
                                                   f"{series_id}" + (" or outside the paired window" if window else ""))
        if not counts:
            continue
        entry = report.dataset(name)
        all_days = sorted(merged)
        entry.real = _ranges(sorted(real_days), all_days)
        entry.sample_fill = _ranges([d for d in all_days if d not in real_days], all_days)
        entry.unit_factors = {f.rel: formats.plain(f.factor) for f in files if counts.get(f.rel)}
        entry.notes += [f"unit {CATALOG[series_id].units}: " + m for m in methods]
        entry.notes += [f"unit {CATALOG[series_id].units}: {f.rel}: ×{formats.plain(f.factor)} ({f.label}, by its "
                        "multiplier)" for f in files if f.label.startswith("Fed DDP") and counts.get(f.rel)]
        entry.notes += [f"{rel}: {n} dates used" for rel, n in counts.items()]
        if window:
            entry.notes.append(f"paired with {PAIRED[series_id]}: real from its first real day {window[0]}, "
                               "the sample's before it")
        (fred_dir / f"{series_id}.csv").write_text(formats.fredgraph_text(series_id, merged))
        info_path = fred_dir / "series" / f"{series_id}.json"
        info = json.loads(info_path.read_text()) if info_path.is_file() else {"id": series_id}
        info["notes"] = (f"faultlines real data dir: real values {entry.real} from {sorted(counts)}; "
                         f"synthetic sample values {entry.sample_fill}.")
        info_path.write_text(json.dumps(info, indent=1))
        vintages = fred_dir / "vintages" / f"{series_id}.json"
        if vintages.exists():
            vintages.unlink()
            entry.notes.append("sample vintages (fred/vintages) deleted: they would contradict the real values")

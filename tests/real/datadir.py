"""An emulator data dir built from every real published file in ``../shared/reference/real`` plus sample fill.

``build_real_data_dir(real_dir, out)`` generates the sample data dir up to the latest date in any real file,
then replaces datasets (one FRED series, one Treasury endpoint, one NY Fed file, one ticker's prices) with the
real data, so ``faultlines run --mode replay --data-dir out`` builds the warehouse from real numbers through the
same ingestion code as live mode. Files are recognised by their format (header line, JSON shape), never by
folder name; a file in no known format is an error that says to add a reader here.

Fill policy (dbt reconciles pairs of independent sources: a real value must never sit opposite a synthetic one):
- FRED: every real file of a series merged (the newer vintage wins on a date), in the unit FRED publishes today
  (``ingestion.sources.fred.CATALOG``); the sample fills the days outside the real coverage (tails, and gaps
  longer than the series' frequency). WDTGAL is paired with the DTS TGA: real from the real DTS's first day on.
- Treasury: the DTS cash balance is sample before the first real day, real after; auctions, the MSPD, debt to
  the penny and DTS public debt transactions are real only (each is reconciled against another real one).
- NY Fed: the real reference-rate days replace the sample's; the rest is sample.
- Prices: a ticker with real files gets a chart file of real bars only (no sample after the last real day).
Nothing from the real folder is ever committed: this module reads it at test time.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import statistics
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from ingestion.sources.fred import CATALOG
from ingestion.synthetic import compose
from ingestion.synthetic.equities import SPLITS
from ingestion.synthetic.treasury import _envelope
from ingestion.universe import load_universe
from tests.real import formats
from tests.real.formats import Bar, DdpColumn

SKIPPED_NAMES = ("README.md", "SOURCE.md")
SOURCE = "real reference files + sample fill"
NEW_YORK = ZoneInfo("America/New_York")

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
NYFED_GROUPS = {"sofr": "secured", "bgcr": "secured", "tgcr": "secured", "effr": "unsecured", "obfr": "unsecured"}
TREASURY = {
    "auctions": "v1/accounting/od/auctions_query",
    "dts_cash": "v1/accounting/dts/operating_cash_balance",
    "dts_debt": "v1/accounting/dts/public_debt_transactions",
    "mspd": "v1/debt/mspd/mspd_table_1",
    "penny": "v2/accounting/od/debt_to_penny",
}
TREASURY_DATE = {"auctions": "auction_date"}


class UnrecognisedFile(ValueError):
    """A real file in no format this module reads."""


# --- the report ---------------------------------------------------------------------------------------

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


# --- reading every file -------------------------------------------------------------------------------

@dataclass
class SeriesFile:
    rel: str
    series_id: str
    rows: dict[dt.date, Decimal | None]
    vintage: dt.date  # when it was downloaded (SOURCE.md's commit date), else its last date
    factor: Decimal | None = None  # known unit conversion (a DDP multiplier), else found by ratio
    label: str = ""


@dataclass
class Inventory:
    files: list[str] = field(default_factory=list)
    fred: dict[str, list[SeriesFile]] = field(default_factory=dict)
    ddp: list[tuple[str, dict[str, DdpColumn], dt.date]] = field(default_factory=list)
    treasury: dict[str, list[tuple[str, list[dict]]]] = field(default_factory=dict)
    rates: list[tuple[str, dict[str, list[dict]]]] = field(default_factory=list)
    yahoo: dict[str, list[tuple[str, list[Bar]]]] = field(default_factory=dict)
    raw_bars: dict[str, list[tuple[str, list[Bar]]]] = field(default_factory=dict)
    unused: dict[str, str] = field(default_factory=dict)

    def last_date(self) -> dt.date:
        days: list[dt.date] = []
        for files in self.fred.values():
            days += [max(f.rows) for f in files if f.rows]
        days += [max(c.rows) for _, columns, _ in self.ddp for c in columns.values() if c.rows]
        for kind, files in self.treasury.items():
            key = TREASURY_DATE.get(kind, "record_date")
            days += [dt.date.fromisoformat(max(r[key] for r in rows)) for _, rows in files if rows]
        days += [dt.date.fromisoformat(r["effectiveDate"]) for _, by_type in self.rates
                 for rows in by_type.values() for r in rows]
        for files in (*self.yahoo.values(), *self.raw_bars.values()):
            days += [max(b.day for b in bars) for _, bars in files if bars]
        return max(days)


def _source_md(path: Path) -> str:
    source = path.parent / "SOURCE.md"
    return source.read_text() if source.is_file() else ""


def _vintage(path: Path, rows: Iterable[dt.date]) -> dt.date:
    """When the file was downloaded: the commit date SOURCE.md gives for it, else its last observation."""
    return formats.source_md_dates(_source_md(path)).get(path.name) or max(rows, default=dt.date.min)


def _read_json(inventory: Inventory, path: Path, rel: str, payload: object) -> None:
    if formats.is_nyfed_rates(payload):
        inventory.rates.append((rel, formats.nyfed_rates(payload)))
    elif formats.is_alpaca_bars(payload):
        for ticker, bars in formats.alpaca_bars(payload).items():
            inventory.raw_bars.setdefault(ticker, []).append((rel, bars))
    elif formats.is_pandas_series(payload):
        series_id = formats.source_md_series_ids(_source_md(path)).get(path.name)
        if series_id is None:
            raise UnrecognisedFile(f"{path}: a pandas Series JSON dump, but its SOURCE.md does not name its FRED "
                                   f'series (write `"<ID>"` -> {path.name} there)')
        rows = formats.pandas_series(payload)
        if not rows:
            inventory.unused[rel] = "empty JSON object (a failed fetch): no observations"
            return
        inventory.fred.setdefault(series_id, []).append(
            SeriesFile(rel, series_id, rows, _vintage(path, rows), label="pandas JSON"))
    else:
        shape = f"keys {sorted(payload)[:5]}" if isinstance(payload, dict) else type(payload).__name__
        raise UnrecognisedFile(f"{path}: JSON in no known shape ({shape}); add a reader to tests/real/datadir.py")


TEXT_READERS: list[tuple[Callable[[str], bool], str, Callable[[str], list[dict]]]] = [
    (formats.is_treasurydirect_auctions, "auctions", formats.treasurydirect_auctions),
    (lambda t: formats.first_line(t).startswith(formats.DTS_CASH_HEADER), "dts_cash", formats.dts_operating_cash),
    (lambda t: formats.first_line(t).startswith(formats.DTS_DEBT_HEADER), "dts_debt", formats.dts_public_debt),
    (lambda t: formats.first_line(t).startswith(formats.MSPD_HEADER), "mspd", formats.mspd_table_1),
    (lambda t: formats.first_line(t).startswith(formats.PENNY_HEADER), "penny", formats.debt_to_penny),
]


def _read_text(inventory: Inventory, path: Path, rel: str, text: str) -> None:
    if formats.is_fredgraph(text):
        series_id, rows = formats.fredgraph(text)
        inventory.fred.setdefault(series_id, []).append(
            SeriesFile(rel, series_id, rows, _vintage(path, rows), label="fredgraph CSV"))
        return
    if formats.is_ddp(text):
        columns = formats.ddp(text)
        last = max((max(c.rows) for c in columns.values() if c.rows), default=dt.date.min)
        inventory.ddp.append((rel, columns, formats.source_md_dates(_source_md(path)).get(path.name) or last))
        return
    if formats.is_yahoo_csv(text):
        # A Yahoo CSV does not name its ticker: the file does (NVDA.csv).
        inventory.yahoo.setdefault(path.stem.upper(), []).append((rel, formats.yahoo_csv(text)))
        return
    for sniff, kind, reader in TEXT_READERS:
        if sniff(text):
            inventory.treasury.setdefault(kind, []).append((rel, reader(text)))
            return
    raise UnrecognisedFile(f"{path}: format not recognised (first line {formats.first_line(text)[:80]!r}); "
                           "add a reader to tests/real/datadir.py")


def read_inventory(real_dir: Path) -> Inventory:
    """Every file under ``real_dir`` (except README.md/SOURCE.md), recognised by its content and parsed."""
    inventory = Inventory()
    for path in sorted(p for p in real_dir.rglob("*") if p.is_file()):
        if path.name in SKIPPED_NAMES:
            continue
        rel = path.relative_to(real_dir).as_posix()
        inventory.files.append(rel)
        text = formats.decode(path.read_bytes())
        if text.lstrip().startswith(("{", "[")):
            try:
                payload = json.loads(text)
            except json.JSONDecodeError as exc:
                raise UnrecognisedFile(f"{path}: looks like JSON but does not parse ({exc}); "
                                       "add a reader to tests/real/datadir.py") from exc
            _read_json(inventory, path, rel, payload)
        else:
            _read_text(inventory, path, rel, text)
    return inventory


# --- FRED ---------------------------------------------------------------------------------------------

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
                                     f" the FRED files of {series_id}; check DDP_TO_FRED in tests/real/datadir.py")
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


# --- Treasury -----------------------------------------------------------------------------------------

def _merged_rows(files: list[tuple[str, list[dict]]]) -> list[dict]:
    """Rows of one endpoint from several files: a row repeated in a later file (by its date and label fields)
    replaces the earlier one."""
    by_key: dict[tuple, dict] = {}
    for _, rows in sorted(files, key=lambda f: max((r.get("record_date", "") for r in f[1]), default="")):
        for row in rows:
            by_key[tuple(v for k, v in row.items() if not k.endswith(("_amt", "_bal", "_tendered", "_accepted")))] \
                = row
    return list(by_key.values())


def _write_treasury(out: Path, endpoint: str, rows: list[dict]) -> None:
    path = out / "treasury" / f"{endpoint.replace('/', '__')}.json"
    path.write_text(json.dumps(_envelope(rows), separators=(",", ":")))


def _sample_rows(out: Path, endpoint: str) -> list[dict]:
    path = out / "treasury" / f"{endpoint.replace('/', '__')}.json"
    return json.loads(path.read_text())["data"] if path.is_file() else []


def _treasury(inventory: Inventory, out: Path, report: RealDataDir) -> dict[str, tuple[dt.date, dt.date] | None]:
    windows: dict[str, tuple[dt.date, dt.date] | None] = {}
    for kind, endpoint in TREASURY.items():
        files = inventory.treasury.get(kind, [])
        if not files:
            continue
        name = f"treasury/{endpoint}"
        date_field = TREASURY_DATE.get(kind, "record_date")
        rows = sorted(_merged_rows(files), key=lambda r: r[date_field])
        first, last = rows[0][date_field], rows[-1][date_field]
        windows[name] = (dt.date.fromisoformat(first), dt.date.fromisoformat(last))
        entry = report.dataset(name)
        for rel, _ in files:
            report.use(rel, name)
        entry.real = [[first, last]]
        fill = []
        # The DTS cash balance: sample before the first real day (WDTGAL switches to real on the same day), none
        # after the last. Auctions: real only, since the MSPD they are reconciled against is real back to 2001.
        if kind == "dts_cash":
            fill = sorted((r for r in _sample_rows(out, endpoint) if r[date_field] < first),
                          key=lambda r: r[date_field])
            if fill:
                entry.sample_fill = [[fill[0][date_field], fill[-1][date_field]]]
        if kind == "auctions":
            bills = sum(r["security_type"] == "Bill" for r in rows)
            entry.notes.append(f"{len(rows)} real auctions ({bills} bills): the export holds only some of the "
                               "period's auctions (e.g. not every weekly bill auction); real rows only")
            entry.notes.append("tendered amounts Excel-mangled in the export (like 1,23456E+11) are parsed to the "
                               "integer they denote: precision was lost in the export")
        if kind == "dts_cash":
            entry.notes.append("close_today_bal of old-generation TGA rows (until 2022-04-15) is the next business "
                               "day's opening balance (the export has no closing column)")
        if kind in ("mspd", "penny", "dts_debt"):
            entry.notes.append("real rows only (no sample fill)")
        _write_treasury(out, endpoint, fill + rows)
    return windows


# --- NY Fed -------------------------------------------------------------------------------------------

def _nyfed(inventory: Inventory, out: Path, report: RealDataDir) -> None:
    for rel, by_type in inventory.rates:
        for rate_type, rows in by_type.items():
            group = NYFED_GROUPS.get(rate_type)
            if group is None:
                inventory.unused[rel] = f"rate type {rate_type} is not one the emulator serves"
                continue
            name = f"nyfed/rates/{group}/{rate_type}"
            path = out / "nyfed" / "rates" / group / f"{rate_type}.json"
            existing = json.loads(path.read_text())["refRates"] if path.is_file() else []
            real = {r["effectiveDate"]: r for r in rows}
            merged = {r["effectiveDate"]: r for r in existing}
            merged.update(real)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"refRates": [merged[d] for d in sorted(merged, reverse=True)]},
                                       separators=(",", ":")))
            report.use(rel, name)
            entry = report.dataset(name)
            days = sorted(merged)
            entry.real = _ranges([dt.date.fromisoformat(d) for d in real],
                                 [dt.date.fromisoformat(d) for d in days])
            entry.sample_fill = _ranges([dt.date.fromisoformat(d) for d in days if d not in real],
                                        [dt.date.fromisoformat(d) for d in days])
            entry.notes.append(f"{len(real)} real days replace the sample's rows; file kept newest first")


# --- prices -------------------------------------------------------------------------------------------

@dataclass
class PriceHistory:
    bars: dict[dt.date, Bar]
    splits: dict[dt.date, int]
    dividends: dict[dt.date, Decimal]
    used: dict[str, int]
    notes: list[str]
    vintages: list[tuple[str, list[Bar], int]]  # each Yahoo file, its bars as downloaded and its basis factor


def _scaled(bar: Bar, factor: int, adj_multiplier: Decimal = Decimal(1)) -> Bar:
    """A bar on a basis ``factor`` times finer (prices divided, volume multiplied)."""
    return Bar(bar.day, bar.open / factor, bar.high / factor, bar.low / factor, bar.close / factor,
               bar.volume * factor, None if bar.adjclose is None else bar.adjclose / factor * adj_multiplier)


def price_history(ticker: str, yahoo: list[tuple[str, list[Bar]]], raw: list[tuple[str, list[Bar]]]
                  ) -> PriceHistory:
    """One ticker's daily bars on today's share basis, from Yahoo CSVs of several vintages and raw bars.

    The newest Yahoo vintage is the reference. An older vintage is on a coarser basis by the splits since it
    was downloaded: the ratio of closes on the overlap (an integer, e.g. 10) is divided out, and its Adj Close
    is rescaled by the dividends since then (the Adj/Close ratio of both on the first shared day). Raw bars show
    a split as the close dividing by an integer; they are divided by the splits after each day and checked
    against the reference on the overlap. Splits no file shows (every file covering them is adjusted) come from
    the sample generator's list (``ingestion.synthetic.equities.SPLITS``), and a split a file shows must agree
    with it."""
    notes: list[str] = []
    vintages = sorted(yahoo, key=lambda f: max(b.day for b in f[1]), reverse=True)
    if not vintages:
        raise ValueError(f"{ticker}: raw bars alone cannot be put on a split-adjusted basis (no Yahoo CSV)")
    ref_rel, ref_bars = vintages[0]
    reference = {b.day: b for b in ref_bars}
    bars: dict[dt.date, Bar] = dict(reference)
    used = {ref_rel: len(ref_bars)}
    splits: dict[dt.date, int] = {}
    basis: list[tuple[str, list[Bar], int]] = [(ref_rel, ref_bars, 1)]
    vintage_factors: list[tuple[str, dt.date, int]] = []
    for rel, old in vintages[1:]:
        shared = sorted(d for d in (b.day for b in old) if d in reference)
        if not shared:
            raise ValueError(f"{ticker}: {rel} does not overlap {ref_rel}: its split basis cannot be checked")
        by_day = {b.day: b for b in old}
        ratio = statistics.median(float(by_day[d].close / reference[d].close) for d in shared)
        factor = round(ratio)
        if factor < 1 or abs(ratio / factor - 1) > 1e-3:
            raise ValueError(f"{ticker}: {rel} / {ref_rel} closes have ratio {ratio:.6g}, not a split ratio")
        first = shared[0]
        multiplier = (reference[first].adjclose / reference[first].close) / \
            (by_day[first].adjclose / by_day[first].close)
        basis.append((rel, old, factor))
        if factor > 1:
            last_old = max(by_day)
            vintage_factors.append((rel, last_old, factor))
            notes.append(f"{rel}: prices {factor}× the current basis (downloaded before a {factor}:1 split after "
                         f"{last_old}): divided by {factor}, volumes multiplied; Adj Close rescaled by {multiplier:.6f}"
                         " for the dividends since")
        added = 0
        for bar in old:
            if bar.day not in bars:
                bars[bar.day] = _scaled(bar, factor, multiplier)
                added += 1
        used[rel] = added
    known = {dt.date.fromisoformat(d): r for d, r in SPLITS.get(ticker, [])}
    for rel, raw_bars in raw:
        raw_bars = sorted(raw_bars, key=lambda b: b.day)
        found = {}
        for previous, bar in zip(raw_bars, raw_bars[1:], strict=False):
            if (ratio := formats.split_ratio(previous.close, bar.close)) is not None:
                found[bar.day] = ratio
        for day, ratio in found.items():
            if known and known.get(day) != ratio:
                raise ValueError(f"{ticker}: {rel} shows a {ratio}:1 split on {day}, the known splits are {known}")
            notes.append(f"{rel}: raw close divides by {ratio} on {day}: a {ratio}:1 split")
        splits.update(found)
        adjusted = []
        for bar in raw_bars:
            factor = 1
            for day, ratio in found.items():
                if day > bar.day:
                    factor *= ratio
            adjusted.append(_scaled(bar, factor))
        off = [b.day for b in adjusted if b.day in reference
               and abs(float(b.close / reference[b.day].close) - 1) > 0.01]
        if off:
            raise ValueError(f"{ticker}: {rel} adjusted for {found} differs from {ref_rel} by >1% on {off[:5]}")
        added = [b for b in adjusted if b.day not in bars]
        for bar in added:
            bars[bar.day] = bar
        used[rel] = len(added)
        if added:
            notes.append(f"{rel}: {len(added)} days after {max(reference)} only here ({added[0].day}.."
                         f"{added[-1].day}): no Adj Close known, adjclose = close")
    for rel, last_old, factor in vintage_factors:
        between = 1
        for day, ratio in splits.items():
            if last_old < day <= max(reference):
                between *= ratio
        if between != factor:
            candidates = {d: r for d, r in known.items() if last_old < d <= max(reference)}
            if candidates and all(candidates.values()) and _product(candidates.values()) == factor:
                splits.update(candidates)
                notes.append(f"{rel}: its {factor}× basis is the known split(s) {candidates}")
            else:
                raise ValueError(f"{ticker}: {rel} is on a {factor}× basis but the splits found after {last_old} "
                                 f"multiply to {between}")
        else:
            notes.append(f"{rel}: its {factor}× basis matches the split(s) found after {last_old}")
    for day, ratio in known.items():
        if day not in splits:
            splits[day] = ratio
            notes.append(f"split {ratio}:1 on {day} is in no file unadjusted (every file covering it is adjusted for "
                         "it): taken from ingestion.synthetic.equities.SPLITS")
    ordered = [bars[d] for d in sorted(bars)]
    dividends = formats.dividends_from_adjclose(ordered)
    notes.append(f"{len(dividends)} dividends recovered from the Adj Close / Close steps")
    final = {}
    for bar in ordered:
        final[bar.day] = bar if bar.adjclose is not None else Bar(bar.day, bar.open, bar.high, bar.low, bar.close,
                                                                  bar.volume, bar.close)
    return PriceHistory(final, splits, dividends, used, notes, basis)


def _product(values: Iterable[int]) -> int:
    out = 1
    for v in values:
        out *= v
    return out


def _stamp(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(9, 30), NEW_YORK).timestamp())


def chart_payload(ticker: str, bars: list[Bar], splits: dict[dt.date, int], dividends: dict[dt.date, Decimal]
                  ) -> dict:
    """A chart-API response for all history, in the layout ``ingestion.synthetic.equities.chart_payload`` writes:
    timestamps at the 09:30 New York session open, parallel arrays, adjclose, split and dividend events."""
    stamps = [_stamp(b.day) for b in bars]
    return {"chart": {"result": [{
        "meta": {"currency": "USD", "symbol": ticker, "exchangeName": "NMS", "instrumentType": "EQUITY",
                 "firstTradeDate": stamps[0], "gmtoffset": -18000, "timezone": "EST",
                 "exchangeTimezoneName": "America/New_York", "priceHint": 2, "dataGranularity": "1d"},
        "timestamp": stamps,
        "events": {"dividends": {str(_stamp(d)): {"amount": float(a), "date": _stamp(d)}
                                 for d, a in sorted(dividends.items())},
                   "splits": {str(_stamp(d)): {"date": _stamp(d), "numerator": r, "denominator": 1,
                                               "splitRatio": f"{r}:1"} for d, r in sorted(splits.items())}},
        "indicators": {"quote": [{"open": [float(b.open) for b in bars], "high": [float(b.high) for b in bars],
                                  "low": [float(b.low) for b in bars], "close": [float(b.close) for b in bars],
                                  "volume": [b.volume for b in bars]}],
                       "adjclose": [{"adjclose": [float(b.adjclose) for b in bars]}]},
    }], "error": None}}


def nvda_chart(real_dir: Path, as_of: dt.date | None = None, vintage: str = "current", ticker: str = "NVDA"
               ) -> dict:
    """The chart JSON of ``ticker`` as it looked on ``as_of``.

    ``vintage="current"``: today's file (every split applied) cut at ``as_of``, with the events up to then.
    ``vintage="presplit"``: the oldest Yahoo vintage that predates a split, as downloaded: prices on the basis
    before that split, only the splits up to ``as_of`` (for NVDA on 2024-03-08: the 2021 4:1 split, not the
    2024 10:1 one). ``as_of`` must not be after that file's last day."""
    inventory = read_inventory(real_dir)
    history = price_history(ticker, inventory.yahoo.get(ticker, []), inventory.raw_bars.get(ticker, []))
    if vintage == "current":
        cut = as_of or max(history.bars)
        bars = [b for d, b in sorted(history.bars.items()) if d <= cut]
        dividends = {d: a for d, a in history.dividends.items() if d <= cut}
        return chart_payload(ticker, bars, {d: r for d, r in history.splits.items() if d <= cut}, dividends)
    if vintage != "presplit":
        raise ValueError(f"vintage must be 'current' or 'presplit', not {vintage!r}")
    older = [(rel, bars, f) for rel, bars, f in history.vintages if f > 1]
    if not older:
        raise ValueError(f"{ticker}: no Yahoo file predates a split")
    rel, old_bars, _ = min(older, key=lambda v: max(b.day for b in v[1]))
    last = max(b.day for b in old_bars)
    cut = as_of or last
    if cut > last:
        raise ValueError(f"{ticker}: the pre-split vintage {rel} ends {last}; as_of {cut} is after it")
    bars = sorted((b for b in old_bars if b.day <= cut), key=lambda b: b.day)
    return chart_payload(ticker, bars, {d: r for d, r in history.splits.items() if d <= cut},
                         formats.dividends_from_adjclose(bars))


def _prices(inventory: Inventory, out: Path, report: RealDataDir) -> None:
    universe = {c.ticker for c in load_universe()}
    for ticker in sorted(inventory.yahoo.keys() | inventory.raw_bars.keys()):
        rels = [rel for rel, _ in (*inventory.yahoo.get(ticker, []), *inventory.raw_bars.get(ticker, []))]
        if ticker not in universe:
            for rel in rels:
                inventory.unused[rel] = f"{ticker} is not in the universe (ingestion/universe.csv)"
            continue
        history = price_history(ticker, inventory.yahoo.get(ticker, []), inventory.raw_bars.get(ticker, []))
        name = f"prices/{ticker}"
        days = sorted(history.bars)
        (out / "prices" / f"{ticker}.json").write_text(json.dumps(
            chart_payload(ticker, [history.bars[d] for d in days], history.splits, history.dividends),
            separators=(",", ":")))
        for rel in rels:
            if history.used.get(rel):
                report.use(rel, name)
            else:
                inventory.unused[rel] = f"every day of it is covered by a newer {ticker} file"
        entry = report.dataset(name)
        entry.real = [[days[0].isoformat(), days[-1].isoformat()]]
        entry.notes += history.notes + [f"{rel}: {n} days used" for rel, n in history.used.items()]
        entry.notes.append(f"no sample {ticker} bars: the chart ends on the last real day {days[-1]}")


# --- the data dir -------------------------------------------------------------------------------------

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

"""Deterministic synthetic data in the emulator's data-dir layout, shaped like the real series.

The numbers are invented; the shapes are not: H.4.1 series are dated Wednesdays, business-day rates have a row
for every weekday with federal holidays missing, 7-day series (IORB) include weekends, monthly series are dated
the 1st, quarterly GDP the first day of the quarter and published about a month after it ends, and units are
the ones FRED publishes (WALCL/WRESBAL/WTREGEN in millions, the rest in billions or percent).
Levels follow public history roughly (reserves ~$10bn in 2005, ~$3tn in 2023) so the marts look plausible,
but nothing here is real data: sample mode writes its own warehouse file for that reason.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import json
import os
import random
import shutil
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from ingestion.sources.fred import CATALOG

GENERATOR_VERSION = 8
START = dt.date(2005, 1, 1)
MANIFEST = "MANIFEST.json"


# --- calendars ----------------------------------------------------------------------------------------

def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> dt.date:
    last = dt.date(year, month + 1, 1) - dt.timedelta(days=1) if month < 12 else dt.date(year, 12, 31)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


def federal_holidays(year: int) -> set[dt.date]:
    """US federal holidays as observed (the days FRED's business-day series leave empty)."""
    mon, thu = 0, 3
    days = {
        _observed(dt.date(year, 1, 1)),
        _nth_weekday(year, 1, mon, 3),   # Martin Luther King Jr. Day
        _nth_weekday(year, 2, mon, 3),   # Washington's Birthday
        _last_weekday(year, 5, mon),     # Memorial Day
        _observed(dt.date(year, 7, 4)),
        _nth_weekday(year, 9, mon, 1),   # Labor Day
        _nth_weekday(year, 10, mon, 2),  # Columbus Day
        _observed(dt.date(year, 11, 11)),
        _nth_weekday(year, 11, thu, 4),  # Thanksgiving
        _observed(dt.date(year, 12, 25)),
    }
    if year >= 2021:
        days.add(_observed(dt.date(year, 6, 19)))  # Juneteenth
    return days


def days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def weekdays(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    return (d for d in days(start, end) if d.weekday() < 5)


def wednesdays(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    return (d for d in days(start, end) if d.weekday() == 2)


def month_starts(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    return (d for d in days(start, end) if d.day == 1)


def quarter_starts(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    return (d for d in month_starts(start, end) if d.month in (1, 4, 7, 10))


# --- shapes -------------------------------------------------------------------------------------------

def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def piecewise_linear(anchors: list[tuple[str, float]]) -> Callable[[dt.date], float]:
    """Linear between dated anchors, flat beyond the ends."""
    xs = [_d(a).toordinal() for a, _ in anchors]
    ys = [v for _, v in anchors]

    def value(day: dt.date) -> float:
        x = day.toordinal()
        i = bisect.bisect_right(xs, x)
        if i == 0:
            return ys[0]
        if i == len(xs):
            return ys[-1]
        share = (x - xs[i - 1]) / (xs[i] - xs[i - 1])
        return ys[i - 1] + share * (ys[i] - ys[i - 1])

    return value


def step(changes: list[tuple[str, float]]) -> Callable[[dt.date], float]:
    """A policy rate: each value holds from its date until the next change."""
    xs = [_d(a).toordinal() for a, _ in changes]

    def value(day: dt.date) -> float:
        return changes[max(0, bisect.bisect_right(xs, day.toordinal()) - 1)][1]

    return value


# Top of the fed funds target range, by decision (rounded to the path markets remember).
FED_FUNDS_UPPER = step([
    ("2005-01-01", 2.25), ("2005-06-30", 3.25), ("2006-01-31", 4.50), ("2006-06-29", 5.25), ("2007-09-18", 4.75),
    ("2008-01-22", 3.50), ("2008-04-30", 2.00), ("2008-10-29", 1.00), ("2008-12-16", 0.25), ("2015-12-17", 0.50),
    ("2016-12-15", 0.75), ("2017-06-15", 1.25), ("2017-12-14", 1.50), ("2018-06-14", 2.00), ("2018-12-20", 2.50),
    ("2019-08-01", 2.25), ("2019-10-31", 1.75), ("2020-03-16", 0.25), ("2022-03-17", 0.50), ("2022-05-05", 1.00),
    ("2022-06-16", 1.75), ("2022-09-22", 3.25), ("2022-12-15", 4.50), ("2023-03-23", 5.00), ("2023-07-27", 5.50),
    ("2024-09-19", 5.00), ("2024-12-19", 4.50), ("2025-09-18", 4.25), ("2025-10-30", 4.00), ("2025-12-11", 3.75),
])
RESERVES_USD_MN = piecewise_linear([
    ("2005-01-01", 10_000), ("2008-08-31", 9_000), ("2008-12-31", 820_000), ("2011-06-30", 1_600_000),
    ("2014-10-31", 2_750_000), ("2019-09-15", 1_400_000), ("2020-06-30", 3_000_000), ("2021-12-31", 4_200_000),
    ("2022-12-31", 3_000_000), ("2023-03-15", 3_400_000), ("2024-06-30", 3_300_000), ("2025-10-31", 2_850_000),
    ("2026-11-30", 3_100_000),
])
FED_ASSETS_USD_MN = piecewise_linear([
    ("2005-01-01", 840_000), ("2008-08-31", 900_000), ("2008-12-31", 2_250_000), ("2014-10-31", 4_500_000),
    ("2019-09-15", 3_800_000), ("2020-06-30", 7_100_000), ("2022-04-15", 8_960_000), ("2025-12-01", 6_550_000),
    ("2026-11-30", 6_800_000),
])
TGA_USD_MN = piecewise_linear([
    ("2005-01-01", 5_000), ("2008-09-30", 100_000), ("2015-12-31", 300_000), ("2020-07-31", 1_700_000),
    ("2022-01-31", 700_000), ("2023-06-01", 50_000), ("2024-06-30", 750_000), ("2025-06-30", 350_000),
    ("2025-10-31", 950_000), ("2026-11-30", 850_000),
])
RRP_USD_BN = piecewise_linear([
    ("2005-01-01", 0.0), ("2021-03-15", 0.0), ("2021-12-31", 1_700.0), ("2022-12-30", 2_550.0),
    ("2023-06-30", 1_900.0), ("2024-06-30", 450.0), ("2025-06-30", 200.0), ("2025-10-31", 15.0),
    ("2026-11-30", 5.0),
])
GDP_USD_BN = piecewise_linear([
    ("2005-01-01", 12_800), ("2008-07-01", 14_900), ("2009-04-01", 14_400), ("2019-10-01", 21_900),
    ("2020-04-01", 19_900), ("2021-10-01", 24_300), ("2025-07-01", 31_100), ("2026-10-01", 32_500),
])
TEN_YEAR_PCT = piecewise_linear([
    ("2005-01-01", 4.2), ("2007-06-30", 5.1), ("2008-12-31", 2.2), ("2012-07-31", 1.5), ("2018-10-31", 3.2),
    ("2020-08-01", 0.55), ("2022-10-31", 4.2), ("2023-10-19", 4.95), ("2025-01-15", 4.75), ("2026-11-30", 4.1),
])
BANK_ASSETS_USD_BN = piecewise_linear([
    ("2005-01-01", 8_500), ("2008-10-31", 12_300), ("2019-12-31", 18_000), ("2021-12-31", 23_000),
    ("2025-10-31", 24_500), ("2026-11-30", 25_200),
])


def _rng(seed: int, series_id: str) -> random.Random:
    # One stream per series: adding a series never changes another one's numbers.
    return random.Random(seed * 1_000_003 + zlib.crc32(series_id.encode()))


def _wiggle(rng: random.Random, scale: float) -> Callable[[], float]:
    """A slowly wandering multiplicative factor (AR(1) around 1)."""
    state = {"x": 0.0}

    def next_factor() -> float:
        state["x"] = 0.9 * state["x"] + rng.gauss(0, scale)
        return 1.0 + state["x"]

    return next_factor


def _is_month_end_window(day: dt.date) -> bool:
    return (day + dt.timedelta(days=3)).month != day.month or day.day <= 1


def generate_series(series_id: str, end: dt.date, seed: int) -> list[tuple[dt.date, float | None]]:
    """(date, value) rows for one series up to ``end``; None marks a missing (holiday) value."""
    rng = _rng(seed, series_id)
    holidays = set().union(*(federal_holidays(y) for y in range(START.year, end.year + 1)))
    # H.4.1 is released on Thursday for the week ending Wednesday: the last Wednesday is before `end`.
    weekly_end = end - dt.timedelta(days=1)

    def weekly(level: Callable[[dt.date], float], noise: float) -> list[tuple[dt.date, float | None]]:
        wiggle = _wiggle(rng, noise)
        return [(d, level(d) * wiggle()) for d in wednesdays(START, weekly_end)]

    def business_daily(first: dt.date, level: Callable[[dt.date], float | None]) -> list:
        return [(d, None if d in holidays else level(d)) for d in weekdays(max(first, START), end)]

    def iorb_pct(day: dt.date) -> float:
        return round(FED_FUNDS_UPPER(day) - 0.10, 2)  # IORB sits 10bp under the top of the range

    def sofr_pct(day: dt.date) -> float:
        # Month-ends and, from late 2025, tighter reserves push SOFR above IORB.
        spread = -0.05 + rng.gauss(0, 0.02) + (0.08 if _is_month_end_window(day) else 0.0)
        if day >= dt.date(2025, 9, 1):
            spread += 0.06
        return round(max(0.01, FED_FUNDS_UPPER(day) - 0.10 + spread), 2)

    def effr_pct(day: dt.date) -> float:
        return round(max(0.04, FED_FUNDS_UPPER(day) - 0.17 + rng.gauss(0, 0.005)), 2)

    def rrp_bn(day: dt.date) -> float:
        base = RRP_USD_BN(day)
        return round(max(0.0, base * (1 + rng.gauss(0, 0.04))), 3) if base > 0.5 else round(abs(rng.gauss(0, 0.3)), 3)

    generators: dict[str, Callable[[], list]] = {
        "WRESBAL": lambda: [(d, round(v)) for d, v in weekly(RESERVES_USD_MN, 0.01)],
        "WALCL": lambda: [(d, round(v)) for d, v in weekly(FED_ASSETS_USD_MN, 0.002)],
        "WTREGEN": lambda: [(d, round(v)) for d, v in weekly(TGA_USD_MN, 0.05)],
        "TLAACBW027SBOG": lambda: [(d, round(v, 4)) for d, v in weekly(BANK_ASSETS_USD_BN, 0.002)],
        "TOTRESNS": lambda: [(d, round(RESERVES_USD_MN(d) / 1000 * 1.05 + 35, 1))
                             for d in month_starts(START, _month_start(end) - dt.timedelta(days=1))],
        # GDP for a quarter appears about a month after the quarter ends.
        "GDP": lambda: [(d, round(GDP_USD_BN(d) * (1 + rng.gauss(0, 0.002)), 3))
                        for d in quarter_starts(START, end - dt.timedelta(days=120))],
        "SOFR": lambda: business_daily(dt.date(2018, 4, 3), sofr_pct),
        "EFFR": lambda: business_daily(START, effr_pct),
        "RRPONTSYD": lambda: business_daily(START, rrp_bn),
        "IORB": lambda: [(d, iorb_pct(d)) for d in days(dt.date(2021, 7, 29), end)],
        "TGCRRATE": lambda: business_daily(dt.date(2018, 4, 2), lambda d: round(sofr_pct(d) - 0.01, 2)),
        "IOER": lambda: [(d, FED_FUNDS_UPPER(d)) for d in days(dt.date(2008, 10, 9), min(end, dt.date(2021, 7, 28)))],
        "DFEDTARU": lambda: [(d, FED_FUNDS_UPPER(d)) for d in days(dt.date(2008, 12, 16), end)],
        "DFEDTARL": lambda: [(d, FED_FUNDS_UPPER(d) - 0.25) for d in days(dt.date(2008, 12, 16), end)],
        "DFF": lambda: _seven_day(business_daily(START, effr_pct)),
        "DTB3": lambda: business_daily(START, lambda d: round(max(0.01, FED_FUNDS_UPPER(d) - 0.3
                                                                  + rng.gauss(0, 0.03)), 2)),
        "DGS10": lambda: business_daily(START, lambda d: round(TEN_YEAR_PCT(d) + rng.gauss(0, 0.05), 2)),
    }
    if series_id not in generators:
        raise KeyError(f"the sample generator has no shape for {series_id}")
    return generators[series_id]()


def _seven_day(business: list[tuple[dt.date, float | None]]) -> list[tuple[dt.date, float | None]]:
    """A 7-day series from a business-day one: weekends and holidays repeat the last value (like DFF)."""
    out, last = [], None
    by_day = dict(business)
    for day in days(business[0][0], business[-1][0]):
        value = by_day.get(day)
        last = value if value is not None else last
        out.append((day, last))
    return out


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


# Series taken from the other providers' sample data, so the samples agree with each other.
DERIVED = ("WSHOBL", "TREAST", "GFDEBTN", "WDTGAL")


def derived_series(out: Path, end: dt.date) -> dict[str, list[tuple[dt.date, float | None]]]:
    """WSHOBL and TREAST from the SOMA sample (H.4.1 reports SOMA), GFDEBTN from the MSPD sample, WDTGAL (the
    TGA's Wednesday level) from the DTS: the closing balance of the last DTS day on or before each Wednesday."""
    from ingestion.emulator.sample_treasury import tga_closing_balances

    summary = json.loads((out / "nyfed" / "soma" / "summary.json").read_text())["soma"]["summary"]

    def usd_mn(row: dict, *fields: str) -> float:
        return round(sum(float(row[f] or 0) for f in fields) / 1e6)

    weekly = sorted((dt.date.fromisoformat(r["asOfDate"]), r) for r in summary)
    mspd = json.loads((out / "treasury" / "v1__debt__mspd__mspd_table_1.json").read_text())["data"]
    quarter_ends = {dt.date.fromisoformat(r["record_date"]): float(r["total_mil_amt"]) for r in mspd
                    if r["security_type_desc"] == "Total Public Debt Outstanding"
                    and r["record_date"][5:7] in ("03", "06", "09", "12")}
    cash = json.loads((out / "treasury" / "v1__accounting__dts__operating_cash_balance.json").read_text())["data"]
    closes = tga_closing_balances(cash)
    close_days = sorted(closes)
    tga = []
    for wednesday in wednesdays(START, end - dt.timedelta(days=1)):
        i = bisect.bisect_right(close_days, wednesday)
        if i:
            tga.append((wednesday, round(closes[close_days[i - 1]])))
    return {
        "WDTGAL": tga,
        "WSHOBL": [(d, usd_mn(r, "bills")) for d, r in weekly],
        "TREAST": [(d, usd_mn(r, "bills", "notesbonds", "tips", "frn", "tipsInflationCompensation"))
                   for d, r in weekly],
        # Dated the quarter's first day, published about three months after the quarter ends.
        "GFDEBTN": [(dt.date(q.year, q.month - 2, 1), round(v)) for q, v in sorted(quarter_ends.items())
                    if q + dt.timedelta(days=90) <= end],
    }


# Revised series and their release schedule: (days after the observation date, revision size) per estimate.
VINTAGE_SCHEDULES = {
    "GDP": [(120, 0.006), (150, 0.003), (180, 0.0)],  # advance, second, third estimate
    "TLAACBW027SBOG": [(9, 0.004), (37, 0.0)],  # H.8: first print, then the benchmarked value
}
FOREVER = "9999-12-31"


def write_vintages(fred_dir: Path, end: dt.date, seed: int) -> None:
    """ALFRED-style vintages for the revised series, and the series CSV rewritten to what is current at ``end``.

    ``fred/vintages/<ID>.json`` holds observations with ``realtime_start``/``realtime_end``, as the API returns
    them with ``realtime_start=1776-07-04&realtime_end=9999-12-31``.
    """
    (fred_dir / "vintages").mkdir(exist_ok=True)
    for series_id, schedule in VINTAGE_SCHEDULES.items():
        rng = _rng(seed, f"vintages-{series_id}")
        final = [(dt.date.fromisoformat(d), float(v)) for d, v in
                 (line.split(",") for line in (fred_dir / f"{series_id}.csv").read_text().splitlines()[1:])
                 if v != "."]
        observations, current = [], []
        for day, value in final:
            releases = [(day + dt.timedelta(days=lag), value * (1 + rng.gauss(0, size) if size else 1))
                        for lag, size in schedule if day + dt.timedelta(days=lag) <= end]
            if not releases:
                releases = [(end, value)]  # published before the schedule says: a single vintage
            for i, (released, estimate) in enumerate(releases):
                until = (releases[i + 1][0] - dt.timedelta(days=1)).isoformat() if i + 1 < len(releases) else FOREVER
                observations.append({"realtime_start": released.isoformat(), "realtime_end": until,
                                     "date": day.isoformat(), "value": f"{estimate:.4f}"})
            current.append((day, round(releases[-1][1], 4)))
        (fred_dir / "vintages" / f"{series_id}.json").write_text(json.dumps({"observations": observations}))
        _write_series(fred_dir, series_id, current)


def _write_series(fred_dir: Path, series_id: str, rows: list[tuple[dt.date, float | None]]) -> None:
    with (fred_dir / f"{series_id}.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["observation_date", series_id])
        for day, value in rows:
            writer.writerow([day.isoformat(), _format(value)])


def _format(value: float | None) -> str:
    if value is None:
        return "."
    return str(value)


def _write_series_info(fred_dir: Path, series_id: str, title: str, units: str, frequency: str) -> None:
    (fred_dir / "series" / f"{series_id}.json").write_text(json.dumps({
        "id": series_id, "title": title, "units": units, "frequency": frequency,
        "notes": "faultlines sample data: synthetic, not the real series.",
    }, indent=1))


def generate(out: Path, seed: int = 42, end: dt.date | None = None, scale: int | None = None) -> Path:
    """Write the whole sample data dir (every provider) into ``out``; return it.

    Without ``scale``: the bundled sample (the universe in ingestion/universe.csv, the FRED catalog). With one:
    that many units of data for benchmarks (sample_scale.py), and ``faultlines.env`` naming what to load.
    """
    from ingestion.emulator import sample_equities, sample_nyfed, sample_scale, sample_treasury  # use our shapes

    end = end or dt.date.today()
    fred_dir = out / "fred"
    (fred_dir / "series").mkdir(parents=True, exist_ok=True)
    for series_id, info in CATALOG.items():
        if series_id not in DERIVED:
            _write_series(fred_dir, series_id, generate_series(series_id, end, seed))
        _write_series_info(fred_dir, series_id, info.title, info.units, info.frequency)
    extra_series = sample_scale.extra_fred_series(scale, len(CATALOG)) if scale else []
    if extra_series:
        holidays = set().union(*(federal_holidays(y) for y in range(START.year, end.year + 1)))
        business_days = list(weekdays(START, end))
        for series_id in extra_series:
            _write_series(fred_dir, series_id, sample_scale.synthetic_rate(series_id, business_days, holidays, seed))
            _write_series_info(fred_dir, series_id, f"Synthetic daily rate {series_id}", "Percent", "Daily")
    companies = sample_scale.scaled_universe(scale) if scale else None

    auctions = sample_treasury.generate(out, seed, end, scale)
    sample_nyfed.generate(out, seed, end, auctions)
    sample_equities.generate(out, seed, end, companies)
    for series_id, rows in derived_series(out, end).items():
        _write_series(fred_dir, series_id, rows)
    write_vintages(fred_dir, end, seed)
    manifest = {"generator_version": GENERATOR_VERSION, "seed": seed, "end": end.isoformat(), "synthetic": True}
    if scale:
        from ingestion.universe import write_universe

        write_universe(out / "universe.csv", companies)
        (out / "faultlines.env").write_text(
            f"FAULTLINES_UNIVERSE={(out / 'universe.csv').resolve()}\n"
            f"FAULTLINES_FRED_EXTRA_SERIES={','.join(extra_series)}\n")
        manifest["scale"] = scale
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return out


def ensure_sample_data(out: Path, seed: int = 42, end: dt.date | None = None) -> Path:
    """Generate into ``out`` unless it already holds this seed's data up to ``end`` (a cache)."""
    end = end or dt.date.today()
    manifest = out / MANIFEST
    wanted = {"generator_version": GENERATOR_VERSION, "seed": seed, "end": end.isoformat(), "synthetic": True}
    if manifest.is_file() and json.loads(manifest.read_text()) == wanted:
        return out
    # Generate beside it and swap, so a reader never sees a half-written data dir.
    staging = out.with_name(f"{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    generate(staging, seed, end)
    old = out.with_name(f"{out.name}.old-{os.getpid()}")
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    return out

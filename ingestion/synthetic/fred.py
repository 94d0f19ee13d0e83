"""Synthetic FRED series: ``fred/<ID>.csv``, ``fred/series/<ID>.json`` and ALFRED-style ``fred/vintages/<ID>.json``.

The numbers are invented; the shapes are not: H.4.1 series are dated Wednesdays, business-day rates have a row
for every weekday with federal holidays missing, 7-day series (IORB) include weekends, monthly series are dated
the 1st, quarterly GDP the first day of the quarter and published about a month after it ends, and units are
the ones FRED publishes (WALCL/WRESBAL/WTREGEN in millions, the rest in billions or percent). The levels are the
paths in shapes.py; WSHOBL, TREAST, GFDEBTN and WDTGAL are taken from the other providers' sample data.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import json
import random
from collections.abc import Callable
from pathlib import Path

from ingestion.business_calendar import (
    days,
    federal_holidays_in,
    month_starts,
    quarter_starts,
    wednesdays,
    weekdays,
)
from ingestion.sources.fred_catalog import CATALOG
from ingestion.synthetic.output import write_json
from ingestion.synthetic.randomness import stream
from ingestion.synthetic.shapes import (
    BANK_ASSETS_USD_BN,
    FED_ASSETS_USD_MN,
    FED_FUNDS_UPPER,
    GDP_USD_BN,
    RESERVES_USD_MN,
    RRP_USD_BN,
    START,
    TEN_YEAR_PCT,
    TGA_USD_MN,
)
from ingestion.synthetic.treasury import tga_closing_balances


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
    rng = stream(seed, "fred", series_id)  # one stream per series
    holidays = federal_holidays_in(START.year, end.year)
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
    "TOTRESNS": [(45, 0.005), (75, 0.0)],  # H.3: mid next month, revised with the following month's release
}
FOREVER = "9999-12-31"


def write_vintages(fred_dir: Path, end: dt.date, seed: int) -> None:
    """ALFRED-style vintages for the revised series, and the series CSV rewritten to what is current at ``end``.

    ``fred/vintages/<ID>.json`` holds observations with ``realtime_start``/``realtime_end``, as the API returns
    them with ``realtime_start=1776-07-04&realtime_end=9999-12-31``.
    """
    (fred_dir / "vintages").mkdir(exist_ok=True)
    for series_id, schedule in VINTAGE_SCHEDULES.items():
        rng = stream(seed, "fred", f"vintages-{series_id}")
        final = [(dt.date.fromisoformat(d), float(v)) for d, v in
                 (line.split(",") for line in (fred_dir / f"{series_id}.csv").read_text().splitlines()[1:])
                 if v != "."]
        observations, current = [], []
        for day, value in final:
            releases = [(_weekday_on_or_after(day + dt.timedelta(days=lag)),
                         value * (1 + rng.gauss(0, size) if size else 1))
                        for lag, size in schedule if _weekday_on_or_after(day + dt.timedelta(days=lag)) <= end]
            if not releases:
                releases = [(end, value)]  # published before the schedule says: a single vintage
            for i, (released, estimate) in enumerate(releases):
                until = (releases[i + 1][0] - dt.timedelta(days=1)).isoformat() if i + 1 < len(releases) else FOREVER
                observations.append({"realtime_start": released.isoformat(), "realtime_end": until,
                                     "date": day.isoformat(), "value": f"{estimate:.4f}"})
            current.append((day, round(releases[-1][1], 4)))
        write_json(fred_dir / "vintages" / f"{series_id}.json", {"observations": observations})
        _write_series(fred_dir, series_id, current)


def _weekday_on_or_after(day: dt.date) -> dt.date:
    """Agencies publish on weekdays: a release the schedule puts on a weekend comes out the Monday after."""
    return day + dt.timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


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


def generate(out: Path, seed: int, end: dt.date, extra_series: list[str]) -> None:
    """The catalog's own series, their descriptions, and the scale's extra series (``FLSYN…``)."""
    fred_dir = out / "fred"
    (fred_dir / "series").mkdir(parents=True, exist_ok=True)
    for series_id, info in CATALOG.items():
        if series_id not in DERIVED:
            _write_series(fred_dir, series_id, generate_series(series_id, end, seed))
        _write_series_info(fred_dir, series_id, info.title, info.units, info.frequency)
    if extra_series:
        holidays = federal_holidays_in(START.year, end.year)
        business_days = list(weekdays(START, end))
        for series_id in extra_series:
            _write_series(fred_dir, series_id, synthetic_rate(series_id, business_days, holidays, seed))
            _write_series_info(fred_dir, series_id, f"Synthetic daily rate {series_id}", "Percent", "Daily")


def generate_derived(out: Path, seed: int, end: dt.date) -> None:
    """The series taken from the other providers' data (written before this), then the vintages."""
    fred_dir = out / "fred"
    for series_id, rows in derived_series(out, end).items():
        _write_series(fred_dir, series_id, rows)
    write_vintages(fred_dir, end, seed)


def synthetic_rate(series_id: str, business_days: list[dt.date], holidays: set[dt.date],
                   seed: int) -> list[tuple[dt.date, float | None]]:
    """A daily percent series wandering between 0 and 8, missing on holidays (like DGS10): scale data sets."""
    rng = stream(seed, "fred", series_id)
    level, rows = rng.uniform(1, 5), []
    for day in business_days:
        level = min(8.0, max(0.0, level + rng.gauss(0, 0.04)))
        rows.append((day, None if day in holidays else round(level, 2)))
    return rows

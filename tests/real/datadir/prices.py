"""Prices: one ticker's Yahoo vintages and raw bars put on today's share basis (splits, dividends) and written
as a chart-API file of real bars only."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from ingestion.synthetic.equities import SPLITS
from ingestion.universe import load_universe
from tests.real import formats
from tests.real.datadir.inventory import Inventory, read_inventory
from tests.real.datadir.report import RealDataDir
from tests.real.formats import Bar

NEW_YORK = ZoneInfo("America/New_York")


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

"""Reading every real file: each is recognised by its content (header line, JSON shape), never by its folder,
and parsed with ``tests.real.formats`` into an ``Inventory``; a file in no known format is an
``UnrecognisedFile`` that says to add a reader here."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from tests.real import formats
from tests.real.formats import Bar, DdpColumn

SKIPPED_NAMES = ("README.md", "SOURCE.md")
TREASURY_DATE = {"auctions": "auction_date"}


class UnrecognisedFile(ValueError):
    """A real file in no format this module reads."""


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
        raise UnrecognisedFile(f"{path}: JSON in no known shape ({shape}); "
                               "add a reader to tests/real/datadir/inventory.py")


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
                           "add a reader to tests/real/datadir/inventory.py")


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
                                       "add a reader to tests/real/datadir/inventory.py") from exc
            _read_json(inventory, path, rel, payload)
        else:
            _read_text(inventory, path, rel, text)
    return inventory

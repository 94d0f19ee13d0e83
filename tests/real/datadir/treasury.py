"""Treasury: the real rows of each Fiscal Data endpoint merged across files; the DTS cash balance is the
sample's before the first real day, every other endpoint real only."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ingestion.synthetic.treasury import _envelope
from tests.real.datadir.inventory import TREASURY_DATE, Inventory
from tests.real.datadir.report import RealDataDir

TREASURY = {
    "auctions": "v1/accounting/od/auctions_query",
    "dts_cash": "v1/accounting/dts/operating_cash_balance",
    "dts_debt": "v1/accounting/dts/public_debt_transactions",
    "mspd": "v1/debt/mspd/mspd_table_1",
    "penny": "v2/accounting/od/debt_to_penny",
}


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

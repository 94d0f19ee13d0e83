"""FRED downloads (fredgraph CSVs of every vintage, pandas JSON dumps and the SOURCE.md beside them) and Fed
Data Download Program CSVs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from tests.real.formats.common import decimal_or_none, first_line, plain

# --- FRED ---------------------------------------------------------------------------------------------

FRED_HEADER = re.compile(r"^(DATE|observation_date),([A-Z0-9_]+)$")


def is_fredgraph(text: str) -> bool:
    return bool(FRED_HEADER.match(first_line(text)))


def fredgraph(text: str) -> tuple[str, dict[dt.date, Decimal | None]]:
    """A fredgraph.csv of any vintage: the old header ``DATE,<ID>`` or today's ``observation_date,<ID>``;
    missing as ``.`` (old) or an empty field (today); ``123`` and ``123.0`` in one column (GFDEBTN 2021)."""
    match = FRED_HEADER.match(first_line(text))
    if not match:
        raise ValueError(f"not a fredgraph CSV header: {first_line(text)!r}")
    rows: dict[dt.date, Decimal | None] = {}
    for record in csv.reader(io.StringIO(text.split("\n", 1)[1] if "\n" in text else "")):
        if record and record[0].strip():
            rows[dt.date.fromisoformat(record[0].strip())] = decimal_or_none(record[1] if len(record) > 1 else "")
    return match.group(2), rows


def fredgraph_text(series_id: str, rows: dict[dt.date, Decimal | None]) -> str:
    """Today's fredgraph layout: ``observation_date,<ID>``, ascending, LF, missing as an empty field."""
    lines = [f"observation_date,{series_id}"]
    lines += [f"{day.isoformat()},{'' if value is None else plain(value)}" for day, value in sorted(rows.items())]
    return "\n".join(lines) + "\n"


PANDAS_KEY = re.compile(r"^\d{4}-\d{2}-\d{2}T00:00:00(\.000)?$")


def is_pandas_series(payload: object) -> bool:
    """``Series.to_json(date_format="iso")``: one flat object of ISO timestamps to numbers (or ``{}``)."""
    return isinstance(payload, dict) and all(isinstance(k, str) and PANDAS_KEY.match(k) for k in payload) \
        and all(v is None or isinstance(v, int | float) for v in payload.values())


def pandas_series(payload: dict) -> dict[dt.date, Decimal | None]:
    """A pandas JSON dump: keys ``2021-08-25T00:00:00.000`` (no zone: the date is the first ten characters),
    values floats or ``null`` (holidays kept as null); an empty ``{}`` (a failed fetch) is no rows."""
    return {dt.date.fromisoformat(k[:10]): None if v is None else Decimal(repr(v)) for k, v in payload.items()}


def source_md_series_ids(text: str) -> dict[str, str]:
    """File name → FRED series id from a SOURCE.md that says ``fetch_fred("GDP") -> gdp.json`` or
    ``"WDTGAL"` -> tga.json`` (the pandas dumps do not carry their series id)."""
    return {name: series for series, name in
            re.findall(r'"([A-Z0-9_]+)"\)?`?\s*->\s*`?([\w.\-]+\.json)', text)}


def source_md_dates(text: str) -> dict[str, dt.date]:
    """File name → the date of the commit it was taken from, from a SOURCE.md table row ``| NAME | ... (YYYY-MM-DD)``.

    That is the file's vintage (when it was downloaded); files without a dated row get none."""
    dates = {}
    for line in text.splitlines():
        match = re.match(r"^\|\s*([\w.\-]+)\s*\|", line)
        stamp = re.search(r"\((\d{4}-\d{2}-\d{2})\)", line)
        if match and stamp:
            dates[match.group(1)] = dt.date.fromisoformat(stamp.group(1))
    return dates


# --- Fed Data Download Program -----------------------------------------------------------------------

@dataclass
class DdpColumn:
    code: str
    description: str
    multiplier: Decimal
    rows: dict[dt.date, Decimal | None]


def is_ddp(text: str) -> bool:
    lines = text.split("\n", 6)
    return len(lines) > 6 and lines[0].startswith('"Series Description"') and lines[2].startswith('"Multiplier:"') \
        and lines[5].startswith('"Time Period"')


def ddp(text: str) -> dict[str, DdpColumn]:
    """A Fed DDP CSV: six header rows (description, unit, ``Multiplier:``, currency, unique id, ``Time Period``
    with the series codes), then one row per date; missing is ``NA`` or empty; values times the multiplier are
    dollars (1000000 = millions)."""
    records = list(csv.reader(io.StringIO(text)))
    header = {row[0].strip().rstrip(":"): row for row in records[:6]}
    codes = header["Time Period"]
    columns = {}
    for i in range(1, len(codes)):
        rows = {dt.date.fromisoformat(r[0]): decimal_or_none(r[i]) for r in records[6:] if r and r[0].strip()}
        columns[codes[i]] = DdpColumn(codes[i], header["Series Description"][i],
                                      Decimal(header["Multiplier"][i]), rows)
    return columns

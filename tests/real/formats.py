"""Readers for real published files, each a small pure function handling one quirk of one format.

They turn downloads (FRED CSVs of several vintages, pandas JSON dumps, Fed DDP CSVs, TreasuryDirect and Fiscal
Data site exports, NY Fed JSON, Yahoo CSVs, Alpaca bars) into plain Python values; ``datadir.py`` merges them
into an emulator data dir. Numbers stay ``Decimal`` (or the exported text) so nothing is rounded on the way.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal

# --- text ---------------------------------------------------------------------------------------------


def decode(raw: bytes) -> str:
    """Bytes to text: drops the UTF-8 BOM that Fiscal Data site exports start with and turns CRLF into LF
    (GFDEBTN 1966-2024, the DDP H.4.1 file, the DTS and TreasuryDirect exports, one Yahoo CSV use CRLF)."""
    text = raw.decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def first_line(text: str) -> str:
    return text.split("\n", 1)[0].strip()


def labelled_rows(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    """A CSV with a header line as dicts; tolerates a missing newline at the end (most of these files)."""
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


# --- numbers ------------------------------------------------------------------------------------------


def decimal_or_none(raw: object) -> Decimal | None:
    """A number from any of the formats here: ``123``, ``123.0``, a JSON float, or missing as ``.`` (old
    fredgraph and FRED's JSON), an empty field (today's fredgraph), ``NA`` (Fed DDP), JSON ``null``."""
    if raw is None:
        return None
    text = str(raw).strip()
    if text in ("", ".", "NA", "null", "None"):
        return None
    return Decimal(text)


def plain(value: Decimal) -> str:
    """A decimal as fredgraph writes numbers: no exponent, no trailing zeros (``22305.000`` → ``22305``)."""
    text = format(value.normalize(), "f")
    return text


def excel_number(text: str) -> int:
    """An amount a spreadsheet re-saved in a European locale: ``1,23456E+11`` → 123456000000.

    The TreasuryDirect export has some *tendered* amounts in this form (decimal comma, six significant digits):
    the precision was lost in the export, so the integer is only what the text denotes, not the true amount.
    Plain integers (``12345600``) pass through unchanged.
    """
    text = text.strip()
    if "E" in text.upper():
        return int(Decimal(text.replace(",", ".")))
    return int(text)


def power_of_thousand(ratio: float, tolerance: float) -> Decimal:
    """The unit factor a ratio between two copies of one series stands for (1000 = billions vs millions).

    ``tolerance`` is relative (0.02: the ratio is within 2% of the power) for two copies of the same numbers;
    above 1 it is a fold (10: within ten times) for a comparison with a series that only has the right level.
    Raises when the ratio is not that close to a power of 1000: then no rescaling would be honest."""
    if ratio <= 0:
        raise ValueError(f"ratio {ratio} is not positive")
    exponent = 0
    probe = ratio
    while probe >= 31.6:
        probe /= 1000
        exponent += 1
    while probe < 0.0316:
        probe *= 1000
        exponent -= 1
    close = abs(probe - 1) <= tolerance if tolerance < 1 else 1 / tolerance <= probe <= tolerance
    if not close:
        raise ValueError(f"ratio {ratio:.6g} is not a power of 1000 (within {tolerance:g})")
    return Decimal(1000) ** exponent


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


# --- Treasury -----------------------------------------------------------------------------------------

def fiscal_calendar(day: dt.date) -> dict[str, str]:
    """The ``record_*`` calendar fields every Fiscal Data row carries (the fiscal year starts in October)."""
    return {"record_fiscal_year": str(day.year + (1 if day.month >= 10 else 0)),
            "record_fiscal_quarter": str(((day.month - 10) % 12) // 3 + 1),
            "record_calendar_year": str(day.year), "record_calendar_quarter": str((day.month - 1) // 3 + 1),
            "record_calendar_month": f"{day.month:02d}", "record_calendar_day": f"{day.day:02d}"}


def site_calendar(record: dict[str, str]) -> dict[str, str]:
    """The calendar columns of a Fiscal Data site export (``Fiscal Year``, ``Calendar Month Number``...) under
    the API's names."""
    return {"record_fiscal_year": record["Fiscal Year"], "record_fiscal_quarter": record["Fiscal Quarter Number"],
            "record_calendar_year": record["Calendar Year"],
            "record_calendar_quarter": record["Calendar Quarter Number"],
            "record_calendar_month": record["Calendar Month Number"],
            "record_calendar_day": record["Calendar Day Number"]}


def null_if_empty(text: str | None) -> str:
    """Fiscal Data writes a missing value as the string ``"null"``; site exports leave the field empty."""
    return "null" if text is None or text.strip() == "" else text.strip()


AUCTIONS_HEADER_START = "Cusip;IssueDate;SecurityType"
# Fiscal Data field ← TreasuryDirect export column (API-FORMATS.md §2a).
AUCTION_FIELDS = {
    "cusip": "Cusip", "security_type": "SecurityType", "security_term": "SecurityTerm",
    "original_security_term": "OriginalSecurityTerm", "reopening": "Reopening",
    "cash_management_bill_cmb": "CashManagementBillCMB", "inflation_index_security": "Tips",
    "floating_rate": "FloatingRate", "announcemt_date": "AnnouncementDate", "auction_date": "AuctionDate",
    "issue_date": "IssueDate", "maturity_date": "MaturityDate", "record_date": "IssueDate",
    "offering_amt": "OfferingAmount", "total_tendered": "TotalTendered", "total_accepted": "TotalAccepted",
    "comp_tendered": "CompetitiveTendered", "comp_accepted": "CompetitiveAccepted",
    "noncomp_accepted": "NoncompetitiveAccepted", "primary_dealer_accepted": "PrimaryDealerAccepted",
    "primary_dealer_tendered": "PrimaryDealerTendered", "direct_bidder_accepted": "DirectBidderAccepted",
    "direct_bidder_tendered": "DirectBidderTendered", "indirect_bidder_accepted": "IndirectBidderAccepted",
    "indirect_bidder_tendered": "IndirectBidderTendered", "soma_accepted": "SomaAccepted",
    "soma_tendered": "SomaTendered", "soma_holdings": "SomaHoldings", "soma_included": "SomaIncluded",
    "fima_noncomp_accepted": "FimaNoncompetitiveAccepted", "fima_noncomp_tendered": "FimaNoncompetitiveTendered",
    "treas_retail_accepted": "TreasuryRetailAccepted", "bid_to_cover_ratio": "BidToCoverRatio",
    "high_yield": "HighYield", "high_discnt_rate": "HighDiscountRate", "high_investment_rate": "HighInvestmentRate",
    "high_price": "HighPrice", "low_yield": "LowYield", "avg_med_yield": "AverageMedianYield",
    "avg_med_discnt_rate": "AverageMedianDiscountRate", "allocation_pctage": "AllocationPercentage",
    "int_rate": "InterestRate", "price_per100": "PricePer100", "auction_format": "AuctionFormat",
}
AUCTION_DOLLAR_FIELDS = tuple(f for f in AUCTION_FIELDS if f.endswith(("_amt", "_tendered", "_accepted", "_holdings")))


def is_treasurydirect_auctions(text: str) -> bool:
    return first_line(text).startswith(AUCTIONS_HEADER_START)


def treasurydirect_auctions(text: str) -> list[dict[str, str]]:
    """The TreasuryDirect auction export (``;``-separated, CamelCase names, ``2026-06-24T00:00:00`` datetimes,
    Excel-mangled tendered amounts) as Fiscal Data ``auctions_query`` rows: API field names, every value a
    string, ``"null"`` for missing, dates ``YYYY-MM-DD``, dollar amounts whole-dollar strings as exported."""
    rows = []
    for record in labelled_rows(text, delimiter=";"):
        row = {}
        for field, column in AUCTION_FIELDS.items():
            value = null_if_empty(record[column])
            if value != "null" and (field.endswith("_date")):
                value = value[:10]
            elif value != "null" and field in AUCTION_DOLLAR_FIELDS:
                value = str(excel_number(value))
            row[field] = value
        rows.append(row)
    return rows


DTS_CASH_HEADER = "Record Date,Type of Account,Opening Balance Today"
DTS_DEBT_HEADER = "Record Date,Transaction Type,Security Marketability"
MSPD_HEADER = "Record Date,Security Type Description,Security Class Description"
PENNY_HEADER = "Record Date,Debt Held by the Public,Intragovernmental Holdings"
TGA_LINES = ("Federal Reserve Account", "Treasury General Account (TGA)",
             "Treasury General Account (TGA) Opening Balance")
NEW_GENERATION_START = dt.date(2022, 4, 18)


def _ascending(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Site exports are newest first; the API answers oldest first. Same-day rows keep their file order."""
    return sorted(rows, key=lambda r: r["record_date"])


def dts_operating_cash(text: str) -> list[dict[str, str]]:
    """The DTS operating cash balance site export as ``v1/accounting/dts/operating_cash_balance`` rows.

    The export has no closing-balance column. Until 2022-04-15 (``Federal Reserve Account``, then ``Treasury
    General Account (TGA)``) the API carries the day's closing balance in ``close_today_bal``: it is the next
    business day's ``Opening Balance Today`` of that day's TGA line (the new generation's ``... Opening Balance``
    row included), which on this data also equals FRED WDTGAL on Wednesdays. From 2022-04-18 ``close_today_bal``
    is ``"null"`` and the closing balance is ``open_today_bal`` of the ``... Closing Balance`` row, as in the API.
    Other account types (Supplementary Financing Program, Short-Term Cash Investments) keep ``"null"``.
    """
    rows = _ascending([{
        "record_date": r["Record Date"], "account_type": r["Type of Account"],
        "open_today_bal": null_if_empty(r["Opening Balance Today"]),
        "open_month_bal": null_if_empty(r["Opening Balance This Month"]),
        "open_fiscal_year_bal": null_if_empty(r["Opening Balance This Fiscal Year"]), "close_today_bal": "null",
        "table_nbr": r["Table Number"], "table_nm": r["Table Name"],
        "sub_table_name": null_if_empty(r["Sub Table Name"]),
        "src_line_nbr": r["Source Line Number"], **site_calendar(r)} for r in labelled_rows(text)])
    opening = {r["record_date"]: r["open_today_bal"] for r in rows if r["account_type"] in TGA_LINES}
    days = sorted(opening)
    following = dict(zip(days, days[1:], strict=False))
    for row in rows:
        day = row["record_date"]
        if row["account_type"] in TGA_LINES[:2] and day < NEW_GENERATION_START.isoformat() and day in following:
            row["close_today_bal"] = opening[following[day]]
    return rows


def dts_public_debt(text: str) -> list[dict[str, str]]:
    """The DTS public debt transactions site export as ``v1/accounting/dts/public_debt_transactions`` rows
    (millions; ``null`` descriptions stay ``"null"``; the table number is ``III-A`` in older rows, ``IIIA`` later)."""
    return _ascending([{
        "record_date": r["Record Date"], "transaction_type": r["Transaction Type"],
        "security_market": r["Security Marketability"], "security_type": r["Security Type"],
        "security_type_desc": null_if_empty(r["Security Type Description"]),
        "transaction_today_amt": null_if_empty(r["Transactions Today"]),
        "transaction_mtd_amt": null_if_empty(r["Transactions Month to Date"]),
        "transaction_fytd_amt": null_if_empty(r["Transactions Fiscal Year to Date"]),
        "table_nbr": r["Table Number"], "table_nm": r["Table Name"], "src_line_nbr": r["Source Line Number"],
        **site_calendar(r)} for r in labelled_rows(text)])


def mspd_table_1(text: str) -> list[dict[str, str]]:
    """The MSPD summary site export as ``v1/debt/mspd/mspd_table_1`` rows: amounts in millions with their
    decimals exactly as written (up to 8), total rows with class ``_``; ``src_line_nbr`` is the row's position
    within its month (the export has no line number, and the order inside a month is not stable)."""
    rows, line = [], {}
    for r in labelled_rows(text):
        day = r["Record Date"]
        line[day] = line.get(day, 0) + 1
        rows.append({"record_date": day, "security_type_desc": r["Security Type Description"],
                     "security_class_desc": r["Security Class Description"],
                     "debt_held_public_mil_amt": null_if_empty(r["Debt Held by the Public (in Millions)"]),
                     "intragov_hold_mil_amt": null_if_empty(r["Intragovernmental Holdings (in Millions)"]),
                     "total_mil_amt": null_if_empty(r["Total Public Debt Outstanding (in Millions)"]),
                     "src_line_nbr": str(line[day]), **fiscal_calendar(dt.date.fromisoformat(day))})
    return _ascending(rows)


def debt_to_penny(text: str) -> list[dict[str, str]]:
    """The Debt to the Penny site export (newest first, dollars with 2 decimals) as ``v2/accounting/od/
    debt_to_penny`` rows, oldest first, amounts as written."""
    return _ascending([{
        "record_date": r["Record Date"], "debt_held_public_amt": null_if_empty(r["Debt Held by the Public"]),
        "intragov_hold_amt": null_if_empty(r["Intragovernmental Holdings"]),
        "tot_pub_debt_out_amt": null_if_empty(r["Total Public Debt Outstanding"]), "src_line_nbr": "1",
        **fiscal_calendar(dt.date.fromisoformat(r["Record Date"]))} for r in labelled_rows(text)])


# --- NY Fed -------------------------------------------------------------------------------------------

def is_nyfed_rates(payload: object) -> bool:
    return isinstance(payload, dict) and isinstance(payload.get("refRates"), list)


def nyfed_rates(payload: dict) -> dict[str, list[dict]]:
    """NY Fed reference rates (newest first, possibly re-serialized with spaces) by rate type in lower case;
    each row's keys keep the API's order."""
    by_type: dict[str, list[dict]] = {}
    for row in payload["refRates"]:
        by_type.setdefault(row["type"].lower(), []).append(row)
    return by_type


# --- prices -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    day: dt.date
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int
    adjclose: Decimal | None = None


YAHOO_HEADER = "Date,Open,High,Low,Close,Adj Close,Volume"


def is_yahoo_csv(text: str) -> bool:
    return first_line(text) == YAHOO_HEADER


def yahoo_csv(text: str) -> list[Bar]:
    """A Yahoo/yfinance daily CSV (``Date,Open,High,Low,Close,Adj Close,Volume``, full float precision or six
    decimals, CRLF or not): prices split-adjusted as of the download, ``Adj Close`` also dividend-adjusted."""
    return [Bar(dt.date.fromisoformat(r["Date"]), Decimal(r["Open"]), Decimal(r["High"]), Decimal(r["Low"]),
                Decimal(r["Close"]), int(Decimal(r["Volume"])), Decimal(r["Adj Close"]))
            for r in labelled_rows(text) if r["Close"] not in ("", "null")]


def is_alpaca_bars(payload: object) -> bool:
    return isinstance(payload, dict) and isinstance(payload.get("bars"), dict) and "next_page_token" in payload


def alpaca_bars(payload: dict) -> dict[str, list[Bar]]:
    """Alpaca ``/v2/stocks/bars`` daily bars, RAW (not split-adjusted). ``t`` is midnight New York written in UTC
    (``T05:00:00Z`` in winter, ``T04:00:00Z`` in summer), so the trade date is the UTC date of ``t``."""
    out = {}
    for ticker, bars in payload["bars"].items():
        out[ticker] = [Bar(dt.date.fromisoformat(b["t"][:10]), Decimal(str(b["o"])), Decimal(str(b["h"])),
                           Decimal(str(b["l"])), Decimal(str(b["c"])), int(b["v"])) for b in bars]
    return out


def split_ratio(before: Decimal, after: Decimal, tolerance: float = 0.12) -> int | None:
    """The split a day-over-day drop in a RAW price series stands for (1000.00 → 101.00 is 10:1), or None.

    A split shows as the close dividing by an integer ≥ 2, give or take the day's own move."""
    ratio = float(before / after)
    whole = round(ratio)
    return whole if whole >= 2 and abs(ratio / whole - 1) <= tolerance else None


def dividends_from_adjclose(bars: list[Bar], threshold: float = 5e-5) -> dict[dt.date, Decimal]:
    """Dividends (ex-date → amount per share) recovered from the steps of ``Adj Close / Close``.

    Yahoo back-adjusts every close before an ex-date by ``1 - amount / previous close``, so the ratio rises on
    the ex-date and ``amount = previous close × (1 - ratio before / ratio on the day)``. Rounded to 6 decimals;
    steps smaller than ``threshold`` are rounding noise in the CSV, not dividends."""
    out = {}
    for previous, bar in zip(bars, bars[1:], strict=False):
        if previous.adjclose is None or bar.adjclose is None or not previous.close or not bar.close:
            continue
        before, now = previous.adjclose / previous.close, bar.adjclose / bar.close
        if float(now / before) - 1 > threshold:
            out[bar.day] = round(previous.close * (1 - before / now), 6)
    return out

"""Treasury files: the TreasuryDirect auction export and the Fiscal Data site exports (DTS operating cash and
public debt transactions, MSPD table 1, Debt to the Penny), turned into the API's rows."""

from __future__ import annotations

import datetime as dt

from tests.real.formats.common import excel_number, first_line, labelled_rows


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

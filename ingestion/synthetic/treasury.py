"""Synthetic Treasury Fiscal Data: auctions, MSPD table 1, the DTS cash balance and public debt transactions, debt to
the penny.

Coherent by construction, so the reconciliations dbt runs between sources hold: bills outstanding in the MSPD are
the bills auctioned and not yet matured; the DTS's bill issues and redemptions are the same auctions by issue and
maturity date; the Fed's take at each bill auction (``soma_accepted``) is what the NY Fed SOMA holdings are built
from (see nyfed.py); FRED's WDTGAL is the DTS closing balance on Wednesdays; debt to the penny equals the
MSPD total on each month's last business day.
Field names and string formats are the API's (``"null"`` for missing, amounts as whole-dollar strings).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingestion.business_calendar import (
    business_day_on_or_after,
    business_day_on_or_before,
    business_days,
    days,
    federal_holidays_in,
    month_ends,
)
from ingestion.synthetic.output import write_json
from ingestion.synthetic.randomness import stream
from ingestion.synthetic.scale import REFERENCE_END, extra_auction_count, extra_bill_size_factor
from ingestion.synthetic.shapes import FED_FUNDS_UPPER, START, TGA_USD_MN, piecewise_linear

# Gross weekly bill sizes scale with this factor (1.0 ≈ 2025: ~$6tn of bills outstanding).
BILL_SIZE_FACTOR = piecewise_linear([
    ("2005-01-01", 0.25), ("2008-09-01", 0.25), ("2008-12-31", 0.45), ("2010-06-30", 0.4), ("2019-06-30", 0.45),
    ("2020-06-30", 0.95), ("2021-06-30", 0.7), ("2023-06-01", 0.7), ("2023-12-31", 1.0), ("2026-12-31", 1.2),
])
# Share of each auction the Fed takes for SOMA: rollovers in 2005-08, none while bills ran off in 2008-2019,
# rollovers again from late 2019, less during QT, more once reserve management purchases start (2025-12-12).
SOMA_BILL_SHARE = [
    (dt.date(2000, 1, 1), 0.08), (dt.date(2008, 11, 1), 0.0), (dt.date(2019, 10, 15), 0.10),
    (dt.date(2022, 6, 1), 0.05), (dt.date(2025, 12, 12), 0.14),
]
# term name, weeks, base size $bn at factor 1.0, weekday of the auction (0 = Monday), first auction date
BILLS = [
    ("4-Week", 4, 80, 1, dt.date(2005, 1, 1)), ("8-Week", 8, 75, 1, dt.date(2018, 10, 1)),
    ("13-Week", 13, 80, 0, dt.date(2005, 1, 1)), ("17-Week", 17, 65, 2, dt.date(2022, 10, 1)),
    ("26-Week", 26, 72, 0, dt.date(2005, 1, 1)),
]
# term name, years, base size $bn, security type, the business day of the month it is auctioned
COUPONS = [
    ("2-Year", 2, 69, "Note", -6), ("3-Year", 3, 58, "Note", 6), ("5-Year", 5, 70, "Note", -5),
    ("7-Year", 7, 44, "Note", -4), ("10-Year", 10, 42, "Note", 7), ("20-Year", 20, 13, "Bond", 12),
    ("30-Year", 30, 25, "Bond", 8),
]
COUPON_SIZE_FACTOR = piecewise_linear([("2005-01-01", 0.35), ("2010-01-01", 0.6), ("2021-01-01", 0.9),
                                       ("2024-01-01", 1.0)])


def _soma_share(day: dt.date) -> float:
    share = 0.0
    for start, value in SOMA_BILL_SHARE:
        if day >= start:
            share = value
    return share


def _round100(value: float) -> float:
    return float(round(value / 100) * 100)


def _dollars(value: float) -> str:
    return str(int(_round100(value)))


def _base36(number: int, width: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    for _ in range(width):
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out


@dataclass
class Auction:
    row: dict
    issue: dt.date
    maturity: dt.date
    total_accepted: float
    soma_accepted: float
    is_bill: bool


def generate_auctions(end: dt.date, seed: int, scale: int | None = None) -> list[Auction]:
    """Completed auctions up to ``end`` and the next week's announced ones (results "null").

    A ``scale`` (scale.py) adds cash-management bills until there are that many units of auctions."""
    rng = stream(seed, "auctions")
    horizon = end + dt.timedelta(days=7)
    holidays = federal_holidays_in(START.year, horizon.year + 11)
    auctions: list[Auction] = []
    issued_cusips: set[str] = set()

    def add(term: str, original: str, security_type: str, auction: dt.date, issue: dt.date, maturity: dt.date,
            offering: float, cusip: str, coupon: float | None, cash_management: bool = False,
            draws: random.Random = rng) -> None:
        held = auction <= end
        # Whole $100 steps, as Treasury publishes them, and the published identities hold exactly:
        # total = competitive + non-competitive + SOMA (no FIMA here); dealers + direct + indirect = competitive.
        offering = _round100(offering)
        share = _soma_share(auction) if security_type == "Bill" else _soma_share(auction) * 0.6
        soma = _round100(offering * share) if held else 0.0
        tendered = offering * draws.uniform(2.4, 3.2)
        comp = _round100(offering * draws.uniform(0.97, 0.995))
        dealer = _round100(comp * draws.uniform(0.15, 0.45))
        direct = _round100(comp * draws.uniform(0.05, 0.2))
        rate = max(0.01, FED_FUNDS_UPPER(auction) - 0.2 + draws.gauss(0, 0.03))
        result = {
            "total_tendered": _dollars(tendered), "total_accepted": _dollars(offering + soma),
            "comp_accepted": _dollars(comp), "noncomp_accepted": _dollars(offering - comp),
            "primary_dealer_accepted": _dollars(dealer), "direct_bidder_accepted": _dollars(direct),
            "indirect_bidder_accepted": _dollars(comp - dealer - direct),
            "soma_accepted": _dollars(soma), "soma_tendered": _dollars(soma),
            "bid_to_cover_ratio": f"{tendered / offering:.6f}",
            "high_discnt_rate": f"{rate:.3f}" if security_type == "Bill" else "null",
            "high_investment_rate": f"{rate + 0.05:.3f}" if security_type == "Bill" else "null",
            "high_yield": "null" if security_type == "Bill" else f"{rate + 0.3:.3f}",
        }
        if not held:
            result = dict.fromkeys(result, "null")
        row = {
            "record_date": issue.isoformat(), "cusip": cusip, "security_type": security_type,
            "security_term": term, "original_security_term": original,
            "reopening": "Yes" if cusip in issued_cusips else "No",
            "cash_management_bill_cmb": "Yes" if cash_management else "No",
            "inflation_index_security": "No", "floating_rate": "No",
            "announcemt_date": (auction - dt.timedelta(days=5)).isoformat(), "auction_date": auction.isoformat(),
            "issue_date": issue.isoformat(), "maturity_date": maturity.isoformat(),
            "offering_amt": _dollars(offering), "int_rate": "null" if coupon is None else f"{coupon:.3f}",
            **result,
        }
        issued_cusips.add(cusip)
        auctions.append(Auction(row, issue, maturity, float(result["total_accepted"]) if held else 0.0,
                                soma, security_type == "Bill"))

    # A year of earlier auctions, so the bills outstanding in 2005 are not empty (their rows are not written).
    for day in days(START - dt.timedelta(days=366), horizon):
        for term, weeks, base, weekday, first in BILLS:
            if day.weekday() != weekday or (day < first and first > START):
                continue
            auction = business_day_on_or_after(day, holidays)
            issue = business_day_on_or_after(auction + dt.timedelta(days=(3 - auction.weekday()) % 7 or 7), holidays)
            maturity = issue + dt.timedelta(weeks=weeks)
            cusip = "912797" + _base36(maturity.toordinal(), 3)  # bills maturing together share a CUSIP
            size = base * BILL_SIZE_FACTOR(auction) * 1e9 * rng.uniform(0.95, 1.05)
            add(term, term, "Bill", auction, issue, maturity, size, cusip, None)
        if day.weekday() == 1 and (day.toordinal() // 7) % 4 == 0:  # the 52-week bill, every fourth Tuesday
            auction = business_day_on_or_after(day, holidays)
            issue = business_day_on_or_after(auction + dt.timedelta(days=2), holidays)
            maturity = issue + dt.timedelta(weeks=52)
            size = 48 * BILL_SIZE_FACTOR(auction) * 1e9
            add("52-Week", "52-Week", "Bill", auction, issue, maturity, size,
                "912797" + _base36(maturity.toordinal(), 3), None)
        if day.day == 1 and day >= START:
            month_days = business_days(day, (day + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1),
                                       holidays)
            for term, years, base, security_type, nth in COUPONS:
                if years == 20 and day < dt.date(2020, 5, 1):
                    continue
                auction = month_days[nth] if nth < 0 else month_days[min(nth, len(month_days) - 1)]
                if auction > horizon:
                    continue
                issue = (month_days[-1] if nth < 0
                         else business_day_on_or_after(auction + dt.timedelta(days=7), holidays))
                maturity = issue.replace(year=issue.year + years) if not (issue.month == 2 and issue.day == 29) \
                    else dt.date(issue.year + years, 2, 28)
                cusip = "91282C" + _base36(maturity.toordinal() * 40 + years, 3)
                size = base * COUPON_SIZE_FACTOR(auction) * 1e9
                add(term, term, security_type, auction, issue, maturity, size, cusip,
                    round(max(0.125, FED_FUNDS_UPPER(auction)) * 8) / 8)
    if scale:
        reference = auctions if end == REFERENCE_END else generate_auctions(REFERENCE_END, seed)  # the day's count
        regular = sum(1 for a in reference if a.row["auction_date"] >= START.isoformat())
        _add_cash_management_bills(add, stream(seed, "auctions", "cash_management_bills"), holidays, end,
                                   extra_auction_count(scale, regular), extra_bill_size_factor(scale, regular))
    return auctions


def _add_cash_management_bills(add: Callable, rng: random.Random, holidays: set[dt.date], end: dt.date,
                               count: int, size_factor: float = 1.0) -> None:
    """``count`` short bills spread evenly over the business days to REFERENCE_END, at the same pace after it, with
    their own draws: a day later only adds bills (spread up to ``end``, all moved and rewrote past months' debt)."""
    if not count:
        return
    last = end - dt.timedelta(days=3)
    pace = len(business_days(START, REFERENCE_END - dt.timedelta(days=3), holidays)) / count
    business = business_days(START, max(last, REFERENCE_END), holidays)
    i = 0
    while int(i * pace) < len(business) and business[int(i * pace)] <= last:
        auction = business[int(i * pace)]
        issue = business_day_on_or_after(auction + dt.timedelta(days=1), holidays)
        term_days = rng.choice((7, 14, 21, 35, 42))
        maturity = business_day_on_or_after(issue + dt.timedelta(days=term_days), holidays)
        size = max(1e9, rng.uniform(15, 45) * size_factor * BILL_SIZE_FACTOR(auction) * 1e9)  # none under $1bn
        add(f"{term_days}-Day", f"{term_days}-Day", "Bill", auction, issue, maturity, size,
            "912796" + _base36(i, 3), None, cash_management=True, draws=rng)
        i += 1


def outstanding(auctions: list[Auction], day: dt.date, bills: bool) -> float:
    """USD of bills (or coupons) issued by ``day`` and not yet matured (public and SOMA alike)."""
    return sum(a.total_accepted for a in auctions if a.is_bill == bills and a.issue <= day < a.maturity)


def _envelope(rows: list[dict]) -> dict:
    return {"data": rows, "meta": {"count": len(rows), "total-count": len(rows), "total-pages": 1}}


def _calendar_fields(day: dt.date) -> dict:
    fiscal_year = day.year + (1 if day.month >= 10 else 0)
    return {"record_fiscal_year": str(fiscal_year), "record_fiscal_quarter": str(((day.month - 10) % 12) // 3 + 1),
            "record_calendar_year": str(day.year), "record_calendar_quarter": str((day.month - 1) // 3 + 1),
            "record_calendar_month": f"{day.month:02d}", "record_calendar_day": f"{day.day:02d}"}


def mspd_rows(auctions: list[Auction], end: dt.date) -> list[dict]:
    rows = []
    # Published about four business days after the month ends.
    for month_end in [m for m in month_ends(START, end) if m + dt.timedelta(days=6) <= end]:
        bills = outstanding(auctions, month_end, bills=True) / 1e6
        # Coupons auctioned since 2005 plus a legacy stock that runs off: notes/bonds were ~$3tn in 2005.
        coupons = outstanding(auctions, month_end, bills=False) / 1e6 + max(0.0, 3_000_000 * (
            1 - (month_end - START).days / 3650))
        classes = [("Bills", bills), ("Notes", coupons * 0.72), ("Bonds", coupons * 0.18),
                   ("Treasury Inflation-Protected Securities", coupons * 0.08),
                   ("Floating Rate Notes", coupons * 0.02 if month_end >= dt.date(2014, 1, 31) else 0.0)]
        marketable = sum(v for _, v in classes)
        nonmarketable = 4_200_000 + 2_000 * (month_end - START).days / 30
        line = 0
        for security_type, cls, total in [*(("Marketable", c, v) for c, v in classes),
                                          ("Total Marketable", "_", marketable),
                                          ("Nonmarketable", "Total Nonmarketable", nonmarketable),
                                          ("Total Public Debt Outstanding", "_", marketable + nonmarketable)]:
            line += 1
            intragov = total * (0.0002 if security_type == "Marketable" else 0.9 if cls == "Total Nonmarketable"
                                else 0.0)
            rows.append({"record_date": month_end.isoformat(), "security_type_desc": security_type,
                         "security_class_desc": cls, "debt_held_public_mil_amt": f"{total - intragov:.4f}",
                         "intragov_hold_mil_amt": f"{intragov:.4f}", "total_mil_amt": f"{total:.4f}",
                         "src_line_nbr": str(line), **_calendar_fields(month_end)})
    return rows


def avg_interest_rate_rows(auctions: list[Auction], end: dt.date) -> list[dict]:
    """Average interest rate on marketable debt by kind, month-end: the rates of the securities then outstanding,
    weighted by amount (bills at their investment rate, notes and bonds at their coupon); published with the MSPD."""
    rows = []
    kinds = [("Treasury Bills", {"Bill"}), ("Treasury Notes", {"Note"}), ("Treasury Bonds", {"Bond"}),
             ("Total Marketable", {"Bill", "Note", "Bond"})]
    for month_end in [m for m in month_ends(START, end) if m + dt.timedelta(days=6) <= end]:
        live = [(a, a.row["high_investment_rate" if a.is_bill else "int_rate"]) for a in auctions
                if a.issue <= month_end < a.maturity]
        for line, (desc, types) in enumerate(kinds, start=1):
            rated = [(a.total_accepted, float(rate)) for a, rate in live
                     if a.row["security_type"] in types and rate != "null"]
            amount = sum(weight for weight, _ in rated)
            if amount:
                average = sum(weight * rate for weight, rate in rated) / amount
                rows.append({"record_date": month_end.isoformat(), "security_type_desc": "Marketable",
                             "security_desc": desc, "avg_interest_rate_amt": f"{average:.3f}",
                             "src_line_nbr": str(line), **_calendar_fields(month_end)})
    return rows


def dts_cash_rows(end: dt.date, seed: int) -> list[dict]:
    """DTS table I in its three generations (API-FORMATS.md §2c); balances in millions, as strings."""
    rng = stream(seed, "dts")
    holidays = federal_holidays_in(START.year, end.year)
    rows = []
    previous = TGA_USD_MN(START)
    # The DTS for a day is published the next business day.
    for day in business_days(START, end - dt.timedelta(days=1), holidays):
        close = max(1_000.0, TGA_USD_MN(day) * (1 + rng.gauss(0, 0.03)))
        common = {"record_date": day.isoformat(), "table_nbr": "I", "table_nm": "Operating Cash Balance",
                  "sub_table_name": "null", "open_month_bal": f"{previous:.0f}", "open_fiscal_year_bal": "null",
                  **_calendar_fields(day)}
        if day <= dt.date(2021, 9, 30):
            rows.append({**common, "account_type": "Federal Reserve Account", "open_today_bal": f"{previous:.0f}",
                         "close_today_bal": f"{close:.0f}", "src_line_nbr": "1"})
        elif day <= dt.date(2022, 4, 15):
            rows.append({**common, "account_type": "Treasury General Account (TGA)",
                         "open_today_bal": f"{previous:.0f}", "close_today_bal": f"{close:.0f}", "src_line_nbr": "1"})
        else:
            flows = abs(close - previous) + 20_000 * rng.random()
            deposits = flows + max(0.0, close - previous)
            withdrawals = deposits - (close - previous)
            for line, (account, value) in enumerate([
                ("Treasury General Account (TGA) Opening Balance", previous),
                ("Total TGA Deposits (Table II)", deposits),
                ("Total TGA Withdrawals (Table II) (-)", withdrawals),
                ("Treasury General Account (TGA) Closing Balance", close),
            ], start=1):
                rows.append({**common, "account_type": account, "open_today_bal": f"{value:.0f}",
                             "close_today_bal": "null", "src_line_nbr": str(line)})
        previous = close
    return rows


def dts_public_debt_rows(auctions: list[Auction], end: dt.date) -> list[dict]:
    """DTS table III-A for marketable securities: issues by issue date, redemptions on the first business day on or
    after maturity, in millions. Built from every generated auction (the year before START included), so bills
    issued in 2004 are redeemed in 2005 here although their auctions are not in the auctions file, as on the DTS."""
    holidays = federal_holidays_in(START.year, end.year + 1)
    amounts: dict[tuple[dt.date, str, str, str], float] = {}

    def add(day: dt.date, transaction: str, security: str, description: str, usd: float) -> None:
        key = (day, transaction, security, description)
        amounts[key] = amounts.get(key, 0.0) + usd

    for auction in auctions:
        if not auction.total_accepted:
            continue
        security = "Bills" if auction.is_bill else auction.row["security_type"] + "s"
        cmb = auction.row["cash_management_bill_cmb"] == "Yes"
        description = ("Cash Management Series" if cmb else "Regular Series") if auction.is_bill else "null"
        add(auction.issue, "Issues", security, description, auction.total_accepted)
        redeemed = business_day_on_or_after(auction.maturity, holidays)
        add(redeemed, "Redemptions", security, "null", auction.total_accepted)
    lines = [("Issues", "Bills", "Regular Series"), ("Issues", "Bills", "Cash Management Series"),
             ("Issues", "Notes", "null"), ("Issues", "Bonds", "null"),
             ("Redemptions", "Bills", "null"), ("Redemptions", "Notes", "null"), ("Redemptions", "Bonds", "null")]
    rows, month_to_date, year_to_date = [], {}, {}
    for day in business_days(START, end - dt.timedelta(days=1), holidays):
        fiscal_year = day.year + (1 if day.month >= 10 else 0)
        for line_number, (transaction, security, description) in enumerate(lines, start=1):
            today = round(amounts.get((day, transaction, security, description), 0.0) / 1e6)
            mtd_key, ytd_key = (day.year, day.month, line_number), (fiscal_year, line_number)
            month_to_date[mtd_key] = month_to_date.get(mtd_key, 0) + today
            year_to_date[ytd_key] = year_to_date.get(ytd_key, 0) + today
            rows.append({"record_date": day.isoformat(), "transaction_type": transaction,
                         "security_market": "Marketable", "security_type": security,
                         "security_type_desc": description, "transaction_today_amt": str(today),
                         "transaction_mtd_amt": str(month_to_date[mtd_key]),
                         "transaction_fytd_amt": str(year_to_date[ytd_key]), "table_nbr": "IIIA",
                         "table_nm": "Public Debt Transactions", "src_line_nbr": str(line_number),
                         **_calendar_fields(day)})
    return rows


def tga_closing_balances(rows: list[dict]) -> dict[dt.date, float]:
    """The TGA's closing balance per DTS day ($mn), whatever the table generation (see dts_cash_rows)."""
    closes = {}
    for row in rows:
        if row["account_type"] in ("Federal Reserve Account", "Treasury General Account (TGA)"):
            closes[dt.date.fromisoformat(row["record_date"])] = float(row["close_today_bal"])
        elif row["account_type"] == "Treasury General Account (TGA) Closing Balance":
            closes[dt.date.fromisoformat(row["record_date"])] = float(row["open_today_bal"])
    return closes


def debt_to_penny_rows(mspd: list[dict], end: dt.date) -> list[dict]:
    """Daily totals between the MSPD's month-end totals; on each month's last business day exactly the MSPD total
    (the real statements agree to within $1mn: dbt reconciles the two)."""
    holidays = federal_holidays_in(START.year, end.year)
    totals = [(business_day_on_or_before(dt.date.fromisoformat(r["record_date"]), holidays).isoformat(),
               float(r["total_mil_amt"]) * 1e6) for r in mspd
              if r["security_type_desc"] == "Total Public Debt Outstanding"]
    if not totals:
        return []
    path = piecewise_linear(totals)
    rows = []
    for day in business_days(START, end - dt.timedelta(days=1), holidays):
        total_cents = round(path(day) * 100)
        public_cents = round(total_cents * 0.78)  # whole cents, so held by public + intragovernmental = total
        rows.append({"record_date": day.isoformat(), "debt_held_public_amt": f"{public_cents / 100:.2f}",
                     "intragov_hold_amt": f"{(total_cents - public_cents) / 100:.2f}",
                     "tot_pub_debt_out_amt": f"{total_cents / 100:.2f}",
                     "src_line_nbr": "1", **_calendar_fields(day)})
    return rows


def generate(out: Path, seed: int, end: dt.date, scale: int | None = None) -> list[Auction]:
    """Write the Fiscal Data endpoints into ``out/treasury``; return the auctions for the NY Fed sample."""
    folder = out / "treasury"
    folder.mkdir(parents=True, exist_ok=True)
    auctions = generate_auctions(end, seed, scale)
    mspd = mspd_rows(auctions, end)
    files = {
        "v1__accounting__od__auctions_query.json": [a.row for a in auctions
                                                    if a.row["auction_date"] >= START.isoformat()],
        "v1__debt__mspd__mspd_table_1.json": mspd,
        "v1__accounting__dts__operating_cash_balance.json": dts_cash_rows(end, seed),
        "v1__accounting__dts__public_debt_transactions.json": dts_public_debt_rows(auctions, end),
        "v2__accounting__od__debt_to_penny.json": debt_to_penny_rows(mspd, end),
        "v2__accounting__od__avg_interest_rates.json": avg_interest_rate_rows(auctions, end),
    }
    for name, rows in files.items():
        write_json(folder / name, _envelope(rows))
    return auctions

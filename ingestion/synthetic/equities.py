"""Synthetic prices (chart API JSON) and SEC filings (companyfacts, submissions) for the universe, coherent:
market cap = unadjusted price × shares outstanding, and earnings and revenue follow market cap through a
sector P/E and margin. Splits, dividends, losses, fiscal years that are not calendar years, 10-Qs with
quarter and year-to-date facts, 10-Ks without a discrete Q4, prior-year comparatives, a revenue tag that
changes (NVDA), two revenue tags with different values in one filing (DUK), share classes of equal weight (GOOGL)
and of unequal weight (BRK: 1 Class A = 1,500 Class B), and acceptance times in EDGAR's two clock conventions
(some filings accepted after the close) are all in, as in the real data.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import math
import random
from pathlib import Path
from zoneinfo import ZoneInfo

from ingestion.business_calendar import nyse_sessions
from ingestion.synthetic.output import write_json
from ingestion.synthetic.randomness import stream
from ingestion.synthetic.scale import FIRST_SYNTHETIC_CIK
from ingestion.synthetic.shapes import START
from ingestion.universe import Company, load_universe

NEW_YORK = ZoneInfo("America/New_York")
FIRST_TRADE = {"META": "2012-05-18", "TSLA": "2010-06-29", "PLTR": "2020-09-30", "AVGO": "2009-08-06",
               "V": "2008-03-19", "MA": "2006-05-25", "ABBV": "2013-01-02", "DELL": "2018-12-28",
               "ANET": "2014-06-06", "NOW": "2012-06-29", "GOOGL": "2005-01-03"}
SPLITS = {"NVDA": [("2021-07-20", 4), ("2024-06-10", 10)], "AAPL": [("2014-06-09", 7), ("2020-08-31", 4)],
          "TSLA": [("2020-08-31", 5), ("2022-08-25", 3)], "GOOGL": [("2022-07-18", 20)],
          "AMZN": [("2022-06-06", 20)], "AVGO": [("2024-07-15", 10)], "BRK-B": [("2010-01-21", 50)]}
# Berkshire's cover page counts Class A and Class B shares apart: (from, Class B shares one Class A share is worth).
# Class B split 50-for-1 on 2010-01-21, so one A went from 30 B to 1,500 B. Class A holds this share of the value.
BRK_CLASS_A_IN_B = [("1996-05-09", 30), ("2010-01-21", 1500)]
BRK_CLASS_A_VALUE_SHARE = 0.42
# Utilities report revenue from contracts with customers beside total revenue (which adds alternative revenue
# programs and other income): two revenue tags, two values, one filing. The contract part, as a share of the total:
CONTRACT_REVENUE_SHARE = {"DUK": 0.93}
FISCAL_YEAR_END_MONTH = {"AAPL": 9, "MSFT": 6, "NVDA": 1, "ORCL": 5, "AVGO": 10, "CSCO": 7, "ADBE": 11, "COST": 8,
                         "NKE": 5, "DE": 10, "DIS": 9, "MU": 8, "QCOM": 9, "PG": 6}
# sector → (P/E, net margin, dividend yield)
SECTOR_PROFILE = {
    "Technology": (28, 0.22, 0.008), "Communication Services": (20, 0.15, 0.012),
    "Consumer Discretionary": (25, 0.07, 0.01), "Consumer Staples": (22, 0.08, 0.027),
    "Financials": (13, 0.20, 0.025), "Health Care": (19, 0.12, 0.02), "Energy": (11, 0.09, 0.035),
    "Industrials": (19, 0.09, 0.018), "Materials": (17, 0.10, 0.02), "Utilities": (17, 0.13, 0.035),
    "Real Estate": (35, 0.25, 0.03),
}
SIC = {"Semiconductors": ("3674", "Semiconductors & Related Devices"),
       "Software": ("7372", "Services-Prepackaged Software"),
       "Hardware": ("3571", "Electronic Computers"), "Networking": ("3576", "Computer Communications Equipment"),
       "IT Services": ("7370", "Services-Computer Programming, Data Processing, Etc."),
       "Interactive Media": ("7370", "Services-Computer Programming, Data Processing, Etc."),
       "Entertainment": ("7812", "Services-Motion Picture & Video Tape Production"),
       "Cable": ("4841", "Cable & Other Pay Television Services"), "Telecom": ("4813", "Telephone Communications"),
       "Internet Retail": ("5961", "Retail-Catalog & Mail-Order Houses"), "Automobiles": ("3711", "Motor Vehicles"),
       "Banks": ("6021", "National Commercial Banks"), "Pharmaceuticals": ("2834", "Pharmaceutical Preparations"),
       "Integrated Oil & Gas": ("2911", "Petroleum Refining"), "Electric Utilities": ("4911", "Electric Services")}
# Earnings-day shocks, as simple close-to-close returns that replace the day's drawn move (the draw is still made,
# so the stream stays aligned): Oracle's fall of 2025-12-11 after its results, and the AI names that followed it.
EARNINGS_SHOCKS = {("ORCL", dt.date(2025, 12, 11)): -0.115, ("NVDA", dt.date(2025, 12, 11)): -0.032,
                   ("MSFT", dt.date(2025, 12, 11)): -0.021}
# Earnings releases (8-K item 2.02) at a given New York time instead of the generator's usual 12 days before the
# 10-Q: (ticker, fiscal quarter end) → acceptance. Oracle's of 2025-12-10 came after the close.
EARNINGS_RELEASES = {("ORCL", dt.date(2025, 11, 30)): dt.datetime(2025, 12, 10, 16, 5)}
LOSS_YEARS = {"TSLA": range(2005, 2020), "PLTR": range(2005, 2023), "INTC": range(2024, 2025), "BA": range(2019, 2025)}


def _fiscal_quarter_ends(fy_end_month: int, end: dt.date) -> list[tuple[dt.date, int, int]]:
    """(quarter end, fiscal year, quarter number) for every fiscal quarter ending by ``end``."""
    out = []
    for year in range(START.year - 1, end.year + 2):
        for q in range(1, 5):
            month = (fy_end_month + 3 * q - 1) % 12 + 1
            cal_year = year - 1 + ((fy_end_month + 3 * q - 1) // 12)
            last = (dt.date(cal_year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1))
            if START <= last <= end:
                out.append((last, year, q))
    return sorted(out)


class CompanyPath:
    """One company's daily market cap, shares and price, before any adjustment."""

    def __init__(self, company: Company, sessions: list[dt.date], seed: int) -> None:
        rng = stream(seed, "equities", company.ticker)
        first = dt.date.fromisoformat(FIRST_TRADE.get(company.ticker, "2005-01-03"))
        self.sessions = [d for d in sessions if d >= first]
        pe, margin, dividend_yield = SECTOR_PROFILE[company.sector]
        self.pe, self.margin, self.dividend_yield = pe, margin, dividend_yield
        # Scale data sets (scale.py) reach beyond the large caps: their synthetic names start smaller.
        cap = math.exp(rng.gauss(math.log(10e9 if company.cik >= FIRST_SYNTHETIC_CIK else 50e9), 0.6))
        price = rng.uniform(20, 120)
        shares = cap / price
        splits = {dt.date.fromisoformat(d): r for d, r in SPLITS.get(company.ticker, [])}
        drift = 0.04 + (0.03 if company.sector == "Technology" else 0.0)
        self.cap, self.shares, self.price = {}, {}, {}
        for day in self.sessions:
            boom = 0.25 if company.ai_basket and day >= dt.date(2023, 1, 1) else 0.0
            crash = -0.6 if dt.date(2008, 9, 1) <= day <= dt.date(2009, 3, 9) else 0.0
            move = math.exp((drift + boom + crash) / 252 + rng.gauss(0, 0.018))
            shock = EARNINGS_SHOCKS.get((company.ticker, day))
            cap *= move if shock is None else 1 + shock
            shares *= splits.get(day, 1) * math.exp(-0.01 / 252)
            self.cap[day], self.shares[day], self.price[day] = cap, shares, cap / shares
        self.splits = splits


@functools.cache
def _opening_stamp(day: dt.date) -> int:
    """The Unix time of the day's 9:30 open in New York, as the chart API stamps a daily bar. Every company trades the
    same sessions: computed once a day, not once a bar (the time zone arithmetic was a tenth of the sample's
    generation)."""
    return int(dt.datetime.combine(day, dt.time(9, 30), NEW_YORK).timestamp())


def chart_payload(company: Company, path: CompanyPath, seed: int) -> dict:
    rng = stream(seed, "equities", "chart-" + company.ticker)
    sessions = path.sessions
    # Split-adjusted close: divide by every split after the day (as the chart API's `close` does).
    factor_after, running = {}, 1.0
    for day in reversed(sessions):
        factor_after[day] = running
        running *= path.splits.get(day, 1)
    close = {d: path.price[d] / factor_after[d] for d in sessions}
    dividends = {}
    if path.dividend_yield and company.ticker not in ("TSLA", "AMZN", "PLTR", "META", "GOOGL", "NFLX", "ADBE", "NOW",
                                                      "ANET", "SMCI", "MU", "BRK-B", "CRM"):
        for i, day in enumerate(sessions):
            if day.month in (2, 5, 8, 11) and 10 <= day.day <= 16 and day.weekday() == 3:
                dividends[day] = round(close[sessions[i - 1] if i else day] * path.dividend_yield / 4, 4)
    # Dividend-adjusted close, back-adjusted from the newest bar.
    adjclose, multiplier = {}, 1.0
    for i in range(len(sessions) - 1, -1, -1):
        day = sessions[i]
        adjclose[day] = close[day] * multiplier
        if day in dividends and i > 0:
            multiplier *= 1 - dividends[day] / close[sessions[i - 1]]
    stamps = [_opening_stamp(d) for d in sessions]
    opens = [round(close[d] * (1 + rng.gauss(0, 0.006)), 4) for d in sessions]
    highs = [round(max(o, close[d]) * (1 + abs(rng.gauss(0, 0.006))), 4) for o, d in zip(opens, sessions, strict=True)]
    lows = [round(min(o, close[d]) * (1 - abs(rng.gauss(0, 0.006))), 4) for o, d in zip(opens, sessions, strict=True)]
    # A shock day trades lower still before it closes: a third of the move again below the close.
    lows = [round(min(low, close[d] * (1 + EARNINGS_SHOCKS[(company.ticker, d)] / 3)), 4)
            if (company.ticker, d) in EARNINGS_SHOCKS else low for low, d in zip(lows, sessions, strict=True)]
    split_events = {str(s): {"date": s, "numerator": r, "denominator": 1, "splitRatio": f"{r}:1"}
                    for d, r in path.splits.items() if d in factor_after
                    for s in [_opening_stamp(d)]}
    dividend_events = {str(s): {"amount": a, "date": s} for d, a in dividends.items()
                       for s in [_opening_stamp(d)]}
    return {"chart": {"result": [{
        "meta": {"currency": "USD", "symbol": company.ticker, "exchangeName": "NMS", "instrumentType": "EQUITY",
                 "firstTradeDate": stamps[0], "gmtoffset": -18000, "timezone": "EST",
                 "exchangeTimezoneName": "America/New_York", "priceHint": 2, "dataGranularity": "1d"},
        "timestamp": stamps,
        "events": {"dividends": dividend_events, "splits": split_events},
        "indicators": {"quote": [{"open": opens, "high": highs, "low": lows,
                                  "close": [round(close[d], 4) for d in sessions],
                                  "volume": [int(rng.uniform(2e6, 6e7)) for _ in sessions]}],
                       "adjclose": [{"adjclose": [round(adjclose[d], 4) for d in sessions]}]},
    }], "error": None}}


def _fact(start: dt.date | None, end: dt.date, val: float, accn: str, fy: int, fp: str, form: str,
          filed: dt.date) -> dict:
    fact = {"end": end.isoformat(), "val": int(round(val)), "accn": accn, "fy": fy, "fp": fp, "form": form,
            "filed": filed.isoformat()}
    return {"start": start.isoformat(), **fact} if start else fact


def _accepted(rng: random.Random, filed: dt.date, clock_is_new_york: bool) -> str:
    """EDGAR's acceptanceDateTime for a filing accepted on ``filed`` between 06:00 and 17:30 New York time (later
    ones get the next business day's filing date), written with a `Z`: in UTC, or for some filers the New York clock."""
    accepted = dt.datetime.combine(filed, dt.time(6), NEW_YORK) + dt.timedelta(minutes=rng.randrange(11 * 60 + 30))
    clock = accepted if clock_is_new_york else accepted.astimezone(dt.UTC)
    return clock.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def sec_documents(company: Company, path: CompanyPath, seed: int, end: dt.date) -> tuple[dict, dict]:
    """companyfacts and submissions JSON for one company, filings up to ``end``."""
    rng = stream(seed, "equities", "sec-" + company.ticker)
    fy_end = FISCAL_YEAR_END_MONTH.get(company.ticker, 12)
    quarters = _fiscal_quarter_ends(fy_end, end + dt.timedelta(days=120))
    days_sorted = path.sessions

    every_fifth = days_sorted[::5]

    def cap_near(day: dt.date) -> float:
        # The last of every fifth session on or before the day (else the first session): bisect, not a scan.
        at = bisect.bisect_right(every_fifth, day)
        candidates = every_fifth[at - 1:at] or days_sorted[:1]
        return path.cap[candidates[-1]] if candidates else 0.0

    income, revenue, starts = {}, {}, {}
    previous_end = None
    for quarter_end, fiscal_year, q in quarters:
        start = (previous_end + dt.timedelta(days=1)) if previous_end else quarter_end - dt.timedelta(days=90)
        previous_end = quarter_end
        cap = cap_near(quarter_end)
        ttm_income = cap / (path.pe * rng.uniform(0.8, 1.25))
        income[quarter_end] = ttm_income / 4 * rng.uniform(0.85, 1.15)
        if quarter_end.year in LOSS_YEARS.get(company.ticker, ()):
            income[quarter_end] = -abs(income[quarter_end]) * 0.3
        revenue[quarter_end] = abs(ttm_income / 4) / path.margin * rng.uniform(0.95, 1.05)
        starts[quarter_end] = (start, fiscal_year, q)

    net_income_facts, revenue_facts, share_facts, filings = [], [], [], []
    by_year: dict[int, list[dt.date]] = {}
    for quarter_end, (_, fiscal_year, _) in starts.items():
        by_year.setdefault(fiscal_year, []).append(quarter_end)
    sequence = 0
    # A separate generator: acceptance times leave every other drawn value as it was.
    accepting = stream(seed, "equities", "accepted-" + company.ticker)
    clock_is_new_york = accepting.random() < 0.25  # EDGAR writes a `Z`, but for some filers the clock is New York's
    for quarter_end, (start, fiscal_year, q) in starts.items():
        annual = q == 4
        filed = quarter_end + dt.timedelta(days=60 if annual else 38)
        if filed > end or quarter_end < START + dt.timedelta(days=100):
            continue
        sequence += 1
        accn = f"{company.cik:010d}-{filed.year % 100:02d}-{sequence:06d}"
        form, fp = ("10-K", "FY") if annual else ("10-Q", f"Q{q}")
        year_quarters = sorted(by_year[fiscal_year])
        year_start = starts[year_quarters[0]][0]
        to_date = [d for d in year_quarters if d <= quarter_end]
        for facts, values in ((net_income_facts, income), (revenue_facts, revenue)):
            # A small restatement now and then: the comparative differs from what was first filed.
            restate = 1.0 + (rng.choice([0.0] * 19 + [0.02]))
            if annual:
                facts.append(_fact(year_start, quarter_end, sum(values[d] for d in to_date), accn, fiscal_year, fp,
                                   form, filed))
                prior = [d for d in by_year.get(fiscal_year - 1, []) if d in values]
                if len(prior) == 4:
                    facts.append(_fact(starts[prior[0]][0], prior[-1], sum(values[d] for d in prior) * restate,
                                       accn, fiscal_year, fp, form, filed))
            else:
                facts.append(_fact(start, quarter_end, values[quarter_end], accn, fiscal_year, fp, form, filed))
                if len(to_date) > 1:  # the year-to-date figure beside the quarter
                    facts.append(_fact(year_start, quarter_end, sum(values[d] for d in to_date), accn, fiscal_year,
                                       fp, form, filed))
                last_year = [d for d in by_year.get(fiscal_year - 1, []) if d in values]
                if len(last_year) >= q:  # the same quarter a year earlier, as a comparative
                    prior_end = last_year[q - 1]
                    facts.append(_fact(starts[prior_end][0], prior_end, values[prior_end] * restate, accn,
                                       fiscal_year, fp, form, filed))
        cover_date = filed - dt.timedelta(days=8)
        known = bisect.bisect_right(path.sessions, cover_date)  # sessions on or before the cover date
        shares = path.shares[path.sessions[known - 1]] if known else path.shares[path.sessions[0]]
        if company.ticker == "GOOGL":  # two share classes, two values on the same cover page
            share_facts += [_fact(None, cover_date, shares * 0.55, accn, fiscal_year, fp, form, filed),
                            _fact(None, cover_date, shares * 0.45, accn, fiscal_year, fp, form, filed)]
        elif company.ticker == "BRK-B":  # Class A and Class B counts; `shares` counts Class B equivalents
            a_in_b = [r for d, r in BRK_CLASS_A_IN_B if d <= cover_date.isoformat()][-1]
            share_facts += [_fact(None, cover_date, shares * BRK_CLASS_A_VALUE_SHARE / a_in_b, accn, fiscal_year, fp,
                                  form, filed),
                            _fact(None, cover_date, shares * (1 - BRK_CLASS_A_VALUE_SHARE), accn, fiscal_year, fp,
                                  form, filed)]
        else:
            share_facts.append(_fact(None, cover_date, shares, accn, fiscal_year, fp, form, filed))
        filings.append((accn, filed, quarter_end, form, "", _accepted(accepting, filed, clock_is_new_york)))
        release = filed - dt.timedelta(days=12)
        release_accepted = _accepted(accepting, release, clock_is_new_york)
        if (company.ticker, quarter_end) in EARNINGS_RELEASES:
            at = EARNINGS_RELEASES[(company.ticker, quarter_end)].replace(tzinfo=NEW_YORK)
            release = at.date()
            release_accepted = (at if clock_is_new_york else at.astimezone(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        filings.append((f"{company.cik:010d}-{release.year % 100:02d}-9{sequence:05d}", release, quarter_end,
                        "8-K", "2.02,9.01", release_accepted))

    revenue_tag = "Revenues"
    us_gaap = {"NetIncomeLoss": {"label": "Net Income (Loss) Attributable to Parent", "description": "",
                                 "units": {"USD": net_income_facts}}}
    if company.ticker == "NVDA":  # NVDA moved tags: older filings use the ASC 606 revenue tag
        switch = "2022-06-01"
        us_gaap["RevenueFromContractWithCustomerExcludingAssessedTax"] = {
            "label": "Revenue from Contract with Customer", "description": "",
            "units": {"USD": [f for f in revenue_facts if f["filed"] < switch]}}
        revenue_facts = [f for f in revenue_facts if f["filed"] >= switch]
    us_gaap[revenue_tag] = {"label": "Revenues", "description": "", "units": {"USD": revenue_facts}}
    if company.ticker in CONTRACT_REVENUE_SHARE:  # the contract part beside the total, in the same filings
        share = CONTRACT_REVENUE_SHARE[company.ticker]
        us_gaap["RevenueFromContractWithCustomerExcludingAssessedTax"] = {
            "label": "Revenue from Contract with Customer", "description": "",
            "units": {"USD": [{**f, "val": int(round(f["val"] * share))} for f in revenue_facts]}}
    companyfacts = {"cik": company.cik, "entityName": company.name, "facts": {
        "dei": {"EntityCommonStockSharesOutstanding": {"label": "Entity Common Stock, Shares Outstanding",
                                                       "description": "", "units": {"shares": share_facts}}},
        "us-gaap": us_gaap}}
    sic, sic_description = SIC.get(company.industry, ("9999", "Nonclassifiable Establishments"))
    filings.sort(key=lambda f: f[1], reverse=True)
    submissions = {
        "cik": str(company.cik), "entityType": "operating", "sic": sic, "sicDescription": sic_description,
        "name": company.name.upper(), "tickers": [company.ticker], "exchanges": ["Nasdaq"],
        "fiscalYearEnd": f"{fy_end:02d}{[31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][fy_end - 1]:02d}",
        "category": "Large accelerated filer",
        "filings": {"recent": {
            "accessionNumber": [f[0] for f in filings], "filingDate": [f[1].isoformat() for f in filings],
            "reportDate": [f[2].isoformat() for f in filings], "acceptanceDateTime": [f[5] for f in filings],
            "form": [f[3] for f in filings], "items": [f[4] for f in filings]}, "files": []},
    }
    return companyfacts, submissions


def generate(out: Path, seed: int, end: dt.date, companies: list[Company] | None = None) -> None:
    sessions = nyse_sessions(START, end)
    (out / "prices").mkdir(parents=True, exist_ok=True)
    (out / "sec" / "companyfacts").mkdir(parents=True, exist_ok=True)
    (out / "sec" / "submissions").mkdir(parents=True, exist_ok=True)
    for company in companies or load_universe():
        path = CompanyPath(company, sessions, seed)
        write_json(out / "prices" / f"{company.ticker}.json", chart_payload(company, path, seed))
        facts, submissions = sec_documents(company, path, seed, end)
        write_json(out / "sec" / "companyfacts" / f"{company.cik10}.json", facts)
        write_json(out / "sec" / "submissions" / f"{company.cik10}.json", submissions)

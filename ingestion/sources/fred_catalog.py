"""The FRED series the marts use (METRICS.md), with the units FRED publishes today: what ingestion/sources/fred.py
loads by default, and how it describes each series when no API key gives the live metadata."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SeriesInfo:
    series_id: str
    title: str
    units: str
    frequency: str


# Every series METRICS.md uses, with the units FRED publishes today. FRED has re-based units before (WRESBAL
# and WTREGEN went from billions to millions), so with an API key the live metadata wins; staging scales by it.
CATALOG: dict[str, SeriesInfo] = {
    s.series_id: s
    for s in [
        SeriesInfo("WRESBAL", "Reserve balances with Federal Reserve Banks (week average)", "Millions of Dollars",
                   "Weekly, Ending Wednesday"),
        SeriesInfo("TOTRESNS", "Total reserves of depository institutions", "Billions of Dollars", "Monthly"),
        SeriesInfo("WALCL", "Total assets of the Federal Reserve (Wednesday level)", "Millions of Dollars",
                   "Weekly, As of Wednesday"),
        SeriesInfo("WTREGEN", "Treasury General Account (week average)", "Millions of Dollars",
                   "Weekly, Ending Wednesday"),
        SeriesInfo("RRPONTSYD", "Overnight reverse repurchase agreements: Treasury securities sold by the Fed",
                   "Billions of US Dollars", "Daily"),
        SeriesInfo("SOFR", "Secured Overnight Financing Rate", "Percent", "Daily"),
        SeriesInfo("EFFR", "Effective Federal Funds Rate", "Percent", "Daily"),
        SeriesInfo("IORB", "Interest Rate on Reserve Balances", "Percent", "Daily, 7-Day"),
        SeriesInfo("GDP", "Gross Domestic Product", "Billions of Dollars", "Quarterly"),
        SeriesInfo("TLAACBW027SBOG", "Total assets, all commercial banks", "Billions of U.S. Dollars",
                   "Weekly, Ending Wednesday"),
        SeriesInfo("TGCRRATE", "Tri-Party General Collateral Rate", "Percent", "Daily"),
        SeriesInfo("IOER", "Interest Rate on Excess Reserves (until 2021-07-28)", "Percent", "Daily, 7-Day"),
        SeriesInfo("DFEDTARU", "Federal Funds Target Range - Upper Limit", "Percent", "Daily, 7-Day"),
        SeriesInfo("DFEDTARL", "Federal Funds Target Range - Lower Limit", "Percent", "Daily, 7-Day"),
        SeriesInfo("DFF", "Federal Funds Effective Rate (7-day)", "Percent", "Daily, 7-Day"),
        SeriesInfo("DTB3", "3-Month Treasury Bill Secondary Market Rate, Discount Basis", "Percent", "Daily"),
        SeriesInfo("DGS10", "Market Yield on U.S. Treasury Securities at 10-Year Constant Maturity", "Percent",
                   "Daily"),
        SeriesInfo("WDTGAL", "Treasury General Account (Wednesday level)", "Millions of Dollars",
                   "Weekly, As of Wednesday"),
        SeriesInfo("WSHOBL", "Securities held outright: U.S. Treasury bills (Wednesday level)", "Millions of Dollars",
                   "Weekly, As of Wednesday"),
        SeriesInfo("TREAST", "Securities held outright: U.S. Treasury securities (Wednesday level)",
                   "Millions of Dollars", "Weekly, As of Wednesday"),
        SeriesInfo("GFDEBTN", "Federal Debt: Total Public Debt", "Millions of Dollars", "Quarterly, End of Period"),
    ]
}

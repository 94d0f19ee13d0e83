"""The equity marts of the replay build, recomputed by hand from the generated chart, companyfacts and submissions
files with the rules METRICS.md states: market cap across splits and share classes, revenue and earnings as known
at each close, cap-weighted sector P/E.
"""

import csv
import datetime as dt
import json
import math
from zoneinfo import ZoneInfo

import duckdb
import pytest

from tests.conftest import SAMPLE_END

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("replay")]  # one worker: they share one replay build


@pytest.fixture(scope="module")
def built(replay_build):
    return replay_build


# Equities, recomputed from the generated chart, companyfacts and submissions files.

NEW_YORK = ZoneInfo("America/New_York")
BERKSHIRE_CIK = 1067983
REVENUE_TAGS = ("RevenuesNetOfInterestExpense", "Revenues", "RevenueFromContractWithCustomerExcludingAssessedTax")


def _universe() -> list[dict]:
    return list(csv.DictReader(open("ingestion/universe.csv")))


def _chart(sample_dir, ticker) -> tuple[dict[dt.date, float], list[tuple[dt.date, float]]]:
    """Closes by session and splits (day, ratio) as the chart file has them."""
    chart = json.loads((sample_dir / "prices" / f"{ticker}.json").read_text())["chart"]["result"][0]
    closes = {dt.datetime.fromtimestamp(s, NEW_YORK).date(): c
              for s, c in zip(chart["timestamp"], chart["indicators"]["quote"][0]["close"], strict=True)}
    splits = [(dt.datetime.fromtimestamp(e["date"], NEW_YORK).date(), e["numerator"] / e["denominator"])
              for e in (chart.get("events") or {}).get("splits", {}).values()]
    return closes, splits


def _sec(sample_dir, cik: int) -> tuple[dict, dict[str, dt.date]]:
    """companyfacts, and per accession the first day whose close follows the filing's acceptance: EDGAR writes
    acceptanceDateTime with a `Z`, though some filers' clock is New York's, so the clock is read as New York time
    (the later of the two readings); at or after 16:00 the filing counts from the next day."""
    facts = json.loads((sample_dir / "sec" / "companyfacts" / f"CIK{cik:010d}.json").read_text())
    recent = json.loads((sample_dir / "sec" / "submissions" / f"CIK{cik:010d}.json").read_text())["filings"]["recent"]
    known_from = {}
    for accn, accepted in zip(recent["accessionNumber"], recent["acceptanceDateTime"], strict=True):
        clock = dt.datetime.fromisoformat(accepted[:19])
        known_from[accn] = clock.date() + dt.timedelta(days=clock.time() >= dt.time(16))
    return facts, known_from


def _shares(facts: dict, known_from: dict[str, dt.date], splits, day: dt.date) -> tuple[dt.date, float] | None:
    """(cover date, shares on today's basis) of the latest cover page known on `day`. Berkshire's two counts are
    Class A (the smaller) and Class B; one A is worth 30 B until Class B's 50-for-1 split of 2010-01-21, 1,500 after."""
    by_filing: dict[str, list[dict]] = {}
    for fact in facts["facts"]["dei"]["EntityCommonStockSharesOutstanding"]["units"]["shares"]:
        by_filing.setdefault(fact["accn"], []).append(fact)
    known = [a for a in by_filing if known_from[a] <= day]
    if not known:
        return None
    latest = by_filing[max(known, key=lambda a: (known_from[a], by_filing[a][0]["filed"]))]
    cover = dt.date.fromisoformat(latest[0]["end"])
    counts = sorted(f["val"] for f in latest)
    if facts["cik"] == BERKSHIRE_CIK:
        class_a, class_b = counts
        count = class_a * (30 if cover < dt.date(2010, 1, 21) else 1500) + class_b
    else:
        count = sum(counts)
    return cover, count * math.prod(ratio for split_day, ratio in splits if split_day > cover)


def _quarters(facts: dict, tags: tuple[str, ...], known_from: dict[str, dt.date]) -> dict[str, tuple[float, dt.date]]:
    """Discrete quarters by period end: (value, known from), as first reported; within one filing the tag listed
    first wins; Q4 = FY − (Q1 + Q2 + Q3) where the 10-K gives only the year."""
    us_gaap = facts["facts"]["us-gaap"]
    entries = [(rank, e) for rank, tag in enumerate(tags) if tag in us_gaap for e in us_gaap[tag]["units"]["USD"]]
    first: dict[tuple[str, str], dict] = {}
    for _, entry in sorted(entries, key=lambda x: (x[1]["filed"], x[1]["accn"], x[0])):
        first.setdefault((entry["start"], entry["end"]), entry)  # the first filing of a period wins

    def days(entry):
        return (dt.date.fromisoformat(entry["end"]) - dt.date.fromisoformat(entry["start"])).days + 1

    quarters = {e["end"]: (e["val"], known_from[e["accn"]]) for e in first.values() if 80 <= days(e) <= 100}
    for annual in (e for e in first.values() if 350 <= days(e) <= 380):
        inside = [v for end, (v, _) in quarters.items() if annual["start"] <= end < annual["end"]]
        if len(inside) == 3 and annual["end"] not in quarters:
            quarters[annual["end"]] = (annual["val"] - sum(inside), known_from[annual["accn"]])
    return quarters


def _ttm(quarters: dict[str, tuple[float, dt.date]], day: dt.date) -> tuple[dt.date, float] | None:
    """(quarter end, TTM in $bn) known on `day`: the last four consecutive quarters, all public by then."""
    ends = sorted(quarters)
    best = None
    for i in range(3, len(ends)):
        window = ends[i - 3:i + 1]
        span = (dt.date.fromisoformat(window[-1]) - dt.date.fromisoformat(window[0])).days
        known = max(quarters[e][1] for e in window)
        if 250 <= span <= 290 and known <= day and (best is None or known >= best[2]):
            best = (dt.date.fromisoformat(window[-1]), sum(quarters[e][0] for e in window) / 1e9, known)
    return best and best[:2]


def _company_day(sample_dir, member: dict, day: dt.date) -> tuple[float, float | None] | None:
    """(market cap $bn, TTM net income $bn or None) of one company on `day`; None when it has no cap that day."""
    closes, splits = _chart(sample_dir, member["ticker"])
    facts, known_from = _sec(sample_dir, int(member["cik"]))
    shares = _shares(facts, known_from, splits, day)
    if day not in closes or shares is None:
        return None
    ttm = _ttm(_quarters(facts, ("NetIncomeLoss",), known_from), day)
    return closes[day] * shares[1] / 1e9, ttm and ttm[1]


def test_market_cap_matches_a_hand_computation_across_a_split(built, sample_dir):
    """NVDA around its 2024-06-10 10-for-1 split: close × the share count known that day, on one share basis."""
    closes, splits = _chart(sample_dir, "NVDA")
    facts, known_from = _sec(sample_dir, 1045810)
    _, _, warehouse = built
    for day in (dt.date(2024, 6, 7), dt.date(2024, 6, 10)):
        expected = closes[day] * _shares(facts, known_from, splits, day)[1] / 1e9
        with duckdb.connect(str(warehouse), read_only=True) as con:
            got = con.execute("select market_cap_usd_bn from marts.fct_equity_daily where ticker = 'NVDA' "
                              "and trade_date = ?", [day]).fetchone()[0]
        assert got == pytest.approx(expected, rel=1e-9), day


def test_berkshire_counts_class_a_in_class_b_shares(built, sample_dir):
    """BRK-B is priced, so Class A counts at 1,500 Class B shares (30 before Class B's 2010 split), not one."""
    closes, splits = _chart(sample_dir, "BRK-B")
    facts, known_from = _sec(sample_dir, BERKSHIRE_CIK)
    _, _, warehouse = built
    for day in (dt.date(2009, 12, 1), dt.date(2010, 1, 22), SAMPLE_END):
        cover, shares = _shares(facts, known_from, splits, day)
        with duckdb.connect(str(warehouse), read_only=True) as con:
            got = con.execute("select shares_as_of, shares_outstanding, market_cap_usd_bn from marts.fct_equity_daily "
                              "where ticker = 'BRK-B' and trade_date = ?", [day]).fetchone()
        assert got == (cover, pytest.approx(shares, rel=1e-9), pytest.approx(closes[day] * shares / 1e9, rel=1e-9)), day


def test_revenue_is_the_total_when_a_filing_carries_two_tags(built, sample_dir):
    """DUK files total revenue and contract revenue side by side: every quarter is the total, Q4 derived from totals."""
    member = next(m for m in _universe() if m["ticker"] == "DUK")
    facts, known_from = _sec(sample_dir, int(member["cik"]))
    assert {"Revenues", "RevenueFromContractWithCustomerExcludingAssessedTax"} <= set(facts["facts"]["us-gaap"])
    expected = {dt.date.fromisoformat(end): value / 1e9
                for end, (value, _) in _quarters(facts, REVENUE_TAGS, known_from).items()}
    _, _, warehouse = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        got = dict(con.execute("select fiscal_quarter_end, revenue_usd_bn from marts.fct_fundamentals_ttm "
                               "where ticker = 'DUK' and revenue_usd_bn is not null").fetchall())
    assert len(got) > 60
    assert got == pytest.approx(expected, rel=1e-12)


def test_a_filing_accepted_after_the_close_counts_from_the_next_session(built, sample_dir):
    """The first 10-Q/10-K in the sample accepted between 16:00 and 20:00 by its clock, on a session day: on that day
    the previous share count and TTM still hold; the filing's own count from the next session on. (Read as UTC, the
    same clock would be 12:00-16:00 New York time, before the close.)"""
    found = None
    for member in _universe():
        closes, _ = _chart(sample_dir, member["ticker"])
        sessions = sorted(closes)
        recent = json.loads((sample_dir / "sec" / "submissions" / f"CIK{int(member['cik']):010d}.json").read_text())
        recent = recent["filings"]["recent"]
        for accn, accepted, form in zip(recent["accessionNumber"], recent["acceptanceDateTime"], recent["form"],
                                        strict=True):
            clock = dt.datetime.fromisoformat(accepted[:19])
            day = clock.date()
            if form in ("10-Q", "10-K") and dt.time(16) <= clock.time() < dt.time(20) and day in closes \
                    and dt.date(2008, 1, 1) < day < sessions[-1]:
                found = member, accn, day, sessions[sessions.index(day) + 1]
                break
        if found:
            break
    assert found, "the sample has filings accepted after the close"
    member, accn, day, next_session = found
    facts, _ = _sec(sample_dir, int(member["cik"]))
    cover = {f["end"] for f in facts["facts"]["dei"]["EntityCommonStockSharesOutstanding"]["units"]["shares"]
             if f["accn"] == accn}
    _, _, warehouse = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("""select trade_date, shares_as_of, fundamentals_known_from from marts.fct_equity_daily
                              where ticker = ? and trade_date in (?, ?) order by trade_date""",
                           [member["ticker"], day, next_session]).fetchall()
    (_, shares_on_day, fundamentals_on_day), (_, shares_next, fundamentals_next) = rows
    assert shares_on_day.isoformat() not in cover and fundamentals_on_day < day, (member["ticker"], accn)
    assert shares_next.isoformat() in cover and fundamentals_next == next_session, (member["ticker"], accn)


def test_sector_pe_matches_a_hand_computation(built, sample_dir):
    """Real Estate on the last sample day: Σ close × shares / Σ TTM net income known that day, from the raw files."""
    members = [row for row in _universe() if row["sector"] == "Real Estate"]
    assert len(members) >= 2
    values = [_company_day(sample_dir, member, SAMPLE_END) for member in members]
    assert all(v is not None and v[1] is not None for v in values)
    total_cap, total_income = sum(v[0] for v in values), sum(v[1] for v in values)
    _, _, warehouse = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cap, income, pe = con.execute("""select market_cap_usd_bn, ttm_net_income_usd_bn, pe_ratio
                                         from marts.mart_sector_valuation
                                         where sector = 'Real Estate' and trade_date = ?""", [SAMPLE_END]).fetchone()
    assert cap == pytest.approx(total_cap, abs=2e-3)  # the mart rounds to $1mn
    assert income == pytest.approx(total_income, abs=2e-3)
    assert pe == pytest.approx(total_cap / total_income, rel=1e-3)


def test_sector_pe_sums_caps_only_over_the_companies_with_earnings(built, sample_dir):
    """The whole universe early in 2006, when few companies have four quarters filed: the P/E divides the caps of
    those with a TTM net income by their earnings, the coverage says how much of the cap that is, and below the
    minimum coverage (the dbt var's default, 50 %) the P/E gets no percentile."""
    day = dt.date(2006, 1, 3)
    values = [v for member in _universe() if (v := _company_day(sample_dir, member, day)) is not None]
    covered = [(cap, income) for cap, income in values if income is not None]
    assert 0 < len(covered) < len(values)
    total_cap, covered_cap = sum(cap for cap, _ in values), sum(cap for cap, _ in covered)
    _, _, warehouse = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("""select constituents, constituents_with_earnings, market_cap_usd_bn,
                                    earnings_cap_coverage_pct, pe_ratio, pe_percentile_in_history_pct
                             from marts.mart_sector_valuation where sector = 'All' and trade_date = ?""",
                          [day]).fetchone()
    coverage = 100 * covered_cap / total_cap
    assert row[:4] == (len(values), len(covered), pytest.approx(total_cap, abs=2e-3), pytest.approx(coverage, abs=1e-3))
    assert row[4] == pytest.approx(covered_cap / sum(income for _, income in covered), rel=1e-3)
    assert coverage < 50 and row[5] is None


def test_the_oracle_earnings_reaction_matches_a_hand_computation(built, sample_dir):
    """ORCL's results of 2025-12-10: its earnings release (8-K, item 2.02) was accepted after the close, so day 0 is
    the next session; returns from the chart file's adjusted closes, the intraday low from its low and close."""
    chart = json.loads((sample_dir / "prices" / "ORCL.json").read_text())["chart"]["result"][0]
    days = [dt.datetime.fromtimestamp(s, NEW_YORK).date() for s in chart["timestamp"]]
    quote, adjclose = chart["indicators"]["quote"][0], chart["indicators"]["adjclose"][0]["adjclose"]
    submissions = json.loads((sample_dir / "sec" / "submissions" / "CIK0001341439.json").read_text())
    recent = submissions["filings"]["recent"]
    release = next(i for i, (form, items, filed) in enumerate(zip(recent["form"], recent["items"],
                                                                  recent["filingDate"], strict=True))
                   if form == "8-K" and "2.02" in items and filed == "2025-12-10")
    accepted = dt.datetime.fromisoformat(recent["acceptanceDateTime"][release][:19])
    assert accepted.time() >= dt.time(16), "released after the close (by either reading of EDGAR's clock)"
    day0 = days.index(dt.date(2025, 12, 11))
    assert days[day0 - 1] == dt.date(2025, 12, 10)
    expected_day0 = 100 * (adjclose[day0] / adjclose[day0 - 1] - 1)
    expected_day1 = 100 * (adjclose[day0 + 1] / adjclose[day0] - 1)
    expected_window = 100 * (adjclose[day0 + 5] / adjclose[day0 - 2] - 1)
    expected_low = 100 * (quote["low"][day0] / quote["close"][day0 - 1] - 1)
    _, _, warehouse = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("""select form, news_source, release_accession_number, day0_date, return_day0_pct,
                                    return_day1_pct, return_window_pct, intraday_low_day0_pct,
                                    excess_vs_universe_day0_pct, universe_return_day0_pct
                             from marts.mart_earnings_reactions where ticker = 'ORCL' and day0_date = ?""",
                          [dt.date(2025, 12, 11)]).fetchone()
        count = con.execute("select count(*), count(return_day0_pct) from marts.mart_earnings_reactions").fetchone()
    form, source, release_accn, day0_date, day0_pct, day1_pct, window_pct, low_pct, excess, universe = row
    assert (form, source, release_accn) == ("10-Q", "earnings release", recent["accessionNumber"][release])
    assert day0_pct == pytest.approx(expected_day0, abs=1e-4) and day0_pct < -11, "the sample's Oracle-like fall"
    assert day1_pct == pytest.approx(expected_day1, abs=1e-4)
    assert window_pct == pytest.approx(expected_window, abs=1e-4)
    assert low_pct == pytest.approx(expected_low, abs=1e-4) and low_pct < day0_pct
    assert excess == pytest.approx(day0_pct - universe, abs=2e-4)
    assert count[0] > 1000 and count[1] > 1000, "every company's 10-Qs and 10-Ks"

"""Release calendars: when each source publishes, so schedules fetch right after and freshness checks know what
"late" means. Times are New York times (the Fed, the Treasury and the exchanges publish on Eastern time).

`expected_latest(now)` is the newest data date that should be public at `now`; a table is fresh when its latest
date is no older than that minus the calendar's grace (which absorbs holidays and late releases). Holidays are not
modelled: one business day of grace covers them, at the cost of a late alarm on the day after a holiday.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

# Business days here are Mon–Fri (no holidays: see above); the shared calendar counts them.
from ingestion.business_calendar import business_days_before, weekdays
from ingestion.sources.tables import RAW_TABLES

TIMEZONE = "America/New_York"
NEW_YORK = ZoneInfo(TIMEZONE)


def _local(now: dt.datetime) -> dt.datetime:
    return now.astimezone(NEW_YORK) if now.tzinfo else now.replace(tzinfo=NEW_YORK)


def _after(now: dt.datetime, hour: int, minute: int = 0) -> bool:
    return (now.hour, now.minute) >= (hour, minute)


def _weekly_wednesday_released_thursday(now: dt.datetime) -> dt.date:
    """H.4.1 and SOMA: the week ending Wednesday, published Thursday 16:30."""
    local = _local(now)
    days_since_thursday = (local.weekday() - 3) % 7
    thursday = local.date() - dt.timedelta(days=days_since_thursday)
    if days_since_thursday == 0 and not _after(local, 16, 30):
        thursday -= dt.timedelta(days=7)
    return thursday - dt.timedelta(days=1)


def _last_release_day(now: dt.datetime, hour: int, minute: int) -> dt.date:
    """The latest business day whose hour:minute release has happened by `now` (weekends: Friday's)."""
    local = _local(now)
    if local.weekday() < 5 and _after(local, hour, minute):
        return local.date()
    return business_days_before(local.date() - dt.timedelta(days=1), 0)


def _previous_business_day_after(hour: int, minute: int = 0) -> Callable[[dt.datetime], dt.date]:
    """Data for business day D published on D+1 at hour:minute (SOFR at 8:00, the Daily Treasury Statement 16:00)."""
    return lambda now: business_days_before(_last_release_day(now, hour, minute), 1)


def _same_business_day_after(hour: int, minute: int = 0) -> Callable[[dt.datetime], dt.date]:
    """Data for business day D published on D at hour:minute (closing prices, RRP results at 13:15)."""
    return lambda now: _last_release_day(now, hour, minute)


def _month_end_published_on_business_day(business_day: int) -> Callable[[dt.datetime], dt.date]:
    """MSPD: last month's end, published on the month's n-th business day."""
    def expected(now: dt.datetime) -> dt.date:
        local = _local(now).date()
        first = local.replace(day=1)
        elapsed = sum(1 for _ in weekdays(first, local))
        previous_month_end = first - dt.timedelta(days=1)
        if elapsed >= business_day:
            return previous_month_end
        return previous_month_end.replace(day=1) - dt.timedelta(days=1)
    return expected


def _within_days(days: int) -> Callable[[dt.datetime], dt.date]:
    """Irregular releases (auctions, filings): something at least every `days` days."""
    return lambda now: _local(now).date() - dt.timedelta(days=days)


@dataclass(frozen=True)
class ReleaseCalendar:
    name: str
    description: str
    cron: str  # when to fetch, New York time: shortly after the release
    expected_latest: Callable[[dt.datetime], dt.date]
    grace_business_days: int = 1

    def is_fresh(self, latest: dt.date | None, now: dt.datetime) -> bool:
        # Both sides in New York time: data dated after New York's today is a time-zone mix-up, not fresh data.
        return latest is not None and self.oldest_fresh(now) <= latest <= _local(now).date()

    def oldest_fresh(self, now: dt.datetime) -> dt.date:
        return business_days_before(self.expected_latest(now), self.grace_business_days)


H41 = ReleaseCalendar("h41_weekly", "Fed H.4.1 and SOMA holdings: week ending Wednesday, Thursdays 16:30 ET",
                      "45 16 * * 4", _weekly_wednesday_released_thursday, grace_business_days=2)
NYFED_RATES = ReleaseCalendar("nyfed_rates_daily", "NY Fed reference rates: each business day at 8:00 ET for the "
                              "previous business day", "15 9 * * 1-5", _previous_business_day_after(9))
RRP_RESULTS = ReleaseCalendar("rrp_results_daily", "ON RRP operation results: each business day at 13:15 ET",
                              "15 9 * * 1-5", _same_business_day_after(13, 30))
TREASURY_DAILY = ReleaseCalendar("treasury_daily", "Daily Treasury Statement and Debt to the Penny: 16:00 ET the "
                                 "next business day", "30 16 * * 1-5", _previous_business_day_after(16, 30))
AUCTIONS = ReleaseCalendar("treasury_auctions", "Treasury auction results: several auctions every week, results "
                           "by 13:00 ET", "30 16 * * 1-5", _within_days(7), grace_business_days=0)
MSPD = ReleaseCalendar("mspd_monthly", "Monthly Statement of the Public Debt: last month, on the 4th business day",
                       "30 16 * * 1-5", _month_end_published_on_business_day(4), grace_business_days=0)
PRICES = ReleaseCalendar("prices_after_close", "Daily bars: each session once the 16:00 ET close is settled",
                         "30 17 * * 1-5", _same_business_day_after(17, 15))
# 72 large companies file 8-Ks, 10-Qs and 10-Ks most weeks, but mid-quarter lulls of three weeks happen.
SEC_FILINGS = ReleaseCalendar("sec_weekly", "SEC EDGAR filings: some company of the universe files most weeks; "
                              "fetched weekly", "0 7 * * 1", _within_days(30), grace_business_days=0)
SEC_FACTS = ReleaseCalendar("sec_quarterly_facts", "SEC XBRL facts: each company's 10-Q/10-K, quarterly",
                            "0 7 * * 1", _within_days(100), grace_business_days=0)

CALENDARS = {calendar.name: calendar for calendar in (H41, NYFED_RATES, RRP_RESULTS, TREASURY_DAILY, AUCTIONS, MSPD,
                                                       PRICES, SEC_FILINGS, SEC_FACTS)}
# Which date says how recent each raw table is, and the calendar it follows, as the raw tables are declared
# (ingestion/sources/tables.py: importing it does not import dlt, so `faultlines status` stays quick).
FRESHNESS = {f"raw_{provider}/{table.name}": (CALENDARS[table.calendar], table.freshness_sql(provider))
             for provider, tables in RAW_TABLES.items() for table in tables if table.calendar}

"""The US calendar every part of faultlines shares: federal holidays, business days, NYSE sessions, and the
day sequences the data is dated on (weekdays, Wednesdays, month and quarter starts, month ends).

Used by the product (`ingestion/sources/prices.py`, `orchestration/calendars.py`) and by the synthetic data
generator (`ingestion/synthetic/`), so a holiday rule is written once. Not named `calendar`: a script run from
this folder would shadow the standard library's module of that name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator

NO_HOLIDAYS: frozenset[dt.date] = frozenset()
_DAY = dt.timedelta(days=1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> dt.date:
    last = dt.date(year, month + 1, 1) - _DAY if month < 12 else dt.date(year, 12, 31)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    if day.weekday() == 5:
        return day - _DAY
    if day.weekday() == 6:
        return day + _DAY
    return day


def federal_holidays(year: int) -> set[dt.date]:
    """US federal holidays as observed (the days FRED's business-day series leave empty). New Year's Day on a
    Saturday is observed on the Friday before, in the previous year: it is in this year's set."""
    mon, thu = 0, 3
    days = {
        _observed(dt.date(year, 1, 1)),
        _nth_weekday(year, 1, mon, 3),   # Martin Luther King Jr. Day
        _nth_weekday(year, 2, mon, 3),   # Washington's Birthday
        _last_weekday(year, 5, mon),     # Memorial Day
        _observed(dt.date(year, 7, 4)),
        _nth_weekday(year, 9, mon, 1),   # Labor Day
        _nth_weekday(year, 10, mon, 2),  # Columbus Day
        _observed(dt.date(year, 11, 11)),
        _nth_weekday(year, 11, thu, 4),  # Thanksgiving
        _observed(dt.date(year, 12, 25)),
    }
    if year >= 2021:
        days.add(_observed(dt.date(year, 6, 19)))  # Juneteenth
    return days


def federal_holidays_in(first_year: int, last_year: int) -> set[dt.date]:
    """Every year's federal holidays from ``first_year`` through ``last_year``."""
    return set().union(*(federal_holidays(y) for y in range(first_year, last_year + 1)))


def easter(year: int) -> dt.date:
    """Easter Sunday (the Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    return dt.date(year, month, (h + ell - 7 * m + 114) % 31 + 1)


def nyse_holidays(year: int) -> set[dt.date]:
    """The exchange's full closures: the federal holidays less Columbus and Veterans Day (and Juneteenth before
    2022), plus Good Friday. One-off closures (storms, state funerals) are not modelled."""
    federal = federal_holidays(year)
    federal -= {d for d in federal if d.month in (10, 11) and d.day < 20 and d.weekday() == 0}  # Columbus
    federal -= {d for d in federal if d.month == 11 and d.day in (10, 11, 12)}  # Veterans Day
    if year < 2022:
        federal -= {d for d in federal if d.month == 6 and d.day in (18, 19, 20)}
    return federal | {easter(year) - dt.timedelta(days=2)}


def nyse_sessions(start: dt.date, end: dt.date) -> list[dt.date]:
    """NYSE trading days from ``start`` through ``end``."""
    closed = set().union(*(nyse_holidays(y) for y in range(start.year, end.year + 1)))
    return [d for d in weekdays(start, end) if d not in closed]


def days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += _DAY


def weekdays(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    return (d for d in days(start, end) if d.weekday() < 5)


def wednesdays(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    return (d for d in days(start, end) if d.weekday() == 2)


def month_starts(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    return (d for d in days(start, end) if d.day == 1)


def quarter_starts(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    return (d for d in month_starts(start, end) if d.month in (1, 4, 7, 10))


def month_ends(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    return (d for d in days(start, end) if (d + _DAY).day == 1)


def business_days(start: dt.date, end: dt.date, holidays: Collection[dt.date]) -> list[dt.date]:
    """Weekdays from ``start`` through ``end`` that are not in ``holidays``."""
    return [d for d in weekdays(start, end) if d not in holidays]


def business_day_on_or_after(day: dt.date, holidays: Collection[dt.date] = NO_HOLIDAYS) -> dt.date:
    while day.weekday() >= 5 or day in holidays:
        day += _DAY
    return day


def business_day_on_or_before(day: dt.date, holidays: Collection[dt.date] = NO_HOLIDAYS) -> dt.date:
    while day.weekday() >= 5 or day in holidays:
        day -= _DAY
    return day


def business_days_before(day: dt.date, count: int, holidays: Collection[dt.date] = NO_HOLIDAYS) -> dt.date:
    """The business day ``count`` business days before ``day`` (count 0: ``day`` or the business day before)."""
    day = business_day_on_or_before(day, holidays)
    for _ in range(count):
        day = business_day_on_or_before(day - _DAY, holidays)
    return day


def next_business_day(day: dt.date, holidays: Collection[dt.date] = NO_HOLIDAYS) -> dt.date:
    """The first business day after ``day``."""
    return business_day_on_or_after(day + _DAY, holidays)

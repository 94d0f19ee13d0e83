"""The shared calendar: federal holidays as observed, NYSE sessions, business-day arithmetic."""

import datetime as dt

from ingestion.business_calendar import (
    business_day_on_or_after,
    business_day_on_or_before,
    business_days,
    easter,
    federal_holidays,
    federal_holidays_in,
    month_ends,
    next_business_day,
    nyse_sessions,
)


def test_federal_holidays_observed_rules():
    holidays_2021 = federal_holidays(2021)
    assert dt.date(2021, 12, 24) in holidays_2021  # Christmas on a Saturday, observed Friday
    assert dt.date(2021, 6, 18) in holidays_2021  # Juneteenth on a Saturday, observed Friday
    assert dt.date(2025, 11, 27) in federal_holidays(2025)  # Thanksgiving
    # New Year's Day 2022 (a Saturday) is observed on Friday 2021-12-31, and belongs to 2022's set.
    assert dt.date(2021, 12, 31) in federal_holidays(2022)
    assert dt.date(2021, 12, 31) not in federal_holidays_in(2020, 2021)
    assert federal_holidays_in(2020, 2022) == federal_holidays(2020) | federal_holidays(2021) | federal_holidays(2022)


def test_nyse_sessions_follow_the_exchange_not_the_federal_calendar():
    # Session counts the exchange published for these years (no one-off closures in them).
    assert len(nyse_sessions(dt.date(2023, 1, 1), dt.date(2023, 12, 31))) == 250
    assert len(nyse_sessions(dt.date(2024, 1, 1), dt.date(2024, 12, 31))) == 252
    sessions = set(nyse_sessions(dt.date(2021, 1, 1), dt.date(2025, 12, 31)))
    assert easter(2025) == dt.date(2025, 4, 20) and dt.date(2025, 4, 18) not in sessions  # Good Friday
    assert {dt.date(2025, 10, 13), dt.date(2025, 11, 11)} <= sessions  # Columbus, Veterans Day: open
    assert dt.date(2021, 6, 18) in sessions and dt.date(2022, 6, 20) not in sessions  # Juneteenth from 2022
    assert dt.date(2025, 11, 27) not in sessions


def test_business_day_arithmetic():
    friday, saturday, monday = dt.date(2025, 12, 26), dt.date(2025, 12, 27), dt.date(2025, 12, 29)
    assert next_business_day(friday) == monday
    assert next_business_day(saturday) == monday
    assert business_day_on_or_after(saturday) == monday
    assert business_day_on_or_before(saturday) == friday
    christmas = {dt.date(2025, 12, 25)}
    assert business_day_on_or_before(dt.date(2025, 12, 25), christmas) == dt.date(2025, 12, 24)
    assert next_business_day(dt.date(2025, 12, 24), christmas) == friday
    assert business_days(dt.date(2025, 12, 22), monday, christmas) == [
        dt.date(2025, 12, 22), dt.date(2025, 12, 23), dt.date(2025, 12, 24), friday, monday]
    assert list(month_ends(dt.date(2024, 1, 15), dt.date(2024, 3, 31))) == [
        dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31)]

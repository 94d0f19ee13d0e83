"""Freshness compares dates in one time zone, New York's: at 23:50 ET on the 29th (04:50 UTC on the 30th) data
dated the 30th is from the future, not fresh; and the sample's last day is New York's today, not UTC's."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ingestion import settings
from orchestration import calendars

NEW_YORK = ZoneInfo("America/New_York")
LATE_EVENING_NY = dt.datetime(2026, 11, 29, 23, 50, tzinfo=NEW_YORK)  # already the 30th in UTC
SAME_INSTANT_UTC = LATE_EVENING_NY.astimezone(dt.UTC)


@pytest.mark.parametrize("calendar", list(calendars.CALENDARS.values()), ids=lambda c: c.name)
def test_data_dated_after_new_york_today_is_not_fresh(calendar):
    assert SAME_INSTANT_UTC.date() == dt.date(2026, 11, 30)
    for now in (LATE_EVENING_NY, SAME_INSTANT_UTC):
        assert calendar.is_fresh(calendar.expected_latest(now), now)
        assert not calendar.is_fresh(dt.date(2026, 11, 30), now), "dated after today in New York"


def test_the_verdict_does_not_depend_on_the_time_zone_now_is_given_in():
    for calendar in calendars.CALENDARS.values():
        for days in range(0, 40):
            latest = dt.date(2026, 12, 1) - dt.timedelta(days=days)
            assert calendar.is_fresh(latest, LATE_EVENING_NY) == calendar.is_fresh(latest, SAME_INSTANT_UTC)


def test_the_sample_ends_on_new_york_today(monkeypatch):
    monkeypatch.delenv("FAULTLINES_SAMPLE_END", raising=False)
    assert settings.sample_end_date(SAME_INSTANT_UTC) == dt.date(2026, 11, 29)
    assert settings.sample_end_date(dt.datetime(2026, 11, 30, 5, 30, tzinfo=dt.UTC)) == dt.date(2026, 11, 30)

"""The FRED release seed (when each value is public: point in time) and orchestration/calendars.py (when schedules
fetch and freshness expects it) agree: a calendar never expects a release before the seed says it is out, and
expects it within the hour after."""

import csv
import datetime as dt

import pytest

from ingestion import settings
from orchestration.calendars import CALENDARS, NEW_YORK

SEED = settings.DBT_PROJECT_DIR / "seeds" / "fred_release_calendar.csv"
ROWS = [row for row in csv.DictReader(SEED.open()) if row["calendar"]]
WEDNESDAY = dt.date(2026, 1, 7)


def _published(row: dict, observation: dt.date) -> dt.datetime:
    assert row["period"] == "day", "the calendars checked here are daily or weekly releases"
    day = observation + dt.timedelta(days=int(row["known_after_days"]))
    return dt.datetime.combine(day, dt.time.fromisoformat(row["known_at"]), NEW_YORK)


def test_every_named_calendar_exists_and_the_weekly_and_daily_releases_are_covered():
    assert {row["calendar"] for row in ROWS} <= set(CALENDARS)
    assert {"WRESBAL", "WALCL", "RRPONTSYD", "SOFR"} <= {row["series_id"] for row in ROWS}


@pytest.mark.parametrize("row", ROWS, ids=[row["series_id"] for row in ROWS])
def test_the_calendar_expects_the_release_once_the_seed_says_it_is_out(row):
    calendar = CALENDARS[row["calendar"]]
    published = _published(row, WEDNESDAY)
    assert calendar.expected_latest(published - dt.timedelta(minutes=1)) < WEDNESDAY
    assert calendar.expected_latest(published + dt.timedelta(hours=1)) >= WEDNESDAY

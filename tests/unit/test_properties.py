"""Property-based tests (hypothesis) for the parsers and the date logic: what must hold for every input."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from ingestion.http import retry_after_seconds
from ingestion.sources.fred import parse_fredgraph_csv, parse_observations_json
from ingestion.sources.treasury import parse_value
from orchestration import calendars

dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))
values = st.one_of(st.none(), st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 1, 1),
                       timezones=st.just(calendars.NEW_YORK))


def _fred_text(value: float | None, style: str) -> str:
    if value is None:
        return "." if style == "dot" else ""
    return repr(value) if style != "int" or value != int(value) else str(int(value))


@given(st.lists(st.tuples(dates, values), unique_by=lambda r: r[0], max_size=40),
       st.sampled_from(["observation_date", "DATE"]), st.sampled_from(["dot", "empty", "int"]))
def test_fredgraph_csv_round_trips_dates_values_and_missing(rows, date_header, style):
    text = f"{date_header},WRESBAL\n" + "".join(f"{d.isoformat()},{_fred_text(v, style)}\n" for d, v in rows)
    parsed = parse_fredgraph_csv(text, "WRESBAL")
    assert [r["date"] for r in parsed] == [d for d, _ in rows]
    assert [r["value"] for r in parsed] == [v for _, v in rows]


@given(st.lists(st.tuples(dates, values), max_size=40))
def test_fred_json_values_are_strings_and_dot_is_missing(rows):
    payload = {"observations": [{"date": d.isoformat(), "value": "." if v is None else repr(v)} for d, v in rows]}
    assert [(r["date"], r["value"]) for r in parse_observations_json(payload, "SOFR")] == rows


@given(st.one_of(st.none(), st.just("null"), st.just("")), st.sampled_from(["total_accepted", "record_date", "x"]))
def test_treasury_missing_is_none_whatever_the_field(raw, field):
    assert parse_value(field, raw, ("total_accepted",)) is None


@given(st.floats(min_value=0, max_value=1e15, allow_nan=False))
def test_treasury_amounts_with_thousands_separators(amount):
    assert parse_value("total_accepted", f"{amount:,.2f}", ("total_accepted",)) == round(amount, 2)


@given(st.integers(min_value=0, max_value=10_000), st.floats(min_value=0, max_value=100, allow_nan=False))
def test_retry_after_in_seconds_wins_and_garbage_falls_back(seconds, default):
    assert retry_after_seconds(str(seconds), default) == seconds
    assert retry_after_seconds("soon-ish", default) == default
    assert retry_after_seconds(None, default) == default


@given(dates, st.integers(min_value=0, max_value=30))
def test_business_days_before_lands_on_a_weekday_and_counts_weekdays(day, count):
    earlier = calendars.business_days_before(day, count)
    assert earlier.weekday() < 5 and earlier <= day
    between = [earlier + dt.timedelta(days=i) for i in range(1, (day - earlier).days + 1)]
    assert sum(d.weekday() < 5 for d in between) == count


@settings(max_examples=300)
@given(moments, st.sampled_from(list(calendars.FRESHNESS.values())))
def test_release_calendars_never_expect_data_from_the_future_and_never_go_back_in_time(now, entry):
    calendar, _ = entry
    expected = calendar.expected_latest(now)
    assert expected <= now.date()
    assert calendar.oldest_fresh(now) <= expected
    later = now + dt.timedelta(hours=7)
    assert calendar.expected_latest(later) >= expected, "time moves forward, so does what must be out"


@given(moments)
def test_h41_expects_a_wednesday_at_most_eight_days_back(now):
    wednesday = calendars.H41.expected_latest(now)
    assert wednesday.weekday() == 2 and 1 <= (now.date() - wednesday).days <= 8


@given(dates, st.integers(min_value=0, max_value=400))
def test_a_value_is_fresh_exactly_until_the_calendar_says_otherwise(latest, age_days):
    now = dt.datetime.combine(latest + dt.timedelta(days=age_days), dt.time(12), calendars.NEW_YORK)
    calendar = calendars.TREASURY_DAILY
    assert calendar.is_fresh(latest, now) == (latest >= calendar.oldest_fresh(now))
    assert not calendar.is_fresh(None, now)

"""Point in time on the shared replay build of the sample: every number a daily mart shows for a day was public by
that day's close, the vintages are loaded, and a GDP release moves the reserve mart on its own day, for its reason.

The no-look-ahead check is `tests.utils.no_look_ahead`, run here on the sample and in tests/real on the real files.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from tests.utils import no_look_ahead

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("replay")]  # shares the replay build


@pytest.fixture(scope="module")
def con(replay_build):
    _, _, warehouse = replay_build
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        yield connection


def test_no_daily_mart_uses_a_value_published_after_the_close(con):
    checked = no_look_ahead(con)
    assert {"mart_reserve_adequacy.gdp_as_of", "mart_reserve_adequacy.tga_as_of",
            "fct_equity_daily.fundamentals_as_of", "fct_equity_daily.shares_as_of"} <= set(checked)
    assert checked == dict.fromkeys(checked, 0)
    # The check can fail: the marts' observation dates themselves come before their publication.
    early = con.execute("""select count(*) from marts.mart_reserve_adequacy
                           where gdp_as_of is not null and date_day - gdp_as_of < 120""").fetchone()[0]
    assert early == 0, "GDP of a quarter is used only after the quarter ended and was published"


def test_vintages_are_loaded_and_revisions_measured(con, sample_dir):
    files = {p.stem: json.loads(p.read_text())["observations"] for p in (sample_dir / "fred" / "vintages").glob("*")}
    loaded = dict(con.execute("select series_id, count(*) from raw_fred.vintages group by 1").fetchall())
    assert loaded == {series: len(rows) for series, rows in files.items()}
    assert set(loaded) == {"GDP", "TLAACBW027SBOG", "TOTRESNS"}
    summary = {r[0]: r[1:] for r in con.execute("""select series_id, revised_observations, share_revised_up
                                                   from marts.mart_revision_summary""").fetchall()}
    for series in loaded:
        assert summary[series][0] > 0 and 0 < summary[series][1] < 1, series
    # mart_revisions: GDP's first print and latest value are the first and last vintages of the file.
    gdp = {}
    for row in files["GDP"]:
        gdp.setdefault(row["date"], []).append(row)
    day, vintages = max(gdp.items())
    vintages.sort(key=lambda r: r["realtime_start"])
    got = con.execute("""select first_print, latest_value, revision_count, days_first_print_to_latest
                         from marts.mart_revisions where series_id = 'GDP' and observation_date = ?""",
                      [dt.date.fromisoformat(day)]).fetchone()
    first, last = vintages[0], vintages[-1]
    days = (dt.date.fromisoformat(last["realtime_start"]) - dt.date.fromisoformat(first["realtime_start"])).days
    assert got == (pytest.approx(float(first["value"])), pytest.approx(float(last["value"])), len(vintages) - 1, days)


def test_a_gdp_release_moves_reserves_to_gdp_on_its_day_for_its_reason(con, sample_dir):
    """The advance estimate (08:30, before the close) replaces the previous quarter on its release day; the second
    estimate revises the same quarter on its own day; the day before each shows what was known then."""
    rows = con.execute("""select date_day, gdp_as_of, gdp_known_from, gdp_usd_bn, reserves_usd_bn,
                                 reserves_to_gdp_pct, gdp_latest_usd_bn
                          from marts.mart_reserve_adequacy where date_day between '2025-06-01' and '2026-06-30'
                          order by date_day""").fetchall()
    changes = [(before, after) for before, after in zip(rows, rows[1:], strict=False) if before[3] != after[3]]
    vintages = {}
    for row in json.loads((sample_dir / "fred" / "vintages" / "GDP.json").read_text())["observations"]:
        vintages.setdefault(row["date"], {})[row["realtime_start"]] = float(row["value"])
    advance = [(b, a) for b, a in changes if a[1] != b[1]]
    revision = [(b, a) for b, a in changes if a[1] == b[1]]
    assert advance and revision
    for before, after in advance + revision:
        day, quarter = after[0], after[1].isoformat()
        # Published that morning at 08:30: the vintage of that day, and the day before had not seen it.
        assert after[2] == dt.datetime.combine(day, dt.time(8, 30)) and before[2] < after[2]
        assert after[3] == pytest.approx(vintages[quarter][day.isoformat()])
        assert after[5] == pytest.approx(round(100 * after[4] / after[3], 4))
    for before, after in revision:
        # The same quarter, revised: the latest value is known to both days, the point-in-time value only after.
        assert before[6] == after[6] and before[3] != after[3]


def test_fred_as_known_on_answers_from_the_vintages_of_that_day(replay_build, sample_dir):
    """The readers' macro (faultlines sql, serve-sql): GDP of a quarter as known on the day before its second
    estimate is the advance estimate, on the day itself the second; a quarter not yet published is not there."""
    from orchestration.readers import readonly

    _, _, warehouse = replay_build
    quarter = "2025-10-01"
    vintages = sorted((r["realtime_start"], float(r["value"])) for r in json.loads(
        (sample_dir / "fred" / "vintages" / "GDP.json").read_text())["observations"] if r["date"] == quarter)
    (advance_day, advance), (second_day, second) = vintages[:2]
    second_day = dt.date.fromisoformat(second_day)
    query = "select value_raw from fred_as_known_on(?) where series_id = 'GDP' and observation_date = ?"
    con = readonly.connect(warehouse)
    try:
        known = [readonly.execute(con, query, [day, dt.date.fromisoformat(quarter)]).fetchall()
                 for day in (dt.date.fromisoformat(advance_day) - dt.timedelta(days=1),
                             second_day - dt.timedelta(days=1), second_day)]
    finally:
        con.close()
    assert known == [[], [(pytest.approx(advance),)], [(pytest.approx(second),)]]

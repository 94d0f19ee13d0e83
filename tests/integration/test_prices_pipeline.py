"""The prices source through the emulator into DuckDB, and fct_equity_daily built on it by dbt, when a split or a
dividend arrives in an incremental load: the chart API restates the whole history (`close` for splits, `adjclose`
for both), so the load must re-read it all, and the mart must rebuild the ticker from its first day."""

import copy
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest

from ingestion import settings
from ingestion.emulator.server import Emulator
from ingestion.sources.prices import ChartApiClient, prices_source
from ingestion.sources.sec import EdgarClient, sec_source
from ingestion.synthetic.equities import SPLITS
from ingestion.universe import load_universe
from tests.utils import load

pytestmark = pytest.mark.slow  # two dbt builds

NEW_YORK = ZoneInfo("America/New_York")
SPLIT, DIVIDEND, QUIET = "ADBE", "JPM", "NFLX"  # none of them has a split in the sample; only JPM pays dividends


def _day(stamp: int) -> dt.date:
    return dt.datetime.fromtimestamp(stamp, NEW_YORK).date()


def _until(payload: dict, last: dt.date) -> dict:
    """The chart response as it stood after the session `last`: later bars and events not there yet."""
    payload = copy.deepcopy(payload)
    result = payload["chart"]["result"][0]
    keep = sum(1 for s in result["timestamp"] if _day(s) <= last)
    result["timestamp"] = result["timestamp"][:keep]
    quote = result["indicators"]["quote"][0]
    for field in quote:
        quote[field] = quote[field][:keep]
    result["indicators"]["adjclose"][0]["adjclose"] = result["indicators"]["adjclose"][0]["adjclose"][:keep]
    for kind, events in (result.get("events") or {}).items():
        result["events"][kind] = {k: e for k, e in events.items() if _day(e["date"]) <= last}
    return payload


def _with_split(payload: dict, day: dt.date, ratio: int) -> dict:
    """A `ratio`-for-1 split on `day`, as the API shows it afterwards: every price on the new share basis (earlier
    bars divided by the ratio; later ones are post-split prints, which in this synthetic world are the same)."""
    payload = copy.deepcopy(payload)
    result = payload["chart"]["result"][0]
    quote = result["indicators"]["quote"][0]
    for field in ("open", "high", "low", "close"):
        quote[field] = [round(v / ratio, 4) for v in quote[field]]
    quote["volume"] = [v * ratio for v in quote["volume"]]
    adjclose = result["indicators"]["adjclose"][0]
    adjclose["adjclose"] = [round(v / ratio, 4) for v in adjclose["adjclose"]]
    stamp = next(s for s in result["timestamp"] if _day(s) == day)
    result.setdefault("events", {}).setdefault("splits", {})[str(stamp)] = {
        "date": stamp, "numerator": ratio, "denominator": 1, "splitRatio": f"{ratio}:1"}
    return payload


def _with_dividend(payload: dict, day: dt.date, amount: float) -> dict:
    """A dividend going ex on `day`: `adjclose` of every earlier bar scaled by 1 − amount / the previous close."""
    payload = copy.deepcopy(payload)
    result = payload["chart"]["result"][0]
    days = [_day(s) for s in result["timestamp"]]
    at = days.index(day)
    factor = 1 - amount / result["indicators"]["quote"][0]["close"][at - 1]
    adjclose = result["indicators"]["adjclose"][0]["adjclose"]
    result["indicators"]["adjclose"][0]["adjclose"] = [round(v * factor, 4) if i < at else v
                                                       for i, v in enumerate(adjclose)]
    stamp = result["timestamp"][at]
    result.setdefault("events", {}).setdefault("dividends", {})[str(stamp)] = {"amount": amount, "date": stamp}
    return payload


def _closes(payload: dict) -> dict[dt.date, tuple[float, float]]:
    result = payload["chart"]["result"][0]
    return {_day(s): (c, a) for s, c, a in zip(result["timestamp"], result["indicators"]["quote"][0]["close"],
                                               result["indicators"]["adjclose"][0]["adjclose"], strict=True)}


def _dbt_build(warehouse: Path, scratch: Path) -> None:
    env = {**os.environ, "FAULTLINES_DUCKDB_PATH": str(warehouse), "DBT_LOG_PATH": str(scratch / "logs")}
    result = subprocess.run([str(Path(sys.executable).parent / "dbt"), "build", "--select", "+fct_equity_daily",
                             "--exclude", "test_type:unit", "--indirect-selection", "cautious",
                             "--target-path", str(scratch / "target")],
                            cwd=settings.DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:]


def _load_prices(emulator: Emulator, warehouse: Path, companies, today: dt.date) -> None:
    client = ChartApiClient.create(emulator.base_url, requests_per_second=1000)
    load("prices", warehouse, prices_source(client, companies, today=today))


def _equity(warehouse: Path, ticker: str) -> dict[dt.date, tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("""select trade_date, close_usd, adj_close_usd, market_cap_usd_bn, return_1d
                              from marts.fct_equity_daily where ticker = ? order by trade_date""", [ticker]).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_a_split_or_dividend_in_an_incremental_load_restates_the_whole_history(sample_dir, tmp_path):
    companies = [c for c in load_universe() if c.ticker in (SPLIT, DIVIDEND, QUIET)]
    originals = {t: json.loads((sample_dir / "prices" / f"{t}.json").read_text()) for t in (SPLIT, DIVIDEND, QUIET)}
    sessions = sorted(_closes(originals[SPLIT]))
    # Six sessions after the first load: the split (and JPM's dividend) on the third, inside the re-read week.
    first_last, event_day, second_last = sessions[-60], sessions[-57], sessions[-54]
    data = tmp_path / "data"
    (data / "prices").mkdir(parents=True)
    shutil.copytree(sample_dir / "sec", data / "sec")
    for ticker, payload in originals.items():
        (data / "prices" / f"{ticker}.json").write_text(json.dumps(_until(payload, first_last)))
    warehouse = tmp_path / "w.duckdb"
    with Emulator(data) as emulator:
        _load_prices(emulator, warehouse, companies, today=first_last + dt.timedelta(days=1))
        load("sec", warehouse, sec_source(
            EdgarClient.create(emulator.base_url, contact="tests@faultlines.invalid", requests_per_second=1000),
            companies))
        _dbt_build(warehouse, tmp_path)
        before = {t: _equity(warehouse, t) for t in (SPLIT, DIVIDEND)}

        # The API's answer a week later: the whole history restated for the split and for the dividend.
        restated = {SPLIT: _with_split(_until(originals[SPLIT], second_last), event_day, 10),
                    DIVIDEND: _with_dividend(_until(originals[DIVIDEND], second_last), event_day, 1.25),
                    QUIET: _until(originals[QUIET], second_last)}
        for ticker, payload in restated.items():
            (data / "prices" / f"{ticker}.json").write_text(json.dumps(payload))
        served = len(emulator.requests)
        _load_prices(emulator, warehouse, companies, today=second_last + dt.timedelta(days=1))
        charts = [p.rsplit("/", 1)[1] for p in emulator.requests[served:] if "/v8/finance/chart/" in p]
    _dbt_build(warehouse, tmp_path)

    split_after, dividend_after = _equity(warehouse, SPLIT), _equity(warehouse, DIVIDEND)
    expected = _closes(restated[SPLIT])
    assert sorted(split_after) == sorted(expected)
    old_days = [d for d in split_after if d <= first_last]
    assert len(old_days) > 5000
    worst_day, worst = min(((d, r) for d, (*_, r) in split_after.items() if r is not None), key=lambda x: x[1])
    assert worst > -0.3, f"a {worst:.0%} day where the old basis meets the new: {worst_day}"
    # Every bar on the new share basis, down to the first one loaded.
    assert {d: split_after[d][:2] for d in split_after} == {d: pytest.approx(expected[d]) for d in split_after}
    # close × shares: the share count is restated by the same split, so every old day keeps its cap (up to the
    # rounding of prices to 4 decimals on either basis; the defect is a factor of 10).
    assert {d: split_after[d][2] for d in old_days} == {d: pytest.approx(before[SPLIT][d][2], rel=1e-4)
                                                         for d in old_days}
    # The dividend restates `adjclose` before its ex-date: old bars carry the new values, the returns stay smooth.
    expected = _closes(restated[DIVIDEND])
    assert {d: dividend_after[d][1] for d in dividend_after} == {d: pytest.approx(expected[d][1])
                                                                 for d in dividend_after}
    assert dividend_after[first_last][1] != pytest.approx(before[DIVIDEND][first_last][1])
    assert min(r for *_, r in dividend_after.values() if r is not None) > -0.3
    # One request per ticker, and a second one (the whole history) for each ticker with a new event.
    assert sorted(charts) == sorted([SPLIT, SPLIT, DIVIDEND, DIVIDEND, QUIET])


def _chart_from_csv(path: Path, splits: list[tuple[str, int]], first: str) -> dict:
    """A chart response built from a Yahoo CSV download's rows from `first` on (the real files carry no events: the
    splits are given)."""
    import csv

    rows = [r for r in csv.DictReader(path.read_text().splitlines()) if r["Date"] >= first]
    stamps = [int(dt.datetime.combine(dt.date.fromisoformat(r["Date"]), dt.time(9, 30), NEW_YORK).timestamp())
              for r in rows]
    split_events = {}
    for day, ratio in splits:
        stamp = int(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(9, 30), NEW_YORK).timestamp())
        split_events[str(stamp)] = {"date": stamp, "numerator": ratio, "denominator": 1, "splitRatio": f"{ratio}:1"}
    return {"chart": {"result": [{
        "meta": {"currency": "USD", "symbol": "NVDA", "exchangeTimezoneName": "America/New_York", "priceHint": 2},
        "timestamp": stamps, "events": {"splits": split_events},
        "indicators": {"quote": [{f.lower(): [float(r[f]) for r in rows] for f in ("Open", "High", "Low", "Close")}
                                 | {"volume": [int(r["Volume"]) for r in rows]}],
                       "adjclose": [{"adjclose": [float(r["Adj Close"]) for r in rows]}]}}], "error": None}}


def test_real_nvda_vintages_across_the_2024_split(reference_dir, tmp_path):
    """Real NVDA downloads: one from before the 2024-06-10 10-for-1 split, one after (the whole history divided by
    10), both from 2020 on (the later one starts there). Loading the first, then the second incrementally, leaves
    every bar as the second vintage has it."""
    before = reference_dir / "real" / "yahoo-nvda-presplit-2000-2024" / "NVDA.csv"
    after = reference_dir / "real" / "yahoo-nvda-2020-2024" / "NVDA.csv"
    if not (before.is_file() and after.is_file()):
        pytest.skip("the real NVDA vintages are not here")
    nvda = [c for c in load_universe() if c.ticker == "NVDA"]
    data = tmp_path / "data"
    (data / "prices").mkdir(parents=True)
    path = data / "prices" / "NVDA.json"
    splits = SPLITS["NVDA"]  # public facts, kept once in the sample generator
    first = _chart_from_csv(before, [s for s in splits if s[0] < "2024-01-01"], "2020-01-02")
    path.write_text(json.dumps(first))
    warehouse = tmp_path / "w.duckdb"
    with Emulator(data) as emulator:
        _load_prices(emulator, warehouse, nvda, today=dt.date(2024, 3, 9))
        restated = _chart_from_csv(after, splits, "2020-01-02")
        path.write_text(json.dumps(restated))
        _load_prices(emulator, warehouse, nvda, today=dt.date(2024, 9, 25))
    expected = {d: round(c, 4) for d, (c, _) in _closes(restated).items()}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        loaded = dict(con.execute("select trade_date, close from raw_prices.prices_daily").fetchall())
    # The last day of the first vintage: its close was ten times the second vintage's, which every bar must now be.
    last_before = max(_closes(first))
    assert _closes(first)[last_before][0] / loaded[last_before] == pytest.approx(10, rel=1e-4)
    assert loaded == expected


def _bars(warehouse: Path) -> tuple[int, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select count(*), count(distinct (ticker, trade_date)) from raw_prices.prices_daily"
                           ).fetchone()


def test_the_first_load_appends_and_later_loads_merge_even_after_the_state_is_lost(sample_dir, tmp_path):
    """A first load into an empty table skips the merge's staging copy; every later load merges, also when the
    pipeline's state (its cursors) is gone while the table still holds the bars: asked of the warehouse."""
    companies = [c for c in load_universe() if c.ticker in (SPLIT, DIVIDEND, QUIET)]
    warehouse = tmp_path / "w.duckdb"
    today = dt.date(2026, 7, 1)
    with Emulator(sample_dir) as emulator:
        client = ChartApiClient.create(emulator.base_url, requests_per_second=1000)
        pipeline = load("prices", warehouse, prices_source(client, companies, today=today))
        assert pipeline.default_schema.get_table("prices_daily")["write_disposition"] == "append"
        rows, keys = _bars(warehouse)
        assert rows == keys > 10_000
        pipeline = load("prices", warehouse, prices_source(client, companies, today=today + dt.timedelta(days=3)))
        assert pipeline.default_schema.get_table("prices_daily")["write_disposition"] == "merge"
        assert _bars(warehouse) == (rows, rows), "the re-read week replaced, not repeated"
        # The state lost (local folder and the warehouse's copy): no cursor, yet the table is full.
        pipeline.drop()
        with duckdb.connect(str(warehouse)) as con:
            con.execute("delete from raw_prices._dlt_pipeline_state")
        pipeline = load("prices", warehouse, prices_source(client, companies, today=today + dt.timedelta(days=3)))
        assert pipeline.default_schema.get_table("prices_daily")["write_disposition"] == "merge"
        assert _bars(warehouse) == (rows, rows), "the whole history read again and merged, not appended"

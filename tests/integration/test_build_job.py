"""The real Dagster job (dlt → dbt → checks) against the emulator, into a real DuckDB file.

Mart values are recomputed here by hand from the generated CSVs, with the rules METRICS.md states.
"""

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingestion import settings
from orchestration.definitions import defs
from orchestration.quality import load_suites
from tests.conftest import SAMPLE_END
from tests.utils import fred_csv, seed_claim_ids

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("replay")]  # one worker: they share one replay build

UNITS_PER_BN = {"WRESBAL": 1000, "WALCL": 1000, "WTREGEN": 1000}  # published in millions
# Point in time, by hand (METRICS.md §1, the close at 16:00 New York): the days after an observation's date from
# which it is usable, and how many days after that it may stand. H.4.1 comes out Thursday 16:30 (after the close:
# usable Friday); ON RRP the same day at 13:15; GDP (08:30) and H.8 (16:15, after the close) per ALFRED vintage.
USABLE_AFTER_DAYS = {"WRESBAL": 2, "WALCL": 2, "RRPONTSYD": 0}
CARRY_DAYS = {"WRESBAL": 8, "WALCL": 8, "RRPONTSYD": 3, "GDP": 100, "TLAACBW027SBOG": 8}
VINTAGE_USABLE_AFTER_DAYS = {"GDP": 0, "TLAACBW027SBOG": 1}


def _series(sample_dir, series_id):
    return {day: value for day, value in fred_csv(sample_dir, series_id).items() if value is not None}


def _as_of(series, day, max_days):
    """The latest observation on or before `day`, unless the next release should have replaced it."""
    dates = [d for d in series if d <= day]
    if not dates or (day - max(dates)).days > max_days:
        return None
    return series[max(dates)]


def _published(sample_dir, series_id):
    """{observation date: [(first day usable, value), ...]}: from the ALFRED vintages where the sample has them."""
    path = sample_dir / "fred" / "vintages" / f"{series_id}.json"
    if series_id in VINTAGE_USABLE_AFTER_DAYS:
        out = {}
        for row in json.loads(path.read_text())["observations"]:
            usable = dt.date.fromisoformat(row["realtime_start"]) + dt.timedelta(VINTAGE_USABLE_AFTER_DAYS[series_id])
            out.setdefault(dt.date.fromisoformat(row["date"]), []).append((usable, float(row["value"])))
        return {day: sorted(versions) for day, versions in out.items()}
    return {day: [(day + dt.timedelta(USABLE_AFTER_DAYS[series_id]), value)]
            for day, value in _series(sample_dir, series_id).items()}


def _known(published, day, carry):
    """(observation date, value) known at `day`'s close: the newest observation usable by then, in the vintage
    usable then, unless it has stood `carry` days and the next release should have replaced it."""
    usable = [d for d, versions in published.items() if versions[0][0] <= day]
    if not usable:
        return None, None
    observation = max(usable)
    versions = published[observation]
    if (day - versions[0][0]).days > carry:
        return None, None
    return observation, [value for first, value in versions if first <= day][-1]


def _dts_tga_closes(sample_dir):
    """The TGA's closing balance per DTS day ($mn), read from the Fiscal Data rows as the API serves them."""
    import json

    rows = json.loads((sample_dir / "treasury" / "v1__accounting__dts__operating_cash_balance.json").read_text())
    closes = {}
    for row in rows["data"]:
        if row["account_type"] in ("Federal Reserve Account", "Treasury General Account (TGA)"):
            closes[dt.date.fromisoformat(row["record_date"])] = float(row["close_today_bal"])
        elif row["account_type"] == "Treasury General Account (TGA) Closing Balance":
            closes[dt.date.fromisoformat(row["record_date"])] = float(row["open_today_bal"])
    return closes


@pytest.fixture(scope="module")
def built(replay_build):
    return replay_build


def test_every_asset_and_check_succeeds(built):
    first, _, _ = built
    assert first.success
    materialized = {e.asset_key.to_user_string() for e in first.get_asset_materialization_events()}
    assert {"raw_fred/observations", "raw_fred/series", "raw_treasury/auctions", "raw_nyfed/soma_bill_holdings",
            "raw_prices/prices_daily", "raw_prices/splits", "raw_sec/facts", "staging/stg_fred__observations",
            "marts/mart_reserve_adequacy", "meta/runs"} <= materialized
    checks = first.get_asset_check_evaluations()
    declared = {(key.asset_key.to_user_string(), key.name) for key in defs.resolve_asset_graph().asset_check_keys}
    assert {(c.asset_key.to_user_string(), c.check_name) for c in checks} == declared, "every check ran"
    failed = [c for c in checks if not c.passed]
    # Only freshness may fail here (the sample ends on the pinned SAMPLE_END, long ago), and only as a warning.
    assert {c.check_name for c in failed} <= {"fresh_per_release_calendar"}
    assert {c.severity.value for c in failed} <= {"WARN"}
    # The reconciliations between sources ran as checks, and held.
    reconciliations = {c.check_name: c.passed for c in checks if c.check_name.startswith("reconcile_")}
    assert reconciliations == dict.fromkeys(
        ("reconcile_auction_net_bills_vs_mspd", "reconcile_dts_net_bills_vs_mspd", "reconcile_soma_bills_vs_wshobl",
         "reconcile_dts_tga_vs_wdtgal", "reconcile_debt_to_penny_vs_mspd"), True)
    # Every GX suite ran on its raw table, and held.
    gx = [c for c in checks if c.check_name.startswith("gx_")]
    assert {(c.asset_key.to_user_string(), c.check_name) for c in gx} == {
        (s.asset, f"gx_{s.name}") for s in load_suites()}
    assert all(c.passed for c in gx)
    # The marts' table-level tests (dbt_project/tests/marts/) ran as checks of their marts, and held.
    whole_mart = {(c.asset_key.to_user_string(), c.check_name): c.passed for c in checks
                  if c.check_name.endswith(("_is_complete", "_has_every_claim"))}
    assert whole_mart == dict.fromkeys(
        (("marts/mart_reserve_adequacy", "mart_reserve_adequacy_is_complete"),
         ("marts/mart_sector_valuation", "mart_sector_valuation_is_complete"),
         ("marts/fct_treasury_auctions", "fct_treasury_auctions_is_complete"),
         ("marts/mart_bill_absorption", "mart_bill_absorption_is_complete"),
         ("marts/mart_claims", "mart_claims_has_every_claim")), True)


def test_mart_values_match_a_hand_computation(built, sample_dir):
    _, _, warehouse = built
    series = {s: _series(sample_dir, s) for s in
              ("WRESBAL", "WALCL", "RRPONTSYD", "GDP", "TLAACBW027SBOG", "SOFR", "IORB")}
    tga_closes = _dts_tga_closes(sample_dir)
    days = [dt.date(2007, 12, 31), dt.date(2023, 3, 1), dt.date(2025, 12, 31), dt.date(2026, 6, 28),
            dt.date(2026, 6, 30)]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = {r[0]: r[1:] for r in con.execute("""
            select date_day, reserves_usd_bn, reserves_to_gdp_pct, reserves_to_bank_assets_pct,
                   net_liquidity_usd_bn, sofr_iorb_spread_bp, regime
            from marts.mart_reserve_adequacy where date_day in ({})""".format(",".join("?" * len(days))),
            days).fetchall()}
    assert set(rows) == set(days)
    for day in days:
        known = {s: _known(_published(sample_dir, s), day, CARRY_DAYS[s]) for s in CARRY_DAYS}
        value = {s: v for s, (_, v) in known.items()} | {s: series[s].get(day) for s in ("SOFR", "IORB")}
        scaled = {s: (v / UNITS_PER_BN.get(s, 1) if v is not None else None) for s, v in value.items()}
        reserves, gdp, bank = scaled["WRESBAL"], scaled["GDP"], scaled["TLAACBW027SBOG"]
        got_reserves, got_gdp_pct, got_bank_pct, got_net, got_spread, got_regime = rows[day]
        assert got_reserves == pytest.approx(reserves), day
        assert got_gdp_pct == pytest.approx(round(100 * reserves / gdp, 4)), day
        assert got_bank_pct == pytest.approx(round(100 * reserves / bank, 4)), day
        # Net liquidity: WALCL, the TGA (DTS closing balance) and ON RRP, all three of the WALCL Wednesday.
        wednesday = known["WALCL"][0]
        tga = _as_of(tga_closes, wednesday, 4)
        rrp = _as_of(series["RRPONTSYD"], wednesday, 3)
        if None in (scaled["WALCL"], tga, rrp):
            assert got_net is None, day
        else:
            assert got_net == pytest.approx(scaled["WALCL"] - tga / 1000 - rrp), day
        if value["SOFR"] is None or value["IORB"] is None:
            assert got_spread is None, day
        else:
            assert got_spread == pytest.approx(round((value["SOFR"] - value["IORB"]) * 100, 2)), day
        ratio_gdp, ratio_bank = 100 * reserves / gdp, 100 * reserves / bank
        expected_regime = ("scarce" if ratio_gdp < 8 or ratio_bank < 12 else "abundant" if ratio_gdp >= 12 else "ample")
        assert got_regime == expected_regime, day
    # A Sunday has no SOFR fixing: no spread, and RRP carried from Friday.
    assert rows[dt.date(2026, 6, 28)][4] is None


def test_grain_is_one_row_per_day_from_2005(built):
    _, _, warehouse = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        count, first, last, distinct = con.execute("""select count(*), min(date_day), max(date_day),
            count(distinct date_day) from marts.mart_reserve_adequacy""").fetchone()
    assert (first, last) == (dt.date(2005, 1, 1), SAMPLE_END)
    assert count == distinct == (SAMPLE_END - dt.date(2005, 1, 1)).days + 1


def test_second_run_loads_nothing_new_and_both_runs_are_recorded(built, sample_dir):
    first, second, warehouse = built
    assert second.success
    with duckdb.connect(str(warehouse), read_only=True) as con:
        loads = con.execute("select run_id, table_name, rows_added from meta.loads where provider = 'fred'").fetchall()
        runs = dict(con.execute("select run_id, rows_added from meta.runs").fetchall())
        modes = {r[0] for r in con.execute("select mode from meta.runs").fetchall()}
    first_rows = {t: n for r, t, n in loads if r == first.run_id}
    second_rows = {t: n for r, t, n in loads if r == second.run_id}
    csv_rows = sum(len(p.read_text().splitlines()) - 1 for p in (sample_dir / "fred").glob("*.csv"))
    series = len(list((sample_dir / "fred").glob("*.csv")))
    vintages = sum(len(json.loads(p.read_text())["observations"]) for p in (sample_dir / "fred" / "vintages").glob("*"))
    # The sample holds ALFRED vintages: a replay of it reads FRED through the API, as a user with a key does.
    assert first_rows == {"observations": csv_rows, "series": series, "vintages": vintages} and vintages > 0
    assert second_rows == {"observations": 0, "series": 0, "vintages": 0}
    assert runs[second.run_id] == 0, "nothing new from any provider"
    assert runs[first.run_id] > sum(first_rows.values()), "FRED and the other providers"
    assert modes == {"replay"}


def test_bill_absorption_matches_a_hand_computation(built, sample_dir):
    """One H.4.1 week of the sample, recomputed from the DTS, auction and SOMA files."""
    import json

    start, end = "2026-06-10", "2026-06-17"
    folder = sample_dir / "treasury"
    auctions = json.loads((folder / "v1__accounting__od__auctions_query.json").read_text())["data"]
    bills = [a for a in auctions if a["security_type"] == "Bill" and a["bid_to_cover_ratio"] != "null"]
    gross = sum(float(a["total_accepted"]) for a in bills if start < a["issue_date"] <= end) / 1e9
    maturing = sum(float(a["total_accepted"]) for a in bills if start < a["maturity_date"] <= end) / 1e9
    fed = sum(float(a["soma_accepted"]) for a in bills if start < a["issue_date"] <= end) / 1e9
    dts = json.loads((folder / "v1__accounting__dts__public_debt_transactions.json").read_text())["data"]
    flows = {"Issues": 0.0, "Redemptions": 0.0}
    for row in dts:
        if row["security_type"] == "Bills" and start < row["record_date"] <= end:
            flows[row["transaction_type"]] += float(row["transaction_today_amt"]) / 1e3
    net = flows["Issues"] - flows["Redemptions"]
    summary = {r["asOfDate"]: float(r["bills"] or 0) / 1e9 for r in
               json.loads((sample_dir / "nyfed" / "soma" / "summary.json").read_text())["soma"]["summary"]}
    soma_change = summary[end] - summary[start]
    held_at_start = [h for h in json.loads((sample_dir / "nyfed" / "soma" / "tsy" / "get" / "asof" /
                                           f"{start}.json").read_text())["soma"]["holdings"]
                     if h["securityType"] == "Bills" and start < h["maturityDate"] <= end]
    fed_maturing = sum(float(h["parValue"]) for h in held_at_start) / 1e9
    _, _, warehouse = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("""select gross_bill_issuance_usd_bn, bills_maturing_usd_bn, net_bill_issuance_usd_bn,
                                    net_bill_issuance_source, fed_take_at_auction_usd_bn, fed_bills_maturing_usd_bn,
                                    soma_bill_change_usd_bn, bill_absorption_ratio_holdings,
                                    bill_absorption_ratio_auction, ratio_null_reason
                             from marts.mart_bill_absorption where window_type = 'week' and window_end = ?""",
                          [dt.date.fromisoformat(end)]).fetchone()
    assert row[0] == pytest.approx(gross, abs=1e-6) and row[1] == pytest.approx(maturing, abs=1e-6)
    # Net issuance from the DTS (bills issued minus redeemed), which agrees with the auctions to its $1mn rounding.
    assert row[2] == pytest.approx(net, abs=1e-9) and row[3] == "dts"
    assert net == pytest.approx(gross - maturing, abs=0.01)
    assert row[4] == pytest.approx(fed, abs=1e-6) and row[5] == pytest.approx(fed_maturing, abs=1e-6)
    assert row[6] == pytest.approx(soma_change, abs=1e-6)
    if net >= 10:  # the default floor of net issuance
        assert row[7] == pytest.approx(round(soma_change / net, 4), abs=1e-4)
        assert row[8] == pytest.approx(round((fed - fed_maturing) / net, 4), abs=1e-4)
    else:
        assert row[7] is None and row[8] is None and "floor" in row[9]


def test_claims_have_verdicts_and_the_2007_claim_reads_totresns(built, sample_dir):
    lines = (sample_dir / "fred" / "TOTRESNS.csv").read_text().splitlines()
    december_2007 = float(dict(line.split(",") for line in lines[1:])["2007-12-01"])
    _, _, warehouse = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        verdicts = dict(con.execute("select claim_id, verdict from marts.mart_claims").fetchall())
        observed = con.execute("select observed_value from marts.mart_claims where claim_id = 'reserves_2007'"
                               ).fetchone()[0]
    assert set(verdicts) == set(seed_claim_ids()) and len(verdicts) >= 12
    assert "untested" not in verdicts.values(), verdicts
    assert observed == pytest.approx(december_2007)
    assert verdicts["reserves_2007"] == ("supported" if abs(december_2007 / 45 - 1) <= 0.25 else "contradicted")


def test_auction_shares_match_a_hand_computation(built, sample_dir):
    """The last completed 4-week bill auction: bid-to-cover, the Fed's share and the bidder shares."""
    import json

    auctions = json.loads((sample_dir / "treasury" / "v1__accounting__od__auctions_query.json").read_text())["data"]
    done = [a for a in auctions if a["security_term"] == "4-Week" and a["total_accepted"] != "null"]
    auction = max(done, key=lambda a: a["auction_date"])
    total, soma = float(auction["total_accepted"]), float(auction["soma_accepted"])
    competitive = float(auction["comp_accepted"])
    _, _, warehouse = built
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("""select total_accepted_usd_bn, soma_share_pct, dealer_share_pct, bid_to_cover_ratio
                             from marts.fct_treasury_auctions where cusip = ? and auction_date = ?""",
                          [auction["cusip"], dt.date.fromisoformat(auction["auction_date"])]).fetchone()
    row = [float(v) for v in row]  # amounts are exact decimals in the warehouse
    assert row[0] == pytest.approx(total / 1e9)
    assert row[1] == pytest.approx(100 * soma / total, abs=1e-4)
    assert row[2] == pytest.approx(100 * float(auction["primary_dealer_accepted"]) / competitive, abs=1e-4)
    assert row[3] == pytest.approx(float(auction["bid_to_cover_ratio"]))


def test_the_reconciliations_fail_on_data_that_disagrees(built, tmp_path):
    """Each reconciliation between sources fails when one source is wrong: the sample build's warehouse, copied, with
    one error planted per pair, then the models that read them rebuilt and the reconciliations run by dbt."""
    _, _, warehouse = built
    copy = tmp_path / "planted.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        # A WDTGAL week stored in billions instead of millions (a ÷1000 slip).
        con.execute("""update raw_fred.observations set value = value / 1000 where series_id = 'WDTGAL'
                       and date = (select max(date) from raw_fred.observations where series_id = 'WDTGAL')""")
        # A day of bill redemptions missing from the DTS.
        con.execute("""delete from raw_treasury.public_debt_transactions
                       where security_type = 'Bills' and transaction_type = 'Redemptions' and record_date =
                           (select max(record_date) from raw_treasury.public_debt_transactions
                            where security_type = 'Bills' and transaction_type = 'Redemptions'
                                and transaction_today_amt > 10000 and record_date < date '2026-05-01')""")
        # A bill whose maturity was typed a month late: issuance still complete, the month's flows wrong.
        con.execute("""update raw_treasury.auctions set maturity_date = maturity_date + interval 35 day
                       where (cusip, auction_date) = (select (cusip, auction_date) from raw_treasury.auctions
                           where security_type = 'Bill' and maturity_date between date '2025-06-01'
                               and date '2025-06-25' order by total_accepted desc limit 1)""")
        # One CUSIP missing from the Fed's holdings on a Wednesday.
        con.execute("""delete from raw_nyfed.soma_bill_holdings where (as_of_date, cusip) = (
                           select (as_of_date, cusip) from raw_nyfed.soma_bill_holdings
                           order by as_of_date desc, par_value desc limit 1)""")
        # Debt to the Penny in millions on a month's last business day.
        con.execute("""update raw_treasury.debt_to_penny set tot_pub_debt_out_amt = tot_pub_debt_out_amt / 1e6
                       where record_date = (select max(record_date) from raw_treasury.debt_to_penny
                                            where record_date <= date '2026-03-31')""")
    scratch = tmp_path / "dbt"
    env = {**os.environ, "FAULTLINES_DUCKDB_PATH": str(copy), "DBT_LOG_PATH": str(scratch / "logs")}
    dbt = [str(Path(sys.executable).parent / "dbt"), "--quiet"]
    target = ["--target-path", str(scratch / "target")]
    # `run` then `test`: in a `build`, a failed reconciliation on staging would skip the mart the others read.
    rebuilt = subprocess.run([*dbt, "run", "--select", "int_treasury__bill_windows mart_bill_absorption", *target],
                             cwd=settings.DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600)
    assert rebuilt.returncode == 0, rebuilt.stdout[-2000:]
    subprocess.run([*dbt, "test", "--select", "path:tests/reconcile", *target],
                   cwd=settings.DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600)
    results = json.loads((scratch / "target" / "run_results.json").read_text())["results"]
    status = {r["unique_id"].split(".")[2]: r["status"] for r in results if ".reconcile_" in r["unique_id"]}
    assert status == dict.fromkeys(
        ("reconcile_auction_net_bills_vs_mspd", "reconcile_dts_net_bills_vs_mspd", "reconcile_soma_bills_vs_wshobl",
         "reconcile_dts_tga_vs_wdtgal", "reconcile_debt_to_penny_vs_mspd"), "fail")

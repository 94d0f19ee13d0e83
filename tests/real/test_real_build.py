"""The whole warehouse built from the real published files, as a user runs it: `faultlines run --mode replay` over
the data dir tests/real/datadir/ makes from ../shared/reference/real (sample fill where no real file exists).

Every dbt test, reconciliation and GX suite must pass and the warehouse be published; then values the marts show
are checked against the real files themselves, read here at test time with the csv module (not our readers).
Nothing from ../shared is copied into this file. Skipped when ../shared/reference/real is absent.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingestion import settings
from tests.conftest import FAULTLINES, cli_env
from tests.real import formats
from tests.real.datadir import build_real_data_dir
from tests.utils import no_look_ahead, seed_claim_ids

REAL_DIR = settings.REPO_ROOT.parent / "shared" / "reference" / "real"
pytestmark = [pytest.mark.skipif(not REAL_DIR.is_dir(), reason=f"{REAL_DIR} is not here (it is never committed)"),
              pytest.mark.slow, pytest.mark.xdist_group("real")]
MARTS = ("mart_reserve_adequacy", "mart_bill_absorption", "mart_sector_valuation", "mart_claims",
         "fct_treasury_auctions", "fct_equity_daily", "fct_fundamentals_ttm", "mart_earnings_reactions",
         "mart_repo_stress", "mart_fed_balance_sheet", "mart_claim_evidence")


def _rows(header_start: str, delimiter: str = ",") -> list[dict]:
    """The rows of the one real file whose text starts with ``header_start`` (BOM and CRLF removed)."""
    for path in sorted(REAL_DIR.rglob("*")):
        if path.is_file() and path.suffix in (".csv", ".txt"):
            text = formats.decode(path.read_bytes())
            if text.startswith(header_start):
                return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    raise AssertionError(f"no real file starts with {header_start!r}")


def _fred(series_id: str) -> dict[Path, dict[dt.date, Decimal]]:
    """Each fredgraph CSV of the series: {path: {date: value}} (missing values left out)."""
    out = {}
    for path in sorted(REAL_DIR.rglob("*.csv")):
        lines = formats.decode(path.read_bytes()).splitlines()
        if lines and lines[0].split(",")[1:] == [series_id]:
            out[path] = {dt.date.fromisoformat(d): Decimal(v) for d, v in (line.split(",") for line in lines[1:])
                         if v not in ("", ".")}
    return out


@pytest.fixture(scope="module")
def real_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("real-build")
    report = build_real_data_dir(REAL_DIR, root / "data")
    result = subprocess.run([FAULTLINES, "run", "--mode", "replay", "--data-dir", str(root / "data")],
                            env=cli_env(root / "home", COLUMNS="200"), capture_output=True, text=True, timeout=1500)
    return report, result, root / "home" / "published" / "replay.duckdb"


@pytest.fixture(scope="module")
def con(real_build):
    _, result, published = real_build
    if result.returncode != 0:
        pytest.fail(f"the real-data build failed:\n{result.stderr[-4000:]}")
    with duckdb.connect(str(published), read_only=True) as connection:
        yield connection


def test_the_real_build_passes_every_check_and_is_published(real_build, con):
    _, result, published = real_build
    assert result.returncode == 0 and f"Published: {published}" in result.stdout
    for mart in MARTS:
        assert con.execute(f"select count(*) from marts.{mart}").fetchone()[0] > 0, mart
    # The run that published it recorded itself in replay mode.
    assert con.execute("select count(*) from meta.runs where mode = 'replay'").fetchone()[0] == 1


def test_no_daily_mart_uses_a_value_published_after_the_close(con):
    checked = no_look_ahead(con)
    assert "mart_reserve_adequacy.gdp_as_of" in checked and checked == dict.fromkeys(checked, 0)


def test_reserve_balances_are_the_real_wednesdays_in_billions(con):
    """WRESBAL from both real downloads: today's (millions) and the older one (billions), one unit in the mart."""
    files = _fred("WRESBAL")
    millions = next(rows for rows in files.values() if max(rows.values()) > 100_000)
    billions = next(rows for rows in files.values() if max(rows.values()) < 100_000)
    recent = max(millions)
    old = max(d for d in billions if d.year == 2007)
    for day, expected_usd_bn in ((recent, millions[recent] / 1000), (old, billions[old])):
        # Point in time: the Wednesday's H.4.1 is published Thursday 16:30, after the close, so Friday shows it.
        first_day, got, known_from = con.execute("""select date_day, reserves_usd_bn, reserves_known_from
                                                    from marts.mart_reserve_adequacy where reserves_as_of = ?
                                                    order by date_day limit 1""", [day]).fetchone()
        assert got == pytest.approx(float(expected_usd_bn), abs=1e-9), day
        assert (first_day, known_from) == (day + dt.timedelta(days=2),
                                           dt.datetime.combine(day + dt.timedelta(days=1), dt.time(16, 30))), day


def test_an_auction_has_its_real_amounts_to_the_dollar(con):
    export = _rows("Cusip;", delimiter=";")
    biggest = max(export, key=lambda r: int(r["TotalAccepted"]))
    row = con.execute("""select total_accepted_usd_bn, soma_accepted_usd_bn, public_accepted_usd_bn, dealer_share_pct
                         from marts.fct_treasury_auctions where cusip = ? and auction_date = ?""",
                      [biggest["Cusip"], dt.date.fromisoformat(biggest["AuctionDate"][:10])]).fetchone()
    total, soma = Decimal(biggest["TotalAccepted"]), Decimal(biggest["SomaAccepted"] or 0)
    assert row[0] == float(total / Decimal(1e9)) and row[1] == float(soma / Decimal(1e9))
    assert row[2] == float((total - soma) / Decimal(1e9))
    assert row[3] == pytest.approx(float(round(100 * Decimal(biggest["PrimaryDealerAccepted"])
                                               / Decimal(biggest["CompetitiveAccepted"]), 4)))
    # Staging keeps whole dollars: Treasury's identity holds exactly on every real auction.
    staged = con.execute("""select count(*), count(*) filter (where total_accepted_usd = competitive_accepted_usd
                                + noncompetitive_accepted_usd + coalesce(soma_accepted_usd, 0)
                                + coalesce(fima_noncompetitive_accepted_usd, 0))
                            from staging.stg_treasury__auctions where is_completed""").fetchone()
    assert staged[0] == len(export) and staged[1] == staged[0]


def test_the_tga_is_the_dts_closing_balance_of_the_day(con):
    rows = _rows("Record Date,Type of Account")
    by_day: dict[str, dict[str, int]] = {}
    for row in rows:
        by_day.setdefault(row["Record Date"], {})[row["Type of Account"]] = int(row["Opening Balance Today"])
    days = sorted(by_day)
    # Today's table: the closing balance is a row of its own.
    latest = days[-1]
    expected_new = by_day[latest]["Treasury General Account (TGA) Closing Balance"]
    # The oldest table generation has only openings in the site export: a day's close is the next day's opening.
    old = next(d for d in days if "Federal Reserve Account" in by_day[d])
    expected_old = next(v for k, v in by_day[days[days.index(old) + 1]].items()
                        if k in ("Federal Reserve Account", "Treasury General Account (TGA)"))
    last_day = con.execute("select max(date_day) from marts.mart_reserve_adequacy").fetchone()[0]
    checked = []
    for day, expected_usd_mn in ((latest, expected_new), (old, expected_old)):
        # Point in time: a DTS is published the next business day at 16:00 and shown from that day.
        record = dt.date.fromisoformat(day)
        published = record + dt.timedelta(days=3 if record.weekday() == 4 else 1)
        if published > last_day:
            continue  # published after the last day the marts show
        got, source, as_of = con.execute("""select tga_usd_bn, tga_source, tga_as_of from marts.mart_reserve_adequacy
                                            where date_day = ?""", [published]).fetchone()
        assert (source, str(as_of)) == ("DTS", day) and got == pytest.approx(expected_usd_mn / 1000, abs=1e-9), day
        checked.append(day)
    assert old in checked, "the oldest table generation is always inside the marts' days"


def test_bills_outstanding_and_dts_flows_reconcile_on_the_real_months(con):
    mspd = _rows("Record Date,Security Type Description")
    bills = {r["Record Date"]: Decimal(r["Total Public Debt Outstanding (in Millions)"]) for r in mspd
             if (r["Security Type Description"], r["Security Class Description"]) == ("Marketable", "Bills")}
    month_end = max(bills)
    got = con.execute("""select bills_outstanding_usd_bn from marts.mart_bill_absorption
                         where window_type = 'month' and window_end = ?""",
                      [dt.date.fromisoformat(month_end)]).fetchone()[0]
    assert got == pytest.approx(float(bills[month_end] / 1000), abs=1e-9)
    # The DTS's bills issued minus redeemed, summed here from the real file, for the same month.
    net = Decimal(0)
    for row in _rows("Record Date,Transaction Type"):
        if row["Security Type"] == "Bills" and row["Record Date"][:7] == month_end[:7]:
            amount = Decimal(row["Transactions Today"])
            net += amount if row["Transaction Type"] == "Issues" else -amount
    dts_net, change = con.execute("""select dts_net_bill_issuance_usd_bn, mspd_bill_change_usd_bn
                                     from marts.mart_bill_absorption where window_type = 'month' and window_end = ?""",
                                  [dt.date.fromisoformat(month_end)]).fetchone()
    assert dts_net == pytest.approx(float(net / 1000), abs=1e-9)
    assert abs(dts_net - change) <= 0.05
    # The reconciliation (a dbt test) compared real months: every month the DTS file covers end to end.
    dts_days = sorted({r["Record Date"] for r in _rows("Record Date,Transaction Type")})
    month_ends = sorted(bills)
    expected = [end for start, end in zip(month_ends, month_ends[1:], strict=False)
                if start >= dts_days[0] and dts_days[-1] >= _last_weekday(end)]
    covered = con.execute("""select count(*) from marts.mart_bill_absorption where window_type = 'month'
                             and dts_net_bill_issuance_usd_bn is not null and mspd_bill_change_usd_bn is not null""")
    assert covered.fetchone()[0] == len(expected) > 0


def _last_weekday(day: str) -> str:
    date = dt.date.fromisoformat(day)
    while date.weekday() >= 5:
        date -= dt.timedelta(days=1)
    return date.isoformat()


def test_the_tga_reconciliation_compared_every_real_wednesday(con):
    """DTS against WDTGAL ran over the real files: every Wednesday of the real WDTGAL inside the DTS file's range."""
    dts_days = sorted({r["Record Date"] for r in _rows("Record Date,Type of Account")})
    wednesdays = set()
    for source in REAL_DIR.rglob("SOURCE.md"):  # a pandas dump says in its SOURCE.md which file holds WDTGAL
        named = re.search(r'"WDTGAL"[^\n]*?-> (\w+\.json)', source.read_text())
        if named:
            payload = json.loads((source.parent / named.group(1)).read_text())
            wednesdays |= {k[:10] for k, v in payload.items()
                           if v is not None and dts_days[0] <= k[:10] <= dts_days[-1]}
    compared = con.execute("""
        with dts as (select record_date from staging.stg_treasury__tga_daily),
             wdtgal as (select observation_date from staging.stg_fred__observations
                        where series_id = 'WDTGAL' and value_usd_bn is not null)
        select list(cast(observation_date as varchar)) from wdtgal asof join dts on observation_date >= record_date
        where observation_date - record_date <= 4 and observation_date <= (select max(record_date) from dts)
    """).fetchone()[0]
    assert wednesdays and wednesdays <= set(compared)


def test_debt_to_the_penny_at_a_month_end_is_the_real_statement(con):
    penny = {r["Record Date"]: Decimal(r["Total Public Debt Outstanding"])
             for r in _rows("Record Date,Debt Held by the Public")}
    day = max(d for d in penny if d[5:7] == "12")
    got, as_of = con.execute("""select total_public_debt_usd_bn, total_public_debt_as_of from marts.mart_bill_absorption
                                where window_type = 'month' and window_end = ?""",
                             [dt.date.fromisoformat(day[:8] + "31")]).fetchone()
    assert str(as_of) == day and got == pytest.approx(float(penny[day] / Decimal(1e9)), abs=1e-9)


def test_every_claim_has_a_row_and_the_2007_claim_reads_the_real_totresns(con):
    verdicts = dict(con.execute("select claim_id, verdict from marts.mart_claims").fetchall())
    assert set(verdicts) == set(seed_claim_ids())
    assert set(verdicts.values()) <= {"supported", "partly", "contradicted", "untested"}
    december_2007 = next(rows for rows in _fred("TOTRESNS").values())[dt.date(2007, 12, 1)]
    observed = con.execute("select observed_value from marts.mart_claims where claim_id = 'reserves_2007'").fetchone()
    assert observed[0] == pytest.approx(float(december_2007))
    seed = next(r for r in csv.DictReader((settings.DBT_PROJECT_DIR / "seeds" / "claims.csv").open())
                if r["claim_id"] == "reserves_2007")
    low, high = Decimal(seed["supported_min"]), Decimal(seed["supported_max"])
    assert verdicts["reserves_2007"] == ("supported" if low <= december_2007 <= high else "partly"
                                         if Decimal(seed["partly_min"]) <= december_2007 <= Decimal(seed["partly_max"])
                                         else "contradicted")

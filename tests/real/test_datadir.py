"""The real-data data dir: every real file accounted for, units and pairs right, and the emulator serves it.

Every expected value is read from the real files at test time; nothing from ../shared is copied here.
The module is skipped when ../shared/reference/real is absent (it is never committed).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import statistics
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingestion import settings
from ingestion.emulator.server import Emulator
from ingestion.sources.fred import FredClient
from ingestion.sources.prices import ChartApiClient, parse_chart
from ingestion.sources.treasury import DATASETS, FiscalDataClient
from ingestion.synthetic.equities import SPLITS
from orchestration.quality import load_suites, validate
from tests.real import formats
from tests.real.datadir import UnrecognisedFile, build_real_data_dir, nvda_chart, read_inventory

REAL_DIR = settings.REPO_ROOT.parent / "shared" / "reference" / "real"
pytestmark = pytest.mark.skipif(not REAL_DIR.is_dir(), reason=f"{REAL_DIR} is not here (it is never committed)")


def _real_files() -> list[Path]:
    return sorted(p for p in REAL_DIR.rglob("*") if p.is_file() and p.name not in ("README.md", "SOURCE.md"))


def _text(path: Path) -> str:
    return formats.decode(path.read_bytes())


def _fred_files(series_id: str) -> dict[Path, dict[dt.date, Decimal | None]]:
    """Every fredgraph CSV of a series under the real dir, found by header, read with csv (not our reader)."""
    out = {}
    for path in _real_files():
        text = _text(path)
        header = text.split("\n", 1)[0].strip().split(",")
        if len(header) == 2 and header[0] in ("DATE", "observation_date") and header[1] == series_id:
            rows = list(csv.reader(io.StringIO(text)))[1:]
            out[path] = {dt.date.fromisoformat(r[0]): None if r[1] in ("", ".") else Decimal(r[1]) for r in rows if r}
    return out


def _by_header(start: str) -> Path:
    return next(p for p in _real_files() if _text(p).startswith(start))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("real") / "data"
    return out, build_real_data_dir(REAL_DIR, out)


@pytest.fixture(scope="module")
def emulator(built):
    with Emulator(built[0]) as running:
        yield running


def _fred_out(out: Path, series_id: str) -> dict[dt.date, float | None]:
    _, rows = formats.fredgraph((out / "fred" / f"{series_id}.csv").read_text())
    return {d: None if v is None else float(v) for d, v in rows.items()}


def _treasury_out(out: Path, endpoint: str) -> list[dict]:
    return json.loads((out / "treasury" / f"{endpoint.replace('/', '__')}.json").read_text())["data"]


# --- accounting for every file ------------------------------------------------------------------------

def test_every_real_file_is_used_or_listed_unused_with_a_reason(built):
    out, report = built
    names = {p.relative_to(REAL_DIR).as_posix() for p in _real_files()}
    assert set(report.used) | set(report.unused) == names
    assert not set(report.used) & set(report.unused)
    assert all(reason.strip() for reason in report.unused.values())
    manifest = json.loads((out / "MANIFEST.json").read_text())
    assert manifest["synthetic"] is False and manifest["source"] == "real reference files + sample fill"
    assert manifest["provenance"] == json.loads(json.dumps(report.as_dict()))
    assert manifest["end"] == report.end.isoformat()
    assert any(report.end.isoformat() in _text(p) for p in _real_files())
    assert "fred/WSHOBL" in report.synthetic and any("WSHOBL" in n for n in report.notes)


def test_a_file_in_an_unknown_format_is_an_error_naming_it(tmp_path):
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "SOURCE.md").write_text("# a set\n")
    (tmp_path / "set" / "mystery.csv").write_text("when,what\n2024-01-01,1\n")
    with pytest.raises(UnrecognisedFile, match=r"mystery\.csv.*add a reader to tests/real/datadir/inventory\.py"):
        read_inventory(tmp_path)


def test_an_empty_pandas_dump_is_listed_unused(tmp_path):
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "SOURCE.md").write_text('`fetch_fred("GDP")` -> gdp.json\n')
    (tmp_path / "set" / "gdp.json").write_text("{}")
    inventory = read_inventory(tmp_path)
    assert "empty" in inventory.unused["set/gdp.json"] and not inventory.fred


# --- FRED ---------------------------------------------------------------------------------------------

def test_wresbal_billions_file_is_converted_and_the_newer_millions_file_wins(built):
    out, report = built
    files = _fred_files("WRESBAL")
    assert len(files) >= 2
    billions = min(files, key=lambda p: statistics.median(v for v in files[p].values() if v))
    millions = max(files, key=lambda p: statistics.median(v for v in files[p].values() if v))
    served = _fred_out(out, "WRESBAL")
    december = min(d for d in files[millions] if d.year == 2021 and d.month == 12)
    assert served[december] == float(files[millions][december])
    early = min(d for d in files[billions] if d.year == 2007)
    assert early not in files[millions]
    assert served[early] == float(files[billions][early] * 1000)
    entry = report.datasets["fred/WRESBAL"]
    assert entry.unit_factors[billions.relative_to(REAL_DIR).as_posix()] == "1000"


def test_every_fred_csv_is_in_todays_layout(built):
    out, report = built
    for name in (n for n in report.datasets if n.startswith("fred/")):
        text = (out / f"{name}.csv").read_text()
        series_id = name.split("/")[1]
        assert text.startswith(f"observation_date,{series_id}\n") and "\r" not in text
        lines = text.splitlines()[1:]
        assert all("," in line and not line.endswith(".") for line in lines)
        assert [line[:10] for line in lines] == sorted(line[:10] for line in lines)
        assert not (out / "fred" / "vintages" / f"{series_id}.json").exists()


def test_tlaacbw027sbog_from_the_ddp_file_is_in_billions(built):
    out, report = built
    factors = report.datasets["fred/TLAACBW027SBOG"].unit_factors
    ddp_rel = next(rel for rel in factors if formats.is_ddp(_text(REAL_DIR / rel)))
    assert factors[ddp_rel] == "0.001"
    column = formats.ddp(_text(REAL_DIR / ddp_rel))["B1151NCBA"]
    served = _fred_out(out, "TLAACBW027SBOG")
    fred_days = {d for rows in _fred_files("TLAACBW027SBOG").values() for d in rows}
    ddp_only = max(d for d, v in column.rows.items() if v is not None and d not in fred_days)
    assert served[ddp_only] == float(column.rows[ddp_only] / 1000)


def test_wdtgal_is_real_from_the_first_real_dts_day(built):
    """Before the real DTS starts, the DTS is sample, so WDTGAL is too; from then on (past its end too) real."""
    out, report = built
    cash = report.datasets["treasury/v1/accounting/dts/operating_cash_balance"].real[0]
    entry = report.datasets["fred/WDTGAL"]
    assert all(cash[0] <= first for first, _ in entry.real)
    real = {}
    for f in entry.files:
        path = REAL_DIR / f
        if path.suffix == ".json":
            real |= {dt.date.fromisoformat(k[:10]): v for k, v in json.loads(path.read_text()).items()}
        else:
            real |= {d: float(v) for d, v in formats.ddp(_text(path))["RESPPLLDT_N.WW"].rows.items() if v is not None}
    served = _fred_out(out, "WDTGAL")
    before = [d for d in real if d.isoformat() < cash[0]]
    after = [d for d in real if d.isoformat() > cash[1]]
    assert before and all(served.get(d) != real[d] for d in before)  # the sample's there, not the real value
    assert after and all(served[d] == real[d] for d in after)


def test_the_dts_tga_closing_balance_equals_wdtgal_on_wednesdays(built):
    out, report = built
    first, last = report.datasets["treasury/v1/accounting/dts/operating_cash_balance"].real[0]
    closing = {}
    for row in _treasury_out(out, "v1/accounting/dts/operating_cash_balance"):
        if row["account_type"] in ("Federal Reserve Account", "Treasury General Account (TGA)"):
            closing[row["record_date"]] = row["close_today_bal"]
        elif row["account_type"] == "Treasury General Account (TGA) Closing Balance":
            closing[row["record_date"]] = row["open_today_bal"]
    wednesdays = {d: v for d, v in _fred_out(out, "WDTGAL").items()
                  if d.isoformat() in closing and first <= d.isoformat() <= last}
    assert len(wednesdays) > 200
    assert all(float(closing[d.isoformat()]) == v for d, v in wednesdays.items())


# --- Treasury -----------------------------------------------------------------------------------------

def test_old_generation_close_is_the_next_business_days_opening(built):
    out, _ = built
    raw = formats.labelled_rows(_text(_by_header("Record Date,Type of Account")))
    tga = ("Federal Reserve Account", "Treasury General Account (TGA)",
           "Treasury General Account (TGA) Opening Balance")
    opening = {r["Record Date"]: r["Opening Balance Today"] for r in raw if r["Type of Account"] in tga}
    days = sorted(opening)
    rows = [r for r in _treasury_out(out, "v1/accounting/dts/operating_cash_balance")
            if r["account_type"] in tga[:2] and r["record_date"] >= days[0]]
    assert rows
    for row in rows:
        following = days[days.index(row["record_date"]) + 1]
        assert row["close_today_bal"] == opening[following]
    newer = [r for r in _treasury_out(out, "v1/accounting/dts/operating_cash_balance")
             if r["record_date"] >= "2022-04-18"]
    assert newer and all(r["close_today_bal"] == "null" for r in newer)


def test_real_auctions_keep_exported_amounts_and_the_identity_holds_exactly(built, emulator):
    _, report = built
    first_real = report.datasets["treasury/v1/accounting/od/auctions_query"].real[0][0]
    client = FiscalDataClient.create(base_url=f"{emulator.base_url}/services/api/fiscal_service",
                                     requests_per_second=100)
    rows = [r for page in client.pages(DATASETS["auctions"], dt.date(2005, 1, 1)) for r in page]
    real = [r for r in rows if r["auction_date"].isoformat() >= first_real]
    export = formats.labelled_rows(_text(_by_header("Cusip;")), delimiter=";")
    assert len(real) == len(export)
    for r in real:
        assert r["total_accepted"] == r["comp_accepted"] + r["noncomp_accepted"] + (r["soma_accepted"] or 0) \
            + (r["fima_noncomp_accepted"] or 0)
    keys = {(r["cusip"], r["auction_date"].isoformat()) for r in real}
    assert keys == {(e["Cusip"], e["AuctionDate"][:10]) for e in export}
    assert len(rows) == len(real), "auctions are real only: the MSPD they reconcile against is real"
    # An Excel-mangled tendered amount becomes the integer it denotes.
    mangled = next(e for e in export if "E+" in e["TotalTendered"])
    served = next(r for r in real if (r["cusip"], r["auction_date"].isoformat())
                  == (mangled["Cusip"], mangled["AuctionDate"][:10]))
    assert served["total_tendered"] == float(Decimal(mangled["TotalTendered"].replace(",", ".")))
    exact = next(e for e in export if "E+" not in e["OfferingAmount"])
    raw = next(r for r in _treasury_out(built[0], "v1/accounting/od/auctions_query")
               if (r["cusip"], r["auction_date"]) == (exact["Cusip"], exact["AuctionDate"][:10]))
    assert raw["offering_amt"] == exact["OfferingAmount"] and raw["total_accepted"] == exact["TotalAccepted"]
    assert set(raw) == {f for f in next(iter(_treasury_out(built[0], "v1/accounting/od/auctions_query")))}


def test_excel_number_parses_a_decimal_comma_exponent():
    assert formats.excel_number("2,5E+3") == 2500
    assert formats.excel_number("1,23456E+11") == 123456000000
    assert formats.excel_number("12345600") == 12345600


def test_mspd_debt_to_penny_and_debt_transactions_are_the_exports_rows(built, emulator):
    out, _ = built
    mspd = formats.labelled_rows(_text(_by_header("Record Date,Security Type Description")))
    served = _treasury_out(out, "v1/debt/mspd/mspd_table_1")
    assert len(served) == len(mspd)
    written = {(r["record_date"], r["security_type_desc"], r["security_class_desc"]): r for r in served}
    for row in mspd[:: max(1, len(mspd) // 50)]:
        match = written[(row["Record Date"], row["Security Type Description"], row["Security Class Description"])]
        assert match["total_mil_amt"] == row["Total Public Debt Outstanding (in Millions)"]
    penny = formats.labelled_rows(_text(_by_header("Record Date,Debt Held by the Public")))
    client = FiscalDataClient.create(base_url=f"{emulator.base_url}/services/api/fiscal_service",
                                     requests_per_second=100)
    rows = [r for page in client.pages(DATASETS["debt_to_penny"], dt.date(2005, 1, 1)) for r in page]
    assert len(rows) == len(penny)
    newest = max(penny, key=lambda r: r["Record Date"])
    assert rows[-1]["record_date"].isoformat() == newest["Record Date"]
    assert rows[-1]["tot_pub_debt_out_amt"] == float(newest["Total Public Debt Outstanding"])
    debt = formats.labelled_rows(_text(_by_header("Record Date,Transaction Type")))
    assert len(_treasury_out(out, "v1/accounting/dts/public_debt_transactions")) == len(debt)


# --- NY Fed -------------------------------------------------------------------------------------------

def test_real_sofr_days_replace_the_samples_newest_first(built):
    out, _ = built
    real_path = next(p for p in _real_files() if p.suffix == ".json" and "refRates" in _text(p))
    real = {r["effectiveDate"]: r for r in json.loads(_text(real_path))["refRates"] if r["type"] == "SOFR"}
    rows = json.loads((out / "nyfed" / "rates" / "secured" / "sofr.json").read_text())["refRates"]
    dates = [r["effectiveDate"] for r in rows]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) == len(dates)
    by_date = {r["effectiveDate"]: r for r in rows}
    assert all(by_date[d] == r and list(by_date[d]) == list(r) for d, r in real.items())


# --- the emulator serves it to the real parsers -------------------------------------------------------

def test_the_fred_parser_reads_the_served_csv(built, emulator):
    client = FredClient.create(graph_base_url=emulator.base_url, api_base_url=emulator.base_url,
                               requests_per_second=100)
    rows = client.observations("WRESBAL", dt.date(2005, 1, 1))
    files = _fred_files("WRESBAL")
    millions = max(files, key=lambda p: statistics.median(v for v in files[p].values() if v))
    day = max(d for d, v in files[millions].items() if v is not None)
    assert {r["date"]: r["value"] for r in rows}[day] == float(files[millions][day])
    assert rows[0]["date"] >= dt.date(2005, 1, 1)


def _yahoo(start_of_first_row: str) -> dict[dt.date, dict]:
    """The Yahoo CSV whose first data row starts with that year."""
    for path in _real_files():
        text = _text(path)
        if text.startswith("Date,Open,High,Low,Close,Adj Close,Volume") and text.split("\n")[1].startswith(
                start_of_first_row):
            return {dt.date.fromisoformat(r["Date"]): r for r in formats.labelled_rows(text)}
    raise AssertionError(f"no Yahoo CSV starting in {start_of_first_row}")


def _alpaca() -> list[dict]:
    path = next(p for p in _real_files() if p.suffix == ".json" and '"bars"' in _text(p))
    return json.loads(_text(path))["bars"]["NVDA"]


def test_the_chart_parser_reads_real_nvda_on_todays_basis(built, emulator):
    client = ChartApiClient.create(base_url=emulator.base_url, requests_per_second=100)
    parsed = parse_chart(client.history("NVDA", dt.date(2005, 1, 1), dt.date(2026, 1, 1)), "NVDA")
    bars = {r["trade_date"]: r for r in parsed["prices_daily"].to_pylist()}
    recent, older = _yahoo("2020"), _yahoo("2000")
    both = max(d for d in recent if d in older)
    assert bars[both]["close"] == pytest.approx(float(recent[both]["Close"]), abs=1e-4)
    only_old = max(d for d in older if d not in recent)
    assert bars[only_old]["close"] == pytest.approx(float(older[only_old]["Close"]) / 10, abs=1e-4)
    assert bars[only_old]["volume"] == int(older[only_old]["Volume"]) * 10
    assert bars[both]["adj_close"] == pytest.approx(float(recent[both]["Adj Close"]), abs=1e-4)
    alpaca = _alpaca()
    last = dt.date.fromisoformat(alpaca[-1]["t"][:10])
    assert max(bars) == last and bars[last]["close"] == alpaca[-1]["c"] and bars[last]["adj_close"] == alpaca[-1]["c"]
    splits = {s["split_date"]: s["numerator"] for s in parsed["splits"]}
    # NVDA's splits are public facts, kept once in the sample generator's list.
    known = {dt.date.fromisoformat(day): ratio for day, ratio in SPLITS["NVDA"]}
    assert splits == known
    drop = next(b for a, b in zip(alpaca, alpaca[1:], strict=False) if a["c"] / b["c"] > 5)
    assert dt.date.fromisoformat(drop["t"][:10]) == max(known)
    assert parsed["dividends"] and all(0 < d["amount"] < 1 for d in parsed["dividends"])


def test_the_presplit_vintage_chart_is_on_the_old_basis(built):
    older = _yahoo("2000")
    as_of = max(older)
    payload = nvda_chart(REAL_DIR, as_of=as_of, vintage="presplit")
    parsed = parse_chart(payload, "NVDA")
    bars = {r["trade_date"]: r for r in parsed["prices_daily"].to_pylist()}
    assert max(bars) == as_of
    assert bars[as_of]["close"] == pytest.approx(float(older[as_of]["Close"]), abs=1e-4)
    assert {s["split_date"] for s in parsed["splits"]} == {dt.date.fromisoformat(d) for d, _ in SPLITS["NVDA"]
                                                           if dt.date.fromisoformat(d) <= as_of}
    current = parse_chart(nvda_chart(REAL_DIR, as_of=as_of, vintage="current"), "NVDA")
    now = {r["trade_date"]: r for r in current["prices_daily"].to_pylist()}
    assert bars[as_of]["close"] / now[as_of]["close"] == pytest.approx(10, rel=1e-6)
    with pytest.raises(ValueError, match="after it"):
        nvda_chart(REAL_DIR, as_of=as_of + dt.timedelta(days=400), vintage="presplit")


# --- the unit conversion would be caught --------------------------------------------------------------

def _fred_suite_on(values: dict[dt.date, float]):
    suite = next(s for s in load_suites() if s.asset == "raw_fred/observations")
    with duckdb.connect() as con:
        con.execute("create schema raw_fred")
        con.execute("create table raw_fred.series as select 'WRESBAL' as series_id, "
                    "'Weekly, Ending Wednesday' as frequency")
        con.execute("create table raw_fred.observations (series_id text, date date, value double, "
                    "_dlt_load_id text)")
        con.executemany("insert into raw_fred.observations values ('WRESBAL', ?, ?, '1')", list(values.items()))
        return validate(suite, con)


def test_the_raw_fred_suite_fails_on_unconverted_billions_and_passes_converted(built):
    _, report = built
    files = _fred_files("WRESBAL")
    billions = min(files, key=lambda p: statistics.median(v for v in files[p].values() if v))
    rows = {d: float(v) for d, v in files[billions].items() if v is not None}
    unconverted = _fred_suite_on(rows)
    assert not unconverted.success
    assert "reserves_usd_mn" in {f["column"] for f in unconverted.failures}
    assert "reserves_usd_mn" in unconverted.summary()
    factor = Decimal(report.datasets["fred/WRESBAL"].unit_factors[billions.relative_to(REAL_DIR).as_posix()])
    converted = _fred_suite_on({d: float(v * factor) for d, v in files[billions].items() if v is not None})
    assert converted.success, converted.failures

"""Scale data sets for benchmarks, and the settings that load them: the universe file and extra FRED series."""

import datetime as dt

import pytest

from ingestion import settings
from ingestion.synthetic import scale
from ingestion.synthetic.shapes import START
from ingestion.synthetic.treasury import generate_auctions, outstanding
from ingestion.universe import load_universe, write_universe

SECTORS = {c.sector for c in load_universe(scale.BUNDLED_UNIVERSE)}


def test_a_unit_is_50_tickers_and_more_units_add_synthetic_companies():
    real = load_universe(scale.BUNDLED_UNIVERSE)
    assert scale.scaled_universe(1) == real[:50]
    ten = scale.scaled_universe(10)
    assert len(ten) == 500 and ten[:len(real)] == real
    synthetic = ten[len(real):]
    assert len({c.ticker for c in ten}) == len({c.cik for c in ten}) == 500
    assert all(c.ticker.startswith("SYN") and c.cik >= scale.FIRST_SYNTHETIC_CIK and not c.ai_basket
               for c in synthetic)
    assert {c.sector for c in synthetic} == SECTORS


def test_extra_fred_series_and_auctions_fill_the_units():
    assert scale.extra_fred_series(1, catalog_size=21) == []
    extra = scale.extra_fred_series(10, catalog_size=21)
    assert len(extra) == 179 and len(set(extra)) == 179
    end = dt.date(2026, 6, 30)
    regular = [a for a in generate_auctions(end, 42) if a.row["auction_date"] >= START.isoformat()]
    scaled = [a for a in generate_auctions(end, 42, scale=4) if a.row["auction_date"] >= START.isoformat()]
    assert len(regular) < 8_000 == len(scaled)
    added = [a.row for a in scaled if a.row["cash_management_bill_cmb"] == "Yes"]
    assert len(added) == 8_000 - len(regular) and len({r["cusip"] for r in added}) == len(added)
    assert all(r["security_type"] == "Bill" and r["issue_date"] < r["maturity_date"] for r in added)


def test_past_the_full_scale_more_auctions_are_not_more_debt():
    """Scale 50 has five times the full scale's auctions but about its bills outstanding: the extra bills share the
    full scale's dollars, so the bill share of marketable debt stays within the marts' accepted range."""
    end = dt.date(2026, 6, 30)
    full = generate_auctions(end, 42, scale=scale.FULL_SCALE)
    fifty = generate_auctions(end, 42, scale=50)
    assert len([a for a in fifty if a.row["auction_date"] >= START.isoformat()]) == 50 * scale.AUCTIONS_PER_UNIT
    for day in (dt.date(2015, 6, 30), dt.date(2025, 6, 30)):
        assert outstanding(fifty, day, bills=True) == pytest.approx(outstanding(full, day, bills=True), rel=0.05)


def test_the_universe_setting_names_a_csv_and_bad_files_are_named(tmp_path, monkeypatch):
    path = tmp_path / "mine.csv"
    write_universe(path, scale.scaled_universe(1)[:3])
    monkeypatch.setenv("FAULTLINES_UNIVERSE", str(path))
    assert [c.ticker for c in load_universe()] == ["AAPL", "MSFT", "NVDA"]
    path.write_text("ticker,name\nAAPL,Apple\n")
    with pytest.raises(settings.SettingsError, match=r"mine.csv: missing column\(s\) cik, sector"):
        load_universe()
    write_universe(path, [*scale.scaled_universe(1)[:3], scale.scaled_universe(1)[1]])
    with pytest.raises(settings.SettingsError, match="mine.csv lists MSFT more than once"):
        load_universe()
    monkeypatch.setenv("FAULTLINES_UNIVERSE", str(tmp_path / "absent.csv"))
    with pytest.raises(settings.SettingsError, match="absent.csv: No such file"):
        load_universe()


def test_extra_fred_series_are_parsed_and_checked(monkeypatch):
    monkeypatch.setenv("FAULTLINES_FRED_EXTRA_SERIES", " dgs2, T10Y2Y,dgs2 ")
    assert settings.fred_extra_series() == ("DGS2", "T10Y2Y")
    monkeypatch.setenv("FAULTLINES_FRED_EXTRA_SERIES", "DGS2,../etc")
    with pytest.raises(settings.SettingsError, match=r"\.\./ETC is not a FRED series id"):
        settings.fred_extra_series()


def test_a_scaled_data_set_one_day_later_only_adds_auctions():
    """At scale, the sample for the next day keeps every auction already held, so an incremental run re-reading the
    MSPD's months meets the same debt as the Debt to the Penny it loaded before (found by `make bench`)."""
    def held(end: dt.date) -> set[tuple]:
        return {(a.row["cusip"], a.row["auction_date"], a.row["total_accepted"]) for a in generate_auctions(end, 42, 4)
                if a.row["auction_date"] <= "2026-06-30"}

    assert held(dt.date(2026, 6, 30)) == held(dt.date(2026, 7, 1))

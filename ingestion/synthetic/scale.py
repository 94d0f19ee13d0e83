"""Scale data sets for benchmarks: ``faultlines sample --scale N`` is N units of data, and N = 10 is the full scale.

One unit is 50 tickers of daily bars since 2005 (≈ 270k bars) with SEC filings for each, 20 FRED series and 2,000
Treasury auctions, so N = 10 is 500 tickers (≈ 2.7M bars), 200 FRED series and 20,000 auctions. The real
universe's companies come first; beyond them synthetic ones (tickers ``SYN0001``…, CIKs from 8,000,001, sectors
cycled). FRED series beyond the catalog are synthetic daily rates (``FLSYN001``…), auctions beyond the regular
calendar are cash-management bills (past the full scale they share the full scale's dollars: more auctions, not
more debt). Everything stays coherent: the extra bills are in MSPD and SOMA like any other.

A scaled data dir carries the settings that load it (``faultlines.env``): FAULTLINES_UNIVERSE and
FAULTLINES_FRED_EXTRA_SERIES, since the sources load what those settings name, in every mode.
"""

from __future__ import annotations

import datetime as dt
import itertools

from ingestion.settings import REPO_ROOT
from ingestion.universe import Company, load_universe

TICKERS_PER_UNIT = 50
FRED_SERIES_PER_UNIT = 20
AUCTIONS_PER_UNIT = 2_000
# The day N units hold exactly N × AUCTIONS_PER_UNIT auctions (the pinned sample end); later days go on at its pace.
REFERENCE_END = dt.date(2026, 6, 30)
FULL_SCALE = 10
BUNDLED_UNIVERSE = REPO_ROOT / "ingestion" / "universe.csv"
FIRST_SYNTHETIC_CIK = 8_000_001


def scaled_universe(scale: int) -> list[Company]:
    real = load_universe(BUNDLED_UNIVERSE)
    wanted = TICKERS_PER_UNIT * scale
    if wanted <= len(real):
        return real[:wanted]
    labels = itertools.cycle([(c.sector, c.industry) for c in real])
    synthetic = [Company(f"SYN{i:04d}", f"Synthetic Company {i}", FIRST_SYNTHETIC_CIK + i, *next(labels), False)
                 for i in range(1, wanted - len(real) + 1)]
    return real + synthetic


def extra_fred_series(scale: int, catalog_size: int) -> list[str]:
    return [f"FLSYN{i:03d}" for i in range(1, max(0, FRED_SERIES_PER_UNIT * scale - catalog_size) + 1)]


def extra_auction_count(scale: int, regular: int) -> int:
    return max(0, AUCTIONS_PER_UNIT * scale - regular)


def extra_bill_size_factor(scale: int, regular: int) -> float:
    """Past the full scale more auctions must not mean more debt (the bill share of marketable debt and the gross
    issuance would leave the marts' accepted ranges, as no real Treasury sold 50 units' bills): the extra bills
    share the full scale's dollars. 1 at or below it."""
    count = extra_auction_count(scale, regular)
    return min(1.0, extra_auction_count(FULL_SCALE, regular) / count) if count else 1.0

"""The equity universe: one CSV (``ingestion/universe.csv``, or the file FAULTLINES_UNIVERSE names), read by every
source using it. The prices source also loads it into ``raw_prices.universe``, so dbt joins the same list."""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ingestion import settings

COLUMNS = ("ticker", "name", "cik", "sector", "industry", "ai_basket")


@dataclass(frozen=True)
class Company:
    ticker: str
    name: str
    cik: int
    sector: str
    industry: str
    ai_basket: bool

    @property
    def cik10(self) -> str:
        """The zero-padded form SEC paths use: CIK0000320193."""
        return f"CIK{self.cik:010d}"


def load_universe(path: Path | None = None) -> list[Company]:
    path = path or settings.universe_path()
    try:
        with path.open(newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise settings.SettingsError(f"universe {path}: missing column(s) {', '.join(missing)}; "
                                             f"the header must be {','.join(COLUMNS)}")
            companies = [Company(r["ticker"].strip(), r["name"], int(r["cik"]), r["sector"], r["industry"],
                                 r["ai_basket"].strip().lower() == "true") for r in reader]
    except settings.SettingsError:
        raise
    except OSError as exc:
        raise settings.SettingsError(f"universe {path}: {exc.strerror}; set FAULTLINES_UNIVERSE to a CSV with "
                                     f"{','.join(COLUMNS)}") from None
    except ValueError as exc:
        raise settings.SettingsError(f"universe {path}: {exc}") from None
    if not companies:
        raise settings.SettingsError(f"universe {path} lists no companies")
    if twice := sorted(t for t, n in Counter(c.ticker for c in companies).items() if n > 1):
        raise settings.SettingsError(f"universe {path} lists {', '.join(twice)} more than once; keep one row per "
                                     "ticker")
    return companies


def write_universe(path: Path, companies: list[Company]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for c in companies:
            writer.writerow([c.ticker, c.name, c.cik, c.sector, c.industry, str(c.ai_basket).lower()])

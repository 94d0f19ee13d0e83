"""The equity universe: one list, the dbt seed ``dbt_project/seeds/universe.csv``, read by every source using it."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ingestion.settings import DBT_PROJECT_DIR

UNIVERSE_CSV = DBT_PROJECT_DIR / "seeds" / "universe.csv"


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


def load_universe(path: Path = UNIVERSE_CSV) -> list[Company]:
    with path.open(newline="") as handle:
        return [Company(r["ticker"], r["name"], int(r["cik"]), r["sector"], r["industry"],
                        r["ai_basket"].strip().lower() == "true") for r in csv.DictReader(handle)]

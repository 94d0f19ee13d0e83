"""The providers, and how each one's dlt source is built for a run's endpoints (live, emulator or record proxy).

Every resource is written as Parquet (``file_format="parquet"``): dlt's default for DuckDB, INSERT statements,
took twice the time and 2.7 GB of memory to load the SEC facts of 100 companies (Parquet: 330 MB).

Importing this package stays light (no dlt): a provider's module is imported when its source is built, and the raw
tables are declared in ``tables.py``, which readers (``faultlines status``, the calendars) import on their own.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from ingestion.sources.tables import RAW_TABLES, RELEASE_CALENDARS

if TYPE_CHECKING:
    from ingestion.endpoints import Endpoints


# The emulator takes any key. A data dir holding ALFRED vintages (the sample does) is read through the API, as a
# user with FRED_API_KEY reads FRED, so sample and replay runs load vintages too; without them, keyless.
EMULATOR_FRED_API_KEY = "emulator-accepts-any-key"


def _fred(endpoints: Endpoints):
    from ingestion.sources import fred

    options = endpoints.client_options("fred_graph")
    api_key = os.environ.get("FRED_API_KEY")
    if not api_key and endpoints.data_dir is not None and any((endpoints.data_dir / "fred" / "vintages").glob("*")):
        api_key = EMULATOR_FRED_API_KEY
    client = fred.FredClient.create(options.pop("base_url"), endpoints.urls["fred_api"], api_key=api_key, **options)
    from ingestion.settings import fred_extra_series

    extra = [s for s in fred_extra_series() if s not in fred.DEFAULT_SERIES]
    return fred.fred_source(client, series_ids=(*fred.DEFAULT_SERIES, *extra))


def _treasury(endpoints: Endpoints):
    from ingestion.sources import treasury

    return treasury.treasury_source(treasury.FiscalDataClient.create(**endpoints.client_options("treasury")))


def _nyfed(endpoints: Endpoints):
    from ingestion.sources import nyfed

    return nyfed.nyfed_source(nyfed.NyFedClient.create(**endpoints.client_options("nyfed")))


# Price providers by name (FAULTLINES_PRICES_PROVIDER) → their client class in ingestion/sources/prices.py. A keyed
# provider is added here with its own client class exposing `history(ticker, start, end)` and a parser to the same
# three tables.
PRICE_PROVIDERS = {"chart": "ChartApiClient"}


def _prices(endpoints: Endpoints):
    from ingestion.settings import SettingsError
    from ingestion.sources import prices

    name = os.environ.get("FAULTLINES_PRICES_PROVIDER", "chart")
    if name not in PRICE_PROVIDERS:
        raise SettingsError(f"FAULTLINES_PRICES_PROVIDER={name!r} is not a price provider: use one of "
                            f"{', '.join(PRICE_PROVIDERS)}")
    return prices.prices_source(getattr(prices, PRICE_PROVIDERS[name]).create(**endpoints.client_options("prices")))


def _sec(endpoints: Endpoints):
    from ingestion.sources import sec

    return sec.sec_source(sec.EdgarClient.create(**endpoints.client_options("sec")))


# provider → builds its dlt source for the run's endpoints
SOURCES: dict[str, Callable] = {"fred": _fred, "treasury": _treasury, "nyfed": _nyfed, "prices": _prices, "sec": _sec}
# provider → the names of its raw tables
TABLES: dict[str, list[str]] = {provider: [t.name for t in tables] for provider, tables in RAW_TABLES.items()}
__all__ = ["RAW_TABLES", "RELEASE_CALENDARS", "SOURCES", "TABLES"]

"""US Treasury Fiscal Data (keyless): auctions, marketable debt by class (MSPD), the Daily Treasury Statement (the
TGA and public debt issues/redemptions), debt to the penny.

Every endpoint speaks the same protocol: ``filter=field:op:value``, ``sort``, ``fields``, ``page[number]`` /
``page[size]`` (at most 10,000) with ``meta.total-pages``; every value is a string and missing is the *string*
``"null"``. Field names are kept exactly as the API spells them (``announcemt_date``, ``high_discnt_rate``).
Each dataset is loaded incrementally from a date cursor, re-reading a look-back window because Treasury
re-issues rows (auction results are amended; announced auctions gain results), and merged on its key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import dlt
import pyarrow as pa
from dlt.sources import DltResource
from dlt.sources.helpers.rest_client.paginators import PageNumberPaginator
from requests import Request, Response

from ingestion.arrow_rows import rows_table
from ingestion.http import PageError, RestClient, SourceError
from ingestion.sources import tables as raw_tables

LIVE_BASE_URL = "https://api.fiscaldata.treasury.gov/services/api/fiscal_service"
PAGE_SIZE = 10_000
DEFAULT_START_DATE = dt.date(2005, 1, 1)


# Its raw tables and the release calendar its scheduled loads follow (declared in ingestion/sources/tables.py).
Dataset = raw_tables.Dataset
RELEASE_CALENDAR = raw_tables.RELEASE_CALENDARS["treasury"]
TABLES: tuple[Dataset, ...] = raw_tables.TREASURY
DATASETS: dict[str, Dataset] = raw_tables.by_name(TABLES)


def parse_value(field: str, raw: object, numeric_fields: tuple[str, ...]) -> object:
    """Fiscal Data strings to Python: ``"null"``/``""`` → None, numbers for known amount fields, ISO dates."""
    if raw is None or raw in ("null", ""):
        return None
    if field in numeric_fields:
        return float(str(raw).replace(",", ""))
    if field.endswith("_date") or field == "record_date":
        return dt.date.fromisoformat(str(raw)[:10])
    return raw


def parse_rows(rows: list[dict], dataset: Dataset) -> list[dict]:
    return [{k: parse_value(k, v, dataset.numeric_fields) for k, v in row.items()} for row in rows]


class FiscalDataPages(PageNumberPaginator):
    """dlt's page-number paginator on ``meta.total-pages``, keeping our rule that an empty page while the answer
    counts more pages or rows is an error (dlt's would stop there and lose the rest silently). A page in another
    shape ends the paging: the caller reports it."""

    def __init__(self) -> None:
        super().__init__(base_page=1, page_param="page[number]", total_path="meta.total-pages")
        self.received = 0

    def init_request(self, request: Request) -> None:
        self.received = 0
        super().init_request(request)

    def update_state(self, response: Response, data: list | None = None) -> None:
        payload = data[0] if data else None
        try:
            rows, total_pages = payload["data"], int(payload["meta"]["total-pages"])
            total_rows = int(payload["meta"].get("total-count", 0))
        except (KeyError, TypeError, ValueError):
            self._has_next_page = False
            return
        page = self.current_value
        if not rows and (page < total_pages or self.received < total_rows):
            raise PageError(f"page {page} of {total_pages} is empty although the answer counts {total_rows} rows "
                            f"and {self.received} arrived", "Fiscal Data served an incomplete answer; run again.")
        self.received += len(rows)
        self.current_value += 1
        self._has_next_page = page < total_pages


@dataclass
class FiscalDataClient:
    rest: RestClient
    page_size: int = PAGE_SIZE

    @classmethod
    def create(cls, base_url: str = LIVE_BASE_URL, timeout: float = 60.0, max_attempts: int = 5,
               requests_per_second: float = 4.0, backoff_seconds: float = 1.0,
               page_size: int = PAGE_SIZE) -> FiscalDataClient:
        # No published limit: 4 requests a second is polite.
        return cls(RestClient("Treasury Fiscal Data", base_url, requests_per_second=requests_per_second,
                              timeout=timeout, max_attempts=max_attempts, backoff_seconds=backoff_seconds),
                   page_size)

    def pages(self, dataset: Dataset, since: dt.date) -> Iterator[list[dict]]:
        """Every row with ``date_column >= since``, oldest first, one page at a time."""
        params = {"filter": f"{dataset.date_column}:gte:{since.isoformat()}", "sort": f"{dataset.date_column}",
                  "page[number]": 1, "page[size]": self.page_size}
        for payload, call in self.rest.paginate(f"/{dataset.endpoint}", params, FiscalDataPages()):
            try:
                # The paging fields the paginator read (a page without them ended the paging): said here.
                int(payload["meta"]["total-pages"]), int(payload["meta"].get("total-count", 0))
                parsed = parse_rows(payload["data"], dataset)
            except (KeyError, TypeError, ValueError) as exc:
                raise SourceError("Treasury Fiscal Data", call, f"unexpected response ({type(exc).__name__}: {exc})",
                                  "The API changed shape or sent an error page; see ingestion/sources/treasury.py.") \
                    from exc
            if parsed:
                yield parsed


def treasury_source(client: FiscalDataClient | None = None, start_date: dt.date = DEFAULT_START_DATE,
                    today: dt.date | None = None, tables: tuple[str, ...] = tuple(DATASETS)):
    client = client or FiscalDataClient.create()

    def make_resource(dataset: Dataset) -> DltResource:
        hints = {**{f: {"data_type": "double"} for f in dataset.numeric_fields},
                 **{f: {"data_type": "text"} for f in dataset.text_fields}}

        def rows() -> Iterator[pa.Table | list[dict]]:
            # Kept by hand, not dlt.sources.incremental: announced auctions are dated in the future and would carry
            # dlt's cursor past today; capping it needs a custom last_value_func, and dlt ignores lag (our look-back
            # window) with any function but max or min.
            state = dlt.current.resource_state()
            cursor = state.get("last_date")
            since = (dt.date.fromisoformat(cursor) - dt.timedelta(days=dataset.lookback_days)) if cursor \
                else start_date
            latest = None
            last_day = today or dt.date.today()
            for page in client.pages(dataset, since):
                dates = [r[dataset.date_column] for r in page if r.get(dataset.date_column)]
                # Announced auctions are dated in the future: the cursor never runs ahead of today.
                past = [d for d in dates if d <= last_day]
                if past:
                    latest = max(latest or past[0], max(past))
                yield rows_table(page, dataset.primary_key, hints)
            if latest:
                state["last_date"] = latest.isoformat()

        return dlt.resource(rows, file_format="parquet", name=dataset.name, write_disposition="merge",
                            primary_key=list(dataset.primary_key), columns=hints)

    @dlt.source(name="treasury", max_table_nesting=0)
    def treasury() -> list[DltResource]:
        return [make_resource(DATASETS[t]) for t in tables]

    return treasury()

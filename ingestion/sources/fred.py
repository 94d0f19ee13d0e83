"""FRED (St. Louis Fed): macro series into ``raw_fred``.

Two tables:
- ``series``: one row per series id with its title, units and frequency (from the API's series metadata when
  ``FRED_API_KEY`` is set, otherwise from the catalog below, which records the units FRED publishes today).
- ``observations``: one row per (series_id, date), merged, loaded incrementally per series; every load re-reads a
  look-back window per series (its ``lookback_days`` in ``dbt_project/seeds/fred_release_calendar.csv``, the one
  release calendar dbt reads too), so revisions reach the warehouse.
- ``vintages`` (with ``FRED_API_KEY``): ALFRED's vintages of the revised series.

Without a key the keyless graph CSV (``/graph/fredgraph.csv``) is used; with a key, the JSON API
(``/fred/series/observations``, paged by ``offset``/``limit``). Both formats drift over time: the CSV date column
was ``DATE`` and is now ``observation_date``, and missing values are ``.`` or an empty field. The parsers accept
both and refuse any other layout.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import dlt
import pyarrow as pa
from dlt.sources import DltResource
from dlt.sources.helpers.rest_client.paginators import OffsetPaginator
from requests import Response

from ingestion.http import PageError, RestClient, SourceError, prefetched
from ingestion.sources import tables
from ingestion.sources.fred_catalog import CATALOG, SeriesInfo

log = logging.getLogger(__name__)

LIVE_GRAPH_BASE_URL = "https://fred.stlouisfed.org"
LIVE_API_BASE_URL = "https://api.stlouisfed.org"
DEFAULT_START_DATE = dt.date(2005, 1, 1)
# FRED tightened its limit to about 2 requests a second per client in 2026.
REQUESTS_PER_SECOND = 2.0
API_PAGE_LIMIT = 100_000
ROWS_PER_ITEM = 100_000  # observations handed to dlt at once
ALFRED_BEGINNING, ALFRED_FOREVER = "1776-07-04", "9999-12-31"
# Series FRED revises often enough that the marts need their vintages (backtests without look-ahead).
VINTAGE_SERIES = ("GDP", "TLAACBW027SBOG", "TOTRESNS")
# ALFRED answers at most this many vintage dates per request ("Bad Request.  There are 2004 vintage dates in the
# specified real-time period ... This exceeds the maximum number of vintage dates allowed (2000).").
ALFRED_VINTAGE_CAP = 2000
RELEASE_CALENDAR_SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "fred_release_calendar.csv"
DEFAULT_LOOKBACK_DAYS = 14


def _lookback_days() -> dict[str, int]:
    """series id → days each load re-reads before the last loaded date (sized to how far back it is revised)."""
    with RELEASE_CALENDAR_SEED.open(newline="") as handle:
        return {row["series_id"]: int(row["lookback_days"]) for row in csv.DictReader(handle)}


LOOKBACK_DAYS = _lookback_days()


DEFAULT_SERIES: tuple[str, ...] = tuple(CATALOG)
# Its raw tables and the release calendar its scheduled loads follow (declared in ingestion/sources/tables.py).
RELEASE_CALENDAR = tables.RELEASE_CALENDARS["fred"]
TABLES = tables.RAW_TABLES["fred"]
TABLE = tables.by_name(TABLES)
OBSERVATION_SCHEMA = pa.schema([pa.field("series_id", pa.string(), nullable=False),
                                pa.field("date", pa.date32(), nullable=False), ("value", pa.float64()),
                                pa.field("_dlt_id", pa.string(), nullable=False)])


class FredFormatError(ValueError):
    """A FRED payload is not in any format we know."""


class CountedOffsets(OffsetPaginator):
    """dlt's offset/limit paginator on FRED's ``count``, with two rules of ours dlt's lacks.

    The offset moves by the rows received, not by ``limit`` (a short page before the last loses nothing), and an
    empty page before ``count`` is reached is an error (stopping there would lose the rest silently). A page in
    another shape ends the paging: the caller reports it.
    """

    def __init__(self, limit: int, rows_key: str = "observations") -> None:
        super().__init__(limit=limit, total_path="count")
        self.rows_key = rows_key  # the list being paged: `observations`, or `vintage_dates`

    def update_state(self, response: Response, data: list | None = None) -> None:
        payload = data[0] if data else {}
        rows = payload.get(self.rows_key) if isinstance(payload, dict) else None
        if not isinstance(rows, list):
            self._has_next_page = False
            return
        try:
            total = int(payload.get("count", 0))
        except (TypeError, ValueError):
            raise PageError(f"count is {payload.get('count')!r}, not a number",
                            "FRED changed its JSON format; see ingestion/sources/fred.py.", transient=False) from None
        if not rows and self.current_value < total:
            raise PageError(f"an empty page at offset {self.current_value} although count says {total} "
                            "observations", "FRED served an incomplete answer; run again.")
        self.current_value += len(rows)
        self._has_next_page = bool(rows) and self.current_value < total


def _parse_value(raw: str) -> float | None:
    raw = raw.strip()
    if raw in ("", "."):
        return None
    return float(raw)


def parse_fredgraph_csv(text: str, series_id: str) -> list[dict]:
    """Parse fredgraph.csv for one series: rows of ``{"date": date, "value": float | None}``.

    Column 0 is the date, headed ``observation_date`` now and ``DATE`` in old files; column 1 is the value, headed
    by the series id; ``.`` and empty both mean missing; ``123`` and ``123.0`` are both numbers. Anything else (an
    empty answer, another header, a third column) is refused: taking two columns of it would hide what changed.
    """
    if text.lstrip().startswith("<"):
        raise FredFormatError(f"expected CSV for {series_id}, got HTML or XML (an error page?)")
    expected = f"'observation_date,{series_id}' (or 'DATE,{series_id}')"
    if not text.strip():
        raise FredFormatError(f"{series_id}: the answer is empty (expected the header {expected})")
    reader = csv.reader(io.StringIO(text))
    header = [field.strip() for field in next(reader)]
    if len(header) != 2 or header[0] not in ("observation_date", "DATE") or header[1] != series_id:
        raise FredFormatError(f"{series_id}: expected the header {expected}, got {','.join(header)!r}")
    rows = []
    for line_no, record in enumerate(reader, start=2):
        if not record or not record[0].strip():
            continue
        if len(record) != 2:
            raise FredFormatError(f"{series_id} line {line_no}: {len(record)} fields ({','.join(record)!r}), "
                                  "expected 'date,value'")
        try:
            rows.append({"date": dt.date.fromisoformat(record[0].strip()), "value": _parse_value(record[1])})
        except ValueError as exc:
            raise FredFormatError(f"{series_id} line {line_no}: {record!r} is not 'date,value' ({exc})") from exc
    return rows


def parse_observations_json(payload: dict, series_id: str) -> list[dict]:
    """Parse one page of ``/fred/series/observations`` (values are strings; ``.`` is missing)."""
    if "observations" not in payload:
        raise FredFormatError(f"{series_id}: no 'observations' in the response (keys: {sorted(payload)})")
    try:
        return [{"date": dt.date.fromisoformat(o["date"]), "value": _parse_value(o["value"])}
                for o in payload["observations"]]
    except (KeyError, ValueError) as exc:
        raise FredFormatError(f"{series_id}: an observation is not {{date, value}} ({exc})") from exc


def join_vintage_pieces(rows: list[dict]) -> list[dict]:
    """One row per vintage: pieces of the same value whose realtime windows touch are one vintage."""
    joined: list[dict] = []
    for row in sorted(rows, key=lambda r: (r["date"], r["realtime_start"])):
        last = joined[-1] if joined else None
        if (last and last["date"] == row["date"] and last["value"] == row["value"]
                and row["realtime_start"] - last["realtime_end"] <= dt.timedelta(days=1)):
            last["realtime_end"] = max(last["realtime_end"], row["realtime_end"])
        else:
            joined.append(dict(row))
    return joined


@dataclass
class FredClient:
    """Fetches FRED series the keyless way or through the API, from any base URL."""

    graph: RestClient
    api: RestClient
    api_key: str | None = None
    page_limit: int = API_PAGE_LIMIT
    vintage_cap: int = ALFRED_VINTAGE_CAP

    @classmethod
    def create(cls, graph_base_url: str = LIVE_GRAPH_BASE_URL, api_base_url: str = LIVE_API_BASE_URL,
               api_key: str | None = None, timeout: float = 30.0, max_attempts: int = 5,
               requests_per_second: float = REQUESTS_PER_SECOND, backoff_seconds: float = 1.0,
               page_limit: int = API_PAGE_LIMIT) -> FredClient:
        options = {"requests_per_second": requests_per_second, "timeout": timeout, "max_attempts": max_attempts,
                   "backoff_seconds": backoff_seconds}
        return cls(graph=RestClient("FRED", graph_base_url, **options),
                   api=RestClient("FRED API", api_base_url, **options),
                   api_key=api_key or None, page_limit=page_limit)

    def observations(self, series_id: str, start: dt.date, end: dt.date | None = None) -> list[dict]:
        if self.api_key:
            return self._observations_api(series_id, start, end)
        params = {"id": series_id, "cosd": start.isoformat()}
        if end:
            params["coed"] = end.isoformat()
        path = "/graph/fredgraph.csv"
        response = self.graph.get(path, params)
        try:
            return parse_fredgraph_csv(response.text, series_id)
        except FredFormatError as exc:
            raise SourceError("FRED", self.graph.describe(path, params), str(exc),
                              "FRED changed its CSV format or sent an error page; check the URL in a browser.") \
                from exc

    def _observations_api(self, series_id: str, start: dt.date, end: dt.date | None,
                          extra: dict | None = None) -> list[dict]:
        """Every observation, following ``count``/``offset`` paging; ``extra`` adds e.g. ALFRED's realtime window."""
        params = {"series_id": series_id, "api_key": self.api_key, "file_type": "json",
                  "observation_start": start.isoformat(), "limit": self.page_limit, "offset": 0, **(extra or {})}
        if end:
            params["observation_end"] = end.isoformat()
        rows: list[dict] = []
        for payload, call in self.api.paginate("/fred/series/observations", params, CountedOffsets(self.page_limit)):
            try:
                page = parse_observations_json(payload, series_id)
                if extra:  # vintages: keep each observation's validity window
                    page = [{**row, "realtime_start": dt.date.fromisoformat(o["realtime_start"]),
                             "realtime_end": dt.date.fromisoformat(o["realtime_end"])}
                            for row, o in zip(page, payload["observations"], strict=True)]
            except (FredFormatError, KeyError, ValueError) as exc:
                raise SourceError("FRED API", call, str(exc),
                                  "FRED changed its JSON format; see ingestion/sources/fred.py.") from exc
            rows.extend(page)
        return rows

    def vintage_dates(self, series_id: str) -> list[str]:
        """ALFRED: every day the series was published or revised (``/fred/series/vintagedates``), oldest first."""
        params = {"series_id": series_id, "api_key": self.api_key, "file_type": "json", "limit": 10000, "offset": 0,
                  "realtime_start": ALFRED_BEGINNING, "realtime_end": ALFRED_FOREVER}
        dates: list[str] = []
        pages = self.api.paginate("/fred/series/vintagedates", params, CountedOffsets(10000, "vintage_dates"))
        for payload, call in pages:
            page = payload.get("vintage_dates") if isinstance(payload, dict) else None
            if not isinstance(page, list):
                raise SourceError("FRED API", call, "no 'vintage_dates' list in the answer",
                                  "FRED changed its JSON format; see ingestion/sources/fred.py.")
            dates += page
        return dates

    def vintages(self, series_id: str, start: dt.date) -> list[dict]:
        """ALFRED: every published vintage of every observation (needs an API key).

        ALFRED refuses a request spanning more than ``vintage_cap`` vintage dates, so the real-time axis is read in
        windows of that many (contiguous, the last one open-ended). ALFRED clips each row's realtime_start/end to
        the window asked for: a vintage that spans two windows comes back in two pieces, joined up again here.
        """
        dates = self.vintage_dates(series_id)
        rows: list[dict] = []
        for i in range(0, len(dates), self.vintage_cap):
            following = dates[i + self.vintage_cap] if i + self.vintage_cap < len(dates) else None
            end = (dt.date.fromisoformat(following) - dt.timedelta(days=1)).isoformat() if following else ALFRED_FOREVER
            rows += self._observations_api(series_id, start, None, {"realtime_start": dates[i], "realtime_end": end})
        return join_vintage_pieces(rows)

    def series_info(self, series_id: str) -> SeriesInfo:
        """Series metadata from the API when a key is set, otherwise from the catalog."""
        known = CATALOG.get(series_id, SeriesInfo(series_id, series_id, "unknown", "unknown"))
        if not self.api_key:
            return known
        path = "/fred/series"
        payload = self.api.get_json(path, {"series_id": series_id, "api_key": self.api_key, "file_type": "json"})
        seriess = payload.get("seriess") or []
        if not seriess:
            log.warning("FRED API: no metadata for %s; using the catalog's units (%s)", series_id, known.units)
            return known
        meta = seriess[0]
        return SeriesInfo(series_id, meta.get("title", known.title), meta.get("units", known.units),
                          meta.get("frequency", known.frequency))


def fred_source(client: FredClient | None = None, series_ids: Sequence[str] = DEFAULT_SERIES,
                start_date: dt.date = DEFAULT_START_DATE, today: dt.date | None = None, fetch_workers: int = 4):
    """The dlt source. Arguments are closed over (not dlt config), so the API key never reaches dlt state."""
    client = client or FredClient.create(api_key=os.environ.get("FRED_API_KEY"))
    series_ids = tuple(dict.fromkeys(series_ids))  # each once: the observations are declared deduplicated

    def series() -> Iterator[dict]:
        # Only changed metadata is loaded, so a run with nothing new loads nothing.
        seen = dlt.current.resource_state().setdefault("loaded", {})
        for series_id, info in prefetched(series_ids, client.series_info, fetch_workers):
            row = {"series_id": info.series_id, "title": info.title, "units": info.units,
                   "frequency": info.frequency}
            fingerprint = json.dumps(row, sort_keys=True)
            if seen.get(series_id) != fingerprint:
                seen[series_id] = fingerprint
                yield row

    def observations() -> Iterator[pa.Table]:
        # One cursor per series, and the values of its look-back window: each load re-reads the series from
        # `lookback_days` before its last loaded date and loads what is new or revised (so a run with nothing new
        # loads nothing). Kept by hand: dlt's incremental is one cursor per resource, one resource loads every series,
        # and its `lag` re-loads the whole window every run.
        state = dlt.current.resource_state()
        last_dates, windows = state.setdefault("last_date", {}), state.setdefault("window", {})
        last_day = today or dt.date.today()
        batch: list[pa.Table] = []  # handed to dlt in batches: each item costs dlt a schema pass and a write
        wanted = []
        for series_id in series_ids:
            last_loaded = last_dates.get(series_id)
            lookback = dt.timedelta(days=LOOKBACK_DAYS.get(series_id, DEFAULT_LOOKBACK_DAYS))
            start = max(start_date, dt.date.fromisoformat(last_loaded) - lookback) if last_loaded else start_date
            if start <= last_day:
                wanted.append((series_id, start, lookback, last_loaded))
        # Fetched ahead while the last answer is compared and written, in order; the rate limit still applies.
        for (series_id, start, lookback, last_loaded), answer in prefetched(
                wanted, lambda w: client.observations(w[0], w[1]), fetch_workers):
            # One row per date, the last one answered (pages of a series revised between two requests can
            # overlap): the load is declared deduplicated. Some 7-day series (IORB) are forward-filled past today,
            # and a window filter may be ignored: only the window asked for is kept.
            fetched = list({r["date"]: r for r in answer if start <= r["date"] <= last_day}.values())
            window = windows.get(series_id, {})
            # New dates, and dates of the last window whose value changed (a revision).
            rows = [r for r in fetched if last_loaded is None or r["date"].isoformat() > last_loaded
                    or window.get(r["date"].isoformat(), r["value"]) != r["value"]]
            if fetched:
                newest = max(r["date"] for r in fetched)
                last_dates[series_id] = max(newest.isoformat(), last_loaded or "")
                windows[series_id] = {r["date"].isoformat(): r["value"] for r in fetched
                                      if r["date"] >= newest - lookback}
            if rows:
                # An Arrow table: dlt writes it to Parquet as is instead of normalizing row by row. The table was
                # loaded from dicts before, so it has dlt's NOT NULL row id: the row's key serves as one.
                dates = [r["date"] for r in rows]
                batch.append(pa.Table.from_arrays([
                    pa.array([series_id] * len(rows), pa.string()), pa.array(dates, pa.date32()),
                    pa.array([r["value"] for r in rows], pa.float64()),
                    pa.array([f"{series_id}|{d.isoformat()}" for d in dates], pa.string())], schema=OBSERVATION_SCHEMA))
                if sum(table.num_rows for table in batch) >= ROWS_PER_ITEM:
                    yield pa.concat_tables(batch)
                    batch = []
        if batch:
            yield pa.concat_tables(batch)

    def vintages() -> Iterator[list[dict]]:
        """ALFRED vintages as (series, date, realtime_start, realtime_end); only with an API key.

        Loaded: vintages newer than the last load, and the previously open vintages a new one has closed
        (their ``realtime_end`` changed), so a run with nothing new loads nothing.
        """
        if not client.api_key:
            return
        state = dlt.current.resource_state()
        last_start = state.setdefault("last_realtime_start", {})
        open_rows = state.setdefault("open", {})  # series → {date: realtime_start of its open vintage}
        for series_id in (s for s in VINTAGE_SERIES if s in series_ids):
            rows = client.vintages(series_id, start_date)
            last, was_open = last_start.get(series_id, ""), open_rows.get(series_id, {})
            changed = [r for r in rows if r["realtime_start"].isoformat() > last
                       or (was_open.get(r["date"].isoformat()) == r["realtime_start"].isoformat()
                           and r["realtime_end"].isoformat() != ALFRED_FOREVER)]
            if changed:
                last_start[series_id] = max(r["realtime_start"] for r in rows).isoformat()
                open_rows[series_id] = {r["date"].isoformat(): r["realtime_start"].isoformat() for r in rows
                                        if r["realtime_end"].isoformat() == ALFRED_FOREVER}
                yield [{"series_id": series_id, **r} for r in changed]

    @dlt.source(name="fred", max_table_nesting=0)
    def fred() -> list[DltResource]:
        return [
            dlt.resource(vintages, file_format="parquet", name="vintages", write_disposition="merge",
                         primary_key=list(TABLE["vintages"].primary_key),
                         columns={"date": {"data_type": "date"}, "realtime_start": {"data_type": "date"},
                                  "realtime_end": {"data_type": "date"}, "value": {"data_type": "double"},
                                  "series_id": {"data_type": "text"}}),
            dlt.resource(series, file_format="parquet", name="series", write_disposition="merge",
                         primary_key=list(TABLE["series"].primary_key)),
            # Deduplicated: each series read once a load, one row per date kept (observations()), so dlt's merge
            # skips numbering every staged row by key (a first load: 1M rows).
            dlt.resource(observations, file_format="parquet", name="observations",
                         write_disposition={"disposition": "merge", "strategy": "delete-insert", "deduplicated": True},
                         primary_key=list(TABLE["observations"].primary_key),
                         columns={"date": {"data_type": "date", "nullable": False},
                                  "value": {"data_type": "double"}}),
        ]

    return fred()

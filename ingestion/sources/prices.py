"""Daily market prices from the keyless chart API (``/v8/finance/chart/<TICKER>``) into ``raw_prices``.

Traps (API-FORMATS.md §4a): the API answers 429 to non-browser User-Agents; timestamps are the session open
in the exchange's time zone, so the trade date is taken there, never in UTC; arrays hold ``null`` for halted
sessions; the last bar during market hours is a live partial bar and is never loaded (only bars dated before
today in the exchange's zone); ``close`` is split-adjusted, ``adjclose`` also dividend-adjusted, and the API
restates both over the whole history after every split or dividend. One request per ticker, from a week before
its last bar; when that answer shows a split or dividend not loaded before, the ticker's whole history is read
again in the same run, so every stored bar is on one basis (the provider's own; we never re-adjust prices).
The provider is a setting: another keyed provider can be added beside ``ChartApiClient``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import dlt
import pyarrow as pa
import pyarrow.compute as pc
from dlt.sources import DltResource

from ingestion.arrow_rows import rows_table
from ingestion.business_calendar import next_business_day
from ingestion.http import RestClient, SourceError, prefetched
from ingestion.sources import tables
from ingestion.universe import Company, load_universe

LIVE_BASE_URL = "https://query1.finance.yahoo.com"
BROWSER_USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/126.0 Safari/537.36")
DEFAULT_START_DATE = dt.date(2005, 1, 1)
REREAD_DAYS = 7
BARS_PER_ITEM = 100_000  # bars handed to dlt at once (≈ 8 MB as Arrow)
BAR_SCHEMA = pa.schema([
    pa.field("ticker", pa.string(), nullable=False), pa.field("trade_date", pa.date32(), nullable=False),
    ("open", pa.float64()), ("high", pa.float64()), ("low", pa.float64()), ("close", pa.float64()),
    ("adj_close", pa.float64()), ("volume", pa.int64()), ("currency", pa.string()),
])


class ChartFormatError(ValueError):
    """A chart payload is not in the shape we know."""


def parse_chart(payload: dict, ticker: str, before: dt.date | None = None) -> dict[str, list[dict] | pa.Table]:
    """Bars (an Arrow table), dividends and splits from one chart response; bars dated ``before`` or later dropped.

    The bars are built column by column in Arrow, never as one dict per bar: 5,000 bars per ticker then cost
    about as much as DuckDB's own JSON reader, and dlt writes them to Parquet without normalizing rows.
    """
    chart = payload.get("chart") or {}
    if chart.get("error"):
        raise ChartFormatError(f"{ticker}: {chart['error'].get('code')}: {chart['error'].get('description')}")
    try:
        result = chart["result"][0]
        meta = result["meta"]
        zone_name = meta.get("exchangeTimezoneName") or "America/New_York"
        zone = ZoneInfo(zone_name)
        timestamps = result.get("timestamp") or []
        quote = result["indicators"]["quote"][0]
        adjclose = (result["indicators"].get("adjclose") or [{}])[0].get("adjclose") or [None] * len(timestamps)
        bars = _bars_table(ticker, timestamps, quote, adjclose, zone_name, meta, before)
    except (KeyError, IndexError, TypeError, pa.ArrowInvalid) as exc:
        raise ChartFormatError(f"{ticker}: not a chart response ({type(exc).__name__}: {exc})") from exc
    events = result.get("events") or {}
    dividends = [{"ticker": ticker, "ex_date": dt.datetime.fromtimestamp(int(e["date"]), zone).date(),
                  "amount": e["amount"]} for e in (events.get("dividends") or {}).values()]
    splits = [{"ticker": ticker, "split_date": dt.datetime.fromtimestamp(int(e["date"]), zone).date(),
               "numerator": e["numerator"], "denominator": e["denominator"]}
              for e in (events.get("splits") or {}).values()]
    return {"prices_daily": bars, "dividends": dividends, "splits": splits}


def _bars_table(ticker: str, timestamps: list, quote: dict, adjclose: list, zone_name: str, meta: dict,
                before: dt.date | None) -> pa.Table:
    digits = int(meta.get("priceHint") or 2) + 2
    count = len(timestamps)
    for name, values in [*((f, quote[f]) for f in ("open", "high", "low", "close", "volume")), ("adjclose", adjclose)]:
        if len(values) != count:
            raise IndexError(f"{name} has {len(values)} values for {count} timestamps")
    # The session's date where the exchange is: UTC seconds → the zone's wall clock → its date.
    instants = pa.array(timestamps, pa.int64()).cast(pa.timestamp("s", tz=zone_name))
    trade_date = pc.local_timestamp(instants).cast(pa.date32())

    def price(values: list) -> pa.Array:
        return pc.round(pa.array(values, pa.float64()), ndigits=digits)

    close = price(quote["close"])
    table = pa.Table.from_arrays([
        # Repeated as Arrow scalars: a Python list of the same string per bar took 0.6 s of a 2.7M-bar ingest.
        pa.repeat(pa.scalar(ticker, pa.string()), count), trade_date, price(quote["open"]), price(quote["high"]),
        price(quote["low"]), close, price(adjclose), pa.array(quote["volume"], pa.int64()),
        pa.repeat(pa.scalar(meta.get("currency"), pa.string()), count),
    ], schema=BAR_SCHEMA)
    keep = pc.is_valid(close)  # a halted session has nulls: no bar
    if before is not None:
        keep = pc.and_(keep, pc.less(trade_date, pa.scalar(before, pa.date32())))
    table = table.filter(keep)
    # One bar per date (the load tells dlt its bars are deduplicated): two sessions' timestamps on one local date
    # (a live bar listed after the day's own), the later one kept (dlt's merge kept an arbitrary one). Dates
    # that only ever rise (every answer seen) are checked in three kernels; any other order is deduplicated.
    dates = table["trade_date"]
    if table.num_rows > 1 and not pc.all(pc.greater(dates[1:], dates[:-1])).as_py():
        rows = pa.table({"trade_date": dates, "row": pa.array(range(table.num_rows), pa.int64())})
        last = rows.group_by("trade_date", use_threads=False).aggregate([("row", "max")])["row_max"]
        table = table.take(pc.take(last, pc.sort_indices(last)))
    return table


@dataclass
class ChartApiClient:
    rest: RestClient

    @classmethod
    def create(cls, base_url: str = LIVE_BASE_URL, timeout: float = 30.0, max_attempts: int = 6,
               requests_per_second: float = 1.0) -> ChartApiClient:
        # The edge refuses non-browser clients with 429; ≤ 1 request a second, backing off on 429.
        return cls(RestClient("Prices (chart API)", base_url, requests_per_second=requests_per_second,
                              timeout=timeout, max_attempts=max_attempts, backoff_seconds=2.0,
                              headers={"User-Agent": BROWSER_USER_AGENT, "Accept": "application/json"}))

    def history(self, ticker: str, start: dt.date, end: dt.date) -> dict:
        path = f"/v8/finance/chart/{ticker}"
        params = {"period1": _unix(start), "period2": _unix(end + dt.timedelta(days=1)), "interval": "1d",
                  "events": "div,splits", "includePrePost": "false"}
        return self.rest.get_json(path, params)


def _unix(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC).timestamp())


# Its raw tables and the release calendar its scheduled loads follow (declared in ingestion/sources/tables.py).
RELEASE_CALENDAR = tables.RELEASE_CALENDARS["prices"]
TABLES = tables.RAW_TABLES["prices"]
TABLE = tables.by_name(TABLES)


def prices_source(client: ChartApiClient | None = None, companies: Sequence[Company] | None = None,
                  start_date: dt.date = DEFAULT_START_DATE, today: dt.date | None = None, fetch_workers: int = 4):
    client = client or ChartApiClient.create()
    companies = tuple(companies or load_universe())
    tickers = list(dict.fromkeys(c.ticker for c in companies))  # each once: the load is declared deduplicated
    # Today in New York: its bar is still forming and is never loaded.
    last_day = today or dt.datetime.now(ZoneInfo("America/New_York")).date()
    event_hints = {kind: dlt.mark.make_hints(table_name=kind, write_disposition="merge",
                                             primary_key=list(TABLE[kind].primary_key), columns=columns)
                   for kind, columns in EVENT_COLUMNS.items()}

    def chart() -> Iterator:
        """Bars into ``prices_daily``; the same responses' dividends and splits into their own tables."""
        # Both event tables exist even when no company ever split or paid (dbt reads them).
        for hints in event_hints.values():
            yield dlt.mark.with_hints(dlt.mark.materialize_table_schema(), hints, create_table_variant=True)
        # Per-ticker cursors kept by hand: dlt's incremental is one cursor per resource, and one resource (one
        # request per ticker, the whole history again after a split or dividend) feeds all three tables.
        state = dlt.current.resource_state().setdefault("last_date", {})
        # Per ticker, the newest split or dividend loaded; a ticker loaded before this was kept: its last bar's date
        # (the event of any earlier day came with that load).
        last_event = dlt.current.resource_state().setdefault("last_event", {})
        # A first load into an empty table is an append: dlt's merge would copy every bar into a staging table and
        # from there into the table (about 1 s of a first load of 2.7M bars). The next load merges again.
        bars_hints = APPEND if not state and _empty_in_warehouse("prices_daily") else None
        wanted = []
        for ticker in tickers:
            last = state.get(ticker)
            # The next weekday: a holiday only makes us ask once more than needed.
            if last and next_business_day(dt.date.fromisoformat(last)) >= last_day:
                continue  # up to date: the next session's bar is not complete yet
            start = dt.date.fromisoformat(last) - dt.timedelta(days=REREAD_DAYS) if last else start_date
            wanted.append((ticker, start))
        # Handed to dlt in batches, not one item per ticker: each item costs dlt a schema pass and a write (a
        # ticker's week of bars, and every event list with its hints, cost more in dlt than its request).
        bars_batch: list[pa.Table] = []
        events_batch: dict[str, list[dict]] = {kind: [] for kind in event_hints}
        # The next answers are fetched while this one is parsed and written (the rate limit still applies). Kept
        # rather than dlt's parallelized=True/@dlt.defer: those run whole resources or per-item transformers in a
        # pool, and this loop's per-ticker state and same-run history re-read are ordered; not benchmarked yet.
        for (ticker, start), payload in prefetched(wanted, lambda w: client.history(w[0], w[1], last_day),
                                                   fetch_workers):
            parsed = _parse(client, payload, ticker, last_day)
            events = [e["split_date"] for e in parsed["splits"]] + [e["ex_date"] for e in parsed["dividends"]]
            seen = last_event.get(ticker) or state.get(ticker)
            if start > start_date and seen and any(day.isoformat() > seen for day in events):
                # A new split or dividend restated every earlier bar: read them all again.
                parsed = _parse(client, client.history(ticker, start_date, last_day), ticker, last_day)
            if events:
                last_event[ticker] = max(max(events).isoformat(), last_event.get(ticker, ""))
            for kind in event_hints:
                events_batch[kind] += parsed[kind]
            bars = parsed["prices_daily"]
            if bars.num_rows:
                state[ticker] = pc.max(bars["trade_date"]).as_py().isoformat()
                bars_batch.append(bars)
                if sum(b.num_rows for b in bars_batch) >= BARS_PER_ITEM:
                    yield _bars_item(bars_batch, bars_hints)  # Arrow: dlt writes it to Parquet as is
                    bars_batch = []
        if bars_batch:
            yield _bars_item(bars_batch, bars_hints)
        for kind, hints in event_hints.items():
            if events_batch[kind]:
                events = rows_table(events_batch[kind], TABLE[kind].primary_key, EVENT_COLUMNS[kind])
                if isinstance(events, pa.Table):
                    events = _with_load_id(events)
                yield dlt.mark.with_hints(events, hints, create_table_variant=True)

    def universe() -> Iterator[dict]:
        """The companies priced, as one table, so dbt joins exactly the list the sources loaded."""
        yield [{"ticker": c.ticker, "name": c.name, "cik": c.cik, "sector": c.sector, "industry": c.industry,
                "ai_basket": c.ai_basket} for c in companies]

    @dlt.source(name="prices", max_table_nesting=0)
    def prices() -> list[DltResource]:
        return [dlt.resource(chart, file_format="parquet", name="chart", table_name="prices_daily",
                             # Deduplicated: each ticker's bars come from one answer, one bar per date (_bars_table),
                             # and each ticker is read once a load, so dlt's merge need not number every staged row
                             # by key to drop duplicates (2.9 of the 4.5 s its SQL took on a first load of 2.7M bars).
                             write_disposition={"disposition": "merge", "strategy": "delete-insert",
                                                "deduplicated": True},
                             primary_key=list(TABLE["prices_daily"].primary_key),
                             # Nullable: warehouses from before bars carried load ids gain the column, their
                             # old rows NULL (dbt reads NULL as "loaded before the last build").
                             columns={"_dlt_load_id": {"data_type": "text", "nullable": LOAD_ID_FIELD.nullable}}),
                dlt.resource(universe, file_format="parquet", name="universe", write_disposition="replace",
                             columns={"cik": {"data_type": "bigint", "nullable": False},
                                      "ticker": {"data_type": "text", "nullable": False},
                                      "ai_basket": {"data_type": "bool", "nullable": False}})]

    return prices()


# The split and dividend tables' columns, declared: both tables exist even when no company split or paid.
EVENT_COLUMNS = {
    "dividends": {"ticker": {"data_type": "text", "nullable": False},
                  "ex_date": {"data_type": "date", "nullable": False}, "amount": {"data_type": "double"}},
    "splits": {"ticker": {"data_type": "text", "nullable": False},
               "split_date": {"data_type": "date", "nullable": False},
               "numerator": {"data_type": "bigint"}, "denominator": {"data_type": "bigint"}},
}


# The resource's hint for dlt's load id column (nullable: see prices_source), as an Arrow field. Without it in the
# table's schema dlt adds its own, NOT NULL, and warns once per yielded table that the hints differ (74 lines a run).
LOAD_ID_FIELD = pa.field("_dlt_load_id", pa.string(), nullable=True)


APPEND = dlt.mark.make_hints(write_disposition="append")


def _with_load_id(table: pa.Table) -> pa.Table:
    """``table`` with an empty load id column of the type the resource's hints declare (dlt fills in the load's id)."""
    return table.append_column(LOAD_ID_FIELD, pa.nulls(table.num_rows, pa.string()))


def _bars_item(batch: list[pa.Table], hints: dict | None) -> object:
    """One batch of bars for dlt, with the load id column, and with ``hints`` (the first load's append) when
    given."""
    bars = _with_load_id(pa.concat_tables(batch))
    return dlt.mark.with_hints(bars, hints) if hints else bars


def _empty_in_warehouse(table: str) -> bool:
    """The table holds no row in the pipeline's DuckDB (or does not exist yet). Asked, not inferred from the
    cursors: a warehouse whose pipeline state was lost still holds its bars, and an append would repeat them. Any
    other destination (the lake) or an answer that fails: not known to be empty, so the load merges."""
    from dlt.destinations.exceptions import DatabaseUndefinedRelation

    pipeline = dlt.current.pipeline()
    if pipeline.destination is None or pipeline.destination.destination_name != "duckdb":
        return False
    try:
        with pipeline.sql_client() as client:
            return client.execute_sql(f"select count(*) from {client.make_qualified_table_name(table)}")[0][0] == 0
    except DatabaseUndefinedRelation:
        return True
    except Exception:  # noqa: BLE001 (merging is always right; only slower)
        return False


def _parse(client: ChartApiClient, payload: dict, ticker: str, last_day: dt.date) -> dict:
    try:
        return parse_chart(payload, ticker, before=last_day)
    except ChartFormatError as exc:
        raise SourceError(client.rest.source, f"GET {client.rest.base_url}/v8/finance/chart/{ticker}", str(exc),
                          "Check the ticker in the universe CSV (ingestion/universe.csv or FAULTLINES_UNIVERSE)."
                          ) from exc

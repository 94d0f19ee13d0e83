"""NY Fed Markets API (keyless): reference rates (with SOFR's percentiles and volume), SOMA summary, SOMA bill
holdings by CUSIP, reverse repo results and repo results (the standing repo facility, SRF).

Traps (API-FORMATS.md §3): rates are JSON numbers but SOMA and repo amounts are strings ("" = none); results
come newest first; rates are revised the same day (``revisionIndicator``), so a short window is re-read and
merged on (type, effective date); SOMA holdings exist only for valid as-of Wednesdays, listed by
``soma/asofdates/list.json``; reverse repo results include small-value exercises, which are not market
operations and are left out here (from reverse repo and repo results alike). Repo results split the amounts by
collateral (``details``: Treasury, Agency, Mortgage-Backed), and the SRF's minimum bid rate is the details'
``percentOfferingRate``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from ingestion.arrow_rows import rows_table
from ingestion.http import RestClient, SourceError
from ingestion.sources import tables

LIVE_BASE_URL = "https://markets.newyorkfed.org"
RATE_TYPES = {"sofr": "secured", "bgcr": "secured", "tgcr": "secured", "effr": "unsecured", "obfr": "unsecured"}
DEFAULT_START_DATE = dt.date(2005, 1, 1)
# SOMA bills by CUSIP take one request per week: from 2022 (QT, then reserve management purchases) by default.
DEFAULT_HOLDINGS_START = dt.date(2022, 1, 1)
RATES_LOOKBACK_DAYS = 5
RRP_LOOKBACK_DAYS = 5
SOMA_AMOUNTS = ("mbs", "cmbs", "tips", "frn", "tipsInflationCompensation", "notesbonds", "bills", "agencies", "total")
PERCENTILE_ALIASES = {"percentile1": "percentPercentile1", "percentile25": "percentPercentile25",
                      "percentile75": "percentPercentile75", "percentile99": "percentPercentile99"}


class NyFedFormatError(ValueError):
    """A NY Fed record with text where a number belongs."""


# The API's own markers for "none": "" in SOMA and repo amounts, "NA" once seen as a rate percentile
# (API-FORMATS.md §3), so a live load keeps working on them. Any other text is refused: as a NULL it would hide a
# field that changed type, or a typo in a replay data dir, as FRED and Treasury already refuse it.
MISSING_MARKERS = ("", "NA")


def number(value: object, field: str = "value") -> float | None:
    """Amounts arrive as numbers or strings; "" and "NA" are missing; any other text raises NyFedFormatError."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip() in MISSING_MARKERS:
        return None
    try:
        parsed = float(value)
    except (TypeError, ValueError):
        parsed = math.nan
    if not math.isfinite(parsed):
        raise NyFedFormatError(f"{field} is {value!r}, not a number")
    return parsed


def _numbers(row: dict, fields: tuple[str, ...], record: str) -> dict[str, float | None]:
    try:
        return {field: number(row.get(field), field) for field in fields}
    except NyFedFormatError as exc:
        raise NyFedFormatError(f"{record}: {exc}") from None


RATE_NUMBERS = ("percentRate", "percentPercentile1", "percentPercentile25", "percentPercentile75",
                "percentPercentile99", "volumeInBillions", "targetRateFrom", "targetRateTo")


def parse_rate(row: dict) -> dict:
    row = {PERCENTILE_ALIASES.get(k, k): v for k, v in row.items()}
    return {"type": row["type"], "effective_date": dt.date.fromisoformat(row["effectiveDate"]),
            "revision_indicator": row.get("revisionIndicator") or None,
            **_numbers(row, RATE_NUMBERS, f"{row['type']} {row['effectiveDate']}")}


def parse_soma_summary(row: dict) -> dict:
    return {"as_of_date": dt.date.fromisoformat(row["asOfDate"]),
            **_numbers(row, SOMA_AMOUNTS, f"as of {row['asOfDate']}")}


def parse_holding(row: dict) -> dict:
    amounts = _numbers(row, ("parValue", "coupon", "changeFromPriorWeek", "percentOutstanding"),
                       f"{row['cusip']} as of {row['asOfDate']}")
    return {"as_of_date": dt.date.fromisoformat(row["asOfDate"]), "cusip": row["cusip"],
            "security_type": row.get("securityType"),
            "maturity_date": dt.date.fromisoformat(row["maturityDate"]) if row.get("maturityDate") else None,
            "par_value": amounts["parValue"], "coupon": amounts["coupon"],
            "change_from_prior_week": amounts["changeFromPriorWeek"],
            "percent_outstanding": amounts["percentOutstanding"]}


def _timestamp(value: object) -> dt.datetime | None:
    """``lastUpdated`` ("2026-07-10 13:18:11", no zone) as a timestamp, read as UTC: the type dlt's detection gave
    the column when these rows were handed to it as dicts, kept so the warehouse's column stays what it was. The
    column only says when the Fed last touched the record (no model reads it): a value in another format is left
    empty rather than failing the load."""
    try:
        parsed = dt.datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    if parsed is None:
        return None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def is_small_value_exercise(operation: dict) -> bool:
    return "small value" in (operation.get("note") or "").lower() or operation.get("isSmallValue") in ("Y", "y")


def parse_operation(op: dict) -> dict:
    treasury = next((d for d in op.get("details") or [] if d.get("securityType") == "Treasury"), {})
    record = f"operation {op['operationId']}"
    amounts = _numbers(op, ("termCalenderDays", "totalAmtSubmitted", "totalAmtAccepted", "participatingCpty",
                            "acceptedCpty"), record)
    return {"operation_id": op["operationId"], "operation_date": dt.date.fromisoformat(op["operationDate"]),
            "operation_type": op.get("operationType"), "operation_method": op.get("operationMethod"),
            "term": op.get("term"), "term_calendar_days": amounts["termCalenderDays"],
            "total_amt_submitted": amounts["totalAmtSubmitted"],
            "total_amt_accepted": amounts["totalAmtAccepted"],
            "participating_cpty": amounts["participatingCpty"],
            "accepted_cpty": amounts["acceptedCpty"],
            "percent_award_rate": _numbers(treasury, ("percentAwardRate",), f"{record} Treasury")["percentAwardRate"],
            "last_updated": _timestamp(op.get("lastUpdated"))}


REPO_COLLATERAL = {"Treasury": "treasury", "Agency": "agency", "Mortgage-Backed": "mbs"}


def parse_repo_operation(op: dict) -> dict:
    """A repo operation (SRF full allotment, or the 2019–2020 multiple-price operations): totals and per collateral."""
    record = f"operation {op['operationId']}"
    amounts = _numbers(op, ("termCalenderDays", "totalAmtSubmitted", "totalAmtAccepted", "participatingCpty",
                            "acceptedCpty"), record)
    by_collateral: dict[str, float | None] = {f"{name}_amt_accepted": None for name in REPO_COLLATERAL.values()}
    offering_rates = []
    for detail in op.get("details") or []:
        parsed = _numbers(detail, ("amtAccepted", "percentOfferingRate"), f"{record} {detail.get('securityType')}")
        name = REPO_COLLATERAL.get(detail.get("securityType"))
        if name:
            by_collateral[f"{name}_amt_accepted"] = parsed["amtAccepted"]
        if parsed["percentOfferingRate"] is not None:
            offering_rates.append(parsed["percentOfferingRate"])
    return {"operation_id": op["operationId"], "operation_date": dt.date.fromisoformat(op["operationDate"]),
            "operation_type": op.get("operationType"), "operation_method": op.get("operationMethod"),
            "settlement_type": op.get("settlementType"), "term": op.get("term"),
            "term_calendar_days": amounts["termCalenderDays"],
            "total_amt_submitted": amounts["totalAmtSubmitted"], "total_amt_accepted": amounts["totalAmtAccepted"],
            **by_collateral,
            # One minimum bid rate per operation; the details repeat it per collateral.
            "minimum_bid_rate_pct": max(offering_rates) if offering_rates else None,
            "participating_cpty": amounts["participatingCpty"], "accepted_cpty": amounts["acceptedCpty"],
            "close_time": op.get("closeTime"), "last_updated": _timestamp(op.get("lastUpdated"))}


@dataclass
class NyFedClient:
    rest: RestClient

    @classmethod
    def create(cls, base_url: str = LIVE_BASE_URL, timeout: float = 60.0, max_attempts: int = 5,
               requests_per_second: float = 10.0) -> NyFedClient:
        return cls(RestClient("NY Fed Markets", base_url, requests_per_second=requests_per_second, timeout=timeout,
                              max_attempts=max_attempts, headers={"Accept": "application/json"}))

    def get_json(self, path: str, params: dict | None = None, *keys: str) -> object:
        payload = self.rest.get_json(path, params)
        try:
            for key in keys:
                payload = payload[key]
            return payload
        except (KeyError, TypeError) as exc:
            raise SourceError("NY Fed Markets", self.rest.describe(path, params),
                              f"unexpected response ({type(exc).__name__}: {exc})",
                              "The API changed shape or sent an error page; see ingestion/sources/nyfed.py.") from exc

    def parsed(self, path: str, params: dict | None, rows: list[dict], parse: Callable[[dict], dict]) -> list[dict]:
        """``rows`` of the answer to ``path`` through ``parse``; text where a number belongs names the call."""
        try:
            return [parse(row) for row in rows]
        except NyFedFormatError as exc:
            raise SourceError("NY Fed Markets", self.rest.describe(path, params), str(exc),
                              'Only "" and "NA" mean none in a number field: if this is a replay data dir, fix the '
                              "record in its nyfed/ file; otherwise the API changed, see ingestion/sources/nyfed.py."
                              ) from exc


def _cursor_kept_by_hand(cursor: dlt.sources.incremental) -> dt.date | None:
    """The last date a resource kept in its own state before dlt's incremental cursor took over, until that cursor
    has a value of its own: a warehouse loaded before goes on from there instead of reloading everything."""
    state = dlt.current.resource_state()
    if cursor.last_value not in (None, cursor.initial_value):  # dlt's cursor starts at its initial value
        state.pop("last_date", None)
        return None
    return dt.date.fromisoformat(state["last_date"]) if state.get("last_date") else None


def _window_start(state: dict, key: str, default: dt.date, lookback_days: int) -> dt.date:
    last = state.get(key)
    return dt.date.fromisoformat(last) - dt.timedelta(days=lookback_days) if last else default


# Its raw tables and the release calendar its scheduled loads follow (declared in ingestion/sources/tables.py).
RELEASE_CALENDAR = tables.RELEASE_CALENDARS["nyfed"]
TABLES = tables.RAW_TABLES["nyfed"]
TABLE = tables.by_name(TABLES)


ROWS_PER_ITEM = 50_000  # SOMA holdings handed to dlt at once
# Columns that may be None on every row of a load: typed, so the column exists anyway.
COLUMN_HINTS: dict[str, dict[str, dict]] = {
    "reference_rates": {"revision_indicator": {"data_type": "text"}, "targetRateFrom": {"data_type": "double"},
                        "targetRateTo": {"data_type": "double"}},
    "soma_summary": {f: {"data_type": "double"} for f in SOMA_AMOUNTS},
    "soma_bill_holdings": {"coupon": {"data_type": "double"}, "percent_outstanding": {"data_type": "double"}},
    "reverse_repo_operations": {"percent_award_rate": {"data_type": "double"},
                                "last_updated": {"data_type": "timestamp"}},
    "repo_operations": {**{c: {"data_type": "double"} for c in (
        "total_amt_submitted", "total_amt_accepted", "treasury_amt_accepted", "agency_amt_accepted",
        "mbs_amt_accepted", "minimum_bid_rate_pct", "participating_cpty", "accepted_cpty", "term_calendar_days")},
                        **{c: {"data_type": "text"} for c in ("settlement_type", "close_time")},
                        "last_updated": {"data_type": "timestamp"}},
}


def _table(name: str, rows: list[dict]) -> pa.Table | list[dict]:
    return rows_table(rows, TABLE[name].primary_key, COLUMN_HINTS[name])


def nyfed_source(client: NyFedClient | None = None, start_date: dt.date = DEFAULT_START_DATE,
                 holdings_start: dt.date = DEFAULT_HOLDINGS_START, today: dt.date | None = None):
    client = client or NyFedClient.create()
    last_day = today or dt.date.today()

    def reference_rates() -> Iterator[pa.Table | list[dict]]:
        # One cursor per rate type, kept by hand: dlt's incremental is one cursor per resource.
        state = dlt.current.resource_state().setdefault("last_date", {})
        for rate_type, group in RATE_TYPES.items():
            start = _window_start(state, rate_type, start_date, RATES_LOOKBACK_DAYS)
            path = f"/api/rates/{group}/{rate_type}/search.json"
            params = {"startDate": start.isoformat(), "endDate": last_day.isoformat()}
            parsed = client.parsed(path, params, client.get_json(path, params, "refRates"), parse_rate)
            if parsed:
                state[rate_type] = max(r["effective_date"] for r in parsed).isoformat()
                yield _table("reference_rates", parsed)

    # dlt's incremental cursors (one per resource; their state lives with dlt's, under "incremental").
    summary_cursor = dlt.sources.incremental("as_of_date", initial_value=start_date)
    holdings_cursor = dlt.sources.incremental("as_of_date", initial_value=holdings_start)
    # Reverse repo results are re-read over a look-back window (lag, in days for a date cursor) and merged.
    rrp_cursor = dlt.sources.incremental("operation_date", initial_value=start_date, lag=RRP_LOOKBACK_DAYS)
    repo_cursor = dlt.sources.incremental("operation_date", initial_value=start_date, lag=RRP_LOOKBACK_DAYS)

    def soma_summary(cursor=summary_cursor) -> Iterator[pa.Table | list[dict]]:
        # dlt's cursor drops the weeks before its last one and, by the key, that week itself.
        path = "/api/soma/summary.json"
        rows = client.parsed(path, None, client.get_json(path, None, "soma", "summary"), parse_soma_summary)
        before = _cursor_kept_by_hand(cursor)
        new = [r for r in rows if not before or r["as_of_date"] > before]
        if new:
            yield _table("soma_summary", new)

    def soma_bill_holdings(cursor=holdings_cursor) -> Iterator[pa.Table | list[dict]]:
        # One request per as-of Wednesday after the last one dlt's cursor saw (from holdings_start at first).
        dates = client.get_json("/api/soma/asofdates/list.json", None, "soma", "asOfDates")
        after = _cursor_kept_by_hand(cursor) or cursor.last_value
        # Handed to dlt in batches, not a week at a time: each item costs dlt a schema pass and a file write.
        holdings: list[dict] = []
        for as_of in sorted(d for d in dates if d <= last_day.isoformat()
                            and (d > after.isoformat() if after else d >= holdings_start.isoformat())):
            path = f"/api/soma/tsy/get/bills/asof/{as_of}.json"
            holdings += client.parsed(path, None, client.get_json(path, None, "soma", "holdings"), parse_holding)
            if len(holdings) >= ROWS_PER_ITEM:
                yield _table("soma_bill_holdings", holdings)
                holdings = []
        yield _table("soma_bill_holdings", holdings)

    def reverse_repo_operations(cursor=rrp_cursor) -> Iterator[pa.Table | list[dict]]:
        before = _cursor_kept_by_hand(cursor)
        start = before - dt.timedelta(days=RRP_LOOKBACK_DAYS) if before else cursor.start_value
        path = "/api/rp/results/search.json"
        params = {"startDate": start.isoformat(), "endDate": last_day.isoformat(), "operationTypes": "reverserepo"}
        operations = client.get_json(path, params, "repo", "operations")
        parsed = client.parsed(path, params, [op for op in operations if op.get("operationType") == "Reverse Repo"
                                              and not is_small_value_exercise(op)], parse_operation)
        if parsed:
            yield _table("reverse_repo_operations", parsed)

    def repo_operations(cursor=repo_cursor) -> Iterator[pa.Table | list[dict]]:
        # The same search as reverse repo, filtered to repo: the SRF's daily operations (most take nothing).
        path = "/api/rp/results/search.json"
        params = {"startDate": cursor.start_value.isoformat(), "endDate": last_day.isoformat(),
                  "operationTypes": "repo"}
        operations = client.get_json(path, params, "repo", "operations")
        parsed = client.parsed(path, params, [op for op in operations if op.get("operationType") == "Repo"
                                              and not is_small_value_exercise(op)], parse_repo_operation)
        if parsed:
            yield _table("repo_operations", parsed)

    @dlt.source(name="nyfed", max_table_nesting=0)
    def nyfed() -> list[DltResource]:
        return [dlt.resource(rows, file_format="parquet", name=name, write_disposition="merge",
                             primary_key=list(TABLE[name].primary_key), columns=COLUMN_HINTS[name])
                for name, rows in (("reference_rates", reference_rates), ("soma_summary", soma_summary),
                                   ("soma_bill_holdings", soma_bill_holdings),
                                   ("reverse_repo_operations", reverse_repo_operations),
                                   ("repo_operations", repo_operations))]

    return nyfed()

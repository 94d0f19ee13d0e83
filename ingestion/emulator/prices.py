"""The keyless chart API as the emulator serves it, from ``prices/<TICKER>.json`` (a chart response for all history).

``/v8/finance/chart/<TICKER>?period1=&period2=&interval=1d&events=div,splits`` (or ``range=max``). Like the real
edge it answers 429 "Too Many Requests" to clients that do not look like a browser, and 404 with the API's
error body for an unknown ticker.
"""

from __future__ import annotations

import bisect
import codecs
from pathlib import Path

import orjson

from ingestion.emulator.common import USER_AGENT_PARAM, Params, Reply, Route


def _error(code: str, description: str, status: int) -> Reply:
    return Reply.json({"chart": {"result": None, "error": {"code": code, "description": description}}}, status)


def chart(data_dir: Path, params: Params, ticker: str) -> Reply:
    agent = params.get(USER_AGENT_PARAM, "")
    if not agent.startswith("Mozilla/"):
        return Reply.text("Edge: Too Many Requests", 429)
    path = data_dir / "prices" / f"{ticker}.json"
    if not path.is_file():
        return _error("Not Found", "No data found, symbol may be delisted", 404)
    if params.get("interval", "1d") != "1d":
        return _error("Bad Request", "The emulator serves interval=1d only", 400)
    # 1.2 ms for a 21-year history (json.loads took 7); orjson refuses the UTF-8 BOM json.loads skipped.
    payload = orjson.loads(path.read_bytes().removeprefix(codecs.BOM_UTF8))
    result = dict(payload["chart"]["result"][0])  # a new top level; the lists below are sliced, never changed
    if "period1" in params or "period2" in params:
        try:
            start, end = int(params.get("period1", 0)), int(params.get("period2", 2**40))
        except ValueError:
            return _error("Bad Request", "period1 and period2 must be unix seconds", 400)
    elif params.get("range", "max") == "max":
        start, end = 0, 2**40
    else:
        return _error("Bad Request", "The emulator serves range=max or period1/period2 only", 400)
    # Timestamps are ascending: the window is one slice of every array.
    stamps = result.get("timestamp") or []
    first, last = bisect.bisect_left(stamps, start), bisect.bisect_left(stamps, end)
    result["timestamp"] = stamps[first:last]
    indicators = result["indicators"]
    result["indicators"] = {
        **indicators,
        "quote": [{field: values[first:last] for field, values in indicators["quote"][0].items()}],
        **({"adjclose": [{"adjclose": series["adjclose"][first:last]} for series in indicators["adjclose"]]}
           if indicators.get("adjclose") else {}),
    }
    wanted = set(params.get("events", "").replace("|", ",").split(","))
    events = result.pop("events", {}) or {}
    kept_events = {}
    for kind, flag in (("dividends", "div"), ("splits", "splits")):
        if flag in wanted and events.get(kind):
            kept_events[kind] = {k: v for k, v in events[kind].items() if start <= int(v["date"]) < end}
    if kept_events:
        result["events"] = kept_events
    return Reply.json({"chart": {"result": [result], "error": None}})


ROUTES: list[tuple[str, Route]] = [(r"/v8/finance/chart/(?P<ticker>[A-Za-z0-9.\-^=]+)", chart)]

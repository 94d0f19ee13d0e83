"""The NY Fed Markets API as the emulator serves it, from ``nyfed/`` files in the API's own JSON.

- ``nyfed/rates/<group>/<type>.json`` (``{"refRates": [...]}``) → ``/api/rates/<group>/<type>/search.json``
  (``startDate``, ``endDate``) and ``.../last/<N>.json``
- ``nyfed/soma/summary.json`` → ``/api/soma/summary.json``; ``/api/soma/asofdates/list.json`` is derived from it
- ``nyfed/soma/tsy/get/asof/<date>.json`` → ``/api/soma/tsy/get/asof/<date>.json`` and
  ``/api/soma/tsy/get/<bills|notesbonds|frn|tips>/asof/<date>.json``
- ``nyfed/rp/results.json`` (``{"repo": {"operations": [...]}}``, repo and reverse repo) →
  ``/api/rp/results/search.json`` (``startDate``, ``endDate``, ``operationTypes``)

Results are newest first, as the real API sends them.
"""

from __future__ import annotations

import json
from pathlib import Path

from ingestion.emulator.common import Params, Reply, Route, valid_date

SOMA_KINDS = {"bills": "Bills", "notesbonds": "NotesBonds", "frn": "FRN", "tips": "TIPS"}
OPERATION_TYPES = {"repo": "Repo", "reverserepo": "Reverse Repo"}


def _load(path: Path) -> dict | None:
    return json.loads(path.read_text()) if path.is_file() else None


def _not_found(what: str) -> Reply:
    return Reply.json({"error": f"{what} not found"}, 404)


def _window(params: Params) -> tuple[str | None, str | None] | Reply:
    start, end = params.get("startDate"), params.get("endDate")
    if not (valid_date(start) and valid_date(end)):
        return Reply.json({"error": "startDate and endDate must be YYYY-MM-DD"}, 400)
    return start, end


def rates_search(data_dir: Path, params: Params, group: str, rate_type: str) -> Reply:
    content = _load(data_dir / "nyfed" / "rates" / group / f"{rate_type}.json")
    if content is None:
        return _not_found(f"rate {group}/{rate_type}")
    window = _window(params)
    if isinstance(window, Reply):
        return window
    start, end = window
    rows = [r for r in content["refRates"] if (not start or r["effectiveDate"] >= start)
            and (not end or r["effectiveDate"] <= end)]
    return Reply.json({"refRates": sorted(rows, key=lambda r: r["effectiveDate"], reverse=True)})


def rates_last(data_dir: Path, params: Params, group: str, rate_type: str, count: str) -> Reply:
    content = _load(data_dir / "nyfed" / "rates" / group / f"{rate_type}.json")
    if content is None:
        return _not_found(f"rate {group}/{rate_type}")
    rows = sorted(content["refRates"], key=lambda r: r["effectiveDate"], reverse=True)
    return Reply.json({"refRates": rows[:int(count)]})


def soma_summary(data_dir: Path, params: Params) -> Reply:
    content = _load(data_dir / "nyfed" / "soma" / "summary.json")
    return Reply.json(content) if content is not None else _not_found("SOMA summary")


def soma_asof_dates(data_dir: Path, params: Params) -> Reply:
    content = _load(data_dir / "nyfed" / "soma" / "summary.json")
    if content is None:
        return _not_found("SOMA summary")
    dates = sorted((r["asOfDate"] for r in content["soma"]["summary"]), reverse=True)
    return Reply.json({"soma": {"asOfDates": dates}})


def soma_tsy_holdings(data_dir: Path, params: Params, date: str, kind: str | None = None) -> Reply:
    if not valid_date(date):
        return Reply.json({"error": "date must be YYYY-MM-DD"}, 400)
    content = _load(data_dir / "nyfed" / "soma" / "tsy" / "get" / "asof" / f"{date}.json")
    holdings = content["soma"]["holdings"] if content else []  # not an as-of date: nothing held that day
    if kind:
        holdings = [h for h in holdings if h.get("securityType") == SOMA_KINDS[kind]]
    return Reply.json({"soma": {"holdings": holdings}})


def rp_results_search(data_dir: Path, params: Params) -> Reply:
    content = _load(data_dir / "nyfed" / "rp" / "results.json")
    if content is None:
        return _not_found("repo results")
    window = _window(params)
    if isinstance(window, Reply):
        return window
    start, end = window
    wanted = params.get("operationTypes")
    if wanted and wanted not in OPERATION_TYPES:
        return Reply.json({"error": f"operationTypes must be one of {', '.join(OPERATION_TYPES)}"}, 400)
    operations = [op for op in content["repo"]["operations"]
                  if (not start or op["operationDate"] >= start) and (not end or op["operationDate"] <= end)
                  and (not wanted or op["operationType"] == OPERATION_TYPES[wanted])]
    operations.sort(key=lambda op: (op["operationDate"], op["operationId"]), reverse=True)
    return Reply.json({"repo": {"operations": operations}})


ROUTES: list[tuple[str, Route]] = [
    (r"/api/rates/(?P<group>secured|unsecured)/(?P<rate_type>[a-z]+)/search\.json", rates_search),
    (r"/api/rates/(?P<group>secured|unsecured)/(?P<rate_type>[a-z]+)/last/(?P<count>\d+)\.json", rates_last),
    (r"/api/soma/summary\.json", soma_summary),
    (r"/api/soma/asofdates/list\.json", soma_asof_dates),
    (r"/api/soma/tsy/get/asof/(?P<date>[0-9-]+)\.json", soma_tsy_holdings),
    (r"/api/soma/tsy/get/(?P<kind>bills|notesbonds|frn|tips)/asof/(?P<date>[0-9-]+)\.json", soma_tsy_holdings),
    (r"/api/rp/results/search\.json", rp_results_search),
]

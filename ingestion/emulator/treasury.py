"""Treasury Fiscal Data as the emulator serves it: any endpoint, from ``treasury/<path with / as __>.json``.

Implements the protocol every Fiscal Data endpoint shares: ``filter`` (eq, lt, lte, gt, gte, in), ``sort``
(comma list, ``-`` for descending), ``fields``, ``page[number]``/``page[size]`` (1..10000), ``format=json``,
and the ``meta``/``links`` envelope (links are query fragments, as the real API writes them).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from ingestion.emulator.common import Params, Reply, Route

MAX_PAGE_SIZE = 10_000
OPERATORS = {
    "eq": lambda a, b: a == b, "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b,
}


def data_file(data_dir: Path, endpoint: str) -> Path:
    return data_dir / "treasury" / f"{endpoint.strip('/').replace('/', '__')}.json"


def _error(message: str, status: int = 400) -> Reply:
    return Reply.json({"error": "Invalid Query Param", "message": message}, status)


def _split_top_level(text: str) -> list[str]:
    """Split on commas outside parentheses: ``a:in:(x,y),b:eq:z`` → two filters."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current] if current else parts


def _comparable(value: object) -> tuple[int, object]:
    """Numbers compare as numbers, everything else as text (dates are ISO, so text order is date order)."""
    text = "" if value is None else str(value)
    try:
        return (0, float(text))
    except ValueError:
        return (1, text)


def _matches(row: dict, field: str, op: str, value: str) -> bool:
    actual = _comparable(row.get(field))
    if op == "in":
        options = value.strip("()").split(",")
        return any(actual == _comparable(option) for option in options)
    expected = _comparable(value)
    if actual[0] != expected[0]:
        return False  # "null" never compares with a number or date
    return OPERATORS[op](actual, expected)


def fiscal_data(data_dir: Path, params: Params, endpoint: str) -> Reply:
    path = data_file(data_dir, endpoint)
    if not path.is_file():
        return Reply.json({"error": "Not Found", "message": f"Endpoint {endpoint} not found"}, 404)
    if params.get("format", "json") != "json":
        return _error("The emulator serves format=json only.")
    content = json.loads(path.read_text())
    rows: list[dict] = content["data"]
    fields_known = set().union(*(r.keys() for r in rows)) if rows else set()

    for clause in _split_top_level(params.get("filter", "")):
        field, _, rest = clause.partition(":")
        op, _, value = rest.partition(":")
        if op not in (*OPERATORS, "in") or not value:
            return _error(f"Invalid filter '{clause}': expected field:operator:value")
        if rows and field not in fields_known:
            return _error(f"Invalid filter field '{field}'")
        rows = [r for r in rows if _matches(r, field, op, value)]

    for key in reversed([k for k in params.get("sort", "").split(",") if k]):
        field = key.lstrip("-")
        if rows and field not in fields_known:
            return _error(f"Invalid sort field '{field}'")
        rows = sorted(rows, key=lambda r, f=field: _comparable(r.get(f)), reverse=key.startswith("-"))

    try:
        size = int(params.get("page[size]", 100))
        number = int(params.get("page[number]", 1))
    except ValueError:
        return _error("page[size] and page[number] must be integers")
    if not 1 <= size <= MAX_PAGE_SIZE:
        return _error(f"Invalid query parameter 'page[size]' with value '[{size}]'. "
                      f"Expected an integer between 1 and {MAX_PAGE_SIZE}.")
    if number < 1:
        return _error("page[number] must be at least 1")

    fields = [f for f in params.get("fields", "").split(",") if f]
    unknown = [f for f in fields if rows and f not in fields_known]
    if unknown:
        return _error(f"Invalid fields: {', '.join(unknown)}")
    total = len(rows)
    pages = max(1, math.ceil(total / size))
    page = rows[(number - 1) * size:number * size]
    if fields:
        page = [{f: r.get(f, "null") for f in fields} for r in page]

    def link(n: int | None) -> str | None:
        return None if n is None else f"&page%5Bnumber%5D={n}&page%5Bsize%5D={size}"

    meta = {k: v for k, v in content.get("meta", {}).items() if k in ("labels", "dataTypes", "dataFormats")}
    return Reply.json({
        "data": page,
        "meta": {"count": len(page), **meta, "total-count": total, "total-pages": pages},
        "links": {"self": link(number), "first": link(1), "prev": link(number - 1 if number > 1 else None),
                  "next": link(number + 1 if number < pages else None), "last": link(pages)},
    })


ROUTES: list[tuple[str, Route]] = [
    (r"/services/api/fiscal_service/(?P<endpoint>v\d/[a-z0-9_/]+)", fiscal_data),
]

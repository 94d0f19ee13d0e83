"""Faults the public APIs really produce, for the emulator to inject (tests, and `faultlines emulator --fault`).

Transport faults answer instead of the API (429, 5xx, a hang, a reset connection, a body cut off mid-way, an HTML
outage page or a bot-check interstitial with status 200). Data faults answer with the API's real reply, altered the
way APIs drift: a new field, a field changing type, duplicated rows, revised past values, a page served empty
although the answer counts rows (any page of a paged answer, the first and only one included). JSON replies are
altered in their main list of records (the longest list of objects in the payload); CSV replies (FRED's
fredgraph) line by line.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

from ingestion.emulator.common import Reply

TRANSPORT_KINDS = ("429", "500", "503", "timeout", "reset", "truncated", "html_200", "interstitial")
DATA_KINDS = ("new_column", "changed_type", "duplicate_rows", "revised_values", "empty_page")
KINDS = ("status", *TRANSPORT_KINDS, *DATA_KINDS)

OUTAGE_PAGE = (b"<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>We'll be right "
               b"back</h1><p>The service is undergoing maintenance.</p></body></html>")
INTERSTITIAL_PAGE = (b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body><noscript>Enable "
                     b"JavaScript and cookies to continue</noscript><script>/* proof-of-work challenge */"
                     b"window._challenge={difficulty:4,nonce:'c0ffee'};</script></body></html>")
PAGED_PARAMS = ("offset", "page[number]")  # FRED's JSON API and Treasury Fiscal Data


class FaultSpecError(ValueError):
    """A --fault value that cannot be used."""


@dataclass
class Fault:
    """What to do to requests to ``path`` (None: every path): ``kind`` of fault, for the next ``times`` matching
    requests (None: all of them), each hit with probability ``rate``, after letting the first ``skip`` through
    (e.g. page 3 of an answer). ``kind="status"`` answers ``status``."""

    path: str | None
    status: int = 503
    times: int | None = 1
    headers: dict[str, str] | None = None
    body: str = "injected fault"
    kind: str = "status"
    rate: float = 1.0
    delay_seconds: float = 5.0  # `timeout`: how long the answer hangs
    prefix: str | None = None  # only paths starting with it (one provider's API, say)
    skip: int = 0
    hits: int = 0
    _random: random.Random = field(default_factory=lambda: random.Random(7), repr=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise FaultSpecError(f"unknown fault kind {self.kind!r}: use one of {', '.join(KINDS[1:])}")
        if self.kind in ("429", "500", "503"):
            self.status = int(self.kind)
            if self.kind == "429" and not self.headers:
                self.headers = {"Retry-After": "1"}

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """``KIND[:RATE]`` as typed after --fault, e.g. ``503:0.3`` or ``truncated``; every path, no limit."""
        kind, _, rate_text = spec.partition(":")
        try:
            rate = float(rate_text) if rate_text else 1.0
        except ValueError:
            raise FaultSpecError(f"--fault {spec!r}: the rate after ':' must be a number between 0 and 1") from None
        if not 0 < rate <= 1:
            raise FaultSpecError(f"--fault {spec!r}: the rate must be in (0, 1]")
        return cls(path=None, kind=kind, rate=rate, times=None)

    def matches(self, path: str, params: dict[str, str]) -> bool:
        """Whether this request is hit (and count it); `empty_page` hits only paged requests."""
        if self.path is not None and self.path != path:
            return False
        if self.prefix is not None and not path.startswith(self.prefix):
            return False
        if self.times is not None and self.times <= 0:
            return False
        if self.kind == "empty_page" and not _is_paged(params):
            return False
        if self.skip > 0:
            self.skip -= 1
            return False
        if self.rate < 1 and self._random.random() >= self.rate:
            return False
        if self.times is not None:
            self.times -= 1
        self.hits += 1
        return True


def _is_paged(params: dict[str, str]) -> bool:
    """A request for a page of an answer that counts its rows (FRED API ``count``, Fiscal Data ``meta``), which an
    emptied page then contradicts. Any page, the first included: with a client's default page size every answer of
    the sample data fits one page, and a fault limited to later pages never fired."""
    return any(name in params for name in PAGED_PARAMS)


def transport_reply(fault: Fault) -> Reply | None:
    """The reply that replaces the API's, for faults that do not need it (None: the handler deals with it)."""
    if fault.kind in ("status", "429", "500", "503"):
        return Reply(fault.status, fault.body.encode(), "text/plain", fault.headers)
    if fault.kind == "html_200":
        return Reply(200, OUTAGE_PAGE, "text/html; charset=utf-8")
    if fault.kind == "interstitial":
        return Reply(200, INTERSTITIAL_PAGE, "text/html; charset=utf-8")
    return None


def alter(fault: Fault, reply: Reply) -> Reply:
    """A data fault applied to the API's real reply."""
    if reply.status != 200:
        return reply
    if reply.content_type.startswith("application/json"):
        payload = json.loads(reply.body)
        records = _main_records(payload)
        if records is not None:
            _alter_records(fault.kind, records)
        return Reply(reply.status, json.dumps(payload).encode(), reply.content_type, reply.headers)
    if "csv" in reply.content_type:
        return Reply(reply.status, _alter_csv(fault.kind, reply.body.decode()).encode(), reply.content_type,
                     reply.headers)
    return reply


def _main_records(payload) -> list | None:
    """The longest list of objects anywhere in the payload: the rows of the answer."""
    best: list | None = None
    stack = [payload]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            if node and all(isinstance(item, dict) for item in node) and (best is None or len(node) > len(best)):
                best = node
            stack.extend(item for item in node if isinstance(item, dict | list))
    return best


def _numeric_field(record: dict) -> str | None:
    for key, value in record.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            return key
        if isinstance(value, str) and value.replace(".", "", 1).replace("-", "", 1).isdigit() and key != "date":
            return key
    return None


DATE_KEYS = ("record_date", "auction_date", "effectiveDate", "date")


def _newest(records: list[dict]) -> dict:
    """The record with the latest date (ISO strings sort as dates); the first one when records carry no date."""
    key = next((k for k in DATE_KEYS if isinstance(records[0].get(k), str)), None)
    return max(records, key=lambda r: str(r.get(key) or "")) if key else records[0]


def _alter_records(kind: str, records: list) -> None:
    if kind == "empty_page":
        records.clear()
    elif kind == "duplicate_rows":
        records.extend([dict(r) for r in records])
    elif kind == "new_column":
        for record in records:
            record["unannounced_field"] = "new"
    elif kind == "changed_type" and records:
        name = _numeric_field(records[0])
        if name:
            for record in records[: max(1, len(records) // 10)]:
                record[name] = "n/a"  # a number column that starts sending text
    elif kind == "revised_values" and records:
        # Agencies revise their latest figures: the newest record of the answer, wherever the API sorts it.
        record = _newest(records)
        name = _numeric_field(record)
        if name:
            value = record[name]
            revised = round(float(value) * 1.01 + 0.01, 4)
            record[name] = str(revised) if isinstance(value, str) else revised


def _alter_csv(kind: str, text: str) -> str:
    header, *rows = text.splitlines()
    if kind == "duplicate_rows":
        rows = rows + rows
    elif kind == "new_column":
        header, rows = header + ",UNANNOUNCED", [row + ",1" for row in rows]
    elif kind == "changed_type" and rows:
        rows[0] = rows[0].split(",")[0] + ",n/a"
    elif kind == "revised_values" and rows:
        day, value = rows[0].split(",")[:2]
        rows[0] = f"{day},{round(float(value) * 1.01 + 0.01, 4)}" if value not in (".", "") else rows[0]
    elif kind == "empty_page":
        rows = []
    return "\n".join([header, *rows]) + "\n"

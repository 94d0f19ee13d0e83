"""The API emulator: a small HTTP server on 127.0.0.1 that answers like the public APIs, from a data dir.

It implements each API's real URL paths and parameters over files in the API's own format (see README.md
beside this file), so the ingestion code cannot tell it from the real thing. It is the test boundary: tests
and sample mode talk to it over real HTTP.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)


class EmulatorError(RuntimeError):
    """The emulator cannot serve the data dir it was given."""


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] | None = None

    @classmethod
    def json(cls, payload: object, status: int = 200) -> Reply:
        return cls(status, json.dumps(payload).encode(), "application/json")

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain; charset=utf-8") -> Reply:
        return cls(status, text.encode(), content_type)


Params = dict[str, str]
Route = Callable[[Path, Params], Reply]


# --- FRED ---------------------------------------------------------------------------------------------

def read_fred_csv(path: Path) -> list[tuple[str, str]]:
    """(date, raw value) pairs from a data-dir CSV; the header may say DATE or observation_date."""
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader, None)
        return [(r[0], r[1] if len(r) > 1 else "") for r in reader if r and r[0]]


def _fred_series_file(data_dir: Path, series_id: str) -> Path | None:
    if not series_id or not series_id.replace("_", "").isalnum():
        return None
    path = data_dir / "fred" / f"{series_id}.csv"
    return path if path.is_file() else None


def _in_window(date: str, start: str | None, end: str | None) -> bool:
    return (not start or date >= start) and (not end or date <= end)


def _valid_date(value: str | None) -> bool:
    if value is None:
        return True
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def fredgraph_csv(data_dir: Path, params: Params) -> Reply:
    """``/graph/fredgraph.csv?id=X&cosd=..&coed=..``: today's format (observation_date, empty = missing)."""
    series_id = params.get("id", "")
    path = _fred_series_file(data_dir, series_id)
    if path is None:
        return Reply.text(f"<html><body>Series {series_id!r} not found</body></html>", 404, "text/html")
    start, end = params.get("cosd"), params.get("coed")
    if not (_valid_date(start) and _valid_date(end)):
        return Reply.text("<html><body>Bad date</body></html>", 400, "text/html")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["observation_date", series_id])
    for date, value in read_fred_csv(path):
        if _in_window(date, start, end):
            writer.writerow([date, "" if value == "." else value])
    return Reply.text(out.getvalue(), content_type="application/csv")


def _fred_api_error(message: str, status: int = 400) -> Reply:
    return Reply.json({"error_code": status, "error_message": message}, status)


def _fred_api_checks(params: Params) -> Reply | None:
    if not params.get("api_key"):
        return _fred_api_error("Bad Request.  Variable api_key is not set.")
    if params.get("file_type") != "json":
        return _fred_api_error("Bad Request.  The emulator speaks file_type=json only.")
    return None


def fred_series_observations(data_dir: Path, params: Params) -> Reply:
    """``/fred/series/observations``: JSON, values as strings, ``.`` for missing, paged by offset/limit."""
    if error := _fred_api_checks(params):
        return error
    series_id = params.get("series_id", "")
    path = _fred_series_file(data_dir, series_id)
    if path is None:
        return _fred_api_error("Bad Request.  The series does not exist.")
    start, end = params.get("observation_start"), params.get("observation_end")
    if not (_valid_date(start) and _valid_date(end)):
        return _fred_api_error("Bad Request.  Variable observation_start is not a valid date.")
    try:
        limit = int(params.get("limit", 100000))
        offset = int(params.get("offset", 0))
    except ValueError:
        return _fred_api_error("Bad Request.  Variable limit or offset is not an integer.")
    if not 1 <= limit <= 100000 or offset < 0:
        return _fred_api_error("Bad Request.  Variable limit is not between 1 and 100000.")
    rows = [(d, v) for d, v in read_fred_csv(path) if _in_window(d, start, end)]
    if params.get("sort_order") == "desc":
        rows.reverse()
    today = dt.date.today().isoformat()
    page = rows[offset:offset + limit]
    return Reply.json({
        "realtime_start": today, "realtime_end": today,
        "observation_start": start or "1776-07-04", "observation_end": end or "9999-12-31",
        "units": "lin", "output_type": 1, "file_type": "json", "order_by": "observation_date",
        "sort_order": params.get("sort_order", "asc"), "count": len(rows), "offset": offset, "limit": limit,
        "observations": [{"realtime_start": today, "realtime_end": today, "date": d,
                          "value": v if v not in ("",) else "."} for d, v in page],
    })


def fred_series(data_dir: Path, params: Params) -> Reply:
    """``/fred/series``: metadata from ``fred/series/<ID>.json`` when the data dir has it."""
    if error := _fred_api_checks(params):
        return error
    series_id = params.get("series_id", "")
    if _fred_series_file(data_dir, series_id) is None:
        return _fred_api_error("Bad Request.  The series does not exist.")
    meta_path = data_dir / "fred" / "series" / f"{series_id}.json"
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {"id": series_id}
    return Reply.json({"seriess": [meta]})


ROUTES: dict[str, Route] = {
    "/graph/fredgraph.csv": fredgraph_csv,
    "/fred/series/observations": fred_series_observations,
    "/fred/series": fred_series,
}


# --- the server ---------------------------------------------------------------------------------------

@dataclass
class Fault:
    """Answer the next ``times`` requests to ``path`` with ``status`` (e.g. 429 with a Retry-After)."""

    path: str
    status: int
    times: int = 1
    headers: dict[str, str] | None = None
    body: str = "injected fault"


class _Handler(BaseHTTPRequestHandler):
    server: _EmulatorHTTPServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        self.server.requests.append(url.path)
        route = ROUTES.get(url.path)
        if fault := self.server.take_fault(url.path):
            reply = Reply(fault.status, fault.body.encode(), "text/plain", fault.headers)
        elif route is None:
            reply = Reply.text(f"no such endpoint: {url.path}", HTTPStatus.NOT_FOUND)
        else:
            try:
                reply = route(self.server.data_dir, params)
            except Exception as exc:  # a broken data file must answer 500, not hang the client
                log.exception("emulator: %s failed", url.path)
                reply = Reply.text(f"emulator error: {type(exc).__name__}: {exc}", 500)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for key, value in (reply.headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the stdlib's name)
        log.debug("emulator: " + format, *args)


class _EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], data_dir: Path) -> None:
        self.data_dir = data_dir
        self.faults: list[Fault] = []
        self.requests: list[str] = []  # paths served, in order (for tests and the record mode)
        self._faults_lock = threading.Lock()
        super().__init__(address, _Handler)

    def take_fault(self, path: str) -> Fault | None:
        with self._faults_lock:
            for fault in self.faults:
                if fault.path == path and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None


def check_data_dir(data_dir: Path) -> Path:
    data_dir = Path(data_dir).resolve()
    if not data_dir.is_dir():
        raise EmulatorError(f"data dir {data_dir} does not exist or is not a directory")
    try:
        next(data_dir.iterdir(), None)
    except PermissionError as exc:
        raise EmulatorError(f"data dir {data_dir} is not readable: {exc.strerror}") from exc
    if not (data_dir / "fred").is_dir():
        raise EmulatorError(f"data dir {data_dir} has no fred/ folder: is it in the emulator layout "
                            "(see ingestion/emulator/README.md)?")
    return data_dir


class Emulator:
    """A running emulator. Use as a context manager, or call :meth:`start` and :meth:`stop`."""

    def __init__(self, data_dir: Path, port: int = 0, host: str = "127.0.0.1") -> None:
        self.data_dir = check_data_dir(data_dir)
        try:
            self._server = _EmulatorHTTPServer((host, port), self.data_dir)
        except OSError as exc:
            raise EmulatorError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
        self._thread = threading.Thread(target=self._server.serve_forever, name="emulator", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def inject(self, fault: Fault) -> None:
        """Make the emulator misbehave like the real APIs do (429s, 5xx) for the next requests to a path."""
        self._server.faults.append(fault)

    @property
    def requests(self) -> list[str]:
        return self._server.requests

    def start(self) -> Emulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

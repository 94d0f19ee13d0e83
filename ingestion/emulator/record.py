"""Record: run the real ingestion once, through a loopback proxy that forwards each call to the upstream APIs
(live, or any emulator) and writes every answer into the data-dir layout. The result is a complete, portable
snapshot of the inputs that ``faultlines run --mode replay --data-dir DIR`` rebuilds from.

Recording through the ingestion code itself (not a second list of URLs) means the snapshot holds exactly what
a run asks for.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import tempfile
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

log = logging.getLogger(__name__)

FORWARDED_HEADERS = ("User-Agent", "Accept", "Accept-Encoding")


class Recording:
    """What has been recorded so far, keyed by data-dir file; written out by :meth:`save`."""

    def __init__(self) -> None:
        self.files: dict[str, object] = {}
        self.treasury_rows: dict[str, dict[str, dict]] = {}
        self.fred_observations: dict[str, dict[str, str]] = {}
        self.fred_vintages: dict[str, list[dict]] = {}
        self._lock = threading.Lock()

    def add(self, path: str, params: dict[str, str], body: bytes) -> None:
        with self._lock:
            route = route_of(path)
            if route is not None:
                route[2](self, path, params, body)

    def fred_csv(self, path: str, params: dict, body: bytes) -> None:
        series_id = params["id"]
        rows = list(csv.reader(io.StringIO(body.decode())))[1:]
        self.fred_observations.setdefault(series_id, {}).update({d: (v or ".") for d, v, *_ in rows})

    def fred_api(self, path: str, params: dict, body: bytes) -> None:
        payload = json.loads(body)
        series_id = params["series_id"]
        if path.endswith("/vintagedates"):
            return  # the emulator answers them from the recorded vintages
        if path.endswith("/observations") and "realtime_start" in params:  # ALFRED, one realtime window
            self.fred_vintages.setdefault(series_id, []).extend(payload["observations"])
        elif path.endswith("/observations"):
            self.fred_observations.setdefault(series_id, {}).update(
                {o["date"]: o["value"] for o in payload["observations"]})
        else:
            self.files[f"fred/series/{series_id}.json"] = payload["seriess"][0]

    def treasury(self, path: str, params: dict, body: bytes) -> None:
        endpoint = path.removeprefix("/services/api/fiscal_service/")
        rows = self.treasury_rows.setdefault(endpoint, {})
        for row in json.loads(body)["data"]:
            rows[json.dumps(row, sort_keys=True)] = row

    def nyfed(self, path: str, params: dict, body: bytes) -> None:
        payload = json.loads(body)
        if "/rates/" in path and path.endswith("/search.json"):
            group, rate_type = path.split("/")[3:5]
            key = f"nyfed/rates/{group}/{rate_type}.json"
            known = {r["effectiveDate"]: r for r in (self.files.get(key) or {"refRates": []})["refRates"]}
            known.update({r["effectiveDate"]: r for r in payload["refRates"]})
            self.files[key] = {"refRates": sorted(known.values(), key=lambda r: r["effectiveDate"], reverse=True)}
        elif path == "/api/soma/summary.json":
            self.files["nyfed/soma/summary.json"] = payload
        elif "/soma/tsy/get/" in path and "/asof/" in path:
            date = path.rsplit("/", 1)[1].removesuffix(".json")
            self.files[f"nyfed/soma/tsy/get/asof/{date}.json"] = payload
        elif path == "/api/rp/results/search.json":
            key = "nyfed/rp/results.json"
            known = {op["operationId"]: op for op in (self.files.get(key) or {"repo": {"operations": []}})[
                "repo"]["operations"]}
            known.update({op["operationId"]: op for op in payload["repo"]["operations"]})
            self.files[key] = {"repo": {"operations": list(known.values())}}

    def prices(self, path: str, params: dict, body: bytes) -> None:
        self.files[f"prices/{path.rsplit('/', 1)[1]}.json"] = json.loads(body)

    def sec(self, path: str, params: dict, body: bytes) -> None:
        folder = "companyfacts" if "/companyfacts/" in path else "submissions"
        self.files[f"sec/{folder}/{path.rsplit('/', 1)[1]}"] = json.loads(body)

    def save(self, out: Path, source: str) -> list[str]:
        """Write the data dir; return the files written."""
        written = []
        for series_id, observations in self.fred_observations.items():
            target = out / "fred" / f"{series_id}.csv"
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("w", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(["observation_date", series_id])
                writer.writerows(sorted(observations.items()))
            written.append(str(target.relative_to(out)))
        for series_id, pieces in self.fred_vintages.items():
            self.files[f"fred/vintages/{series_id}.json"] = {"observations": join_recorded_vintages(pieces)}
        for endpoint, rows in self.treasury_rows.items():
            self.files[f"treasury/{endpoint.replace('/', '__')}.json"] = {
                "data": list(rows.values()), "meta": {"total-count": len(rows), "total-pages": 1}}
        for name, payload in self.files.items():
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(payload, separators=(",", ":")))
            written.append(name)
        (out / "MANIFEST.json").write_text(json.dumps({
            "recorded_from": source, "recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "synthetic": False if source == "live" else None, "files": len(written)}, indent=1))
        return written


def join_recorded_vintages(pieces: list[dict]) -> list[dict]:
    """ALFRED's answers, one per realtime window, as one list: a vintage cut at a window's edge is joined again."""
    from ingestion.sources.fred import join_vintage_pieces

    rows = [{"date": o["date"], "value": o["value"], "realtime_start": dt.date.fromisoformat(o["realtime_start"]),
             "realtime_end": dt.date.fromisoformat(o["realtime_end"])} for o in pieces]
    return [{"realtime_start": r["realtime_start"].isoformat(), "realtime_end": r["realtime_end"].isoformat(),
             "date": r["date"], "value": r["value"]} for r in join_vintage_pieces(rows)]


# One row per path space: (path prefix, the upstream that answers it, how its answers are recorded). The
# emulator's path spaces are the real APIs' and do not overlap; the first matching prefix wins ("/api/xbrl/"
# before NY Fed's "/api/").
ROUTES: list[tuple[str, str, Callable]] = [
    ("/graph/fredgraph.csv", "fred_graph", Recording.fred_csv),
    ("/fred/", "fred_api", Recording.fred_api),
    ("/services/api/fiscal_service/", "treasury_host", Recording.treasury),
    ("/api/xbrl/", "sec", Recording.sec),
    ("/submissions/", "sec", Recording.sec),
    ("/api/", "nyfed", Recording.nyfed),
    ("/v8/finance/chart/", "prices", Recording.prices),
]


def route_of(path: str) -> tuple[str, str, Callable] | None:
    return next((route for route in ROUTES if path.startswith(route[0])), None)


class RecordingProxy:
    """A loopback HTTP proxy: forwards GETs to the upstream of their path and records 200 answers."""

    def __init__(self, upstreams: dict[str, str], recording: Recording, secret_params: tuple[str, ...] = ("api_key",)):
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                url = urlsplit(self.path)
                route = route_of(url.path)
                upstream = upstreams[route[1]] if route else None
                if upstream is None:
                    self._reply(404, b"no upstream for this path", "text/plain")
                    return
                headers = {h: self.headers[h] for h in FORWARDED_HEADERS if self.headers.get(h)}
                try:
                    answer = proxy.session.get(f"{upstream}{url.path}", params=url.query, headers=headers, timeout=120)
                except requests.RequestException as exc:
                    self._reply(502, f"upstream unreachable: {type(exc).__name__}".encode(), "text/plain")
                    return
                if answer.status_code == 200:
                    params = {k: v[-1] for k, v in parse_qs(url.query).items() if k not in secret_params}
                    recording.add(url.path, params, answer.content)
                extra = {"Retry-After": answer.headers["Retry-After"]} if "Retry-After" in answer.headers else {}
                self._reply(answer.status_code, answer.content,
                            answer.headers.get("Content-Type", "application/octet-stream"), extra)

            def _reply(self, status: int, body: bytes, content_type: str, extra: dict | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (extra or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                log.debug("record proxy: " + format, *args)

        self.session = requests.Session()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> RecordingProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def record(out: Path, upstreams: dict[str, str], requests_per_second: float | None, label: str) -> list[str]:
    """Run every source once, from scratch, through the proxy; write the data dir; return its files."""
    from ingestion.endpoints import Endpoints
    from ingestion.pipeline import make_pipeline
    from ingestion.sources import SOURCES

    recording = Recording()
    with RecordingProxy(upstreams, recording) as proxy, tempfile.TemporaryDirectory() as scratch:
        endpoints = Endpoints.emulated("replay", proxy.base_url, None)
        if requests_per_second is None:  # live upstream: the providers' own polite limits
            endpoints = Endpoints("replay", endpoints.urls)
        for provider, build in SOURCES.items():
            # A scratch warehouse: recording must fetch everything, so it starts with no dlt state.
            pipeline = make_pipeline(provider, Path(scratch) / "record.duckdb").drop()
            pipeline.run(build(endpoints)).raise_on_failed_jobs()
    return recording.save(out, label)

"""Base URLs for each mode: the one thing that differs between live, sample and replay runs.

``open_endpoints`` resolves ``auto`` (live when the APIs answer quickly, otherwise sample), and for sample and
replay starts the emulator on an ephemeral loopback port for as long as the ``with`` block lasts.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import requests

from ingestion import settings
from ingestion.emulator.server import EmulatorProcess
from ingestion.sources import fred, nyfed, prices, sec, treasury

log = logging.getLogger(__name__)

LIVE_PROBE_TIMEOUT_SECONDS = 3.0
EMULATOR_PROBE_ATTEMPTS = 4


# Our own emulator on loopback has no polite limit to keep: the clients call it as fast as they can (0 = no limit).
# At 50 a second the look-backs of a run with nothing new (500 tickers, 500 companies, 200 series at scale 10) waited
# 30 of its 42 s on the rate limiter alone.
EMULATOR_REQUESTS_PER_SECOND = 0.0


@dataclass(frozen=True)
class Endpoints:
    """Where each provider is reached in this run, and how fast we may call it."""

    mode: str  # live, sample or replay: never auto
    urls: Mapping[str, str]  # fred_graph, fred_api, treasury, nyfed, prices, sec → base URL
    # None: every provider's own polite limit (live). Otherwise this rate (0: none, the emulator).
    requests_per_second: float | None = None
    data_dir: Path | None = None  # the data dir the emulator serves, if any
    fallback_reason: str | None = None  # why `auto` chose sample

    @property
    def warehouse_path(self) -> Path:
        return settings.warehouse_path(self.mode)

    def client_options(self, provider: str) -> dict:
        """Keyword arguments for a provider client's ``create``: its base URL and, if set, the rate."""
        options: dict = {"base_url": self.urls[provider]}
        if self.requests_per_second is not None:
            options["requests_per_second"] = self.requests_per_second
        return options

    @classmethod
    def live(cls) -> Endpoints:
        return cls("live", LIVE_URLS)

    @classmethod
    def emulated(cls, mode: str, base_url: str, data_dir: Path | None, fallback_reason: str | None = None) -> Endpoints:
        urls = {name: base_url for name in LIVE_URLS} | {"treasury": f"{base_url}/services/api/fiscal_service"}
        return cls(mode, urls, EMULATOR_REQUESTS_PER_SECOND, data_dir=data_dir, fallback_reason=fallback_reason)


LIVE_URLS = {
    "fred_graph": fred.LIVE_GRAPH_BASE_URL,
    "fred_api": fred.LIVE_API_BASE_URL,
    "treasury": treasury.LIVE_BASE_URL,
    "nyfed": nyfed.LIVE_BASE_URL,
    "prices": prices.LIVE_BASE_URL,
    "sec": sec.LIVE_BASE_URL,
}


def probe_live(timeout: float = LIVE_PROBE_TIMEOUT_SECONDS) -> str | None:
    """None when the live APIs answer; otherwise why not, in a few words."""
    url = f"{fred.LIVE_GRAPH_BASE_URL}/graph/fredgraph.csv"
    try:
        response = requests.get(url, params={"id": "IORB", "cosd": "2025-01-01", "coed": "2025-01-02"},
                                timeout=timeout)
    except requests.RequestException as exc:
        return f"FRED did not answer within {timeout:g}s ({type(exc).__name__})"
    if response.status_code != 200 or "IORB" not in response.text[:200]:
        return f"FRED answered HTTP {response.status_code} without the expected CSV"
    return None


def probe_emulator(base_url: str, timeout: float = LIVE_PROBE_TIMEOUT_SECONDS,
                   attempts: int = EMULATOR_PROBE_ATTEMPTS) -> str | None:
    """None when an emulator answers at ``base_url``; otherwise what is wrong and what to do.

    One reset, cut-off or hung answer is what an emulator injecting faults is for, not proof that nothing listens:
    the probe asks again after a short pause (0.2, 0.4, 0.8 s). A refused connection fails at once each time, so
    an empty port is still reported in under 2 s.
    """
    url = f"{base_url.rstrip('/')}/fred/series"
    failure = "no attempt"
    for attempt in range(attempts):
        if attempt:
            time.sleep(0.2 * 2 ** (attempt - 1))
        try:
            requests.get(url, timeout=timeout)
            return None
        except requests.RequestException as exc:
            failure = type(exc).__name__
    return (f"no emulator answers at {base_url} ({failure}, {attempts} attempts): start one with "
            "`faultlines emulator --data-dir DIR --port N`, or leave out --base-url")


@contextlib.contextmanager
def open_endpoints(mode: str, data_dir: Path | None = None, seed: int = settings.DEFAULT_SAMPLE_SEED,
                   base_url: str | None = None) -> Iterator[Endpoints]:
    """Endpoints for ``mode``; runs the emulator for sample and replay while the block lasts.

    ``base_url`` points a sample or replay run at an emulator that is already running (``faultlines emulator``).
    """
    settings.check_mode(mode)
    if base_url:
        if mode not in ("sample", "replay"):
            raise settings.SettingsError(f"--base-url is for sample or replay mode, not {mode!r}")
        if reason := probe_emulator(base_url):
            raise settings.SettingsError(reason)
        yield Endpoints.emulated(mode, base_url.rstrip("/"), None)
        return
    fallback_reason = None
    if mode == "auto":
        fallback_reason = probe_live()
        if fallback_reason is None:
            mode = "live"
        else:
            mode = "sample"
            log.warning("live APIs unreachable (%s): building from sample data", fallback_reason)
    if mode == "live":
        yield Endpoints.live()
        return
    if mode == "replay":
        if data_dir is None:
            raise settings.SettingsError("replay mode needs --data-dir DIR (a data dir in the emulator layout)")
        served = Path(data_dir)
    else:
        # Only sample mode needs the generator: the product never imports it otherwise (ingestion/synthetic/).
        from ingestion.synthetic.compose import ensure_sample_data

        served = ensure_sample_data(Path(data_dir) if data_dir else settings.sample_data_dir(seed), seed,
                                    settings.sample_end_date())
    with EmulatorProcess(served) as emulator:
        yield Endpoints.emulated(mode, emulator.base_url, emulator.data_dir, fallback_reason)

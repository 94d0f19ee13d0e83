"""The one HTTP helper every source uses: timeouts, polite rate limits, retries that honour Retry-After.

Errors are raised as :class:`SourceError`, which names the source, the call and what to do, and never
contains a secret (query parameters listed in ``secret_params`` are masked in every message).
"""

from __future__ import annotations

import email.utils
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

import requests

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "faultlines/0.1 (+local-first market warehouse)"


class SourceError(RuntimeError):
    """A call to a data source failed in a way retrying now will not fix.

    ``transient`` marks outages (5xx, 429, no answer) that outlasted our retries: a later run may succeed, so the
    orchestrator retries the provider's step after a longer wait. Anything else (404, bad data) needs a person.
    """

    def __init__(self, source: str, call: str, problem: str, hint: str, transient: bool = False) -> None:
        self.source, self.call, self.problem, self.hint, self.transient = source, call, problem, hint, transient
        super().__init__(f"{source}: {call} failed: {problem}. {hint}")


@dataclass
class RateLimiter:
    """At most ``per_second`` calls per second, across threads (a minimum gap between calls)."""

    per_second: float
    _next_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self) -> None:
        if self.per_second <= 0:
            return
        with self._lock:
            now = time.monotonic()
            delay = self._next_at - now
            self._next_at = max(now, self._next_at) + 1.0 / self.per_second
        if delay > 0:
            time.sleep(delay)


def retry_after_seconds(value: str | None, default: float) -> float:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, when.timestamp() - time.time())


def _is_html(response: requests.Response) -> bool:
    """None of our APIs answers with HTML: an HTML body is an outage page or a bot check, whatever the status."""
    kind = response.headers.get("Content-Type", "").lower()
    return "text/html" in kind or response.content[:200].lstrip().lower().startswith((b"<!doctype html", b"<html"))


def _is_interstitial(response: requests.Response) -> bool:
    text = response.text[:5000].lower()
    return any(marker in text for marker in ("just a moment", "challenge", "captcha", "proof-of-work",
                                             "enable javascript and cookies"))


def _html_title(response: requests.Response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.text[:5000], re.IGNORECASE | re.DOTALL)
    return f"title {' '.join(match.group(1).split())[:80]!r}" if match else "no title"


@dataclass
class RestClient:
    """A small REST client for one provider.

    ``source`` names the provider in errors; ``base_url`` is the only thing that differs between live,
    sample and replay modes.
    """

    source: str
    base_url: str
    requests_per_second: float = 2.0
    timeout: float = 30.0
    max_attempts: int = 5
    backoff_seconds: float = 1.0
    max_wait_seconds: float = 60.0
    headers: Mapping[str, str] = field(default_factory=dict)
    secret_params: Iterable[str] = ("api_key",)
    session: requests.Session = field(default_factory=requests.Session)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self._limiter = RateLimiter(self.requests_per_second)
        self.session.headers.update({"User-Agent": USER_AGENT, **self.headers})

    def describe(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """The call as it can safely be printed: secrets masked."""
        masked = {k: ("***" if k in self.secret_params else v) for k, v in (params or {}).items()}
        query = f"?{urlencode(masked)}" if masked else ""
        return f"GET {self.base_url}{path}{query}"

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> requests.Response:
        """GET with retries on 429/5xx/connection errors; raises SourceError when it gives up."""
        call = self.describe(path, params)
        url = f"{self.base_url}{path}"
        problem = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            self._limiter.wait()
            try:
                response = self.session.get(url, params=params, timeout=self.timeout)
            except requests.RequestException as exc:
                # The exception text can contain the full URL, key included: keep only its type.
                problem = f"{type(exc).__name__} (no answer within {self.timeout:g}s or connection refused)"
                wait = self._backoff(attempt)
            else:
                if response.status_code < 400 and not _is_html(response):
                    return response
                if response.status_code < 400 and _is_interstitial(response):
                    # A bot check wants a browser: retrying at once only digs deeper.
                    raise SourceError(self.source, call, f"HTTP {response.status_code} with a bot-check page "
                                      f"({_html_title(response)}) instead of data",
                                      "The service suspects a robot: slow down (or set FAULTLINES_SEC_CONTACT for "
                                      "SEC), try again later, or run with --mode sample.")
                problem = (f"HTTP {response.status_code} with an HTML page ({_html_title(response)}) instead of data"
                           if response.status_code < 400 else
                           f"HTTP {response.status_code} {self._short_body(response, params)}")
                if response.status_code < 400:  # an outage page served with 200: as transient as a 503
                    wait = self._backoff(attempt)
                    if attempt < self.max_attempts:
                        log.warning("%s: %s: %s; retry %d/%d in %.1fs", self.source, call, problem, attempt,
                                    self.max_attempts - 1, wait)
                        time.sleep(wait)
                    continue
                if response.status_code not in RETRY_STATUSES:
                    raise SourceError(self.source, call, problem, self._hint(response.status_code))
                wait = retry_after_seconds(response.headers.get("Retry-After"), self._backoff(attempt))
            if attempt < self.max_attempts:
                wait = min(wait, self.max_wait_seconds)
                log.warning("%s: %s: %s; retry %d/%d in %.1fs", self.source, call, problem, attempt,
                            self.max_attempts - 1, wait)
                time.sleep(wait)
        raise SourceError(self.source, call, f"{problem} after {self.max_attempts} attempts",
                          "The service is down or rate-limiting us: try again later, or run with "
                          "--mode sample to build from the bundled sample data.", transient=True)

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET and decode JSON; a body that is not JSON (an outage page) is a SourceError."""
        response = self.get(path, params)
        try:
            return response.json()
        except ValueError as exc:
            raise SourceError(self.source, self.describe(path, params), "the body is not JSON",
                              "The service sent an error or outage page instead of data; try again later.") from exc

    def _backoff(self, attempt: int) -> float:
        return self.backoff_seconds * 2 ** (attempt - 1)

    def _short_body(self, response: requests.Response, params: Mapping[str, Any] | None) -> str:
        text = " ".join(response.text.split())[:200]
        for name in self.secret_params:
            secret = str((params or {}).get(name) or "")
            if secret:
                text = text.replace(secret, "***")
        return text

    def _hint(self, status: int) -> str:
        if status in (400, 404):
            return "The API does not know what was asked for: check the id in the path or parameters above."
        if status in (401, 403):
            return "The key is missing or not allowed: set it in the environment or .env."
        return "See the message above; the request will not succeed by retrying."


def prefetched(items: Iterable[T], fetch: Callable[[T], R], workers: int) -> Iterator[tuple[T, R]]:
    """``(item, fetch(item))`` in the order of ``items``, with up to ``workers`` fetches in flight.

    The consumer parses and writes one answer while the next ones are on the wire; the client's rate limiter
    still spaces the requests. At most ``2 × workers`` answers wait in memory. A fetch's error is raised when
    its turn comes, as if fetched in order.
    """
    workers = max(1, workers)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="prefetch")
    pending: deque[tuple[T, Future]] = deque()
    try:
        for item in items:
            pending.append((item, pool.submit(fetch, item)))
            if len(pending) >= 2 * workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
    finally:
        # On an error (or an early stop) the fetches not started are dropped, not waited for.
        pool.shutdown(wait=False, cancel_futures=True)

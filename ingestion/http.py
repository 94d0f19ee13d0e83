"""The one HTTP helper every source uses: dlt's REST client over dlt's retrying session, plus what dlt lacks.

dlt does the transport: ``RESTClient`` (requests, paginators) over ``dlt.sources.helpers.requests.Client``'s
session, which retries 429/5xx and dropped connections with exponential backoff and honours Retry-After. Ours on
top: a per-client rate limit (dlt has none), the rule that an HTML page served with 200 is an outage (retried, by a
``retry_condition``) or a bot check (raised at once), and errors raised as :class:`SourceError`, which names the
source, the call and what to do, and never contains a secret (dlt's URL redaction masks ``secret_params``).
"""

from __future__ import annotations

import codecs
import email.utils
import logging
import queue
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests
from dlt.common.json import json as dlt_json
from dlt.sources.helpers.requests import Client
from dlt.sources.helpers.requests.retry import wait_exponential_retry_after
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import BasePaginator
from dlt.sources.helpers.rest_client.redaction import SENSITIVE_PARAMS, sanitize_url
from requests.adapters import HTTPAdapter
from tenacity import RetryCallState

from ingestion import progress

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


OUTAGE_HINT = ("The service is down or rate-limiting us: try again later, or run with --mode sample to build from "
               "the bundled sample data.")


class PageError(RuntimeError):
    """A paginator's finding that paging cannot go on safely (an empty page before the last one)."""

    def __init__(self, problem: str, hint: str, transient: bool = True) -> None:
        self.problem, self.hint, self.transient = problem, hint, transient
        super().__init__(problem)


def _is_outage_page(response: requests.Response | None, exception: BaseException | None) -> bool:
    """dlt's ``retry_condition``: an HTML page with a 2xx/3xx status is an outage page, retried like a 503.

    A bot-check interstitial is not retried (retrying at once only digs deeper): :meth:`RestClient._checked`
    raises it on the first answer.
    """
    return (response is not None and response.status_code < 400 and _is_html(response)
            and not _is_interstitial(response))


class _RetryAfterWait(wait_exponential_retry_after):
    """dlt's wait (exponential backoff, or Retry-After when given, capped), with our reading of the header: a date
    in the past means "go now" (dlt would fall back to the backoff)."""

    def _parse_retry_after(self, retry_after: str) -> float | None:
        seconds = retry_after_seconds(retry_after, -1.0)
        return None if seconds < 0 else min(self.max, seconds)


class _RateLimitedAdapter(HTTPAdapter):
    """dlt's retrying client has no rate limit: every attempt, retries included, waits its turn here."""

    def __init__(self, limiter: RateLimiter, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limiter = limiter

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        self.limiter.wait()
        progress.count_request()
        return super().send(request, *args, **kwargs)


class _CheckedRESTClient(RESTClient):
    """dlt's RESTClient whose every answer, once dlt's retries are over, passes :meth:`RestClient._checked`."""

    def __init__(self, owner: RestClient, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.owner = owner

    def _send_request(self, request: requests.Request, **kwargs: Any) -> requests.Response:
        owner = self.owner
        call = owner.describe_url(self.session.prepare_request(request).url or request.url)
        owner._current.call = call  # for the retry lines and the errors raised while paging
        problem = None
        try:
            response = super()._send_request(request, **kwargs)
        except requests.RequestException as exc:
            # The exception text can contain the full URL, key included: keep only its type (and raise outside
            # this block, so the exception is not chained to ours).
            problem = owner._no_answer(exc)
        if problem:
            raise SourceError(owner.source, call, f"{problem} after {owner.max_attempts} attempts", OUTAGE_HINT,
                              transient=True)
        return owner._checked(call, response)

    def _log_request(self, request: requests.Request, prepared_url: str) -> None:
        # dlt logs each request, with its params unmasked at DEBUG level: ours are described masked instead.
        log.debug("%s: %s", self.owner.source, self.owner.describe_url(prepared_url))


@dataclass
class RestClient:
    """A small REST client for one provider: dlt's RESTClient over dlt's retrying session, with our rules.

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

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.secret_params = frozenset(self.secret_params)
        self._current = threading.local()
        # Retries, backoff and Retry-After are dlt's; the statuses retried are ours (429 and the usual 5xx), and so
        # is every requests exception (dlt's default leaves out e.g. a malformed chunk's cousins).
        client = Client(request_timeout=self.timeout, raise_for_status=False, status_codes=tuple(RETRY_STATUSES),
                        exceptions=(requests.RequestException,), request_max_attempts=self.max_attempts,
                        request_backoff_factor=self.backoff_seconds, request_max_retry_delay=self.max_wait_seconds,
                        retry_condition=_is_outage_page, respect_retry_after_header=True)
        session = client.session
        adapter = _RateLimitedAdapter(RateLimiter(self.requests_per_second))
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        retrying = session.send.retry  # the tenacity Retrying dlt wrapped around send: log each wait, as before
        retrying.before_sleep = self._log_retry
        retrying.wait = _RetryAfterWait(multiplier=self.backoff_seconds, max=self.max_wait_seconds)
        self._rest = _CheckedRESTClient(self, base_url=self.base_url, session=session,
                                        headers={"User-Agent": USER_AGENT, **self.headers})

    def describe(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """The call as it can safely be printed: secrets masked."""
        query = f"?{urlencode(dict(params))}" if params else ""
        return self.describe_url(f"{self.base_url}{path}{query}")

    def describe_url(self, url: str) -> str:
        return f"GET {sanitize_url(url, set(self.secret_params) or SENSITIVE_PARAMS)}"

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> requests.Response:
        """GET with retries on 429/5xx/connection errors/outage pages; raises SourceError when it gives up."""
        return self._rest.get(path, params=dict(params) if params else None)

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET and decode JSON; a body that is not JSON (an outage page) is a SourceError."""
        response = self.get(path, params)
        try:
            # dlt's JSON (orjson) rather than requests' decoder (simplejson here): a 300 kB chart answer in 0.65 ms
            # instead of 2.8. orjson refuses a byte order mark, which requests' decoder skipped.
            return dlt_json.loadb(response.content.removeprefix(codecs.BOM_UTF8))
        except ValueError as exc:
            raise SourceError(self.source, self.describe(path, params), "the body is not JSON",
                              "The service sent an error or outage page instead of data; try again later.") from exc

    def paginate(self, path: str, params: Mapping[str, Any], paginator: BasePaginator) -> Iterator[tuple[Any, str]]:
        """Each page's decoded JSON and the call that fetched it; dlt's ``paginator`` moves the page parameter.

        A paginator may raise :class:`PageError` (an empty page before the last): it becomes a transient
        SourceError naming the call of that page.
        """
        pages = self._rest.paginate(path, params=dict(params), paginator=paginator, data_selector="$",
                                    hooks={"response": []})  # no dlt raise_for_status: _checked did ours
        while True:
            failure = None
            try:
                page = next(pages)
            except StopIteration:
                return
            except PageError as exc:
                failure = (exc.problem, exc.hint, exc.transient)
            except ValueError:  # dlt decodes the JSON
                failure = ("the body is not JSON",
                           "The service sent an error or outage page instead of data; try again later.", False)
            if failure:
                raise SourceError(self.source, self._current.call, failure[0], failure[1], transient=failure[2])
            yield page[0], self.describe_url(page.response.url)

    def _checked(self, call: str, response: requests.Response) -> requests.Response:
        """The answer dlt's retries ended with: data, or a SourceError saying why not and what to do."""
        status = response.status_code
        if status < 400 and not _is_html(response):
            return response
        if status < 400 and _is_interstitial(response):
            raise SourceError(self.source, call, f"HTTP {status} with a bot-check page ({_html_title(response)}) "
                              "instead of data", "The service suspects a robot: slow down (or set "
                              "FAULTLINES_SEC_CONTACT for SEC), try again later, or run with --mode sample.")
        problem = self._problem(response)
        if status < 400 or status in RETRY_STATUSES:  # an outage page, or a status dlt retried until it gave up
            raise SourceError(self.source, call, f"{problem} after {self.max_attempts} attempts", OUTAGE_HINT,
                              transient=True)
        raise SourceError(self.source, call, problem, self._hint(status))

    def _problem(self, response: requests.Response) -> str:
        if response.status_code < 400:  # an outage page served with 200: as transient as a 503
            return f"HTTP {response.status_code} with an HTML page ({_html_title(response)}) instead of data"
        return f"HTTP {response.status_code} {self._short_body(response)}"

    def _no_answer(self, exc: BaseException) -> str:
        return f"{type(exc).__name__} (no answer within {self.timeout:g}s or connection refused)"

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        problem = self._no_answer(exc) if exc else self._problem(state.outcome.result())
        log.warning("%s: %s: %s; retry %d/%d in %.1fs", self.source, getattr(self._current, "call", "GET ?"),
                    problem, state.attempt_number, self.max_attempts - 1, state.upcoming_sleep)

    def _short_body(self, response: requests.Response) -> str:
        text = " ".join(response.text.split())[:200]
        query = urlsplit(response.request.url or "").query if response.request else ""
        for name, secret in parse_qsl(query):
            if name in self.secret_params and secret:
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

    The fetching threads are daemons, not a ThreadPoolExecutor's: Python joins those at exit, so a run stopped
    with Ctrl-C during an outage waited out the backoff of every retry in flight (16 s of FRED's) before it ended.
    """
    workers = max(1, workers)
    jobs: queue.SimpleQueue[tuple[T, Future] | None] = queue.SimpleQueue()

    def work() -> None:
        while (job := jobs.get()) is not None:
            item, future = job
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fetch(item))
                except BaseException as exc:  # noqa: BLE001 (raised in the consumer, in its turn)
                    future.set_exception(exc)

    threads: list[threading.Thread] = []
    pending: deque[tuple[T, Future]] = deque()
    try:
        for i in range(workers):
            threads.append(threading.Thread(target=work, name=f"prefetch-{i}", daemon=True))
            threads[-1].start()
        for item in items:
            future: Future = Future()
            jobs.put((item, future))
            pending.append((item, future))
            if len(pending) >= 2 * workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
    finally:
        # On an error (or an early stop) the fetches not started are dropped, not waited for.
        for _, future in pending:
            future.cancel()
        for _ in threads:
            jobs.put(None)

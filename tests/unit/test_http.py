"""The shared HTTP helper: retries that honour Retry-After, clear errors, secrets kept out of messages."""

import threading
import time

import pytest

from ingestion.emulator.server import Fault
from ingestion.http import RateLimiter, RestClient, SourceError, prefetched, retry_after_seconds


def test_retry_after_forms():
    assert retry_after_seconds("3", 1.0) == 3.0
    assert retry_after_seconds(None, 1.5) == 1.5
    assert retry_after_seconds("garbage", 2.0) == 2.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", 5.0) == 0.0  # a date in the past: go now


def test_429_then_success_waits_as_told(emulator):
    emulator.inject(Fault("/graph/fredgraph.csv", 429, times=2, headers={"Retry-After": "1"}))
    client = RestClient("FRED", emulator.base_url, requests_per_second=0, backoff_seconds=0.01)
    started = time.monotonic()
    response = client.get("/graph/fredgraph.csv", {"id": "GDP"})
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed >= 2.0, "two 429s with Retry-After: 1 must wait at least 2 s"
    assert emulator.requests.count("/graph/fredgraph.csv") == 3


def test_5xx_exhausts_attempts_with_a_clear_error(emulator):
    emulator.inject(Fault("/graph/fredgraph.csv", 503, times=3))
    client = RestClient("FRED", emulator.base_url, requests_per_second=0, backoff_seconds=0.01, max_attempts=3)
    with pytest.raises(SourceError) as caught:
        client.get("/graph/fredgraph.csv", {"id": "GDP"})
    message = str(caught.value)
    assert message.startswith("FRED: GET ")
    assert "HTTP 503" in message and "after 3 attempts" in message and "--mode sample" in message


def test_4xx_is_not_retried_and_masks_the_key(emulator):
    client = RestClient("FRED API", emulator.base_url, requests_per_second=0)
    secret = "s3cr3tkey0123456789abcdef0123456"
    with pytest.raises(SourceError) as caught:
        client.get("/fred/series/observations", {"series_id": "NOPE", "api_key": secret, "file_type": "json"})
    assert secret not in str(caught.value)
    assert "api_key=%2A%2A%2A" in str(caught.value) or "api_key=***" in str(caught.value)
    assert "series does not exist" in str(caught.value)
    assert emulator.requests.count("/fred/series/observations") == 1


def test_connection_refused_is_a_clear_error():
    client = RestClient("FRED", "http://127.0.0.1:9", requests_per_second=0, max_attempts=2, backoff_seconds=0.01,
                        timeout=1)
    with pytest.raises(SourceError, match="connection refused"):
        client.get("/graph/fredgraph.csv", {"id": "GDP"})


def test_rate_limiter_spaces_calls():
    limiter = RateLimiter(per_second=20)
    started = time.monotonic()
    for _ in range(5):
        limiter.wait()
    assert time.monotonic() - started >= 4 / 20 * 0.9


def test_prefetched_keeps_the_order_overlaps_fetches_and_raises_in_turn():
    in_flight, most = [0], [0]
    lock = threading.Lock()

    def fetch(n: int) -> int:
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        time.sleep(0.02 * (5 - n % 5))  # later items finish first
        with lock:
            in_flight[0] -= 1
        if n == 7:
            raise ValueError("item 7")
        return n * n

    seen = []
    with pytest.raises(ValueError, match="item 7"):
        for item, result in prefetched(range(10), fetch, workers=3):
            seen.append((item, result))
    assert seen == [(n, n * n) for n in range(7)], "in order, up to the failing item"
    assert most[0] == 3, "three fetches were in flight at once"


def test_prefetched_stopped_early_drops_what_is_queued_and_ends_its_threads():
    """A consumer that stops (an error downstream, Ctrl-C) leaves no fetching behind: the queued fetches are
    cancelled, and the threads, daemons so that exit never waits for a retry's backoff, end."""
    fetched = []

    def fetch(n: int) -> int:
        fetched.append(n)
        time.sleep(0.05)
        return n

    answers = prefetched(range(100), fetch, workers=2)
    assert next(answers) == (0, 0)
    threads = [t for t in threading.enumerate() if t.name.startswith("prefetch-")]
    assert len(threads) == 2 and all(t.daemon for t in threads)
    answers.close()
    for thread in threads:
        thread.join(timeout=5)
    assert not any(t.is_alive() for t in threads)
    assert len(fetched) <= 2 * 2 + 2, "the fetches queued when it stopped were dropped"

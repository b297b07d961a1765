"""HostLimiter (per-host concurrency and delay) and with_retries (backoff, Retry-After)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler
from itertools import pairwise

import pytest
from loopback_server import LoopbackServer, send

from newsmill.errors import Rejection, TransientError
from newsmill.settings import Settings
from newsmill.tasks.fetch import Fetcher
from newsmill.tasks.fetch.client import RetryableError
from newsmill.tasks.fetch.politeness import BACKOFF_MAX, HostLimiter, with_retries
from newsmill.tasks.models import Source


def slow_page(handler: BaseHTTPRequestHandler, n: int) -> None:
    time.sleep(0.25)
    send(handler, 200, "<p>slow</p>")


def test_the_server_never_sees_more_than_per_host_requests_at_once(
        http_server: LoopbackServer, fetch_settings: Settings) -> None:
    for i in range(8):
        http_server.route(f"/p{i}", slow_page)
    settings = fetch_settings.replace(fetch_per_host=2, fetch_concurrency=8,
                                      respect_robots=False)
    fetcher = Fetcher(settings)
    try:
        outcomes = fetcher.fetch_all([Source(http_server.url(f"/p{i}"), "url")
                                      for i in range(8)])
    finally:
        fetcher.close()
    assert all(o.rejection is None for o in outcomes)
    assert http_server.total_hits == 8
    assert http_server.max_in_flight == 2  # the cap, and used: not serialised either


def test_the_host_delay_spaces_request_starts(http_server: LoopbackServer,
                                              fetch_settings: Settings) -> None:
    for name in "abc":
        http_server.route(f"/{name}", lambda h, n: send(h, 200, "<p>x</p>"))
    settings = fetch_settings.replace(fetch_host_delay=0.3, fetch_per_host=4,
                                      respect_robots=False)
    fetcher = Fetcher(settings)
    try:
        fetcher.fetch_all([Source(http_server.url(f"/{n}"), "url") for n in "abc"])
    finally:
        fetcher.close()
    starts = sorted(r.started for r in http_server.requests)
    gaps = [b - a for a, b in pairwise(starts)]
    assert len(gaps) == 2 and min(gaps) >= 0.25, gaps


def _enter_together(limiter: HostLimiter, hosts: list[str], hold: float = 0.0
                    ) -> tuple[list[tuple[str, float]], int]:
    """Threads that each take a slot for their host; (entry times, most inside at once)."""
    entries: list[tuple[str, float]] = []
    inside = 0
    most = 0
    lock = threading.Lock()
    barrier = threading.Barrier(len(hosts))

    def worker(host: str) -> None:
        nonlocal inside, most
        barrier.wait()
        with limiter.slot(host):
            with lock:
                entries.append((host, time.monotonic()))
                inside += 1
                most = max(most, inside)
            time.sleep(hold)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=worker, args=(h,)) for h in hosts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    return entries, most


def test_limiter_caps_concurrency_per_host() -> None:
    _entries, most = _enter_together(HostLimiter(3, 0.0), ["a"] * 9, hold=0.1)
    assert most == 3


def test_limiter_keeps_hosts_independent() -> None:
    started = time.monotonic()
    _entries, most = _enter_together(HostLimiter(1, 0.0), ["a", "b", "c", "d"], hold=0.3)
    assert most == 4  # one slot per host, four hosts
    assert time.monotonic() - started < 0.9


def test_limiter_delay_between_starts() -> None:
    entries, _most = _enter_together(HostLimiter(4, 0.2), ["a"] * 4)
    times = sorted(t for _h, t in entries)
    gaps = [b - a for a, b in pairwise(times)]
    assert min(gaps) >= 0.19, gaps


def test_limiter_set_delay_only_raises_the_delay() -> None:
    limiter = HostLimiter(4, 0.2)
    limiter.set_delay("slow", 0.4)
    limiter.set_delay("fast", 0.05)  # below the configured delay: the configured one stays
    for host, least in (("slow", 0.39), ("fast", 0.19)):
        entries, _ = _enter_together(limiter, [host] * 2)
        first, second = sorted(t for _h, t in entries)
        assert second - first >= least, (host, second - first)


# -- with_retries -------------------------------------------------------------------------------

class Flaky:
    """Fails with the given errors in turn, then returns "ok"."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def test_retry_after_is_used_as_the_wait() -> None:
    waits: list[float] = []
    attempt = Flaky(RetryableError("HTTP 429", 3.0), RetryableError("HTTP 503", 0.0))
    assert with_retries(attempt, retries=2, what="u", sleep=waits.append) == "ok"
    assert waits == [3.0, 0.0] and attempt.calls == 3


def test_backoff_doubles_with_jitter_without_retry_after() -> None:
    waits: list[float] = []
    attempt = Flaky(*(TransientError("reset") for _ in range(3)),
                    RetryableError("HTTP 500", None))
    assert with_retries(attempt, retries=4, what="u", sleep=waits.append) == "ok"
    for wait, base in zip(waits, (0.5, 1.0, 2.0, 4.0), strict=True):
        assert base <= wait <= base * 1.5


def test_backoff_is_capped() -> None:
    waits: list[float] = []
    attempt = Flaky(*(TransientError("reset") for _ in range(10)))
    assert with_retries(attempt, retries=10, what="u", sleep=waits.append) == "ok"
    assert BACKOFF_MAX <= waits[-1] <= BACKOFF_MAX * 1.5
    assert max(waits) <= BACKOFF_MAX * 1.5


def test_giving_up_is_a_rejection_with_the_last_failure() -> None:
    waits: list[float] = []
    attempt = Flaky(*(RetryableError(f"HTTP 50{i}", 1.0) for i in range(5)))
    with pytest.raises(Rejection) as caught:
        with_retries(attempt, retries=2, what="http://x/", sleep=waits.append)
    assert (caught.value.stage, caught.value.reason) == ("fetch", "gave_up")
    assert "HTTP 502" in caught.value.detail and "after 3 attempts" in caught.value.detail
    assert "http://x/" in caught.value.detail
    assert attempt.calls == 3 and waits == [1.0, 1.0]


def test_rejections_are_not_retried() -> None:
    waits: list[float] = []
    attempt = Flaky(Rejection("fetch", "too_large", "big"))
    with pytest.raises(Rejection) as caught:
        with_retries(attempt, retries=5, what="u", sleep=waits.append)
    assert caught.value.reason == "too_large" and attempt.calls == 1 and waits == []


def test_no_retries_means_one_attempt() -> None:
    waits: list[float] = []
    attempt = Flaky(TransientError("reset"))
    with pytest.raises(Rejection):
        with_retries(attempt, retries=0, what="u", sleep=waits.append)
    assert attempt.calls == 1 and waits == []

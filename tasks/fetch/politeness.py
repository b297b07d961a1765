"""Being a good citizen: per-host concurrency and delay, retries with backoff and jitter."""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from newsmill.errors import Rejection, TransientError

T = TypeVar("T")

#: First retry delay in seconds; doubled on each attempt, plus up to 50% random jitter so
#: that many clients retrying at once do not hit a recovering server together.
BACKOFF_BASE = 0.5
#: Longest wait between two attempts.
BACKOFF_MAX = 60.0


class HostLimiter:
    """At most ``per_host`` requests at a time to one host, starting at least ``delay``
    seconds apart (or the host's robots.txt Crawl-delay, when larger)."""

    def __init__(self, per_host: int, delay: float) -> None:
        self.per_host = per_host
        self.delay = delay
        self._lock = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = defaultdict(
            lambda: threading.Semaphore(per_host))
        self._next_start: dict[str, float] = {}
        self._host_delay: dict[str, float] = {}

    def set_delay(self, host: str, seconds: float) -> None:
        with self._lock:
            self._host_delay[host] = max(self.delay, seconds)

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._lock:
            semaphore = self._slots[host]
        semaphore.acquire()
        try:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start.get(host, now))
                self._next_start[host] = start + self._host_delay.get(host, self.delay)
            if start > now:
                time.sleep(start - now)
            yield
        finally:
            semaphore.release()


def with_retries(attempt: Callable[[], T], *, retries: int, what: str,
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """``attempt()``, retried after transient failures; a :class:`Rejection` once the retry
    budget is spent, with the last failure as its detail."""
    failures = 0
    while True:
        try:
            return attempt()
        except TransientError as exc:
            if failures >= retries:
                raise Rejection("fetch", "gave_up",
                                f"{exc} (after {failures + 1} attempts) for {what}") from exc
            wait = getattr(exc, "retry_after", None)
            if wait is None:
                wait = min(BACKOFF_BASE * 2**failures, BACKOFF_MAX) * (1 + random.random() / 2)
            sleep(wait)
            failures += 1

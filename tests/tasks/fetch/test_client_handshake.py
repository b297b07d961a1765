"""The total fetch deadline (NEWSMILL_FETCH_TOTAL_TIMEOUT) holds before a request is even
sent: while a server that accepted the connection never completes the TLS handshake, and while
the name is being resolved."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from newsmill.settings import Settings
from newsmill.tasks.fetch import Fetcher
from newsmill.tasks.models import Source

#: The silent server gives up by itself after this long, whatever the client does.
SERVER_LIFETIME = 30.0


@pytest.fixture
def silent_server() -> Iterator[tuple[int, list[float]]]:
    """A TCP server on 127.0.0.1 that accepts every connection and never sends a byte (a TLS
    client waits for its ServerHello for ever); yields its port and the accept times."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()
    accepted: list[float] = []
    held: list[socket.socket] = []

    def serve() -> None:
        ends = time.monotonic() + SERVER_LIFETIME
        listener.settimeout(0.1)
        with listener:
            while not stop.is_set() and time.monotonic() < ends:
                try:
                    conn, _ = listener.accept()
                except TimeoutError:
                    continue
                accepted.append(time.monotonic())
                held.append(conn)  # kept open, silent
        for conn in held:
            conn.close()

    thread = threading.Thread(target=serve, name="silent-server", daemon=True)
    thread.start()
    try:
        yield port, accepted
    finally:
        stop.set()
        thread.join(timeout=5.0)
        assert not thread.is_alive(), "the silent server did not stop"


def _fetch(settings: Settings, url: str) -> tuple[Any, float]:
    fetcher = Fetcher(settings)
    started = time.monotonic()
    try:
        outcome = fetcher.fetch_one(Source(url, "url"))
    finally:
        fetcher.close()
    return outcome, time.monotonic() - started


def test_a_tls_handshake_that_never_completes_hits_the_total_deadline(
    silent_server: tuple[int, list[float]], fetch_settings: Settings,
) -> None:
    port, accepted = silent_server
    settings = fetch_settings.replace(fetch_total_timeout=2.0, fetch_timeout=10.0,
                                      fetch_retries=0, respect_robots=False)
    outcome, elapsed = _fetch(settings, f"https://127.0.0.1:{port}/article")
    assert elapsed < 4.0, f"the fetch took {elapsed:.1f}s against a 2s total deadline"
    assert outcome.rejection is not None, f"expected a rejection, got {outcome.response}"
    assert (outcome.rejection.stage, outcome.rejection.reason) == ("fetch", "gave_up")
    assert "in total" in outcome.rejection.detail
    assert len(accepted) == 1  # it did connect: the wait was the handshake


def test_a_slow_name_lookup_hits_the_total_deadline(
    silent_server: tuple[int, list[float]], fetch_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A resolver that takes 8 s to answer (a slow or unreachable DNS server; the system's
    resolver cannot be pointed at a slow one from a test, so ``getaddrinfo`` is made to wait,
    then answers 127.0.0.1) against a 2 s total deadline."""
    port, accepted = silent_server
    real = socket.getaddrinfo
    lookups: list[str] = []

    def slow_getaddrinfo(host: str, *args: Any, **kwargs: Any) -> Any:
        lookups.append(host)
        if host == "slow-dns.test":
            time.sleep(8.0)
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_getaddrinfo)
    settings = fetch_settings.replace(fetch_total_timeout=2.0, fetch_timeout=10.0,
                                      fetch_retries=0, respect_robots=False,
                                      fetch_allow_hosts="slow-dns.test,127.0.0.1")
    outcome, elapsed = _fetch(settings, f"http://slow-dns.test:{port}/article")
    assert lookups.count("slow-dns.test") >= 1
    assert elapsed < 4.0, f"the fetch took {elapsed:.1f}s against a 2s total deadline"
    assert outcome.rejection is not None, f"expected a rejection, got {outcome.response}"
    assert (outcome.rejection.stage, outcome.rejection.reason) == ("fetch", "gave_up")
    assert "in total" in outcome.rejection.detail
    assert accepted == []  # never got as far as connecting


def test_a_slow_name_lookup_is_bounded_by_the_connect_timeout_too(
    fetch_settings: Settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Resolving is part of connecting: with 1 s to connect and 10 s in total, a lookup that
    takes 8 s fails after about 1 s, as a connection timeout."""
    real = socket.getaddrinfo

    def slow_getaddrinfo(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "slow-dns.test":
            time.sleep(8.0)
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_getaddrinfo)
    settings = fetch_settings.replace(fetch_total_timeout=10.0, fetch_timeout=1.0,
                                      fetch_retries=0, respect_robots=False,
                                      fetch_allow_hosts="slow-dns.test")
    outcome, elapsed = _fetch(settings, "http://slow-dns.test:9/article")
    assert elapsed < 3.0, f"the fetch took {elapsed:.1f}s against a 1s connect timeout"
    assert outcome.rejection is not None, f"expected a rejection, got {outcome.response}"
    assert (outcome.rejection.stage, outcome.rejection.reason) == ("fetch", "gave_up")
    assert "timed out" in outcome.rejection.detail, outcome.rejection.detail

"""The total fetch deadline holds while the status line and headers trickle in, not only
while the body does: a read timeout alone is reset by every byte that arrives."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from loopback_server import LoopbackServer, redirect

from newsmill.settings import Settings
from newsmill.tasks.fetch import Fetcher
from newsmill.tasks.models import Source

#: What the server drips, one byte at a time: a status line and headers that never end.
TRICKLE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
           + b"".join(b"X-Pad-%d: %s\r\n" % (n, b"y" * 20) for n in range(200)))
BYTE_GAP = 0.2
#: The server gives up by itself after this long, whatever the client does.
SERVER_LIFETIME = 30.0


@dataclass
class TrickleServer:
    url: str
    stop: threading.Event
    thread: threading.Thread
    connections: list[float]


def _serve(listener: socket.socket, stop: threading.Event, connections: list[float]) -> None:
    """Accept connections and drip :data:`TRICKLE` to each, one connection at a time, until
    ``stop`` is set, the client goes away, or :data:`SERVER_LIFETIME` has passed."""
    ends = time.monotonic() + SERVER_LIFETIME
    listener.settimeout(0.1)
    with listener:
        while not stop.is_set() and time.monotonic() < ends:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            connections.append(time.monotonic())
            with conn:
                conn.settimeout(1.0)
                for byte in TRICKLE:
                    if stop.is_set() or time.monotonic() >= ends:
                        break
                    try:
                        conn.sendall(bytes([byte]))
                    except OSError:  # the client closed the connection: it gave up
                        break
                    stop.wait(BYTE_GAP)


@pytest.fixture
def trickle_server() -> Iterator[TrickleServer]:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    stop = threading.Event()
    connections: list[float] = []
    thread = threading.Thread(target=_serve, args=(listener, stop, connections),
                              name="trickle-server", daemon=True)
    thread.start()
    try:
        yield TrickleServer(f"http://127.0.0.1:{port}/slow-headers", stop, thread, connections)
    finally:
        stop.set()
        thread.join(timeout=5.0)
        assert not thread.is_alive(), "the trickling server did not stop"


def test_headers_trickling_in_hit_the_total_deadline(trickle_server: TrickleServer,
                                                     fetch_settings: Settings) -> None:
    settings = fetch_settings.replace(fetch_total_timeout=2.0, fetch_timeout=5.0,
                                      fetch_retries=0, respect_robots=False)
    fetcher = Fetcher(settings)
    started = time.monotonic()
    try:
        outcome = fetcher.fetch_one(Source(trickle_server.url, "url"))
    finally:
        fetcher.close()
    elapsed = time.monotonic() - started
    assert elapsed < 4.0, f"the fetch took {elapsed:.1f}s against a 2s total deadline"
    assert elapsed >= 1.5, f"gave up after {elapsed:.1f}s, well before the 2s deadline"
    # Reported as a body overrunning the deadline is: a transient error, given up on.
    assert outcome.rejection is not None, f"expected a rejection, got {outcome.response}"
    assert (outcome.rejection.stage, outcome.rejection.reason) == ("fetch", "gave_up")
    assert "in total" in outcome.rejection.detail
    assert len(trickle_server.connections) == 1


def test_the_total_deadline_spans_every_redirect_hop(http_server: LoopbackServer,
                                                    fetch_settings: Settings) -> None:
    def slow_hop(handler: Any, n: int) -> None:
        time.sleep(0.4)  # far below the read timeout; ten of them far above the deadline
        redirect(handler, f"/hop?{n}")

    http_server.route("/hop", slow_hop)
    settings = fetch_settings.replace(fetch_total_timeout=1.0, fetch_timeout=5.0,
                                      fetch_retries=0, fetch_max_redirects=10,
                                      respect_robots=False)
    fetcher = Fetcher(settings)
    started = time.monotonic()
    try:
        outcome = fetcher.fetch_one(Source(http_server.url("/hop"), "url"))
    finally:
        fetcher.close()
    elapsed = time.monotonic() - started
    assert outcome.rejection is not None, f"expected a rejection, got {outcome.response}"
    assert (outcome.rejection.stage, outcome.rejection.reason) == ("fetch", "gave_up")
    assert "in total" in outcome.rejection.detail
    assert elapsed < 2.0, f"the redirects took {elapsed:.1f}s against a 1s total deadline"
    assert http_server.hits["/hop"] <= 4

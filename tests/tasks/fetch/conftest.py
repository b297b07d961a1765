"""Fixtures for the fetching tests: a loopback HTTP server, settings to reach it, and a guard
against any other traffic.

Every test here runs under :func:`loopback_only`: ``socket.create_connection`` (what the fetch
client connects with) refuses and records any address outside 127.0.0.0/8, so even a
regression in the SSRF guard cannot send a packet anywhere else.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from loopback_server import LoopbackServer, OutsideAttempts, start_server, stop_server

from newsmill.settings import Settings


@pytest.fixture
def http_server() -> Iterator[LoopbackServer]:
    """A ThreadingHTTPServer on 127.0.0.1 (a free port), shut down after the test."""
    server, thread = start_server()
    try:
        yield server
    finally:
        stop_server(server, thread)


@pytest.fixture
def fetch_settings(settings: Settings, tmp_path: Path) -> Settings:
    """Settings for fetching from the loopback server: allowed, no delay, no retries."""
    return settings.replace(fetch_allow_hosts="127.0.0.1", fetch_host_delay=0.0,
                            fetch_retries=0, fetch_timeout=5.0,
                            archive_dir=str(tmp_path / "warc"))


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[OutsideAttempts]:
    """Refuse (and record) any connection to an address outside 127.0.0.0/8."""
    attempts = OutsideAttempts()
    real = socket.create_connection
    loopback = ipaddress.ip_network("127.0.0.0/8")

    def guarded(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        host = str(address[0])
        try:
            inside = ipaddress.ip_address(host.split("%", 1)[0]) in loopback
        except ValueError:
            inside = False
        if not inside:
            attempts.addresses.append(host)
            raise ConnectionRefusedError(f"test guard: no connection to {host} from tests")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    yield attempts
    assert attempts.addresses == [], f"tried to connect outside 127.0.0.0/8: {attempts}"

"""SSRF: no loopback, private, link-local ... address is fetched unless allow-listed, and the
refusal comes before any connection. Pure checks use literal IPs or a faked resolver; nothing
here resolves a real public name or connects outside 127.0.0.0/8."""

from __future__ import annotations

import ipaddress
import socket
import time
from typing import Any

import pytest
from loopback_server import LoopbackServer, OutsideAttempts, send

from newsmill.errors import Rejection
from newsmill.settings import Settings
from newsmill.tasks.fetch import Fetcher, FetchOutcome
from newsmill.tasks.fetch import guard as guard_module
from newsmill.tasks.fetch.guard import AddressGuard, address_kind
from newsmill.tasks.models import Source

ip = ipaddress.ip_address


def fetch(settings: Settings, url: str) -> FetchOutcome:
    fetcher = Fetcher(settings)
    try:
        return fetcher.fetch_one(Source(url, "url"))
    finally:
        fetcher.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "[::ffff:127.0.0.1]",
                                  "127.1.2.3"])
@pytest.mark.parametrize("robots", [True, False])
def test_loopback_is_refused_without_an_allow_list(
        http_server: LoopbackServer, settings: Settings, loopback_only: OutsideAttempts,
        host: str, robots: bool) -> None:
    http_server.route("/", lambda h, n: send(h, 200, "<p>secret</p>"))
    unguarded = settings.replace(fetch_host_delay=0.0, fetch_retries=2,
                                 respect_robots=robots)
    assert unguarded.fetch_allow_hosts == ""
    started = time.monotonic()
    outcome = fetch(unguarded, f"http://{host}:{http_server.port}/")
    assert outcome.rejection is not None and outcome.rejection.reason == "forbidden_address"
    assert time.monotonic() - started < 1.0
    assert http_server.total_hits == 0  # neither robots.txt nor the page
    assert loopback_only.addresses == []


def test_the_allow_list_lets_the_loopback_server_through(http_server: LoopbackServer,
                                                         fetch_settings: Settings) -> None:
    http_server.route("/", lambda h, n: send(h, 200, "<p>fine</p>"))
    outcome = fetch(fetch_settings, http_server.url("/"))
    assert outcome.rejection is None and outcome.response is not None
    assert http_server.hits["/"] == 1


def test_from_setting_parses_hosts_ips_and_cidrs() -> None:
    guard = AddressGuard.from_setting("127.0.0.0/8, example.internal")
    assert guard.allow_networks == (ipaddress.ip_network("127.0.0.0/8"),)
    assert guard.allow_hosts == frozenset({"example.internal"})

    mixed = AddressGuard.from_setting(" 10.0.0.7 ,, Intranet.Example. ,192.168.0.0/16,::1, ")
    assert mixed.allow_hosts == frozenset({"intranet.example"})
    assert set(mixed.allow_networks) == {ipaddress.ip_network("10.0.0.7/32"),
                                         ipaddress.ip_network("192.168.0.0/16"),
                                         ipaddress.ip_network("::1/128")}
    assert AddressGuard.from_setting("") == AddressGuard()
    # A CIDR with host bits set is taken as its network, not as a host name.
    assert AddressGuard.from_setting("10.1.2.3/8").allow_networks == (
        ipaddress.ip_network("10.0.0.0/8"),)


def test_allows_by_network_and_by_host_name() -> None:
    guard = AddressGuard.from_setting("127.0.0.0/8, example.internal")
    assert guard.allows("anything", ip("127.0.0.1"))
    assert guard.allows("anything", ip("127.200.0.9"))
    assert guard.allows("example.internal", ip("10.9.8.7"))
    assert guard.allows("EXAMPLE.internal.", ip("10.9.8.7"))
    assert not guard.allows("other.internal", ip("10.9.8.7"))
    assert not guard.allows("anything", ip("::1"))  # a v4 network does not cover ::1
    assert not guard.allows("anything", ip("169.254.169.254"))


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"),
    ("10.1.2.3", "private"), ("172.16.0.1", "private"), ("192.168.1.1", "private"),
    ("fd00::1", "private"), ("::ffff:10.0.0.1", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
    ("0.0.0.0", "unspecified"), ("::", "unspecified"),
    ("100.64.0.1", "reserved"), ("192.0.2.1", "private"),  # Python's labels: TEST-NET-1
    ("240.0.0.1", "private"),
    ("93.184.216.34", None), ("2606:2800:220:1:248:1893:25c8:1946", None), ("8.8.8.8", None),
])
def test_address_kinds(address: str, kind: str | None) -> None:
    assert address_kind(ip(address)) == kind
    assert AddressGuard().allows("host", ip(address)) is (kind is None)


def test_a_public_literal_ip_is_allowed_by_the_pure_check(loopback_only: OutsideAttempts
                                                          ) -> None:
    assert AddressGuard().allows("93.184.216.34", ip("93.184.216.34"))
    assert loopback_only.addresses == []  # a pure check: nothing was connected


def test_resolve_refuses_private_literals_without_dns() -> None:
    guard = AddressGuard()
    for literal in ("10.1.2.3", "169.254.169.254", "::1", "::ffff:127.0.0.1"):
        with pytest.raises(Rejection) as caught:
            guard.resolve(literal, 80)
        assert caught.value.reason == "forbidden_address"
        assert str(address_kind(ip(literal))) in caught.value.detail
    assert AddressGuard.from_setting("127.0.0.1").resolve("127.0.0.1", 80) == ["127.0.0.1"]
    assert "127.0.0.1" in AddressGuard.from_setting("localhost").resolve("localhost", 80)


def _fake_dns(monkeypatch: pytest.MonkeyPatch, table: dict[str, list[str]]) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in table:
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port) if ":" not in a else (a, port, 0, 0)) for a in table[host]]

    monkeypatch.setattr(guard_module.socket, "getaddrinfo", getaddrinfo)


def test_a_name_resolving_to_public_and_private_addresses_is_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dns(monkeypatch, {"mixed.test": ["93.184.216.34", "10.0.0.1"],
                            "public.test": ["93.184.216.34"]})
    with pytest.raises(Rejection) as caught:
        AddressGuard().resolve("mixed.test", 80)
    assert caught.value.reason == "forbidden_address" and "10.0.0.1" in caught.value.detail
    assert AddressGuard().resolve("public.test", 80) == ["93.184.216.34"]  # resolved, not fetched


def test_a_host_name_on_the_allow_list_is_fetched_at_the_address_checked(
        monkeypatch: pytest.MonkeyPatch, http_server: LoopbackServer, settings: Settings) -> None:
    _fake_dns(monkeypatch, {"news.test": ["127.0.0.1"]})
    http_server.route("/page", lambda h, n: send(h, 200, "<p>hi</p>"))
    url = f"http://news.test:{http_server.port}/page"
    base = settings.replace(fetch_host_delay=0.0, respect_robots=False)

    refused = fetch(base, url)
    assert refused.rejection is not None and refused.rejection.reason == "forbidden_address"
    assert http_server.total_hits == 0

    allowed = fetch(base.replace(fetch_allow_hosts="news.test"), url)
    assert allowed.rejection is None and allowed.response is not None
    assert http_server.hits["/page"] == 1
    assert http_server.seen("/page")[0].headers["Host"] == f"news.test:{http_server.port}"

"""Refusing server-side request forgery: only public addresses, unless allow-listed.

Flows are triggered from a UI with user-typed URLs, so a URL must not reach the machine itself
or the private network behind it. The check runs on the addresses a host name resolves to, and
the connection is made to exactly the address that was checked (no second DNS lookup that a
rebinding attack could answer differently). Redirects are followed by hand, so every hop passes
through here again.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

from newsmill.errors import Rejection, TransientError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def address_kind(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public address ("loopback", "private" ...), or None if it is."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return address_kind(ip.ipv4_mapped)
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_private:
        return "private"
    if ip.is_reserved or not ip.is_global:
        return "reserved"
    return None


@dataclass(frozen=True)
class AddressGuard:
    """Which hosts and networks may be fetched although they are not public."""

    allow_hosts: frozenset[str] = frozenset()
    allow_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_setting(cls, value: str) -> AddressGuard:
        """Parse ``NEWSMILL_FETCH_ALLOW_HOSTS``: comma-separated host names, IPs and CIDRs."""
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for item in (part.strip() for part in value.split(",")):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                hosts.add(item.lower().rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def allows(self, host: str, ip: IPAddress) -> bool:
        if address_kind(ip) is None:
            return True
        if host.lower().rstrip(".") in self.allow_hosts:
            return True
        return any(ip in network for network in self.allow_networks
                   if network.version == ip.version)

    def resolve(self, host: str, port: int) -> list[str]:
        """The addresses of ``host`` to connect to; refuses the host if any is forbidden.

        Refusing when *any* resolved address is forbidden (rather than skipping it) keeps a
        name that mixes public and private addresses from reaching the private one later.
        """
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            if exc.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5)):
                raise Rejection("fetch", "unknown_host", f"{host} does not resolve") from exc
            raise TransientError(f"DNS lookup for {host} failed: {exc}") from exc
        addresses: list[str] = []
        for info in infos:
            literal = str(info[4][0]).split("%", 1)[0]
            ip = ipaddress.ip_address(literal)
            if not self.allows(host, ip):
                raise Rejection(
                    "fetch", "forbidden_address",
                    f"{host} resolves to {ip}, a {address_kind(ip)} address; only public "
                    "addresses are fetched unless NEWSMILL_FETCH_ALLOW_HOSTS lists the host",
                )
            if literal not in addresses:
                addresses.append(literal)
        return addresses

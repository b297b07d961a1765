"""robots.txt, fetched once per origin and kept in the warehouse for ``ROBOTS_TTL``.

Follows RFC 9309: a 4xx answer means no rules (everything allowed); a 5xx answer or no answer
means "unreachable", so nothing is fetched from that origin until it can be read (and that
failure is kept only briefly). Only the first 500 KiB are read, as the RFC allows.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from newsmill.errors import NewsmillError, Rejection
from newsmill.tasks.fetch.client import HttpClient, RetryableError
from newsmill.tasks.fetch.politeness import HostLimiter

ROBOTS_MAX_BYTES = 500 * 1024
#: How long a fetched robots.txt is trusted (the RFC suggests no more than 24 hours).
ROBOTS_TTL = timedelta(hours=24)
#: How long an unreachable robots.txt (5xx, timeout) blocks its origin before a new try.
ROBOTS_FAILURE_TTL = timedelta(minutes=30)
#: Longest Crawl-delay honoured; a larger one would stall a batch for no good reason.
MAX_CRAWL_DELAY = 30.0


@dataclass(frozen=True)
class RobotsRecord:
    """What an origin's robots.txt said when it was fetched (a ``robots`` table row)."""

    origin: str
    fetched_at: datetime
    status: int  # HTTP status, or 0 when the server could not be reached
    body: str

    def fresh(self, now: datetime) -> bool:
        ttl = ROBOTS_FAILURE_TTL if self.unreachable else ROBOTS_TTL
        return now - self.fetched_at < ttl

    @property
    def unreachable(self) -> bool:
        return self.status == 0 or self.status >= 500


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    port = f":{parts.port}" if parts.port and parts.port != default else ""
    return f"{parts.scheme.lower()}://{host}{port}"


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups match: "newsmill" in "newsmill/0.1 (...)"."""
    return user_agent.split("/", 1)[0].split()[0] if user_agent.strip() else "*"


class RobotsPolicy:
    """Answers "may we fetch this URL?" per origin, fetching robots.txt when not cached."""

    def __init__(self, *, client: HttpClient, limiter: HostLimiter, user_agent: str,
                 known: dict[str, RobotsRecord], now: datetime) -> None:
        self.client = client
        self.limiter = limiter
        self.agent = agent_token(user_agent)
        self.now = now
        self.records = {o: r for o, r in known.items() if r.fresh(now)}
        self.fetched: list[RobotsRecord] = []  # new records, for the warehouse
        self._parsers: dict[str, RobotFileParser] = {}
        self._lock = threading.Lock()
        self._origin_locks: dict[str, threading.Lock] = {}

    def check(self, url: str) -> None:
        """Raise a Rejection when robots.txt forbids ``url`` (or cannot be read)."""
        origin = origin_of(url)
        record = self._record(origin)
        if record.unreachable:
            raise Rejection("fetch", "robots_unreachable",
                            f"{origin}/robots.txt could not be read "
                            f"(HTTP {record.status or 'none'}); nothing is fetched from it "
                            "until it can be")
        parser = self._parser(record)
        if not parser.can_fetch(self.agent, url):
            raise Rejection("fetch", "robots_disallowed",
                            f"{origin}/robots.txt disallows {urlsplit(url).path or '/'} "
                            f"for {self.agent}")
        delay = parser.crawl_delay(self.agent)
        if delay:
            self.limiter.set_delay(urlsplit(url).hostname or "", min(float(delay), MAX_CRAWL_DELAY))

    def _record(self, origin: str) -> RobotsRecord:
        with self._lock:
            lock = self._origin_locks.setdefault(origin, threading.Lock())
        with lock:  # one fetch of robots.txt per origin, however many threads ask
            if origin not in self.records:
                self.records[origin] = self._fetch(origin)
                self.fetched.append(self.records[origin])
            return self.records[origin]

    def _fetch(self, origin: str) -> RobotsRecord:
        url = origin + "/robots.txt"
        try:
            with self.limiter.slot(urlsplit(url).hostname or ""):
                # Only the first 500 KiB count (RFC 9309); the rest is cut, not refused.
                response = self.client.get(url, accept="text/plain,*/*;q=0.5",
                                           max_bytes=ROBOTS_MAX_BYTES, truncate=True)
        except Rejection as exc:
            if exc.reason in {"forbidden_address", "unknown_host", "unsupported_scheme",
                              "bad_url"}:
                raise  # about the URL itself, not about robots.txt
            return RobotsRecord(origin, self.now, 0, "")
        except RetryableError as exc:  # 429 and 5xx: keep the status for people to read
            return RobotsRecord(origin, self.now, exc.status or 0, "")
        except NewsmillError:
            return RobotsRecord(origin, self.now, 0, "")
        if 400 <= response.status < 500:
            return RobotsRecord(origin, self.now, response.status, "")
        return RobotsRecord(origin, self.now, response.status,
                            response.body.decode("utf-8", errors="replace"))

    def _parser(self, record: RobotsRecord) -> RobotFileParser:
        with self._lock:
            parser = self._parsers.get(record.origin)
            if parser is None:
                parser = RobotFileParser()
                parser.parse(record.body.splitlines())
                self._parsers[record.origin] = parser
            return parser

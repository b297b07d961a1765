"""An HTTP client that is safe to point at user-typed URLs.

* every connection goes through :class:`~tasks.fetch.guard.AddressGuard` (SSRF), to the very
  address that was checked;
* redirects are followed by hand, each hop checked again, at most ``max_redirects``;
* a timeout for connecting and for each read, a total deadline for the whole request
  (resolving the name, connecting, the TLS handshake, headers, body, every redirect hop: a
  watchdog shuts the socket down when it passes, since a read timeout restarts with every
  byte that trickles in; a name lookup is waited for only until then), and a body cap
  enforced while streaming (after decompression, so a gzip bomb stops at the cap);
* conditional GET: ``If-None-Match`` / ``If-Modified-Since`` when the caller knows them;
* failures are mapped once: timeouts, connection errors, 429 and 5xx are transient (with the
  server's ``Retry-After``), everything else a :class:`Rejection` with a reason.
"""

from __future__ import annotations

import contextlib
import email.utils
import socket
import threading
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from newsmill.errors import NewsmillError, Rejection, TransientError
from newsmill.tasks.fetch.guard import AddressGuard

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
READ_CHUNK = 64 * 1024
#: Longest ``Retry-After`` honoured, so that one slow server cannot stall a batch for long.
MAX_RETRY_AFTER = 60.0


class RetryableError(TransientError):
    """A transient failure carrying the server's requested wait, if it gave one."""

    def __init__(self, message: str, retry_after: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status

    def __reduce__(self) -> tuple[type[RetryableError], tuple[str, float | None, int | None]]:
        return (RetryableError, (str(self), self.retry_after, self.status))


@dataclass(frozen=True)
class Response:
    """A complete response: status, the headers we keep, the (decoded) body."""

    url: str
    final_url: str
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    fetched_at: datetime
    redirects: tuple[str, ...] = field(default=())

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    @property
    def content_type(self) -> tuple[str | None, str | None]:
        """``(media type, charset)`` from the Content-Type header."""
        value = self.header("Content-Type")
        if not value:
            return None, None
        main, *params = (part.strip() for part in value.split(";"))
        charset = None
        for param in params:
            key, _, raw = param.partition("=")
            if key.strip().lower() == "charset":
                charset = raw.strip().strip('"') or None
        return main.lower(), charset


class _Deadline:
    """The total deadline of one :meth:`HttpClient.get`, enforced by a watchdog.

    A read timeout only bounds the gap between two bytes, so a server trickling its status
    line and headers could hold a request for ever. The connection in use registers its
    socket here (:meth:`watch`); when the deadline passes, a timer shuts that socket down,
    which unblocks any read on it at once, and :attr:`expired` tells the failure apart from
    a genuine broken connection. :meth:`unwatch` must come before the connection goes back
    to the pool, so the watchdog never touches a socket another request is using.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.cancel()
        self.unwatch()

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def passed(self) -> bool:
        return self.expired or self.remaining() <= 0

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sock = sock
            if self.expired:
                _shutdown(sock)

    def unwatch(self) -> None:
        with self._lock:
            self._sock = None

    def expire(self) -> None:
        """Time is up now (a wait that ran to the deadline found it first)."""
        self._fire()

    def _fire(self) -> None:
        with self._lock:
            self.expired = True
            if self._sock is not None:
                _shutdown(self._sock)

    def error(self) -> TransientError:
        """What running out of time is reported as, whichever part of the request it hit."""
        return TransientError(f"the response took longer than {self.seconds}s in total")


def _shutdown(sock: socket.socket) -> None:
    """Shut ``sock`` down under a read blocked on it in another thread. The plain socket's
    method, not ``SSLSocket.shutdown``: that one also drops the TLS state the reader uses."""
    with contextlib.suppress(OSError):  # already closed: nothing left to unblock
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


#: The deadline of the request this thread is making, for its connection to register with.
_current_deadline: ContextVar[_Deadline | None] = ContextVar("newsmill_fetch_deadline",
                                                             default=None)


def _watch(sock: socket.socket | None) -> None:
    deadline = _current_deadline.get()
    if deadline is not None:
        deadline.watch(sock)


def _resolve_in_time(guard: AddressGuard, conn: HTTPConnection) -> list[str]:
    """``guard.resolve`` of the connection's host, waited for no longer than the connect
    timeout and the current request's deadline allow.

    ``getaddrinfo`` has no timeout of its own and no socket the watchdog could shut down (a
    resolver that does not answer holds it for the system's retries, 5 s per server and
    attempt by default), so the lookup runs in a helper thread; past the limit the request
    fails as a timeout, and the thread ends when the resolver gives up."""
    deadline = _current_deadline.get()
    limits = [float(conn.timeout)] if isinstance(conn.timeout, (int, float)) else []
    if deadline is not None:
        limits.append(max(deadline.remaining(), 0.0))
    if not limits:
        return guard.resolve(conn.host, conn.port)
    outcome: list[list[str] | BaseException] = []

    def lookup() -> None:
        try:
            outcome.append(guard.resolve(conn.host, conn.port))
        except BaseException as exc:  # handed to the waiting thread, raised there
            outcome.append(exc)

    helper = threading.Thread(target=lookup, name=f"newsmill-resolve-{conn.host}", daemon=True)
    helper.start()
    helper.join(min(limits))
    if not outcome:
        if deadline is not None and deadline.remaining() <= min(limits) + 0.001:
            deadline.expire()  # the deadline, not the connect timeout, was the limit
        raise ConnectTimeoutError(conn, f"resolving {conn.host} took more than "
                                        f"{min(limits):.1f}s")
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _guarded_classes(guard: AddressGuard) -> dict[str, type[HTTPConnectionPool]]:
    """Connection pool classes whose connections only reach addresses ``guard`` allows, and
    whose sockets the current request's deadline watches: a fresh one once connected, every
    one (pooled, or wrapped in TLS) before its response is read. A TLS handshake itself is
    bounded by the connect timeout, which :meth:`HttpClient._request` cuts to the deadline."""

    def new_conn(conn: HTTPConnection) -> socket.socket:
        last: OSError | None = None
        for address in _resolve_in_time(guard, conn):
            try:
                sock = socket.create_connection((address, conn.port), conn.timeout,
                                                source_address=conn.source_address)
            except OSError as exc:
                last = exc
                continue
            for option in conn.socket_options or ():
                sock.setsockopt(*option)
            _watch(sock)
            return sock
        raise NewConnectionError(conn, f"Failed to establish a new connection: {last}")

    class GuardedHTTPConnection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return new_conn(self)

        def getresponse(self) -> urllib3.HTTPResponse:  # type: ignore[override]
            _watch(self.sock)
            return super().getresponse()

    class GuardedHTTPSConnection(HTTPSConnection):
        def _new_conn(self) -> socket.socket:
            return new_conn(self)

        def getresponse(self) -> urllib3.HTTPResponse:  # type: ignore[override]
            _watch(self.sock)
            return super().getresponse()

    class GuardedHTTPPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    return {"http": GuardedHTTPPool, "https": GuardedHTTPSPool}


class HttpClient:
    """One per batch: a guarded connection pool and the fetch limits."""

    def __init__(
        self,
        *,
        guard: AddressGuard,
        user_agent: str,
        timeout: float,
        max_bytes: int,
        max_redirects: int,
        total_timeout: float = 60.0,
        max_pools: int = 50,
    ) -> None:
        self.user_agent = user_agent
        self.timeout = timeout
        self.total_timeout = total_timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        # Certificates are always verified: no insecure fallback, whatever the failure.
        self.pool = urllib3.PoolManager(num_pools=max_pools, maxsize=4, cert_reqs="CERT_REQUIRED",
                                        retries=False)
        self.pool.pool_classes_by_scheme = _guarded_classes(guard)

    def close(self) -> None:
        self.pool.clear()

    def get(
        self,
        url: str,
        *,
        accept: str = "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
        etag: str | None = None,
        last_modified: str | None = None,
        max_bytes: int | None = None,
        truncate: bool = False,
        check_hop: Callable[[str], None] | None = None,
    ) -> Response:
        """GET ``url`` once (no retries here), following redirects by hand.

        ``truncate`` keeps the first ``max_bytes`` of a longer body instead of refusing it;
        ``check_hop`` is called with every redirect target before it is requested (robots.txt
        applies to where a redirect leads, too).
        """
        headers = {"User-Agent": self.user_agent, "Accept": accept,
                   "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        deadline = _Deadline(self.total_timeout)
        token = _current_deadline.set(deadline)
        deadline.start()
        try:
            return self._follow(url, headers, deadline,
                                self.max_bytes if max_bytes is None else max_bytes, truncate,
                                check_hop)
        finally:
            deadline.stop()
            _current_deadline.reset(token)

    def _follow(self, url: str, headers: Mapping[str, str], deadline: _Deadline,
                max_bytes: int, truncate: bool, check_hop: Callable[[str], None] | None,
                ) -> Response:
        current = url
        hops: list[str] = []
        while True:
            _check_scheme(current)
            if deadline.passed():
                raise deadline.error()
            response = self._request(current, headers, deadline)
            if response.status in REDIRECT_STATUSES:
                location = response.headers.get("Location")
                response.drain_conn()
                self._release(response, deadline)
                if deadline.passed():
                    raise deadline.error()
                if not location:
                    raise Rejection("fetch", "bad_redirect",
                                    f"HTTP {response.status} without a Location header")
                if len(hops) >= self.max_redirects:
                    raise Rejection("fetch", "too_many_redirects",
                                    f"more than {self.max_redirects} redirects from {url}")
                hops.append(current)
                current = urljoin(current, location)
                if check_hop is not None:
                    _check_scheme(current)
                    check_hop(current)
                continue
            try:
                return self._read(url, current, response, tuple(hops), max_bytes, truncate,
                                  deadline)
            finally:
                self._release(response, deadline)

    @staticmethod
    def _release(response: urllib3.BaseHTTPResponse, deadline: _Deadline) -> None:
        """Back to the pool, out of the watchdog's reach first; a connection the watchdog
        has shut down is closed instead."""
        deadline.unwatch()
        if deadline.expired:
            response.close()
        response.release_conn()

    def _request(self, url: str, headers: Mapping[str, str],
                 deadline: _Deadline) -> urllib3.BaseHTTPResponse:
        # Never wait longer than the deadline leaves: the watchdog cannot interrupt a connect,
        # as there is no socket to shut down before it returns.
        timeout = max(min(self.timeout, deadline.remaining()), 0.001)
        try:
            return self.pool.request(
                "GET", url, headers=dict(headers), redirect=False, preload_content=False,
                retries=False, timeout=urllib3.Timeout(connect=timeout, read=timeout),
            )
        except urllib3.exceptions.HTTPError as exc:
            if deadline.passed():  # the watchdog's shutdown, or a timeout cut to the deadline
                raise deadline.error() from exc
            raise _request_error(exc, self.timeout) from exc

    def _read(self, url: str, final_url: str, response: urllib3.BaseHTTPResponse,
              hops: tuple[str, ...], max_bytes: int, truncate: bool,
              deadline: _Deadline) -> Response:
        status = response.status
        if status == 429 or status >= 500:
            raise RetryableError(f"HTTP {status}",
                                 _retry_after(response.headers.get("Retry-After")), status)
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes and not truncate:
            raise Rejection("fetch", "too_large",
                            f"Content-Length {declared}; the limit is {max_bytes} bytes")
        chunks: list[bytes] = []
        size = 0
        try:
            # read1 returns what has arrived, so a server dripping bytes is caught here as soon
            # as the deadline passes; one stalled read is cut short by the watchdog.
            while chunk := response.read1(READ_CHUNK, decode_content=True):
                if deadline.passed():
                    raise deadline.error()
                size += len(chunk)
                if size > max_bytes:
                    if truncate:
                        chunks.append(chunk[:max_bytes - (size - len(chunk))])
                        break
                    raise Rejection("fetch", "too_large",
                                    f"body exceeds {max_bytes} bytes (after decompression)")
                chunks.append(chunk)
        except urllib3.exceptions.TimeoutError as exc:
            raise (deadline.error() if deadline.passed() else
                   TransientError(f"timed out after {self.timeout}s while reading")) from exc
        except urllib3.exceptions.DecodeError as exc:
            if deadline.passed():  # a body cut off by the watchdog
                raise deadline.error() from exc
            raise Rejection("fetch", "bad_encoding", f"cannot decode the body: {exc}") from exc
        except urllib3.exceptions.ProtocolError as exc:
            raise (deadline.error() if deadline.passed() else
                   TransientError(f"connection broken while reading: {exc}")) from exc
        if deadline.expired:  # the shutdown socket read as the end of a body without a length
            raise deadline.error()
        kept = tuple((k, v) for k, v in response.headers.items()
                     if k.lower() not in {"content-encoding", "transfer-encoding",
                                          "content-length", "set-cookie"})
        return Response(url=url, final_url=final_url, status=status,
                        reason=getattr(response, "reason", "") or "", headers=kept,
                        body=b"".join(chunks), fetched_at=datetime.now(UTC).replace(tzinfo=None),
                        redirects=hops)


def _request_error(exc: urllib3.exceptions.HTTPError, timeout: float) -> NewsmillError:
    """What a failure to get a response is reported as."""
    if isinstance(exc, urllib3.exceptions.TimeoutError):
        return TransientError(f"timed out after {timeout}s")
    if isinstance(exc, urllib3.exceptions.SSLError):
        return Rejection("fetch", "tls_error", f"TLS failed: {exc}")
    if isinstance(exc, (urllib3.exceptions.NewConnectionError,
                        urllib3.exceptions.ProtocolError)):
        return TransientError(f"connection failed: {exc}")
    if isinstance(exc, urllib3.exceptions.LocationParseError):
        return Rejection("fetch", "bad_url", f"cannot parse the URL: {exc}")
    return TransientError(f"HTTP error: {exc}")


def _check_scheme(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"}:
        raise Rejection("fetch", "unsupported_scheme",
                        f"only http and https are fetched, not {parts.scheme or 'no'} scheme "
                        f"({url})")
    if not parts.hostname:
        raise Rejection("fetch", "bad_url", f"no host name in {url}")


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max((when - datetime.now(UTC)).total_seconds(), 0.0), MAX_RETRY_AFTER)


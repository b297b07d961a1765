"""Getting the bytes of a source: reading a file, or fetching a URL over HTTP.

Failures become :class:`Rejection` (terminal for the document) once the retry budget for
transient ones (timeouts, connection errors, 429, 5xx) is spent, so one bad URL never aborts
the batch.
"""

from __future__ import annotations

import logging
import random
import time
from pathlib import Path

import urllib3

from newsmill.errors import Rejection, TransientError
from tasks.models import RawDocument, Source, SourceFormat

log = logging.getLogger(__name__)

#: Content types read as articles; anything else is refused with its type as the reason.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
#: Redirects followed before giving up (browsers allow ~20; feeds rarely need more than 3).
MAX_REDIRECTS = 5
#: First retry delay in seconds; doubled each attempt, with up to 50% jitter.
BACKOFF_BASE = 0.5
#: Largest Retry-After we honour, so one slow server cannot stall a batch.
MAX_RETRY_AFTER = 30.0
READ_CHUNK = 64 * 1024


def read_file(source: Source, *, max_bytes: int) -> RawDocument:
    """The bytes of a local file; too large or unreadable files are rejected."""
    path = Path(source.location)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise Rejection("fetch", "too_large", f"{size} bytes; the limit is {max_bytes}")
        body = path.read_bytes()
    except OSError as exc:
        raise Rejection("fetch", "unreadable", f"cannot read file: {exc.strerror or exc}") from exc
    fmt: SourceFormat = "text" if path.suffix.lower() == ".txt" else "html"
    return RawDocument(source=source.location, body=body, format=fmt)


def fetch_url(
    source: Source,
    *,
    pool: urllib3.PoolManager,
    max_bytes: int,
    timeout: float,
    retries: int,
    user_agent: str,
) -> RawDocument:
    """GET ``source.location``, retrying transient failures with exponential backoff."""
    attempt = 0
    while True:
        try:
            return _fetch_once(source.location, pool=pool, max_bytes=max_bytes,
                               timeout=timeout, user_agent=user_agent)
        except TransientError as exc:
            if attempt >= retries:
                detail = f"{exc} (after {attempt + 1} attempts)"
                raise Rejection("fetch", "gave_up", detail) from exc
            delay = getattr(exc, "retry_after", None) or BACKOFF_BASE * 2**attempt
            delay = min(delay, MAX_RETRY_AFTER) * (1 + random.random() / 2)
            log.info("retrying %s in %.1fs: %s", source.location, delay, exc)
            time.sleep(delay)
            attempt += 1


def _fetch_once(
    url: str, *, pool: urllib3.PoolManager, max_bytes: int, timeout: float, user_agent: str
) -> RawDocument:
    try:
        response = pool.request(
            "GET", url, preload_content=False, redirect=True,
            retries=urllib3.Retry(total=None, connect=0, read=0, redirect=MAX_REDIRECTS,
                                  status=0, raise_on_redirect=True),
            timeout=urllib3.Timeout(total=timeout),
            headers={"User-Agent": user_agent, "Accept": "text/html,application/xhtml+xml,"
                     "text/plain;q=0.9,*/*;q=0.1"},
        )
    except urllib3.exceptions.MaxRetryError as exc:
        if isinstance(exc.reason, urllib3.exceptions.ResponseError):
            raise Rejection("fetch", "too_many_redirects", str(exc.reason)) from exc
        raise TransientError(f"connection failed: {exc.reason}") from exc
    except urllib3.exceptions.TimeoutError as exc:
        raise TransientError(f"timed out after {timeout}s") from exc
    except urllib3.exceptions.HTTPError as exc:
        raise TransientError(f"HTTP error: {exc}") from exc
    try:
        return _read_response(url, response, max_bytes=max_bytes, timeout=timeout)
    finally:
        response.release_conn()


def _read_response(
    url: str, response: urllib3.BaseHTTPResponse, *, max_bytes: int, timeout: float
) -> RawDocument:
    status = response.status
    if status == 429 or status >= 500:
        error = TransientError(f"HTTP {status}")
        error.retry_after = _retry_after(response.headers.get("Retry-After"))  # type: ignore[attr-defined]
        raise error
    if status >= 400:
        raise Rejection("fetch", f"http_{status}", f"the server answered HTTP {status}")
    content_type, charset = _content_type(response.headers.get("Content-Type"))
    if content_type in HTML_TYPES:
        fmt: SourceFormat = "html"
    elif content_type in TEXT_TYPES:
        fmt = "text"
    else:
        raise Rejection("fetch", "unsupported_content_type",
                        f"content type {content_type or 'missing'} is not HTML or plain text")
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise Rejection("fetch", "too_large",
                        f"Content-Length {declared}; the limit is {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.stream(READ_CHUNK, decode_content=True):
            size += len(chunk)
            if size > max_bytes:
                raise Rejection("fetch", "too_large", f"body exceeds {max_bytes} bytes")
            chunks.append(chunk)
    except urllib3.exceptions.TimeoutError as exc:
        raise TransientError(f"timed out after {timeout}s while reading") from exc
    except urllib3.exceptions.DecodeError as exc:
        raise Rejection("fetch", "bad_encoding", f"cannot decode the body: {exc}") from exc
    except urllib3.exceptions.ProtocolError as exc:
        raise TransientError(f"connection broken while reading: {exc}") from exc
    final_url = response.geturl() or url
    return RawDocument(source=url, body=b"".join(chunks), format=fmt,
                       content_type=content_type, charset=charset, final_url=final_url)


def _content_type(header: str | None) -> tuple[str | None, str | None]:
    if not header:
        return None, None
    main, *params = (part.strip() for part in header.split(";"))
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"') or None
    return main.lower(), charset


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


def make_pool() -> urllib3.PoolManager:
    """One connection pool per batch, with certificate checks always on."""
    return urllib3.PoolManager(num_pools=20, maxsize=4, cert_reqs="CERT_REQUIRED")

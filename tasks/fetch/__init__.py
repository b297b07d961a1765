"""Getting the bytes of sources: local files, archived responses, and the web.

Web fetching is polite (robots.txt, per-host delay and concurrency, a global concurrency cap,
an honest User-Agent, ``Retry-After``), safe (no private addresses unless allow-listed, capped
bodies and redirects, only HTML or plain text) and incremental (conditional GET for known
pages). Every failure is a :class:`Rejection` with a reason; nothing is dropped silently.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from newsmill.errors import Rejection
from newsmill.settings import Settings
from newsmill.tasks.fetch.archive import ArchivedRecord, read_record
from newsmill.tasks.fetch.client import HttpClient, Response
from newsmill.tasks.fetch.guard import AddressGuard
from newsmill.tasks.fetch.politeness import HostLimiter, with_retries
from newsmill.tasks.fetch.robots import RobotsPolicy, RobotsRecord
from newsmill.tasks.models import RawDocument, Source, SourceFormat
from newsmill.tasks.sources import stored_name
from newsmill.tasks.unchanged import FileTooLarge, NotRegularFile, read_regular_file

#: Content types read as articles; anything else is refused with its type as the reason.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})

__all__ = ["FetchOutcome", "Fetcher", "archived_response", "read_archived", "read_file",
           "sniff_format"]


def read_file(source: Source, *, max_bytes: int) -> RawDocument:
    """The bytes of a local file; too large, missing, special (a pipe, a device) or unreadable
    files are rejected. Its format is what its bytes are (:func:`sniff_format`): the suffix
    says what a file should hold, not always what it holds."""
    location = source.location
    try:
        body = read_regular_file(location, max_bytes=max_bytes)
    except FileTooLarge as exc:
        raise Rejection("fetch", "too_large", f"{exc.size} bytes; the limit is {max_bytes}"
                        ) from exc
    except FileNotFoundError as exc:
        raise Rejection("fetch", "not_found", "the file is gone (it was there when listed)"
                        ) from exc
    except NotRegularFile as exc:
        raise Rejection("fetch", "not_a_file", "not a regular file") from exc
    except (OSError, ValueError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise Rejection("fetch", "unreadable", f"cannot read file: {detail}") from exc
    named: SourceFormat = "text" if Path(location).suffix.lower() == ".txt" else "html"
    return RawDocument(source=stored_name(location), body=body,
                       format=sniff_format(body, named))


#: How much of a body the format is sniffed from.
SNIFF_BYTES = 65536
#: Known HTML tags a text must hold to be read as HTML when it does not open like a page.
MIN_TAGS_FOR_HTML = 5
_PAGE_START = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
                         r"<(?:!doctype\s+html|html|head|body|meta|title)\b", re.I | re.S)
_HTML_TAG = re.compile(r"</?(?:p|div|span|a|br|hr|h[1-6]|article|section|main|header|footer|"
                       r"nav|ul|ol|li|table|tr|td|th|img|script|style|meta|link|title|body|"
                       r"head|html|em|strong|b|i|u|blockquote|figure|figcaption|time|pre)"
                       r"(?:\s[^<>]*)?/?>", re.I)
_ANY_MARKUP = re.compile(r"<(?:[A-Za-z][\w:-]*[\s/>]|/[A-Za-z][\w:-]*\s*>|!--|!doctype|\?xml)",
                         re.I)
_SNIFF_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
               (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
               (codecs.BOM_UTF16_BE, "utf-16"))


def sniff_format(body: bytes, named: SourceFormat) -> SourceFormat:
    """``html`` or ``text`` by what the bytes hold: "text" (a ``.txt`` name, a text/plain
    response) holding a page or many HTML tags is HTML, and "html" holding no markup at all
    is plain text; otherwise what the name or content type says."""
    head = _sniff_head(body)
    if named == "text":
        if _PAGE_START.match(head) or len(_HTML_TAG.findall(head)) >= MIN_TAGS_FOR_HTML:
            return "html"
        return "text"
    return "html" if _ANY_MARKUP.search(head) else "text"


def _sniff_head(body: bytes) -> str:
    """The opening of the body as text, good enough to look for tags in: decoded by its byte
    order mark, as UTF-16 when every other byte is NUL, else byte for byte."""
    head = body[:SNIFF_BYTES]
    for bom, encoding in _SNIFF_BOMS:
        if head.startswith(bom):
            return head.decode(encoding, errors="ignore")
    pairs = head[:len(head) // 2 * 2]
    if pairs and pairs[1::2].count(0) * 2 >= len(pairs) // 2 and not pairs[0::2].count(0):
        return pairs.decode("utf-16-le", errors="ignore")
    if pairs and pairs[0::2].count(0) * 2 >= len(pairs) // 2 and not pairs[1::2].count(0):
        return pairs.decode("utf-16-be", errors="ignore")
    return head.decode("latin-1")


def read_archived(source: Source) -> RawDocument:
    """A response kept in a WARC file, as if it had just been fetched."""
    return as_raw_document(source.location, archived_response(source)[0])


#: The fetch time of an archived response whose record carries no WARC-Date.
UNDATED = datetime(1970, 1, 1)


def archived_response(source: Source) -> tuple[Response, ArchivedRecord]:
    """The response stored where ``source`` points, fetched when the record's WARC-Date says
    (:data:`UNDATED` when it has none), and where it lies in its file."""
    if source.archive_path is None or source.archive_offset is None:
        raise Rejection("fetch", "archive_missing", "no archived response for this source")
    stored = read_record(source.archive_path, source.archive_offset)
    response = Response(url=source.location, final_url=stored.url or source.location,
                        status=stored.status, reason="", headers=stored.headers,
                        body=stored.body, fetched_at=stored.captured_at or UNDATED)
    return response, ArchivedRecord(source.archive_path, source.archive_offset, stored.length)


def as_raw_document(source: str, response: Response) -> RawDocument:
    """Apply the content-type policy to a successful response."""
    if 400 <= response.status < 500:
        raise Rejection("fetch", f"http_{response.status}",
                        f"the server answered HTTP {response.status}")
    content_type, charset = response.content_type
    if content_type in HTML_TYPES:
        fmt: SourceFormat = "html"
    elif content_type in TEXT_TYPES:
        fmt = "text"
    else:
        raise Rejection("fetch", "unsupported_content_type",
                        f"content type {content_type or 'missing'} is not HTML or plain text")
    return RawDocument(source=source, body=response.body, format=sniff_format(response.body, fmt),
                       content_type=content_type, charset=charset, final_url=response.final_url)


@dataclass(frozen=True)
class FetchOutcome:
    """What became of one URL: a response (to archive and extract), "not modified", or a
    rejection."""

    source: Source
    response: Response | None = None
    not_modified: bool = False
    rejection: Rejection | None = None


class Fetcher:
    """Fetches a batch of URLs concurrently, within the politeness and safety limits."""

    def __init__(self, settings: Settings,
                 robots: dict[str, RobotsRecord] | None = None) -> None:
        self.settings = settings
        self.client = HttpClient(
            guard=AddressGuard.from_setting(settings.fetch_allow_hosts),
            user_agent=settings.user_agent, timeout=settings.fetch_timeout,
            max_bytes=settings.max_input_bytes, max_redirects=settings.fetch_max_redirects,
            total_timeout=settings.fetch_total_timeout,
        )
        self.limiter = HostLimiter(settings.fetch_per_host, settings.fetch_host_delay)
        self.robots = RobotsPolicy(
            client=self.client, limiter=self.limiter, user_agent=settings.user_agent,
            known=dict(robots or {}),
            now=datetime.now(UTC).replace(tzinfo=None),
        )

    def close(self) -> None:
        self.client.close()

    def fetch_all(self, sources: Sequence[Source]) -> list[FetchOutcome]:
        """One outcome per source, in order."""
        if not sources:
            return []
        workers = max(1, min(self.settings.fetch_concurrency, len(sources)))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
            return list(pool.map(self.fetch_one, sources))

    def fetch_one(self, source: Source, *, accept: str | None = None) -> FetchOutcome:
        try:
            if self.settings.respect_robots:
                self.robots.check(source.location)
            host = urlsplit(source.location).hostname or ""

            hop_check = self.robots.check if self.settings.respect_robots else None

            def attempt() -> Response:
                with self.limiter.slot(host):
                    if accept:
                        return self.client.get(source.location, accept=accept,
                                               check_hop=hop_check)
                    return self.client.get(source.location, etag=source.etag,
                                           last_modified=source.last_modified,
                                           check_hop=hop_check)

            response = with_retries(attempt, retries=self.settings.fetch_retries,
                                    what=source.location)
        except Rejection as rejection:
            return FetchOutcome(source, rejection=rejection)
        except Exception as exc:  # whatever a URL or its server provokes is that URL's refusal
            return FetchOutcome(source, rejection=Rejection(
                "fetch", "fetch_error", f"{type(exc).__name__}: {exc}"))
        if response.status == 304:
            return FetchOutcome(source, response=response, not_modified=True)
        return FetchOutcome(source, response=response)

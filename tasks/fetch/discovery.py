"""From feeds, sitemaps and home pages to article URLs.

Fetching goes through our own :class:`~tasks.fetch.Fetcher` (robots, limits, SSRF guard);
parsing reuses trafilatura's feed and sitemap readers, which we feed with the bodies we
fetched (their own download helpers skip robots.txt and retry without certificate checks).
A listing that fails is recorded, and backed off exponentially on the next runs.
"""

from __future__ import annotations

import json
import logging
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from trafilatura.feeds import FeedParameters, determine_feed, find_links
from trafilatura.sitemaps import SITEMAP_FORMAT

from newsmill.errors import Rejection
from newsmill.tasks.fetch import Fetcher
from newsmill.tasks.fetch.urls import canonical_url, host_of
from newsmill.tasks.models import Source

log = logging.getLogger(__name__)

#: Listings (feeds, sitemaps, child sitemaps) read per source, so a sitemap index of
#: thousands of children cannot turn one run into a crawl.
MAX_LISTINGS_PER_SOURCE = 50
#: Links taken from a home page when it offers no feed.
MAX_HOMEPAGE_LINKS = 100
#: Wait after the first failure of a listing; doubled per consecutive failure ...
FEED_BACKOFF_BASE = timedelta(minutes=30)
#: ... up to a day.
FEED_BACKOFF_MAX = timedelta(hours=24)
LISTING_ACCEPT = ("application/rss+xml,application/atom+xml,application/feed+json,"
                  "application/xml;q=0.9,text/xml;q=0.9,text/html;q=0.5,*/*;q=0.1")
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class FeedState:
    """What the warehouse remembers of a listing (a ``feeds`` row)."""

    consecutive_failures: int
    last_attempt_at: datetime | None


@dataclass
class ListingReport:
    """One listing source after discovery: a ``feeds`` row to load."""

    feed_url: str
    kind: str
    attempted_at: datetime
    succeeded: bool
    items_seen: int = 0
    error: str | None = None
    article_urls: list[str] = field(default_factory=list)


def backoff(failures: int) -> timedelta:
    if failures <= 0:
        return timedelta(0)
    wait: timedelta = FEED_BACKOFF_BASE * 2 ** (failures - 1)
    return min(wait, FEED_BACKOFF_MAX)


def backed_off(state: FeedState | None, now: datetime) -> bool:
    """True while a failing listing should be left alone."""
    if state is None or state.consecutive_failures <= 0 or state.last_attempt_at is None:
        return False
    return now < state.last_attempt_at + backoff(state.consecutive_failures)


def gunzip_capped(body: bytes, max_bytes: int) -> bytes:
    """Decompress a gzipped sitemap, refusing to grow past ``max_bytes`` (a gzip bomb)."""
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decompressor.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise Rejection("discover", "bad_gzip", f"cannot decompress: {exc}") from exc
    if len(out) > max_bytes or decompressor.unconsumed_tail:
        raise Rejection("discover", "too_large",
                        f"decompresses to more than {max_bytes} bytes")
    return out


def _absolute(base: str, links: list[str]) -> list[str]:
    """Links resolved against ``base``, http(s) only, each once, without fragments; a site's
    root (a feed's channel link, a sitemap's home page entry) is not an article."""
    out: dict[str, None] = {}
    for link in links:
        try:
            target = urljoin(base, link.strip()).split("#", 1)[0]
            parts = urlsplit(target)
        except ValueError:  # a malformed link (an unclosed IPv6 bracket) is not an article
            continue
        if parts.scheme in {"http", "https"} and target != base and parts.path not in {"", "/"}:
            out[target] = None
    return list(out)


def _sitemap_locations(text: str) -> tuple[bool, list[str]]:
    """``(is_index, <loc> values)`` of an XML sitemap, parsed without entities or network."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True,
                             huge_tree=False)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise Rejection("discover", "bad_sitemap", f"cannot parse the sitemap: {exc}") from exc
    if root is None:
        raise Rejection("discover", "bad_sitemap", "the sitemap is empty")
    is_index = etree.QName(root).localname == "sitemapindex"
    # Only an entry's own <loc> (in <url> or <sitemap>), not <image:loc> or <video:loc> inside
    # it, which name media files.
    locations = []
    for entry in root:
        if not isinstance(entry.tag, str) or etree.QName(entry).localname not in {"url",
                                                                                 "sitemap"}:
            continue
        for child in entry:
            if (isinstance(child.tag, str) and etree.QName(child).localname == "loc"
                    and etree.QName(child).namespace == etree.QName(entry).namespace
                    and child.text):
                locations.append(child.text.strip())
    return is_index, locations


def feed_kind(text: str) -> str | None:
    """``rss``, ``atom`` or ``json`` when ``text`` is a feed of that kind, else None.

    Decided by the root element (``<rss>``, RDF, ``<feed>``) or, for JSON, by JSON Feed's
    ``version`` and ``items``: an XHTML page or a JSON error message is not a feed.
    """
    head = re.sub(r"<\?xml[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>", "", text[:3000], flags=re.S)
    root = re.match(r"\s*<([\w:.-]+)", head)
    if root:
        name = root.group(1).split(":")[-1].lower()
        return {"rss": "rss", "rdf": "rss", "feed": "atom"}.get(name)
    if text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            return None
        if (isinstance(document, dict) and "jsonfeed" in str(document.get("version", ""))
                and isinstance(document.get("items"), list)):
            return "json"
    return None


def parse_listing(url: str, text: str) -> tuple[str, list[str], list[str]]:
    """``(kind, article URLs, child listing URLs)`` for the body of a feed or sitemap.

    Feeds are read with trafilatura's link finder (RSS, Atom, JSON Feed); its URL filter is
    not used, as it drops hosts without a public suffix. Sitemaps (index, news, plain text)
    are read here, with an XML parser that resolves no entities.
    """
    parts = urlsplit(url)
    stripped = text.lstrip()
    head = stripped[:2000]
    if SITEMAP_FORMAT.match(head) and re.search(r"<(?:[\w.-]+:)?(?:urlset|sitemapindex)\b", head):
        is_index, locations = _sitemap_locations(stripped)
        links = _absolute(url, locations)
        if is_index:
            return "sitemap_index", [], links
        return "sitemap", links, []
    kind = feed_kind(stripped)
    if kind is not None:
        params = FeedParameters(f"{parts.scheme}://{parts.netloc}", parts.hostname or "", url)
        return kind, _absolute(url, find_links(stripped, params)), []
    if stripped and not stripped.startswith("<"):  # a plain-text sitemap: one URL per line
        lines = [line for line in stripped.splitlines() if line.startswith(("http://", "https://"))]
        if lines:
            return "sitemap", _absolute(url, lines), []
    raise Rejection("discover", "not_a_feed", "neither a feed nor a sitemap")


def homepage_links(url: str, html: str) -> tuple[list[str], list[str]]:
    """``(feed URLs, article-like links)`` found on a home page."""
    parts = urlsplit(url)
    params = FeedParameters(f"{parts.scheme}://{parts.netloc}", parts.hostname or "", url)
    feeds = determine_feed(html, params)
    links: list[str] = []
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return feeds, []
    for href in tree.xpath("//a/@href"):
        try:
            target = urljoin(url, str(href))
            target_parts = urlsplit(target)
        except ValueError:  # a malformed link is skipped, not the whole home page
            continue
        if target_parts.scheme not in {"http", "https"} or host_of(target) != host_of(url):
            continue
        segments = [s for s in target_parts.path.split("/") if s]
        # Article URLs have a slug: several words joined by dashes, or a dated path.
        if segments and ("-" in segments[-1] or any(s.isdigit() for s in segments)):
            links.append(target.split("#", 1)[0])
    return feeds, list(dict.fromkeys(links))[:MAX_HOMEPAGE_LINKS]


def discover(
    listings: Sequence[Source], fetcher: Fetcher, *, now: datetime,
    states: dict[str, FeedState], max_bytes: int,
) -> tuple[list[ListingReport], list[tuple[str, Rejection]]]:
    """Read every listing source (and child sitemaps, within limits)."""
    reports: list[ListingReport] = []
    rejections: list[tuple[str, Rejection]] = []
    for source in listings:
        state = states.get(source.location)
        if backed_off(state, now):
            assert state is not None and state.last_attempt_at is not None
            retry_at = state.last_attempt_at + backoff(state.consecutive_failures)
            rejections.append((source.location, Rejection(
                "discover", "feed_backed_off",
                f"{state.consecutive_failures} consecutive failures; next try after "
                f"{retry_at:%Y-%m-%d %H:%M} UTC")))
            continue
        report = ListingReport(source.location, source.kind, now, succeeded=False)
        try:
            _read_listing(source, fetcher, report, max_bytes)
            report.succeeded = True
        except Rejection as rejection:
            report.error = f"{rejection.reason}: {rejection.detail}"
            rejections.append((source.location, rejection))
        except Exception as exc:  # whatever a listing provokes ends as its own rejection
            failure = Rejection("discover", "listing_error", f"{type(exc).__name__}: {exc}")
            report.error = f"{failure.reason}: {failure.detail}"
            rejections.append((source.location, failure))
        reports.append(report)
    return reports, rejections


def _read_listing(source: Source, fetcher: Fetcher, report: ListingReport,
                  max_bytes: int) -> None:
    queue = [source.location]
    seen: set[str] = set()
    while queue and len(seen) < MAX_LISTINGS_PER_SOURCE:
        url = queue.pop(0)
        if canonical_url(url) in seen:
            continue
        seen.add(canonical_url(url))
        text = _fetch_listing(url, fetcher, max_bytes)
        if source.kind == "homepage" and url == source.location:
            feeds, links = homepage_links(url, text)
            report.kind = "homepage"
            if feeds:
                queue.extend(feeds[:3])
            else:
                report.article_urls.extend(links)
                report.items_seen += len(links)
            continue
        kind, articles, children = parse_listing(url, text)
        if url == source.location:
            report.kind = kind
        report.items_seen += len(articles)
        report.article_urls.extend(articles)
        queue.extend(children)
    report.article_urls = list(dict.fromkeys(report.article_urls))


def _fetch_listing(url: str, fetcher: Fetcher, max_bytes: int) -> str:
    outcome = fetcher.fetch_one(Source(url, "url"), accept=LISTING_ACCEPT)
    if outcome.rejection is not None:
        raise Rejection("discover", outcome.rejection.reason, outcome.rejection.detail)
    assert outcome.response is not None
    response = outcome.response
    if response.status >= 400:
        raise Rejection("discover", f"http_{response.status}",
                        f"the server answered HTTP {response.status}")
    body = response.body
    if body.startswith(_GZIP_MAGIC):
        body = gunzip_capped(body, max_bytes)
    _type, charset = response.content_type
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


"""The discover stage: from the sources of a run to the list of articles to fetch.

Feeds, sitemaps and home pages are read for article links; every URL is canonicalised and
deduplicated; URLs the warehouse already has are skipped (or, with ``refresh``, fetched again
conditionally, so an unchanged page costs one 304); ``max_articles`` caps what is left. The
listings' health and any refusals are loaded in one small transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from newsmill.settings import Settings
from newsmill.tasks.fetch import Fetcher
from newsmill.tasks.fetch.discovery import FeedState, discover
from newsmill.tasks.fetch.gather import robots_rows
from newsmill.tasks.fetch.robots import RobotsRecord, origin_of
from newsmill.tasks.fetch.urls import canonical_url
from newsmill.tasks.models import Source
from newsmill.tasks.rows import rejection_row
from newsmill.warehouse.connection import open_writer, utcnow
from newsmill.warehouse.fetching import feed_states, known_urls, robots_for_origins
from newsmill.warehouse.loader import BatchRows, load_batch

log = logging.getLogger(__name__)

LISTING_KINDS = frozenset({"feed", "sitemap", "homepage"})


@dataclass
class Plan:
    """The article sources to fetch, in order, and what discovery counted."""

    sources: list[Source] = field(default_factory=list)
    skipped_known: int = 0
    capped: int = 0
    listings_read: int = 0
    refused: int = 0  # listings that failed or were backed off


def plan_articles(
    sources: Sequence[Source], settings: Settings, run_id: str, *,
    refresh: bool = False, max_articles: int | None = None,
) -> Plan:
    """Expand listings, drop URLs already stored (unless ``refresh``), cap the rest."""
    plan = Plan()
    listings = [s for s in sources if s.kind in LISTING_KINDS]
    others = [s for s in sources if s.kind not in LISTING_KINDS]
    now = utcnow()
    rows = BatchRows(run_id=run_id)
    discovered: list[Source] = []
    if listings:
        with open_writer(settings.db) as conn:
            states = {url: FeedState(*state) for url, state in
                      feed_states(conn, [s.location for s in listings]).items()}
            robots = {origin: RobotsRecord(origin, *record) for origin, record in
                      robots_for_origins(conn, {origin_of(s.location) for s in listings}).items()}
        fetcher = Fetcher(settings, robots)
        try:
            reports, refusals = discover(listings, fetcher, now=now, states=states,
                                         max_bytes=settings.max_input_bytes)
        finally:
            fetcher.close()
        rows.robots = robots_rows(fetcher, run_id)
        rows.rejections = [rejection_row(run_id, where, r, now) for where, r in refusals]
        plan.listings_read = len(reports)
        plan.refused = len(refusals)
        for report in reports:
            discovered += [Source(url, "url") for url in report.article_urls]
    # Keep the first occurrence of every canonical URL, articles given directly first.
    articles: dict[str, Source] = {}
    for source in [*others, *discovered]:
        if source.kind != "url":
            articles.setdefault(source.location, source)
            continue
        articles.setdefault(canonical_url(source.location), source)
    url_keys = [key for key, s in articles.items() if s.kind == "url"]
    with open_writer(settings.db) as conn:
        known = known_urls(conn, url_keys)
    new_by_listing: dict[str, int] = {}
    for key in url_keys:
        if key in known:
            if refresh:
                etag, modified = known[key]
                articles[key] = replace(articles[key], etag=etag, last_modified=modified)
            else:
                del articles[key]
                plan.skipped_known += 1
    ordered = list(articles.values())
    if max_articles is not None:
        urls = [s for s in ordered if s.kind == "url"]
        keep = set(map(id, urls[:max_articles]))
        plan.capped = max(len(urls) - max_articles, 0)
        ordered = [s for s in ordered if s.kind != "url" or id(s) in keep]
    plan.sources = ordered
    if listings:
        # New articles: distinct pages not stored before (refreshed pages are not new).
        fresh = {canonical_url(s.location) for s in ordered if s.kind == "url"} - set(known)
        for report in reports:
            new_by_listing[report.feed_url] = len(
                {canonical_url(u) for u in report.article_urls} & fresh)
        rows.feeds = [{
            "feed_url": r.feed_url, "kind": r.kind, "first_seen_at": now,
            "last_attempt_at": r.attempted_at,
            "last_success_at": r.attempted_at if r.succeeded else None,
            "consecutive_failures": 0 if r.succeeded else 1, "items_seen": r.items_seen,
            "new_articles": new_by_listing.get(r.feed_url, 0), "last_error": r.error,
            "run_id": run_id,
        } for r in reports]
    rows.seen = plan.skipped_known + len(rows.rejections)
    rows.unchanged = plan.skipped_known
    if rows.seen or rows.rejections or rows.feeds or rows.robots:
        with open_writer(settings.db) as conn:
            load_batch(conn, rows)
    return plan

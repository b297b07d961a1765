"""plan_articles (the discover stage, without Prefect): listings expanded, canonical URLs
deduplicated, stored pages skipped or refreshed with their validators, feed health loaded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from loopback_server import LoopbackServer, send

from newsmill.settings import Settings
from newsmill.tasks.fetch.client import Response
from newsmill.tasks.fetch.gather import fetch_row
from newsmill.tasks.fetch.plan import Plan, plan_articles
from newsmill.tasks.models import Source
from newsmill.versions import code_version
from newsmill.warehouse.connection import open_writer
from newsmill.warehouse.loader import BatchRows, load_batch
from newsmill.warehouse.runs import start_run


def rss(links: list[str]) -> str:
    items = "".join(f"<item><title>t</title><link>{u}</link></item>" for u in links)
    return (f'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>n</title>'
            f"<link>http://127.0.0.1/</link>{items}</channel></rss>")


def _query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = duckdb.connect(str(db), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _plan(settings: Settings, feed: str, **options: Any) -> Plan:
    run_id = uuid.uuid4().hex
    with open_writer(settings.db) as conn:
        start_run(conn, run_id=run_id, flow="test", settings=settings.as_record(),
                  code_version=code_version(), spacy_model=None, spacy_model_version=None,
                  sources_given=1)
    return plan_articles([Source(feed, "feed")], settings, run_id, **options)


def _mark_fetched(settings: Settings, urls: list[str]) -> None:
    """Record a 200 response with validators for each URL, as a fetching batch would."""
    run_id = uuid.uuid4().hex
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = BatchRows(run_id=run_id)
    for i, url in enumerate(urls):
        response = Response(url=url, final_url=url, status=200, reason="OK",
                            headers=(("Content-Type", "text/html"), ("ETag", f'"e{i}"'),
                                     ("Last-Modified", "Wed, 01 May 2024 08:00:00 GMT")),
                            body=b"<p>x</p>", fetched_at=now)
        rows.fetches.append(fetch_row(Source(url, "url"), response, None, run_id))
    with open_writer(settings.db) as conn:
        load_batch(conn, rows)


@pytest.fixture
def feed(http_server: LoopbackServer) -> tuple[str, list[str]]:
    articles = [http_server.url(f"/news/story-{i}") for i in range(3)]
    listed = [*articles, articles[0] + "?utm_source=rss#top"]  # a duplicate, canonically
    http_server.route("/feed.xml", lambda h, n: send(h, 200, rss(listed),
                                                     content_type="application/rss+xml"))
    return http_server.url("/feed.xml"), articles


def test_plan_skips_stored_pages_and_refreshes_them_conditionally(
        http_server: LoopbackServer, fetch_settings: Settings,
        feed: tuple[str, list[str]]) -> None:
    url, articles = feed
    first = _plan(fetch_settings, url)
    assert [s.location for s in first.sources] == articles
    assert (first.skipped_known, first.listings_read, first.refused) == (0, 1, 0)
    assert _query(fetch_settings.db, "select origin, status from robots") == [
        (http_server.base, 404)]

    _mark_fetched(fetch_settings, articles)
    second = _plan(fetch_settings, url)
    assert second.sources == [] and second.skipped_known == 3

    refreshed = _plan(fetch_settings, url, refresh=True)
    assert [(s.location, s.etag, s.last_modified) for s in refreshed.sources] == [
        (a, f'"e{i}"', "Wed, 01 May 2024 08:00:00 GMT") for i, a in enumerate(articles)]
    assert refreshed.skipped_known == 0

    assert http_server.hits == {"/robots.txt": 1, "/feed.xml": 3}
    assert _query(fetch_settings.db, "select items_seen, consecutive_failures from feeds") == [
        (12, 0)]  # four links per read (one a duplicate), three reads


def test_plan_caps_new_articles(fetch_settings: Settings, feed: tuple[str, list[str]]) -> None:
    url, articles = feed
    plan = _plan(fetch_settings, url, max_articles=2)
    assert [s.location for s in plan.sources] == articles[:2] and plan.capped == 1


def test_a_refresh_brings_no_new_articles(http_server: LoopbackServer,
                                          fetch_settings: Settings) -> None:
    articles = [http_server.url(f"/news/story-{i}") for i in range(3)]
    http_server.route("/plain.xml", lambda h, n: send(h, 200, rss(articles),
                                                      content_type="application/rss+xml"))
    url = http_server.url("/plain.xml")
    _plan(fetch_settings, url)
    assert _query(fetch_settings.db, "select new_articles from feeds") == [(3,)]
    _mark_fetched(fetch_settings, articles)
    _plan(fetch_settings, url, refresh=True)
    assert _query(fetch_settings.db, "select new_articles from feeds") == [(3,)]


def test_a_duplicate_link_is_one_new_article(fetch_settings: Settings,
                                             feed: tuple[str, list[str]]) -> None:
    url, articles = feed
    plan = _plan(fetch_settings, url)
    assert len(plan.sources) == len(articles) == 3
    assert _query(fetch_settings.db, "select new_articles from feeds") == [(3,)]

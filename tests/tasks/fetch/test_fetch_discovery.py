"""Feeds and sitemaps: parse_listing on their bodies, discover() against a loopback server,
the backoff of failing listings, and gunzip_capped."""

from __future__ import annotations

import gzip
import json
import time
import zlib
from datetime import datetime, timedelta

import pytest
from loopback_server import LoopbackServer, send

from newsmill.errors import Rejection
from newsmill.settings import Settings
from newsmill.tasks.fetch import Fetcher
from newsmill.tasks.fetch.discovery import (
    FEED_BACKOFF_MAX,
    FeedState,
    ListingReport,
    backed_off,
    backoff,
    discover,
    gunzip_capped,
    homepage_links,
    parse_listing,
)
from newsmill.tasks.models import Source

BASE = "https://news.example"
ARTICLES = [f"{BASE}/2024/05/0{i}/story-{i}" for i in (1, 2, 3)]


def rss(base: str, links: list[str]) -> str:
    items = "".join(f"<item><title>Story</title><link>{u}</link>"
                    f"<guid isPermaLink=\"true\">{u}</guid></item>" for u in links)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>News</title><link>{base}/</link><description>d</description>"
            f"{items}</channel></rss>")


def atom(base: str, links: list[str]) -> str:
    entries = "".join(f'<entry><title>Story</title><link rel="alternate" href="{u}"/>'
                      f"<id>{u}</id><updated>2024-05-01T00:00:00Z</updated></entry>"
                      for u in links)
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>News</title>'
            f'<link rel="alternate" href="{base}/"/>'
            f'<link rel="self" type="application/atom+xml" href="{base}/atom.xml"/>'
            f"<id>{base}/</id><updated>2024-05-01T00:00:00Z</updated>{entries}</feed>")


def json_feed(base: str, links: list[str]) -> str:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "News",
                       "home_page_url": f"{base}/", "feed_url": f"{base}/feed.json",
                       "items": [{"id": str(i), "url": u, "content_text": "x"}
                                 for i, u in enumerate(links)]})


def urlset(links: list[str], extra: str = "") -> str:
    urls = "".join(f"<url><loc>{u}</loc></url>" for u in links)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{extra}>{urls}</urlset>')


def sitemap_index(children: list[str]) -> str:
    maps = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in children)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}'
            "</sitemapindex>")


HTML = ("<!DOCTYPE html><html><head><title>Home</title></head><body>"
        f'<a href="{ARTICLES[0]}">one</a></body></html>')


# -- parse_listing ------------------------------------------------------------------------------

def test_rss_items_without_the_channel_link() -> None:
    assert parse_listing(f"{BASE}/feed.xml", rss(BASE, ARTICLES)) == ("rss", ARTICLES, [])


def test_atom_entries_without_the_home_and_self_links() -> None:
    assert parse_listing(f"{BASE}/atom.xml", atom(BASE, ARTICLES)) == ("atom", ARTICLES, [])


def test_json_feed_items() -> None:
    assert parse_listing(f"{BASE}/feed.json", json_feed(BASE, ARTICLES)) == ("json", ARTICLES, [])


def test_sitemap_urls_without_the_home_page() -> None:
    body = urlset([f"{BASE}/", *ARTICLES])
    assert parse_listing(f"{BASE}/sitemap.xml", body) == ("sitemap", ARTICLES, [])


def test_news_sitemap() -> None:
    news = (' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"')
    urls = "".join(f"<url><loc>{u}</loc><news:news><news:title>T</news:title></news:news></url>"
                   for u in ARTICLES)
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{news}>{urls}</urlset>')
    assert parse_listing(f"{BASE}/news-sitemap.xml", body) == ("sitemap", ARTICLES, [])


def test_sitemap_index_lists_children_not_articles() -> None:
    children = [f"{BASE}/sitemap-1.xml", f"{BASE}/sitemap-2.xml.gz"]
    assert parse_listing(f"{BASE}/sitemap.xml", sitemap_index(children)) == (
        "sitemap_index", [], children)


def test_plain_text_sitemap() -> None:
    body = "\n".join([*ARTICLES, "", "not a url", f"{BASE}/"]) + "\n"
    assert parse_listing(f"{BASE}/sitemap.txt", body) == ("sitemap", ARTICLES, [])


def test_relative_links_and_fragments() -> None:
    body = rss(BASE, ["/2024/05/01/story-1#comments", "/2024/05/01/story-1", "/"])
    assert parse_listing(f"{BASE}/feed.xml", body)[1] == [ARTICLES[0]]


@pytest.mark.parametrize("body", [HTML, "", "   ", "<html><body>hi</body></html>"])
def test_html_and_empty_bodies_are_not_a_feed(body: str) -> None:
    with pytest.raises(Rejection) as caught:
        parse_listing(f"{BASE}/feed", body)
    assert (caught.value.stage, caught.value.reason) == ("discover", "not_a_feed")


@pytest.mark.parametrize("body", ["{not json", '{"error": "not found"}'])
def test_json_that_is_not_a_json_feed_is_not_a_feed(body: str) -> None:
    with pytest.raises(Rejection) as caught:
        parse_listing(f"{BASE}/feed.json", body)
    assert caught.value.reason == "not_a_feed"


def test_an_xhtml_page_is_not_a_feed() -> None:
    body = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>'
            '<html xmlns="http://www.w3.org/1999/xhtml"><head>'
            '<link rel="stylesheet" href="/static/site.css"/></head>'
            f'<body><a href="{ARTICLES[0]}">one</a></body></html>')
    with pytest.raises(Rejection) as caught:
        parse_listing(f"{BASE}/news", body)
    assert caught.value.reason == "not_a_feed"


def test_image_locations_in_a_sitemap_are_not_articles() -> None:
    body = urlset([], ' xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"').replace(
        "</urlset>", f"<url><loc>{ARTICLES[0]}</loc><image:image>"
        f"<image:loc>{BASE}/img/photo.jpg</image:loc></image:image></url></urlset>")
    assert parse_listing(f"{BASE}/sitemap.xml", body) == ("sitemap", [ARTICLES[0]], [])


def test_a_sitemap_with_entities_is_not_expanded() -> None:
    body = ('<?xml version="1.0"?>\n<!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{ARTICLES[0]}&x;</loc></url></urlset>")
    # The entity is left out, not read: the link comes through as written around it.
    assert parse_listing(f"{BASE}/sitemap.xml", body) == ("sitemap", [ARTICLES[0]], [])


def test_homepage_links_finds_feeds_and_article_like_links() -> None:
    html = ('<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml">'
            '</head><body><a href="/2024/05/01/story-1">a</a><a href="/about">b</a>'
            '<a href="/news/big-story-today#c">c</a><a href="https://other.example/x-y">d</a>'
            '</body></html>')
    feeds, links = homepage_links(f"{BASE}/", html)
    assert feeds == [f"{BASE}/feed.xml"]
    assert links == [ARTICLES[0], f"{BASE}/news/big-story-today"]


# -- backoff ------------------------------------------------------------------------------------

def test_backoff_doubles_from_30_minutes_up_to_a_day() -> None:
    assert backoff(0) == backoff(-1) == timedelta(0)
    assert [backoff(n) for n in range(1, 7)] == [timedelta(minutes=30 * 2 ** i)
                                                 for i in range(6)]
    assert backoff(6) == timedelta(hours=16)
    assert backoff(7) == backoff(30) == FEED_BACKOFF_MAX == timedelta(hours=24)


def test_backed_off() -> None:
    now = datetime(2024, 5, 1, 12, 0)
    assert not backed_off(None, now)
    assert not backed_off(FeedState(0, now), now)
    assert not backed_off(FeedState(3, None), now)
    assert backed_off(FeedState(1, now - timedelta(minutes=29)), now)
    assert not backed_off(FeedState(1, now - timedelta(minutes=30)), now)
    assert backed_off(FeedState(2, now - timedelta(minutes=59)), now)
    assert not backed_off(FeedState(2, now - timedelta(minutes=61)), now)
    assert backed_off(FeedState(20, now - timedelta(hours=23)), now)
    assert not backed_off(FeedState(20, now - timedelta(hours=25)), now)


# -- gunzip_capped ------------------------------------------------------------------------------

def test_gunzip_capped() -> None:
    body = urlset(ARTICLES).encode()
    assert gunzip_capped(gzip.compress(body), 10_000) == body
    assert gunzip_capped(gzip.compress(body), len(body)) == body
    with pytest.raises(Rejection) as caught:
        gunzip_capped(gzip.compress(body), len(body) - 1)
    assert caught.value.reason == "too_large"
    with pytest.raises(Rejection) as bad:
        gunzip_capped(b"\x1f\x8b" + b"not really gzip", 10_000)
    assert bad.value.reason == "bad_gzip"


def test_gunzip_capped_stops_a_bomb_quickly() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    bomb = b"".join([*(compressor.compress(block) for _ in range(50)), compressor.flush()])
    started = time.monotonic()
    with pytest.raises(Rejection) as caught:
        gunzip_capped(bomb, 1_000_000)
    assert caught.value.reason == "too_large"
    assert time.monotonic() - started < 1.0


# -- discover() against the loopback server -----------------------------------------------------

def run_discover(settings: Settings, *sources: Source, states: dict[str, FeedState] | None = None,
                 now: datetime | None = None
                 ) -> tuple[list[ListingReport], list[tuple[str, Rejection]]]:
    fetcher = Fetcher(settings)
    try:
        return discover(list(sources), fetcher, now=now or datetime(2024, 5, 1, 12, 0),
                        states=states or {}, max_bytes=settings.max_input_bytes)
    finally:
        fetcher.close()


def test_discover_reads_an_rss_feed(http_server: LoopbackServer,
                                    fetch_settings: Settings) -> None:
    links = [http_server.url(f"/news/story-{i}") for i in range(3)]
    http_server.route("/feed.xml", lambda h, n: send(h, 200, rss(http_server.base, links),
                                                     content_type="application/rss+xml"))
    (report,), rejections = run_discover(fetch_settings, Source(http_server.url("/feed.xml"),
                                                                "feed"))
    assert rejections == []
    assert (report.kind, report.succeeded, report.items_seen) == ("rss", True, 3)
    assert report.article_urls == links
    accept = http_server.seen("/feed.xml")[0].headers["Accept"]
    assert accept.startswith("application/rss+xml")


def test_discover_follows_a_sitemap_index_to_plain_and_gzipped_children(
        http_server: LoopbackServer, fetch_settings: Settings) -> None:
    news = [http_server.url(f"/news/new-{i}") for i in range(2)]
    old = [http_server.url(f"/news/old-{i}") for i in range(3)]
    gzipped = gzip.compress(urlset(old).encode())
    http_server.route("/sitemap_index.xml", lambda h, n: send(
        h, 200, sitemap_index([http_server.url("/sitemap-news.xml"),
                               http_server.url("/sitemap-old.xml.gz")]),
        content_type="application/xml"))
    http_server.route("/sitemap-news.xml", lambda h, n: send(h, 200, urlset(news),
                                                             content_type="application/xml"))
    http_server.route("/sitemap-old.xml.gz", lambda h, n: send(
        h, 200, gzipped, content_type="application/gzip"))
    (report,), rejections = run_discover(
        fetch_settings, Source(http_server.url("/sitemap_index.xml"), "sitemap"))
    assert rejections == []
    assert (report.kind, report.succeeded, report.items_seen) == ("sitemap_index", True, 5)
    assert report.article_urls == news + old
    assert http_server.hits == {"/robots.txt": 1, "/sitemap_index.xml": 1,
                                "/sitemap-news.xml": 1, "/sitemap-old.xml.gz": 1}


def test_discover_refuses_a_gzipped_sitemap_bomb(http_server: LoopbackServer,
                                                 fetch_settings: Settings) -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    bomb = b"".join([*(compressor.compress(block) for _ in range(20)), compressor.flush()])
    http_server.route("/sitemap.xml.gz", lambda h, n: send(h, 200, bomb,
                                                           content_type="application/gzip"))
    reports, rejections = run_discover(fetch_settings.replace(max_input_bytes=1_000_000),
                                       Source(http_server.url("/sitemap.xml.gz"), "sitemap"))
    assert [(r.stage, r.reason) for _u, r in rejections] == [("discover", "too_large")]
    assert not reports[0].succeeded


def test_discover_reports_an_html_listing_as_not_a_feed(http_server: LoopbackServer,
                                                        fetch_settings: Settings) -> None:
    http_server.route("/feed", lambda h, n: send(h, 200, HTML))
    (report,), rejections = run_discover(fetch_settings, Source(http_server.url("/feed"), "feed"))
    assert [(u, r.stage, r.reason) for u, r in rejections] == [
        (http_server.url("/feed"), "discover", "not_a_feed")]
    assert not report.succeeded and report.error is not None
    assert report.error.startswith("not_a_feed")


def test_discover_reports_a_failing_listing(http_server: LoopbackServer,
                                            fetch_settings: Settings) -> None:
    http_server.route("/feed.xml", lambda h, n: send(h, 500, "down"))
    (report,), rejections = run_discover(fetch_settings, Source(http_server.url("/feed.xml"),
                                                                "feed"))
    assert [(r.stage, r.reason) for _u, r in rejections] == [("discover", "gave_up")]
    assert not report.succeeded and report.error is not None and "HTTP 500" in report.error


def test_discover_skips_a_backed_off_feed_without_requesting_it(
        http_server: LoopbackServer, fetch_settings: Settings) -> None:
    http_server.route("/feed.xml", lambda h, n: send(h, 200, rss(http_server.base, [])))
    url = http_server.url("/feed.xml")
    now = datetime(2024, 5, 1, 12, 0)
    reports, rejections = run_discover(fetch_settings, Source(url, "feed"), now=now,
                                       states={url: FeedState(2, now - timedelta(minutes=45))})
    assert reports == []
    assert [(u, r.stage, r.reason) for u, r in rejections] == [
        (url, "discover", "feed_backed_off")]
    assert "2 consecutive failures" in rejections[0][1].detail
    assert "2024-05-01 12:15" in rejections[0][1].detail  # 11:15 + 60 min
    assert http_server.total_hits == 0


def test_discover_tries_again_once_the_backoff_has_passed(http_server: LoopbackServer,
                                                          fetch_settings: Settings) -> None:
    links = [http_server.url("/news/story-1")]
    http_server.route("/feed.xml", lambda h, n: send(h, 200, rss(http_server.base, links),
                                                     content_type="application/rss+xml"))
    url = http_server.url("/feed.xml")
    now = datetime(2024, 5, 1, 12, 0)
    (report,), rejections = run_discover(
        fetch_settings, Source(url, "feed"), now=now,
        states={url: FeedState(1, now - timedelta(minutes=31))})
    assert rejections == [] and report.succeeded and report.article_urls == links
    assert http_server.hits["/feed.xml"] == 1


# -- malformed links ----------------------------------------------------------------------------

def test_a_malformed_link_in_a_feed_is_skipped_not_fatal() -> None:
    # urljoin raises ValueError on an unclosed IPv6 bracket; it used to end the whole run.
    kind, articles, _children = parse_listing(f"{BASE}/feed.xml",
                                              rss(BASE, ["http://[::1/x", *ARTICLES]))
    assert kind == "rss" and articles == ARTICLES


def test_a_malformed_link_on_a_home_page_is_skipped_not_fatal() -> None:
    html = HTML.replace("</body>", '<a href="http://[::1/2024/05/09/bad-link">x</a></body>')
    _feeds, links = homepage_links(f"{BASE}/", html)
    assert links == [ARTICLES[0]]

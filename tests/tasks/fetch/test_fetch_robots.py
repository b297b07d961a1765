"""robots.txt: obeyed (RFC 9309: 4xx allows, 5xx blocks), fetched once per origin, cached,
its Crawl-delay honoured, and skipped entirely when respect_robots is off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from itertools import pairwise

import pytest
from loopback_server import LoopbackServer, Route, redirect, send

from newsmill.settings import Settings
from newsmill.tasks.fetch import Fetcher, FetchOutcome
from newsmill.tasks.fetch.robots import ROBOTS_MAX_BYTES, RobotsRecord, agent_token, origin_of
from newsmill.tasks.models import Source

PAGE = "<html><body><p>An article.</p></body></html>"


def robots(body: str, status: int = 200) -> Route:
    return lambda h, n: send(h, status, body, content_type="text/plain")


def page(handler: BaseHTTPRequestHandler, n: int) -> None:
    send(handler, 200, PAGE)


def fetch(settings: Settings, url: str, known: dict[str, RobotsRecord] | None = None
          ) -> FetchOutcome:
    fetcher = Fetcher(settings, known)
    try:
        return fetcher.fetch_one(Source(url, "url"))
    finally:
        fetcher.close()


def reason(outcome: FetchOutcome) -> str | None:
    return outcome.rejection.reason if outcome.rejection else None


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def test_a_disallowed_page_is_never_requested(http_server: LoopbackServer,
                                              fetch_settings: Settings) -> None:
    http_server.route("/robots.txt", robots("User-agent: *\nDisallow: /private\n"))
    http_server.route("/private/page", page)
    http_server.route("/public/page", page)
    fetcher = Fetcher(fetch_settings)
    try:
        refused = fetcher.fetch_one(Source(http_server.url("/private/page"), "url"))
        allowed = fetcher.fetch_one(Source(http_server.url("/public/page"), "url"))
    finally:
        fetcher.close()
    assert reason(refused) == "robots_disallowed"
    assert refused.rejection is not None and "/private/page" in refused.rejection.detail
    assert reason(allowed) is None
    assert http_server.hits == {"/robots.txt": 1, "/public/page": 1}
    assert http_server.seen("/robots.txt")[0].headers["User-Agent"] == fetch_settings.user_agent


def test_a_group_for_our_agent_token_applies(http_server: LoopbackServer,
                                             fetch_settings: Settings) -> None:
    assert agent_token(fetch_settings.user_agent) == "newsmill"
    http_server.route("/robots.txt", robots(
        "User-agent: otherbot\nDisallow:\n\nUser-agent: newsmill\nDisallow: /\n"))
    http_server.route("/page", page)
    assert reason(fetch(fetch_settings, http_server.url("/page"))) == "robots_disallowed"
    assert http_server.hits["/page"] == 0


def test_robots_404_allows_everything(http_server: LoopbackServer,
                                      fetch_settings: Settings) -> None:
    http_server.route("/page", page)  # /robots.txt is not routed: 404
    assert reason(fetch(fetch_settings, http_server.url("/page"))) is None
    assert http_server.hits == {"/robots.txt": 1, "/page": 1}


@pytest.mark.parametrize("status", [500, 503])
def test_robots_5xx_blocks_the_origin(http_server: LoopbackServer, fetch_settings: Settings,
                                      status: int) -> None:
    http_server.route("/robots.txt", robots("oops", status))
    http_server.route("/page", page)
    outcome = fetch(fetch_settings.replace(fetch_retries=2), http_server.url("/page"))
    assert reason(outcome) == "robots_unreachable"
    assert http_server.hits["/page"] == 0
    assert http_server.hits["/robots.txt"] == 1


def test_robots_5xx_keeps_its_status(http_server: LoopbackServer,
                                     fetch_settings: Settings) -> None:
    http_server.route("/robots.txt", robots("oops", 503))
    fetcher = Fetcher(fetch_settings)
    try:
        outcome = fetcher.fetch_one(Source(http_server.url("/page"), "url"))
        assert reason(outcome) == "robots_unreachable"
        assert [r.status for r in fetcher.robots.fetched] == [503]
    finally:
        fetcher.close()


def test_robots_is_fetched_once_per_origin_under_concurrency(
        http_server: LoopbackServer, fetch_settings: Settings) -> None:
    http_server.route("/robots.txt", robots("User-agent: *\nDisallow: /private\n"))
    for i in range(24):
        http_server.route(f"/a/{i}", page)
    settings = fetch_settings.replace(fetch_concurrency=8, fetch_per_host=4)
    fetcher = Fetcher(settings)
    try:
        outcomes = fetcher.fetch_all([Source(http_server.url(f"/a/{i}"), "url")
                                      for i in range(24)])
        fetched = list(fetcher.robots.fetched)
    finally:
        fetcher.close()
    assert [reason(o) for o in outcomes] == [None] * 24
    assert http_server.hits["/robots.txt"] == 1
    assert [r.origin for r in fetched] == [http_server.base]


def test_respect_robots_off_skips_robots_txt(http_server: LoopbackServer,
                                             fetch_settings: Settings) -> None:
    http_server.route("/robots.txt", robots("User-agent: *\nDisallow: /\n"))
    http_server.route("/page", page)
    outcome = fetch(fetch_settings.replace(respect_robots=False), http_server.url("/page"))
    assert reason(outcome) is None
    assert http_server.hits == {"/page": 1}


def test_crawl_delay_spaces_the_starts_of_requests(http_server: LoopbackServer,
                                                   fetch_settings: Settings) -> None:
    http_server.route("/robots.txt", robots("User-agent: *\nCrawl-delay: 1\n"))
    for name in ("a", "b", "c"):
        http_server.route(f"/{name}", page)
    fetcher = Fetcher(fetch_settings.replace(fetch_concurrency=4, fetch_per_host=4))
    try:
        outcomes = fetcher.fetch_all([Source(http_server.url(f"/{n}"), "url") for n in "abc"])
    finally:
        fetcher.close()
    assert [reason(o) for o in outcomes] == [None] * 3
    starts = sorted(r.started for r in http_server.requests if r.path != "/robots.txt")
    gaps = [b - a for a, b in pairwise(starts)]
    assert len(gaps) == 2 and min(gaps) >= 0.9, gaps


def test_a_fresh_cached_record_is_used_without_fetching(http_server: LoopbackServer,
                                                        fetch_settings: Settings) -> None:
    http_server.route("/page", page)
    known = {http_server.base: RobotsRecord(http_server.base, now() - timedelta(hours=23), 200,
                                            "User-agent: *\nDisallow: /\n")}
    assert reason(fetch(fetch_settings, http_server.url("/page"), known)) == "robots_disallowed"
    assert http_server.total_hits == 0


def test_a_stale_cached_record_is_fetched_again(http_server: LoopbackServer,
                                                fetch_settings: Settings) -> None:
    http_server.route("/page", page)
    known = {http_server.base: RobotsRecord(http_server.base, now() - timedelta(hours=25), 200,
                                            "User-agent: *\nDisallow: /\n")}
    assert reason(fetch(fetch_settings, http_server.url("/page"), known)) is None
    assert http_server.hits == {"/robots.txt": 1, "/page": 1}


@pytest.mark.parametrize(("age", "fetched"), [(timedelta(minutes=10), False),
                                              (timedelta(minutes=40), True)])
def test_an_unreachable_record_blocks_only_for_a_short_while(
        http_server: LoopbackServer, fetch_settings: Settings, age: timedelta,
        fetched: bool) -> None:
    http_server.route("/page", page)
    known = {http_server.base: RobotsRecord(http_server.base, now() - age, 0, "")}
    outcome = fetch(fetch_settings, http_server.url("/page"), known)
    assert reason(outcome) == (None if fetched else "robots_unreachable")
    assert http_server.hits["/robots.txt"] == int(fetched)


def test_origin_of() -> None:
    assert origin_of("HTTP://Example.COM:80/a/b?c#d") == "http://example.com"
    assert origin_of("https://example.com:443/") == "https://example.com"
    assert origin_of("https://example.com:8443/x") == "https://example.com:8443"
    assert origin_of("http://127.0.0.1:5000/x") == "http://127.0.0.1:5000"
    assert origin_of("http://[::1]:8080/a") == "http://[::1]:8080"


def test_an_oversized_robots_txt_still_obeys_its_first_500_kib(
        http_server: LoopbackServer, fetch_settings: Settings) -> None:
    body = "User-agent: *\nDisallow: /private\n" + "# padding\n" * (ROBOTS_MAX_BYTES // 10 + 100)
    assert len(body) > ROBOTS_MAX_BYTES
    http_server.route("/robots.txt", robots(body))
    http_server.route("/private/page", page)
    assert reason(fetch(fetch_settings, http_server.url("/private/page"))) == "robots_disallowed"
    assert http_server.hits["/private/page"] == 0


def test_a_redirect_into_a_disallowed_path_is_not_followed(
        http_server: LoopbackServer, fetch_settings: Settings) -> None:
    http_server.route("/robots.txt", robots("User-agent: *\nDisallow: /private\n"))
    http_server.route("/open", lambda h, n: redirect(h, "/private/page"))
    http_server.route("/private/page", page)
    outcome = fetch(fetch_settings, http_server.url("/open"))
    assert http_server.hits["/private/page"] == 0
    assert reason(outcome) == "robots_disallowed"

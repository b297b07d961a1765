"""`newsmill ingest FEED_URL` end to end against a loopback server: discovery, robots.txt kept
in the warehouse, already-stored pages skipped, --refresh answered by 304s, reextract from the
WARC archive, and the feeds table's health (with backoff) for a failing feed.

Everything is served on 127.0.0.1; NEWSMILL_FETCH_ALLOW_HOSTS lets the fetcher reach it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest

from newsmill.cli.main import main

pytestmark = [pytest.mark.model, pytest.mark.slow]

DataTests = Callable[[Path], dict[str, list[tuple[object, ...]]]]

ARTICLES = ["atlas-courier-geneva-climate-talks.html", "atlas-courier-swiss-glaciers.html",
            "daily-compass-corvane-layoffs.html", "harbour-gazette-council-budget.html",
            "northern-ledger-hospital-funding.html"]
LAST_MODIFIED = "Wed, 01 May 2024 08:00:00 GMT"
ROBOTS = "User-agent: *\nDisallow: /private/\n"


@dataclass
class FeedSite:
    """A tiny news site: robots.txt, an RSS feed of five articles, and a feed that fails."""

    pages: dict[str, bytes]
    hits: Counter[str] = field(default_factory=Counter)
    not_modified: Counter[str] = field(default_factory=Counter)
    conditional: list[str] = field(default_factory=list)  # paths asked with If-None-Match
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def total(self) -> int:
        with self.lock:
            return sum(self.hits.values())

    def snapshot(self) -> Counter[str]:
        with self.lock:
            return Counter(self.hits)

    def feed(self) -> bytes:
        items = "".join(f"<item><title>{name}</title><link>{self.url('/news/' + name)}</link>"
                        "<pubDate>Wed, 01 May 2024 08:00:00 GMT</pubDate></item>"
                        for name in self.pages)
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                f"<title>Sample news</title><link>{self.url('/')}</link>"
                f"<description>five samples</description>{items}</channel></rss>").encode()

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        with self.lock:
            self.hits[path] += 1
        if path == "/robots.txt":
            return _send(handler, 200, ROBOTS.encode(), "text/plain")
        if path == "/feed.xml":
            return _send(handler, 200, self.feed(), "application/rss+xml; charset=utf-8")
        if path == "/bad/feed.xml":
            return _send(handler, 500, b"feed generator crashed", "text/plain")
        name = path.removeprefix("/news/")
        if path.startswith("/news/") and name in self.pages:
            body = self.pages[name]
            etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
            validators = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
            asked = handler.headers.get("If-None-Match")
            if asked is not None:
                with self.lock:
                    self.conditional.append(path)
            if asked == etag:
                with self.lock:
                    self.not_modified[path] += 1
                return _send(handler, 304, b"", None, validators)
            return _send(handler, 200, body, "text/html; charset=utf-8", validators)
        return _send(handler, 404, b"not found", "text/plain")


def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str | None,
          headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    if content_type:
        handler.send_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if body:
        handler.wfile.write(body)


@pytest.fixture
def site(corpus: Path) -> Iterator[FeedSite]:
    """The site on a ThreadingHTTPServer at 127.0.0.1 (a free port), for one test."""
    state = FeedSite(pages={name: (corpus / name).read_bytes() for name in ARTICLES})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.answer(self)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def fetch_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSMILL_FETCH_ALLOW_HOSTS", "127.0.0.1")
    monkeypatch.setenv("NEWSMILL_FETCH_HOST_DELAY", "0")
    monkeypatch.setenv("NEWSMILL_FETCH_RETRIES", "0")


def _query(db: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    conn = duckdb.connect(str(db), read_only=True)
    try:
        return conn.execute(sql, list(params)).fetchall()
    finally:
        conn.close()


def _show(capsys: pytest.CaptureFixture[str], message: str) -> None:
    """Print past capsys, so that `pytest -s` shows the request counts."""
    with capsys.disabled():
        print(message)


def _ingest(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(list(argv))
    out = capsys.readouterr().out
    assert code == 0, out
    return out


def test_feed_ingest_then_skip_then_refresh_then_reextract(
        prefect_harness: None, site: FeedSite, fetch_env: None, tmp_path: Path,
        capsys: pytest.CaptureFixture[str], run_data_tests: DataTests) -> None:
    db = tmp_path / "w.duckdb"
    feed = site.url("/feed.xml")
    pages = [f"/news/{name}" for name in ARTICLES]

    # 1. Everything is new: the feed, robots.txt once, then the five pages.
    out = _ingest(capsys, "ingest", "--db", str(db), "--no-progress", feed)
    first = site.snapshot()
    _show(capsys, f"\nfirst run: {first.total()} requests {dict(first)}")
    assert "seen 5   loaded 5   unchanged 0   rejected 0" in out, out
    assert first == Counter({"/feed.xml": 1, "/robots.txt": 1, **dict.fromkeys(pages, 1)})
    assert first.total() == 7

    # 2. Nothing new: only the feed is read (robots.txt comes from the warehouse).
    out = _ingest(capsys, "ingest", "--db", str(db), "--no-progress", feed)
    second = site.snapshot() - first
    _show(capsys, f"second run: {second.total()} requests {dict(second)}")
    assert second == Counter({"/feed.xml": 1})
    assert "loaded 0" in out
    assert "5 URLs already stored were not fetched again" in out, out

    # 3. --refresh: conditional requests for the five pages, all answered 304.
    before = site.snapshot()
    out = _ingest(capsys, "ingest", "--db", str(db), "--no-progress", "--refresh", feed)
    refresh = site.snapshot() - before
    _show(capsys, f"refresh run: {refresh.total()} requests {dict(refresh)}, "
                  f"{sum(site.not_modified.values())} answered 304")
    assert refresh == Counter({"/feed.xml": 1, **dict.fromkeys(pages, 1)})
    assert sorted(site.conditional) == sorted(pages)
    assert site.not_modified == Counter(dict.fromkeys(pages, 1))
    assert "seen 5   loaded 0   unchanged 5   rejected 0" in out, out

    # 4. reextract reads the WARC archive: no requests, the same five documents.
    before = site.snapshot()
    out = _ingest(capsys, "reextract", "--db", str(db), "--no-progress")
    assert site.snapshot() == before
    assert "seen 5   loaded 0   unchanged 5   rejected 0" in out, out

    assert _query(db, "select count(*) from documents") == [(5,)]
    assert _query(db, "select status, count(*) from fetches group by status order by 1") == [
        (200, 5), (304, 5)]
    assert _query(db, "select count(*) from robots") == [(1,)]
    ((kind, items_seen, failures, last_error, new_articles),) = _query(
        db, "select kind, items_seen, consecutive_failures, last_error, new_articles "
            "from feeds where feed_url = ?", feed)
    _show(capsys, f"feeds: kind={kind} items_seen={items_seen} "
                  f"consecutive_failures={failures} new_articles={new_articles}")
    assert (kind, failures, last_error) == ("rss", 0, None)
    assert items_seen == 15  # three reads of five items: the counter adds up
    assert _query(db, "select health from feed_health") == [("ok",)]
    assert run_data_tests(db) == {}


def test_a_failing_feed_is_counted_and_backed_off(
        prefect_harness: None, site: FeedSite, fetch_env: None, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "w.duckdb"
    bad = site.url("/bad/feed.xml")

    def feed_row() -> tuple[Any, ...]:
        (row,) = _query(db, "select consecutive_failures, last_error, last_success_at "
                            "from feeds where feed_url = ?", bad)
        return row

    out = _ingest(capsys, "ingest", "--db", str(db), "--no-progress", bad)
    assert "rejected 1" in out and "discover/gave_up" in out, out
    failures, error, success = feed_row()
    assert failures == 1 and success is None and error is not None and "HTTP 500" in error
    assert site.hits["/bad/feed.xml"] == 1

    # Backoff starts after the first failure: an immediate second run leaves the feed alone.
    out = _ingest(capsys, "ingest", "--db", str(db), "--no-progress", bad)
    assert "discover/feed_backed_off" in out, out
    assert site.hits["/bad/feed.xml"] == 1
    assert feed_row()[0] == 1
    assert _query(db, "select reason from rejections order by rejected_at") == [
        ("gave_up",), ("feed_backed_off",)]

    # Once the 30 minutes have passed, the feed is tried (and fails) again.
    conn = duckdb.connect(str(db))
    try:
        conn.execute("update feeds set last_attempt_at = last_attempt_at - interval 31 minute")
    finally:
        conn.close()
    out = _ingest(capsys, "ingest", "--db", str(db), "--no-progress", bad)
    assert "discover/gave_up" in out, out
    assert site.hits["/bad/feed.xml"] == 2
    assert feed_row()[0] == 2
    assert site.hits["/robots.txt"] == 1  # kept in the warehouse
    assert _query(db, "select health from feed_health") == [("failing",)]

"""The HTTP client through the Fetcher, against a loopback server: retries and Retry-After,
timeouts, body caps and gzip bombs, redirects, conditional GET, the content-type policy."""

from __future__ import annotations

import email.utils
import time
import tracemalloc
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import pytest
from loopback_server import LoopbackServer, OutsideAttempts, redirect, send

from newsmill.errors import Rejection
from newsmill.settings import Settings
from newsmill.tasks.fetch import Fetcher, FetchOutcome, as_raw_document
from newsmill.tasks.fetch.client import MAX_RETRY_AFTER, Response, _retry_after
from newsmill.tasks.models import Source

PAGE = "<html><head><title>A page</title></head><body><p>Hello.</p></body></html>"


def fetch(settings: Settings, url: str, **source: Any) -> FetchOutcome:
    fetcher = Fetcher(settings)
    try:
        return fetcher.fetch_one(Source(url, "url", **source))
    finally:
        fetcher.close()


def rejected(outcome: FetchOutcome) -> Rejection:
    assert outcome.rejection is not None, f"expected a rejection, got {outcome.response}"
    return outcome.rejection


def ok(outcome: FetchOutcome) -> Response:
    assert outcome.rejection is None, f"rejected: {outcome.rejection}"
    assert outcome.response is not None
    return outcome.response


def starts(server: LoopbackServer, path: str) -> list[float]:
    return [r.started for r in server.seen(path)]


# -- retries ------------------------------------------------------------------------------------

def test_500_then_200_succeeds_on_the_retry(http_server: LoopbackServer,
                                            fetch_settings: Settings) -> None:
    http_server.route("/flaky", lambda h, n: send(h, 500, "oops") if n == 1 else send(h, 200, PAGE))
    response = ok(fetch(fetch_settings.replace(fetch_retries=1), http_server.url("/flaky")))
    assert response.status == 200 and response.body == PAGE.encode()
    assert http_server.hits["/flaky"] == 2


def test_persistent_503_gives_up_after_retries_plus_one_attempts(
        http_server: LoopbackServer, fetch_settings: Settings) -> None:
    http_server.route("/down", lambda h, n: send(h, 503, "busy", headers={"Retry-After": "0"}))
    rejection = rejected(fetch(fetch_settings.replace(fetch_retries=2), http_server.url("/down")))
    assert (rejection.stage, rejection.reason) == ("fetch", "gave_up")
    assert "HTTP 503" in rejection.detail and "after 3 attempts" in rejection.detail
    assert http_server.hits["/down"] == 3


def test_429_waits_for_retry_after_seconds(http_server: LoopbackServer,
                                           fetch_settings: Settings) -> None:
    http_server.route("/limited", lambda h, n: send(h, 429, "slow down",
                                                    headers={"Retry-After": "1"})
                      if n == 1 else send(h, 200, PAGE))
    response = ok(fetch(fetch_settings.replace(fetch_retries=1), http_server.url("/limited")))
    assert response.status == 200
    first, second = starts(http_server, "/limited")
    assert second - first >= 1.0


def test_429_waits_until_a_retry_after_http_date(http_server: LoopbackServer,
                                                 fetch_settings: Settings) -> None:
    def limited(handler: Any, n: int) -> None:
        if n == 1:
            when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=2),
                                               usegmt=True)
            send(handler, 429, "slow down", headers={"Retry-After": when})
        else:
            send(handler, 200, PAGE)

    http_server.route("/limited", limited)
    ok(fetch(fetch_settings.replace(fetch_retries=1), http_server.url("/limited")))
    first, second = starts(http_server, "/limited")
    # An HTTP date has whole seconds: "now + 2 s" is 1 to 2 s away.
    assert 1.0 <= second - first < 3.5


def test_retry_after_parsing() -> None:
    assert _retry_after(None) is None and _retry_after("") is None
    assert _retry_after(" 3 ") == 3.0
    assert _retry_after("600") == MAX_RETRY_AFTER
    assert _retry_after("soon") is None
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
    far = email.utils.format_datetime(datetime.now(UTC) + timedelta(hours=3), usegmt=True)
    assert _retry_after(far) == MAX_RETRY_AFTER
    near = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    wait = _retry_after(near)
    assert wait is not None and 8.0 <= wait <= 10.0


def test_404_is_not_retried_and_is_rejected_as_http_404(http_server: LoopbackServer,
                                                        fetch_settings: Settings) -> None:
    http_server.route("/gone", lambda h, n: send(h, 404, "no"))
    outcome = fetch(fetch_settings.replace(fetch_retries=2), http_server.url("/gone"))
    response = ok(outcome)
    assert http_server.hits["/gone"] == 1
    with pytest.raises(Rejection) as caught:
        as_raw_document(outcome.source.location, response)
    assert caught.value.reason == "http_404"


# -- timeouts -----------------------------------------------------------------------------------

def test_a_response_slower_than_the_timeout_gives_up(http_server: LoopbackServer,
                                                     fetch_settings: Settings) -> None:
    def slow(handler: Any, n: int) -> None:
        time.sleep(1.5)
        send(handler, 200, PAGE)

    http_server.route("/slow", slow)
    started = time.monotonic()
    rejection = rejected(fetch(fetch_settings.replace(fetch_timeout=0.3),
                               http_server.url("/slow")))
    elapsed = time.monotonic() - started
    assert rejection.reason == "gave_up" and "timed out" in rejection.detail
    assert elapsed < 1.2


def test_a_body_dripping_slowly_hits_the_total_deadline(http_server: LoopbackServer,
                                                        fetch_settings: Settings) -> None:
    def drip(handler: Any, n: int) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        for _ in range(40):  # 4 s in all, never a gap as long as the read timeout
            handler.wfile.write(b"<p>x</p>\n")
            handler.wfile.flush()
            time.sleep(0.1)

    http_server.route("/drip", drip)
    settings = fetch_settings.replace(fetch_timeout=0.5, fetch_total_timeout=0.8)
    started = time.monotonic()
    rejection = rejected(fetch(settings, http_server.url("/drip")))
    elapsed = time.monotonic() - started
    assert rejection.reason == "gave_up" and "in total" in rejection.detail
    assert elapsed < 2.5


# -- body caps ----------------------------------------------------------------------------------

def test_a_declared_content_length_over_the_cap_is_too_large(http_server: LoopbackServer,
                                                             fetch_settings: Settings) -> None:
    http_server.route("/big", lambda h, n: send(h, 200, b"x" * 5000))
    rejection = rejected(fetch(fetch_settings.replace(max_input_bytes=1000),
                               http_server.url("/big")))
    assert rejection.reason == "too_large" and "Content-Length 5000" in rejection.detail


def test_a_body_over_the_cap_without_content_length_is_too_large(
        http_server: LoopbackServer, fetch_settings: Settings) -> None:
    http_server.route("/big", lambda h, n: send(h, 200, b"x" * 5000, length=False))
    rejection = rejected(fetch(fetch_settings.replace(max_input_bytes=1000),
                               http_server.url("/big")))
    assert rejection.reason == "too_large" and "exceeds 1000 bytes" in rejection.detail


def test_a_body_exactly_at_the_cap_is_accepted(http_server: LoopbackServer,
                                               fetch_settings: Settings) -> None:
    http_server.route("/edge", lambda h, n: send(h, 200, b"x" * 1000, length=False))
    response = ok(fetch(fetch_settings.replace(max_input_bytes=1000), http_server.url("/edge")))
    assert len(response.body) == 1000


BOMB_SIZE = 50 * 1024 * 1024


@cache
def gzip_bomb() -> bytes:
    """50 MiB of zeros, gzipped, built without holding the 50 MiB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(BOMB_SIZE // len(block))]
    return b"".join([*parts, compressor.flush()])


def test_a_gzip_bomb_stops_at_the_cap_quickly_and_in_little_memory(
        http_server: LoopbackServer, fetch_settings: Settings) -> None:
    bomb = gzip_bomb()
    assert len(bomb) < 100_000  # a few tens of KB on the wire ...
    http_server.route("/bomb", lambda h, n: send(h, 200, bomb,
                                                 headers={"Content-Encoding": "gzip"}))
    settings = fetch_settings.replace(max_input_bytes=1_000_000)
    tracemalloc.start()
    started = time.monotonic()
    try:
        rejection = rejected(fetch(settings, http_server.url("/bomb")))
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rejection.reason == "too_large" and "after decompression" in rejection.detail
    assert elapsed < 3.0
    assert peak < 16 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while refusing a 50 MB bomb"


def test_a_gzipped_response_is_decoded(http_server: LoopbackServer,
                                       fetch_settings: Settings) -> None:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    body = compressor.compress(PAGE.encode()) + compressor.flush()
    http_server.route("/gz", lambda h, n: send(h, 200, body,
                                               headers={"Content-Encoding": "gzip"}))
    response = ok(fetch(fetch_settings, http_server.url("/gz")))
    assert response.body == PAGE.encode()
    assert response.header("Content-Encoding") is None  # stored decoded
    assert http_server.seen("/gz")[0].headers["Accept-Encoding"] == "gzip, deflate"


# -- redirects ----------------------------------------------------------------------------------

def test_a_redirect_loop_is_too_many_redirects(http_server: LoopbackServer,
                                               fetch_settings: Settings) -> None:
    http_server.route("/loop", lambda h, n: redirect(h, "/loop"))
    rejection = rejected(fetch(fetch_settings, http_server.url("/loop")))
    assert rejection.reason == "too_many_redirects"
    assert http_server.hits["/loop"] == fetch_settings.fetch_max_redirects + 1


def _chain(server: LoopbackServer, length: int) -> None:
    for i in range(1, length + 1):
        target = f"/r{i + 1}" if i < length else "/final"
        server.route(f"/r{i}", lambda h, n, target=target: redirect(h, target, 301))
    server.route("/final", lambda h, n: send(h, 200, PAGE))


def test_a_redirect_chain_within_the_limit_lists_its_hops(http_server: LoopbackServer,
                                                          fetch_settings: Settings) -> None:
    _chain(http_server, 3)
    response = ok(fetch(fetch_settings.replace(fetch_max_redirects=3), http_server.url("/r1")))
    assert response.status == 200 and response.body == PAGE.encode()
    assert response.url == http_server.url("/r1")
    assert response.final_url == http_server.url("/final")
    assert response.redirects == tuple(http_server.url(f"/r{i}") for i in (1, 2, 3))


def test_one_redirect_over_the_limit_is_refused(http_server: LoopbackServer,
                                                fetch_settings: Settings) -> None:
    _chain(http_server, 3)
    rejection = rejected(fetch(fetch_settings.replace(fetch_max_redirects=2),
                               http_server.url("/r1")))
    assert rejection.reason == "too_many_redirects"
    assert http_server.hits["/final"] == 0


def test_a_redirect_without_location_is_a_bad_redirect(http_server: LoopbackServer,
                                                       fetch_settings: Settings) -> None:
    http_server.route("/nowhere", lambda h, n: send(h, 302, b"", content_type=None))
    assert rejected(fetch(fetch_settings, http_server.url("/nowhere"))).reason == "bad_redirect"


@pytest.mark.parametrize("target", ["http://10.1.2.3/x", "http://169.254.169.254/",
                                    "http://169.254.169.254/latest/meta-data/",
                                    "http://[fd00::1]/x", "http://0.0.0.0:80/"])
def test_a_redirect_to_a_private_address_is_refused_before_connecting(
        http_server: LoopbackServer, fetch_settings: Settings, loopback_only: OutsideAttempts,
        target: str) -> None:
    http_server.route("/go", lambda h, n: redirect(h, target))
    started = time.monotonic()
    rejection = rejected(fetch(fetch_settings.replace(fetch_retries=2),
                               http_server.url("/go")))
    assert rejection.reason == "forbidden_address", rejection
    assert time.monotonic() - started < 1.0
    assert loopback_only.addresses == []  # not even a connection attempt


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/pub/x",
                                    "gopher://127.0.0.1/"])
def test_a_redirect_to_another_scheme_is_unsupported(http_server: LoopbackServer,
                                                     fetch_settings: Settings,
                                                     target: str) -> None:
    http_server.route("/go", lambda h, n: redirect(h, target))
    assert rejected(fetch(fetch_settings, http_server.url("/go"))).reason == "unsupported_scheme"


# -- conditional GET ----------------------------------------------------------------------------

ETAG = '"v1-abc"'
MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"


def _conditional(handler: Any, n: int) -> None:
    if handler.headers.get("If-None-Match") == ETAG or (
            handler.headers.get("If-None-Match") is None
            and handler.headers.get("If-Modified-Since") == MODIFIED):
        send(handler, 304, b"", content_type=None, headers={"ETag": ETAG})
    else:
        send(handler, 200, PAGE, headers={"ETag": ETAG, "Last-Modified": MODIFIED})


def test_a_known_etag_is_sent_and_304_is_not_modified(http_server: LoopbackServer,
                                                      fetch_settings: Settings) -> None:
    http_server.route("/page", _conditional)
    first = fetch(fetch_settings, http_server.url("/page"))
    assert ok(first).status == 200 and not first.not_modified
    assert ok(first).header("ETag") == ETAG and ok(first).header("Last-Modified") == MODIFIED

    again = fetch(fetch_settings, http_server.url("/page"), etag=ETAG)
    assert again.not_modified and ok(again).status == 304 and ok(again).body == b""
    assert http_server.seen("/page")[1].headers.get("If-None-Match") == ETAG
    assert "If-None-Match" not in http_server.seen("/page")[0].headers


def test_a_stale_etag_gets_the_new_page(http_server: LoopbackServer,
                                        fetch_settings: Settings) -> None:
    http_server.route("/page", _conditional)
    outcome = fetch(fetch_settings, http_server.url("/page"), etag='"v0-old"')
    assert not outcome.not_modified and ok(outcome).body == PAGE.encode()


def test_a_known_last_modified_is_sent_as_if_modified_since(http_server: LoopbackServer,
                                                            fetch_settings: Settings) -> None:
    http_server.route("/page", _conditional)
    outcome = fetch(fetch_settings, http_server.url("/page"), last_modified=MODIFIED)
    assert outcome.not_modified and ok(outcome).status == 304
    assert http_server.seen("/page")[0].headers.get("If-Modified-Since") == MODIFIED


# -- content types ------------------------------------------------------------------------------

def _document(server: LoopbackServer, settings: Settings, content_type: str | None,
              body: bytes = b"body") -> Callable[[], Any]:
    server.route("/doc", lambda h, n: send(h, 200, body, content_type=content_type))
    outcome = fetch(settings, server.url("/doc"))
    return lambda: as_raw_document(outcome.source.location, ok(outcome))


@pytest.mark.parametrize("content_type", ["image/png", "application/pdf",
                                          "application/octet-stream", None])
def test_other_content_types_are_unsupported(http_server: LoopbackServer,
                                             fetch_settings: Settings,
                                             content_type: str | None) -> None:
    read = _document(http_server, fetch_settings, content_type, b"\x89PNG\r\n\x1a\n")
    with pytest.raises(Rejection) as caught:
        read()
    assert caught.value.reason == "unsupported_content_type"
    assert (content_type or "missing") in caught.value.detail


def test_text_plain_is_read_as_text(http_server: LoopbackServer,
                                    fetch_settings: Settings) -> None:
    raw = _document(http_server, fetch_settings, "text/plain; charset=utf-8", b"Plain words.")()
    assert (raw.format, raw.content_type, raw.charset) == ("text", "text/plain", "utf-8")
    assert raw.body == b"Plain words." and raw.final_url == http_server.url("/doc")


@pytest.mark.parametrize(("content_type", "charset"), [
    ("text/html", None), ('TEXT/HTML; Charset="ISO-8859-1"', "ISO-8859-1"),
    ("application/xhtml+xml; charset=utf-8", "utf-8")])
def test_html_types_are_read_as_html(http_server: LoopbackServer, fetch_settings: Settings,
                                     content_type: str, charset: str | None) -> None:
    raw = _document(http_server, fetch_settings, content_type, PAGE.encode())()
    assert raw.format == "html" and raw.charset == charset

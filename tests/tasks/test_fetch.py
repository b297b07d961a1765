"""Fetching against a real HTTP server on 127.0.0.1, started by the test, with faults on demand."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsmill.errors import Rejection
from tasks.fetch import fetch_url, make_pool, read_file
from tasks.models import Source

ARTICLE = b"<html><head><title>T</title></head><body><p>Hello.</p></body></html>"
Handler = Callable[[BaseHTTPRequestHandler, int], None]


@dataclass
class Server:
    base: str
    routes: dict[str, Handler] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base + path


def _reply(status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8",
           headers: dict[str, str] | None = None) -> Handler:
    def handle(h: BaseHTTPRequestHandler, _hit: int) -> None:
        h.send_response(status)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        h.end_headers()
        h.wfile.write(body)
    return handle


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server(base="")

    class RequestHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hit = state.hits.get(self.path, 0) + 1
            state.hits[self.path] = hit
            route = state.routes.get(self.path)
            if route is None:
                _reply(404, b"not here")(self, hit)
            else:
                route(self, hit)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def _fetch(url: str, **overrides: object) -> object:
    options: dict[str, object] = {"max_bytes": 100_000, "timeout": 2.0, "retries": 2,
                                  "user_agent": "newsmill-test"}
    options.update(overrides)
    return fetch_url(Source(url, "url"), pool=make_pool(), **options)  # type: ignore[arg-type]


def test_ok_page(server: Server) -> None:
    server.routes["/a"] = _reply(200, ARTICLE)
    raw = _fetch(server.url("/a"))
    assert raw.body == ARTICLE and raw.format == "html" and raw.charset == "utf-8"  # type: ignore[attr-defined]


def test_plain_text_is_accepted(server: Server) -> None:
    server.routes["/t"] = _reply(200, b"Some text", "text/plain")
    assert _fetch(server.url("/t")).format == "text"  # type: ignore[attr-defined]


def test_404_is_terminal_with_status(server: Server) -> None:
    with pytest.raises(Rejection) as caught:
        _fetch(server.url("/missing"))
    assert caught.value.reason == "http_404"
    assert server.hits["/missing"] == 1  # no retry for a 4xx


def test_500_then_200_is_retried(server: Server) -> None:
    def flaky(h: BaseHTTPRequestHandler, hit: int) -> None:
        (_reply(500) if hit == 1 else _reply(200, ARTICLE))(h, hit)
    server.routes["/flaky"] = flaky
    assert _fetch(server.url("/flaky")).body == ARTICLE  # type: ignore[attr-defined]
    assert server.hits["/flaky"] == 2


def test_429_honours_retry_after(server: Server) -> None:
    def limited(h: BaseHTTPRequestHandler, hit: int) -> None:
        (_reply(429, headers={"Retry-After": "1"}) if hit == 1 else _reply(200, ARTICLE))(h, hit)
    server.routes["/limited"] = limited
    started = time.monotonic()
    _fetch(server.url("/limited"))
    assert time.monotonic() - started >= 1.0


def test_persistent_503_gives_up_after_retries(server: Server) -> None:
    server.routes["/down"] = _reply(503)
    with pytest.raises(Rejection) as caught:
        _fetch(server.url("/down"), retries=1)
    assert caught.value.reason == "gave_up" and "HTTP 503" in caught.value.detail
    assert server.hits["/down"] == 2


def test_slow_response_times_out(server: Server) -> None:
    def slow(h: BaseHTTPRequestHandler, hit: int) -> None:
        time.sleep(1.5)
        _reply(200, ARTICLE)(h, hit)
    server.routes["/slow"] = slow
    with pytest.raises(Rejection) as caught:
        _fetch(server.url("/slow"), timeout=0.5, retries=0)
    assert caught.value.reason == "gave_up" and "timed out" in caught.value.detail


def test_body_over_cap_is_rejected(server: Server) -> None:
    server.routes["/big"] = _reply(200, b"x" * 5000)
    with pytest.raises(Rejection) as caught:
        _fetch(server.url("/big"), max_bytes=1000)
    assert caught.value.reason == "too_large"


def test_non_html_content_type_is_rejected(server: Server) -> None:
    server.routes["/img"] = _reply(200, b"\x89PNG", "image/png")
    with pytest.raises(Rejection) as caught:
        _fetch(server.url("/img"))
    assert caught.value.reason == "unsupported_content_type" and "image/png" in caught.value.detail


def test_redirect_loop_is_capped(server: Server) -> None:
    server.routes["/loop"] = _reply(302, headers={"Location": "/loop"})
    with pytest.raises(Rejection) as caught:
        _fetch(server.url("/loop"))
    assert caught.value.reason == "too_many_redirects"


def test_connection_refused_is_recorded(server: Server) -> None:
    with pytest.raises(Rejection) as caught:
        _fetch("http://127.0.0.1:9/", retries=0)
    assert caught.value.reason == "gave_up" and "connection failed" in caught.value.detail


def test_read_file_limits_size(tmp_path: Path) -> None:
    path = tmp_path / "a.html"
    path.write_bytes(b"x" * 2000)
    assert read_file(Source(str(path), "file"), max_bytes=5000).format == "html"
    with pytest.raises(Rejection) as caught:
        read_file(Source(str(path), "file"), max_bytes=1000)
    assert caught.value.reason == "too_large"

"""A loopback HTTP server for the fetching tests (the fixtures are in this folder's conftest).

``http_server.route(path, fn)`` registers ``fn(handler, hit_count)`` for ``path`` (the query
string is ignored); ``hit_count`` is 1 on the first request to that path. ``http_server.hits``
counts requests per path, ``http_server.requests`` keeps each request's path, headers and
start time, and ``http_server.max_in_flight`` the most requests the server handled at once.
Unregistered paths answer 404. Helpers: :func:`send` and :func:`redirect`.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Route = Callable[[BaseHTTPRequestHandler, int], None]


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    started: float  # time.monotonic()


def send(handler: BaseHTTPRequestHandler, status: int = 200, body: bytes | str = b"",
         content_type: str | None = "text/html; charset=utf-8",
         headers: dict[str, str] | None = None, length: bool = True) -> None:
    """Answer with ``body``; ``length=False`` leaves Content-Length out (the end of the body
    is then the end of the connection, as in HTTP/1.0)."""
    data = body.encode() if isinstance(body, str) else body
    handler.send_response(status)
    if content_type:
        handler.send_header("Content-Type", content_type)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    if length:
        handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    if data:
        handler.wfile.write(data)


def redirect(handler: BaseHTTPRequestHandler, location: str, status: int = 302) -> None:
    send(handler, status, b"", content_type=None, headers={"Location": location})


@dataclass
class LoopbackServer:
    httpd: ThreadingHTTPServer
    routes: dict[str, Route] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    requests: list[Seen] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, fn: Route) -> None:
        self.routes[path] = fn

    def seen(self, path: str) -> list[Seen]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    @property
    def total_hits(self) -> int:
        with self.lock:
            return sum(self.hits.values())


def handler_class(server: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            with server.lock:
                server.hits[path] += 1
                count = server.hits[path]
                server.requests.append(Seen(path, dict(self.headers.items()), time.monotonic()))
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
            try:
                route = server.routes.get(path)
                if route is None:
                    send(self, 404, b"not here", content_type="text/plain")
                else:
                    route(self, count)
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                pass  # the client gave up first (timeouts, caps): expected in these tests
            finally:
                with server.lock:
                    server.in_flight -= 1

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


def start_server() -> tuple[LoopbackServer, threading.Thread]:
    httpd = QuietServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server = LoopbackServer(httpd)
    httpd.RequestHandlerClass = handler_class(server)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    return server, thread


def stop_server(server: LoopbackServer, thread: threading.Thread) -> None:
    server.httpd.shutdown()
    server.httpd.server_close()
    thread.join(timeout=5)


@dataclass
class OutsideAttempts:
    """Connections the tests tried to open outside 127.0.0.0/8 (refused)."""

    addresses: list[str] = field(default_factory=list)

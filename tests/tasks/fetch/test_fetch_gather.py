"""fetch.gather: a batch's sources, of every kind, come back in the order they were given."""

from __future__ import annotations

from pathlib import Path

from loopback_server import LoopbackServer, send

from newsmill.settings import Settings
from newsmill.tasks.fetch.gather import gather
from newsmill.tasks.models import Source

PAGE = ("<html><head><title>Harbour</title></head><body><article><p>"
        + "The harbour council met on Tuesday to agree the new ferry timetable. " * 20
        + "</p></article></body></html>")


def test_mixed_sources_keep_their_order(http_server: LoopbackServer, fetch_settings: Settings,
                                        tmp_path: Path) -> None:
    for path in ("/one", "/two"):
        http_server.route(path, lambda h, n: send(h, 200, PAGE,
                                                  content_type="text/html; charset=utf-8"))
    http_server.route("/gone", lambda h, n: send(h, 404, "no"))
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("First file.\n")
    second.write_text("Second file.\n")
    sources = [Source(http_server.url("/one"), "url"), Source(str(first), "file"),
               Source(http_server.url("/gone"), "url"),
               Source(str(tmp_path / "missing.txt"), "invalid", "not_found", "no such file"),
               Source(http_server.url("/two"), "url"), Source(str(second), "file")]
    out = gather(sources, fetch_settings, "run-1", robots={})
    # Before, files came first and URLs after, whatever the order given.
    assert [raw.source for raw in out.raws] == [
        http_server.url("/one"), str(first), http_server.url("/two"), str(second)]
    assert [where for where, _r in out.refused] == [http_server.url("/gone"),
                                                    str(tmp_path / "missing.txt")]
    assert sorted(out.file_stamps) == sorted([str(first), str(second)])
    assert len(out.fetches) == 3  # every response, the 404 included

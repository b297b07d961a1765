"""fetch.gather: a batch's sources, of every kind, come back in the order they were given."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

from loopback_server import LoopbackServer, redirect, send

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


def test_a_file_named_in_bytes_that_are_not_utf8_is_read_and_named_in_utf8(
        fetch_settings: Settings, tmp_path: Path) -> None:
    real = os.path.join(os.fsencode(tmp_path), b"\xff-report.txt")
    with open(real, "wb") as handle:
        handle.write(b"A report.\n")
    name = os.fsdecode(real)
    out = gather([Source(name, "file"), Source(name + ".gone", "invalid", "not_found", "no")],
                 fetch_settings, "run-1", robots={})
    (raw,) = out.raws
    assert raw.body == b"A report.\n" and raw.source.endswith("\\xff-report.txt")
    assert [where for where, _r in out.refused] == [raw.source + ".gone"]
    assert list(out.file_stamps) == [raw.source]
    for text in (raw.source, out.file_stamps[raw.source][0].path):
        text.encode("utf-8")


def test_files_that_vanish_or_are_pipes_are_refused_without_blocking(
        fetch_settings: Settings, tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.html")
    out = gather([Source(str(tmp_path / "pipe.html"), "file"),
                  Source(str(tmp_path / "vanished.txt"), "file")], fetch_settings, "run-1",
                 robots={})
    assert [(r.stage, r.reason) for _w, r in out.refused] == [("fetch", "not_a_file"),
                                                              ("fetch", "not_found")]


def test_a_redirect_to_a_malformed_url_is_that_url_s_refusal(
        http_server: LoopbackServer, fetch_settings: Settings) -> None:
    http_server.route("/bad", lambda h, n: redirect(h, "http://[::1/x"))
    http_server.route("/good", lambda h, n: send(h, 200, PAGE))
    out = gather([Source(http_server.url("/bad"), "url"), Source(http_server.url("/good"), "url")],
                 fetch_settings, "run-1", robots={})
    assert [raw.source for raw in out.raws] == [http_server.url("/good")]
    ((where, refusal),) = out.refused
    assert where == http_server.url("/bad") and refusal.stage == "fetch"


def test_a_file_s_format_is_what_its_bytes_are_not_only_its_suffix(
        fetch_settings: Settings, tmp_path: Path) -> None:
    (tmp_path / "page.txt").write_text(PAGE)
    (tmp_path / "plain.html").write_text("Ferry timetable\n\nThe council met on Tuesday.\n")
    (tmp_path / "page.html").write_text(PAGE)
    (tmp_path / "bom16.txt").write_bytes(codecs.BOM_UTF16_LE + PAGE.encode("utf-16-le"))
    (tmp_path / "fragment.txt").write_text("<p>One.</p><p>Two.</p><p>Three <b>x</b>.</p>")
    (tmp_path / "prose.txt").write_text("He typed <b> and i < 3 and x > 2 in the text.\n")
    names = ["page.txt", "plain.html", "page.html", "bom16.txt", "fragment.txt", "prose.txt"]
    out = gather([Source(str(tmp_path / n), "file") for n in names], fetch_settings, "run-1",
                 robots={})
    assert [raw.format for raw in out.raws] == ["html", "text", "html", "html", "html", "text"]

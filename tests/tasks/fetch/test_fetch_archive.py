"""WARC: responses written by WarcArchive come back byte for byte through read_record, and a
batch of URLs fetched by process_batch is archived and indexed in the ``fetches`` table."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from loopback_server import LoopbackServer, send

from newsmill.errors import Rejection
from newsmill.settings import Settings
from newsmill.tasks.batch import process_batch
from newsmill.tasks.fetch import read_archived
from newsmill.tasks.fetch.archive import WarcArchive, read_record
from newsmill.tasks.fetch.client import Response
from newsmill.tasks.models import Source
from newsmill.versions import code_version
from newsmill.warehouse.connection import open_writer
from newsmill.warehouse.runs import start_run

DataTests = Callable[[Path], dict[str, list[tuple[object, ...]]]]


def response(url: str, body: bytes, content_type: str = "text/html; charset=utf-8",
             status: int = 200) -> Response:
    return Response(url=url, final_url=url, status=status, reason="OK",
                    headers=(("Content-Type", content_type), ("ETag", '"e1"')),
                    body=body, fetched_at=datetime(2024, 5, 1, 12, 30, 15))


def test_warc_round_trip(tmp_path: Path) -> None:
    html = "<html><body><p>Caf\u00e9 \u2014 \u201cquoted\u201d</p></body></html>".encode()
    binary = bytes(range(256)) * 40
    path = tmp_path / "warc" / "batch.warc.gz"
    with WarcArchive(path) as archive:
        first = archive.write(response("http://127.0.0.1:1/a", html))
        second = archive.write(response("http://127.0.0.1:1/b", binary, "application/pdf"))
    assert first.path == second.path == str(path)
    assert first.offset == 0 and second.offset == first.offset + first.length
    assert path.stat().st_size == second.offset + second.length

    a = read_record(first.path, first.offset)
    b = read_record(second.path, second.offset)
    assert (a.url, a.status, a.body) == ("http://127.0.0.1:1/a", 200, html)
    assert (b.url, b.status, b.body) == ("http://127.0.0.1:1/b", 200, binary)
    assert ("Content-Type", "application/pdf") in b.headers
    assert ("ETag", '"e1"') in a.headers


def test_appending_to_an_archive_keeps_earlier_offsets(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    with WarcArchive(path) as archive:
        first = archive.write(response("http://127.0.0.1:1/a", b"<p>one</p>"))
    with WarcArchive(path) as archive:
        second = archive.write(response("http://127.0.0.1:1/b", b"<p>two</p>"))
    assert second.offset == first.offset + first.length
    assert read_record(str(path), first.offset).body == b"<p>one</p>"
    assert read_record(str(path), second.offset).body == b"<p>two</p>"


def test_read_archived_applies_the_content_type_policy(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    with WarcArchive(path) as archive:
        page = archive.write(response("http://127.0.0.1:1/a", b"<p>one</p>"))
        image = archive.write(response("http://127.0.0.1:1/i", b"\x89PNG", "image/png"))
    raw = read_archived(Source("http://127.0.0.1:1/a", "archive", archive_path=page.path,
                               archive_offset=page.offset))
    assert (raw.body, raw.format, raw.charset) == (b"<p>one</p>", "html", "utf-8")
    with pytest.raises(Rejection) as caught:
        read_archived(Source("http://127.0.0.1:1/i", "archive", archive_path=image.path,
                             archive_offset=image.offset))
    assert caught.value.reason == "unsupported_content_type"


def test_a_missing_archive_record_is_a_rejection(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    with WarcArchive(path) as archive:
        record = archive.write(response("http://127.0.0.1:1/a", b"<p>one</p>"))
    for where, offset in ((str(tmp_path / "none.warc.gz"), 0), (str(path), record.length)):
        with pytest.raises(Rejection) as caught:
            read_record(where, offset)
        assert caught.value.reason == "archive_missing"
    with pytest.raises(Rejection) as missing:
        read_archived(Source("http://127.0.0.1:1/a", "archive"))
    assert missing.value.reason == "archive_missing"


SERVED = {"/news/harbour-gazette-port-strike.html": "text/html; charset=utf-8",
          "/news/northern-ledger-dock-strike.html": "text/html; charset=utf-8",
          "/news/kenya-drought-herders.txt": "text/plain; charset=utf-8"}


@pytest.mark.model
def test_process_batch_archives_fetched_pages(http_server: LoopbackServer,
                                              fetch_settings: Settings, corpus: Path,
                                              run_data_tests: DataTests) -> None:
    bodies = {path: (corpus / Path(path).name).read_bytes() for path in SERVED}
    for path, content_type in SERVED.items():
        http_server.route(path, lambda h, n, path=path, content_type=content_type: send(
            h, 200, bodies[path], content_type=content_type,
            headers={"ETag": f'"{hashlib.sha1(bodies[path]).hexdigest()[:12]}"'}))
    http_server.route("/news/logo.png", lambda h, n: send(h, 200, b"\x89PNG",
                                                          content_type="image/png"))
    urls = [http_server.url(p) for p in [*SERVED, "/news/logo.png"]]
    run_id = uuid.uuid4().hex
    with open_writer(fetch_settings.db) as conn:
        start_run(conn, run_id=run_id, flow="test", settings=fetch_settings.as_record(),
                  code_version=code_version(), spacy_model=None, spacy_model_version=None,
                  sources_given=len(urls))

    report = process_batch([Source(u, "url") for u in urls], fetch_settings, run_id)

    assert report.loaded == 3, report
    assert report.reasons == {"fetch/unsupported_content_type": 1}
    assert http_server.hits["/robots.txt"] == 1
    assert all(http_server.hits[p] == 1 for p in [*SERVED, "/news/logo.png"])
    conn = duckdb.connect(str(fetch_settings.db), read_only=True)
    try:
        rows = conn.execute("select url, status, content_type, etag, body_bytes, body_sha256, "
                            "warc_path, warc_offset, warc_length from fetches "
                            "where run_id = ? order by url", [run_id]).fetchall()
        robots = conn.execute("select origin, status from robots").fetchall()
    finally:
        conn.close()
    assert robots == [(http_server.base, 404)]
    assert sorted(r[0] for r in rows) == sorted(urls)  # the refused PNG is archived as well
    for url, status, _type, etag, size, sha, warc_path, offset, length in rows:
        assert status == 200 and warc_path and offset is not None and length
        assert Path(warc_path).parent == fetch_settings.archive_path
        stored = read_record(warc_path, offset)
        assert stored.url == url and len(stored.body) == size
        assert hashlib.sha256(stored.body).hexdigest() == sha
        path = url.removeprefix(http_server.base)
        if path in bodies:
            assert stored.body == bodies[path] and etag is not None
    assert run_data_tests(fetch_settings.db) == {}

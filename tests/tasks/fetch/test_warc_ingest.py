"""Backfill from web archives: `newsmill ingest archive.warc.gz`.

Every WARC file here is written by warcio's WARCWriter in the test (gzip per record, as
CC-NEWS files are): a warcinfo record, requests, metadata, a revisit, pages in UTF-8 and in
windows-1251 (the charset said only by the HTTP header), a 404, an image, two captures of one
page, and a last record cut short. The first tests read the file (scan, sources, the fetch
stage); those marked ``model`` run the real pipeline over it.
"""

from __future__ import annotations

import gzip
import io
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from helpers import query_rows
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsmill.errors import Rejection
from newsmill.settings import Settings
from newsmill.tasks.fetch import archived_response
from newsmill.tasks.fetch.archive import read_record, scan_warc
from newsmill.tasks.fetch.gather import gather
from newsmill.tasks.models import Source
from newsmill.tasks.sources import expand_sources

ENGLISH = ("<html><head><title>Harbour ferries</title></head><body><article>"
           "<h1>Harbour council agrees a new ferry timetable</h1>"
           "<p>The harbour council met on Tuesday and agreed the ferry timetable that "
           "islanders had asked for since the spring storms closed the old pier.</p>"
           "<p>Boats will leave every forty minutes from the north quay, and the last crossing "
           "of the evening moves from nine o'clock to half past ten.</p>"
           "<p>The council's transport officer said the change would cost less than the "
           "repairs to the pier, which are now planned for the autumn.</p>"
           "</article></body></html>")
RUSSIAN_PHRASE = "Городской совет утвердил новый бюджет"
RUSSIAN = ("<html><head><title>Бюджет</title></head><body><article>"
           f"<h1>{RUSSIAN_PHRASE}</h1>"
           f"<p>{RUSSIAN_PHRASE} на следующий год после долгого обсуждения расходов на "
           "школы, дороги и больницы города.</p>"
           "<p>Больше всего денег получат районные поликлиники и ремонт мостов через реку, "
           "сообщил председатель комиссии по финансам.</p>"
           "<p>Депутаты оппозиции голосовали против и потребовали опубликовать подробную "
           "смету расходов до конца месяца.</p>"
           "</article></body></html>")
OLD_EDITION = ENGLISH.replace("ferry timetable", "bus timetable").replace(
    "Harbour council", "Old harbour council")
NEW_EDITION = ENGLISH.replace("ferry timetable", "tram timetable").replace(
    "Harbour council", "New harbour council")


def when(day: int) -> datetime:
    return datetime(2024, 3, day, 10, 30, 0)


@dataclass
class Warc:
    """A WARC file being written, and where each record went."""

    path: Path
    gzip: bool = True
    offsets: list[tuple[str, str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._file = self.path.open("wb")
        self._writer = WARCWriter(self._file, gzip=self.gzip)

    def response(self, url: str, body: bytes, *, content_type: str = "text/html",
                 status: str = "200 OK", day: int = 1) -> int:
        headers = StatusAndHeaders(status, [("Content-Type", content_type)],
                                   protocol="HTTP/1.1")
        record = self._writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=headers,
            warc_headers_dict={"WARC-Date": when(day).strftime("%Y-%m-%dT%H:%M:%SZ")})
        return self._write("response", url, record)

    def request(self, url: str) -> int:
        headers = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example")],
                                   is_http_request=True)
        record = self._writer.create_warc_record(url, "request", payload=io.BytesIO(b""),
                                                 http_headers=headers)
        return self._write("request", url, record)

    def other(self, kind: str, url: str, body: bytes = b"via: test\r\n") -> int:
        headers: dict[str, str] = {}
        if kind == "revisit":
            headers = {"WARC-Profile": "http://netpreserve.org/warc/1.0/revisit/"
                                       "identical-payload-digest",
                       "WARC-Refers-To-Target-URI": url}
        record = self._writer.create_warc_record(
            url, kind, payload=io.BytesIO(body), warc_headers_dict=headers,
            warc_content_type="application/warc-fields")
        return self._write(kind, url, record)

    def warcinfo(self) -> int:
        record = self._writer.create_warcinfo_record("test.warc.gz",
                                                     {"software": "newsmill tests"})
        return self._write("warcinfo", "", record)

    def _write(self, kind: str, url: str, record: object) -> int:
        offset = self._file.tell()
        self._writer.write_record(record)
        self.offsets.append((kind, url, offset))
        return offset

    def close(self, *, cut: int = 0) -> Path:
        """Close the file, ``cut`` bytes shorter (a download that stopped early)."""
        size = self._file.tell()
        self._file.close()
        if cut:
            with self.path.open("r+b") as handle:
                handle.truncate(size - cut)
        return self.path


@dataclass
class Backfill:
    path: Path
    offsets: dict[str, int]


def backfill_warc(folder: Path, *, newest_first: bool = True, gzip: bool = True) -> Backfill:
    """The mixed WARC file the tests read; ``offsets`` of the records that matter."""
    warc = Warc(folder / ("backfill.warc.gz" if gzip else "backfill.warc"), gzip=gzip)
    offsets = {}
    warc.warcinfo()
    warc.request("http://news.example/harbour")
    offsets["harbour"] = warc.response("http://news.example/harbour", ENGLISH.encode(), day=2)
    offsets["metadata"] = warc.other("metadata", "http://news.example/harbour")
    offsets["budget"] = warc.response(
        "http://news.example/budget", RUSSIAN.encode("cp1251"),
        content_type="text/html; charset=windows-1251", day=3)
    warc.response("http://news.example/missing", b"<html><body>Not found</body></html>",
                  status="404 Not Found")
    warc.response("http://news.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200),
                  content_type="image/png")
    warc.other("revisit", "http://news.example/harbour", b"")
    editions = [("new", "http://news.example/timetable", NEW_EDITION, 5),
                ("old", "http://news.example/timetable?utm_source=feed", OLD_EDITION, 4)]
    for name, url, page, day in editions if newest_first else editions[::-1]:
        offsets[name] = warc.response(url, page.encode(), day=day)
    offsets["cut"] = warc.response("http://news.example/cut", ENGLISH.encode(), day=6)
    return Backfill(warc.close(cut=40), offsets)


# -- reading the file -------------------------------------------------------------------------


def test_a_scan_lists_every_record_at_its_offset_and_the_cut_one_as_damaged(tmp_path: Path
                                                                             ) -> None:
    warc = Warc(tmp_path / "a.warc.gz")
    warc.warcinfo()
    warc.request("http://news.example/a")
    warc.response("http://news.example/a", ENGLISH.encode(), day=7)
    warc.other("metadata", "http://news.example/a")
    warc.response("http://news.example/b", ENGLISH.encode(), day=8)
    path = warc.close(cut=25)
    scanned = list(scan_warc(str(path)))
    assert [(r.rec_type, r.offset) for r in scanned[:-1]] == [
        (kind, offset) for kind, _url, offset in warc.offsets[:-1]]
    assert scanned[2].url == "http://news.example/a"
    assert (scanned[2].status, scanned[2].content_type) == (200, "text/html")
    assert scanned[2].captured_at == when(7)
    assert all(r.problem is None for r in scanned[:-1])
    last = scanned[-1]
    assert last.offset == warc.offsets[-1][2] and last.problem and "cut short" in last.problem


def test_a_warc_file_becomes_one_source_per_page(tmp_path: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    backfill = backfill_warc(tmp_path)
    with caplog.at_level(logging.INFO, logger="newsmill.tasks.sources"):
        sources = expand_sources([str(backfill.path)])
    where = str(backfill.path.resolve())
    pages = [s for s in sources if s.kind == "archive"]
    assert [(s.location, s.archive_offset, s.captured_at) for s in pages] == [
        ("http://news.example/harbour", backfill.offsets["harbour"], when(2)),
        ("http://news.example/budget", backfill.offsets["budget"], when(3)),
        ("http://news.example/timetable", backfill.offsets["new"], when(5)),
    ]
    assert {s.archive_path for s in pages} == {where}
    [damaged] = [s for s in sources if s.kind == "invalid"]
    assert damaged.reason == "warc_corrupt"
    assert damaged.location == f"{where}:{backfill.offsets['cut']}"
    assert damaged.detail and f"offset {backfill.offsets['cut']}" in damaged.detail
    assert len(sources) == 4
    summary = [r.getMessage() for r in caplog.records if "records skipped" in r.getMessage()]
    assert summary == [f"{where}: 4 pages to read, 1 damaged records; 6 records skipped "
                       "(warcinfo 1, request 1, metadata 1, non-2xx status 1, "
                       "not HTML or text 1, revisit 1)"]


@pytest.mark.parametrize("newest_first", [True, False])
def test_of_two_captures_of_one_page_the_newer_is_read(tmp_path: Path,
                                                       newest_first: bool) -> None:
    backfill = backfill_warc(tmp_path, newest_first=newest_first)
    pages = [s for s in expand_sources([str(backfill.path)]) if "timetable" in s.location]
    assert [(s.location, s.archive_offset) for s in pages] == [
        ("http://news.example/timetable", backfill.offsets["new"])]


def test_the_newer_capture_wins_across_files(tmp_path: Path) -> None:
    older, newer = Warc(tmp_path / "older.warc.gz"), Warc(tmp_path / "newer.warc.gz")
    newer.response("http://news.example/page", NEW_EDITION.encode(), day=9)
    older.response("http://NEWS.example:80/page#top", OLD_EDITION.encode(), day=8)
    older.response("http://news.example/other", ENGLISH.encode(), day=8)
    sources = expand_sources([str(older.close()), str(newer.close())])
    assert [(s.location, Path(str(s.archive_path)).name) for s in sources] == [
        ("http://news.example/page", "newer.warc.gz"),
        ("http://news.example/other", "older.warc.gz")]


def test_folders_and_lists_hold_warc_files(tmp_path: Path) -> None:
    folder = tmp_path / "crawl"
    (folder / "2024").mkdir(parents=True)
    plain = Warc(folder / "2024" / "one.warc", gzip=False)
    plain.response("http://news.example/one", ENGLISH.encode())
    plain.close()
    packed = Warc(folder / "two.WARC.GZ")
    packed.response("http://news.example/two", ENGLISH.encode())
    packed.close()
    (folder / "notes.json").write_text("{}")
    found = expand_sources([str(folder)])
    assert [(s.kind, s.location) for s in found] == [
        ("archive", "http://news.example/one"), ("archive", "http://news.example/two")]
    listing = tmp_path / "list.txt"
    listing.write_text(f"{folder / 'two.WARC.GZ'}\n")
    [listed] = expand_sources([f"@{listing}"])
    assert (listed.kind, listed.location) == ("archive", "http://news.example/two")


@pytest.mark.parametrize("gzip", [True, False])
def test_a_damaged_record_in_the_middle_costs_that_record_only(tmp_path: Path,
                                                              gzip: bool) -> None:
    warc = Warc(tmp_path / ("w.warc.gz" if gzip else "w.warc"), gzip=gzip)
    for name in ("a", "b", "c"):
        warc.response(f"http://news.example/{name}", ENGLISH.encode())
    path = warc.close()
    b_at = warc.offsets[1][2]
    data = path.read_bytes()
    path.write_bytes(data[:b_at] + b"\x00" * 30 + data[b_at + 30:])  # b is damaged
    sources = expand_sources([str(path)])
    assert [(s.kind, s.location) for s in sources] == [
        ("archive", "http://news.example/a"),
        ("invalid", f"{path.resolve()}:{b_at}"),
        ("archive", "http://news.example/c")]
    c = sources[2]
    assert c.archive_path and c.archive_offset is not None
    assert read_record(c.archive_path, c.archive_offset).url == "http://news.example/c"


def test_a_file_that_is_no_warc_is_one_damaged_record(tmp_path: Path) -> None:
    path = tmp_path / "page.warc.gz"
    path.write_bytes(b"<html><body>not an archive</body></html>\n" * 50)
    [source] = expand_sources([str(path)])
    assert (source.kind, source.reason) == ("invalid", "warc_corrupt")
    assert source.location == f"{path.resolve()}:0"


def test_a_warc_gzipped_as_a_whole_is_refused_with_the_way_out(tmp_path: Path) -> None:
    plain = Warc(tmp_path / "plain.warc", gzip=False)
    for name in ("a", "b", "c"):
        plain.response(f"http://news.example/{name}", ENGLISH.encode())
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(plain.close().read_bytes()))
    [source] = expand_sources([str(path)])  # not three copies of the first page
    assert (source.kind, source.reason) == ("invalid", "warc_corrupt")
    assert source.detail and "warcio recompress" in source.detail


def test_a_warc_file_with_no_page_says_so(tmp_path: Path) -> None:
    warc = Warc(tmp_path / "nothing.warc.gz")
    warc.warcinfo()
    warc.request("http://news.example/logo.png")
    warc.response("http://news.example/logo.png", b"\x89PNG", content_type="image/png")
    [source] = expand_sources([str(warc.close())])
    assert (source.kind, source.reason) == ("invalid", "no_pages")
    assert source.detail and "3 records skipped" in source.detail


# -- the fetch stage --------------------------------------------------------------------------


def test_pages_are_read_by_offset_with_their_capture_date(tmp_path: Path,
                                                          settings: Settings) -> None:
    backfill = backfill_warc(tmp_path)
    sources = expand_sources([str(backfill.path)])
    out = gather(sources, settings, "run-w", robots={})
    assert [raw.source for raw in out.raws] == [
        "http://news.example/harbour", "http://news.example/budget",
        "http://news.example/timetable"]
    budget = out.raws[1]
    assert budget.charset == "windows-1251" and budget.format == "html"
    assert RUSSIAN_PHRASE in budget.body.decode(budget.charset)
    assert b"tram timetable" in out.raws[2].body
    [(where, refusal)] = out.refused
    assert where == f"{backfill.path.resolve()}:{backfill.offsets['cut']}"
    assert (refusal.stage, refusal.reason) == ("fetch", "warc_corrupt")
    rows = {row["url"]: row for row in out.fetches}
    assert sorted(rows) == sorted(raw.source for raw in out.raws)
    harbour = rows["http://news.example/harbour"]
    assert harbour["fetched_at"] == when(2) and harbour["status"] == 200
    assert harbour["warc_path"] == str(backfill.path.resolve())
    assert harbour["warc_offset"] == backfill.offsets["harbour"]
    assert harbour["warc_length"] == backfill.offsets["metadata"] - backfill.offsets["harbour"]
    assert harbour["content_type"] == "text/html"
    assert rows["http://news.example/timetable"]["fetched_at"] == when(5)


def test_a_reextraction_adds_no_fetches_row(tmp_path: Path, settings: Settings) -> None:
    backfill = backfill_warc(tmp_path)
    stored = Source("http://news.example/harbour", "archive",
                    archive_path=str(backfill.path), archive_offset=backfill.offsets["harbour"])
    out = gather([stored], settings, "run-r", robots={})
    assert [raw.source for raw in out.raws] == ["http://news.example/harbour"]
    assert out.fetches == []
    response, record = archived_response(stored)
    assert response.fetched_at == when(2)  # the capture date, no longer 1970-01-01
    assert record.length > 0


def test_a_record_cut_short_is_refused_when_read(tmp_path: Path) -> None:
    backfill = backfill_warc(tmp_path)
    with pytest.raises(Rejection) as refused:
        read_record(str(backfill.path), backfill.offsets["cut"])
    assert (refused.value.stage, refused.value.reason) == ("fetch", "warc_corrupt")


# -- the whole pipeline -----------------------------------------------------------------------


@pytest.mark.model
def test_ingesting_a_warc_file_loads_its_pages(tmp_path: Path) -> None:
    from newsmill.flows.pipeline import Steps, ingest_run, reextract_run

    backfill = backfill_warc(tmp_path)
    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb", batch_size=2,
                                 archive_dir=str(tmp_path / "archive"))
    result = ingest_run([str(backfill.path)], settings, Steps())
    assert result.status == "completed"
    assert (result.report.loaded, result.report.rejected) == (3, 1)
    documents = dict(query_rows(settings.db, "select source, clean_text from documents"))
    assert sorted(documents) == ["http://news.example/budget", "http://news.example/harbour",
                                 "http://news.example/timetable"]
    assert RUSSIAN_PHRASE in documents["http://news.example/budget"]  # cp1251, by the header
    assert "tram timetable" in documents["http://news.example/timetable"]  # the newer capture
    where = str(backfill.path.resolve())
    fetches = query_rows(settings.db, "select url, status, fetched_at, warc_path, warc_offset "
                                      "from fetches order by url")
    assert fetches == [
        ("http://news.example/budget", 200, when(3), where, backfill.offsets["budget"]),
        ("http://news.example/harbour", 200, when(2), where, backfill.offsets["harbour"]),
        ("http://news.example/timetable", 200, when(5), where, backfill.offsets["new"])]
    assert query_rows(settings.db, "select source, stage, reason from rejections") == [
        (f"{where}:{backfill.offsets['cut']}", "fetch", "warc_corrupt")]
    assert not (tmp_path / "archive").exists()  # the pages stay in the file they came in

    again = reextract_run(settings, Steps())  # from the fetches rows: the original file
    assert again.status == "completed"
    assert (again.sources, again.report.rejected) == (3, 0)
    assert again.report.loaded + again.report.unchanged == 3
    assert query_rows(settings.db, "select count(*) from fetches") == [(3,)]


@pytest.mark.model
def test_a_backfill_takes_the_sites_and_days_asked_for(tmp_path: Path) -> None:
    from datetime import date

    from newsmill.flows.pipeline import Steps, ingest_run
    from newsmill.tasks.backfill import CaptureFilter

    backfill = backfill_warc(tmp_path)
    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb")
    day = when(3).date()
    result = ingest_run([str(backfill.path)], settings, Steps(),
                        captures=CaptureFilter(("news.example",), since=day,
                                               until=date(day.year, day.month, day.day + 1)))
    assert result.status == "completed"
    # harbour (captured on day 2) and the newer timetable (day 5) are outside the days asked
    assert [r[0] for r in query_rows(settings.db, "select source from documents")] == [
        "http://news.example/budget"]


def test_the_cli_passes_the_backfill_filters() -> None:
    from datetime import date

    from newsmill.cli.main import build_parser

    args = build_parser().parse_args(["ingest", "a.warc.gz", "--site", "bbc.co.uk", "--site",
                                      "reuters.com", "--since", "2026-03-01",
                                      "--until", "2026-03-31"])
    assert (args.sites, args.since, args.until) == (["bbc.co.uk", "reuters.com"],
                                                    date(2026, 3, 1), date(2026, 3, 31))

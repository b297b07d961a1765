"""How fast WARC files are read: not a test, a measurement to run by hand.

    .venv/bin/python tests/tasks/fetch/warc_throughput.py [MEGABYTES] [FOLDER]

Writes a gzipped WARC file of about MEGABYTES (100 by default) shaped like a CC-NEWS file
(a request, a response and a metadata record per page, pages of 20 to 60 KB of words), then
times the two reads an ingest makes of it: expanding it into sources (every record's headers,
bodies skipped) and reading each page back by offset as its batch does (the record, its body
and the content-type policy). Prints records and pages per second for each.
"""

from __future__ import annotations

import io
import random
import sys
import tempfile
import time
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsmill.tasks.fetch import read_archived
from newsmill.tasks.sources import expand_sources

WORDS = ["council", "harbour", "ferry", "budget", "minister", "election", "hospital",
         "school", "river", "bridge", "police", "court", "report", "market", "bank", "strike",
         "weather", "storm", "festival", "museum", "railway", "timetable", "mayor", "street",
         "village", "government", "parliament", "committee", "vote"]


def page(rng: random.Random) -> bytes:
    paragraphs = []
    for _ in range(rng.randint(40, 120)):
        words = rng.choices(WORDS, k=rng.randint(40, 90))
        paragraphs.append(f"<p>{' '.join(words).capitalize()} {rng.randint(0, 10**9)}.</p>")
    return ("<html><head><meta charset='utf-8'><title>News</title></head><body><article>"
            + "".join(paragraphs) + "</article></body></html>").encode()


def write_warc(path: Path, megabytes: int) -> tuple[int, int]:
    """The file's records and pages."""
    rng = random.Random(7)
    records = pages = 0
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        while handle.tell() < megabytes * 1_000_000:
            url = f"https://news.example/{pages}/story"
            request = StatusAndHeaders(f"GET /{pages}/story HTTP/1.1",
                                       [("Host", "news.example")], is_http_request=True)
            writer.write_record(writer.create_warc_record(
                url, "request", payload=io.BytesIO(b""), http_headers=request))
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(page(rng)), http_headers=headers))
            writer.write_record(writer.create_warc_record(
                url, "metadata", payload=io.BytesIO(b"fetchTimeMs: 120\r\n"),
                warc_content_type="application/warc-fields"))
            records += 3
            pages += 1
    return records, pages


def main() -> None:
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    folder = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp())
    path = folder / "throughput.warc.gz"
    records, pages = write_warc(path, megabytes)
    size = path.stat().st_size / 1e6
    print(f"{path}: {size:.0f} MB, {records} records, {pages} pages")

    started = time.perf_counter()
    sources = expand_sources([str(path)])
    scanned = time.perf_counter() - started
    print(f"expand (headers only): {scanned:.1f} s, {records / scanned:,.0f} records/s, "
          f"{size / scanned:.0f} MB/s")

    started = time.perf_counter()
    body_bytes = sum(len(read_archived(source).body) for source in sources)
    read = time.perf_counter() - started
    print(f"read back by offset:   {read:.1f} s, {len(sources) / read:,.0f} pages/s, "
          f"{body_bytes / 1e6 / read:.0f} MB/s of pages")
    total = scanned + read
    print(f"both:                  {records / total:,.0f} records/s, "
          f"{len(sources) / total:,.0f} pages/s")
    path.unlink()


if __name__ == "__main__":
    main()

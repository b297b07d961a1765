"""Raw responses kept as WARC (ISO 28500), the format web archives and their tools read.

Each batch writes one gzipped WARC file; a record's file, offset and length go into the
``fetches`` table, so any document can be re-extracted later without fetching again
(``newsmill reextract``). The files live beside the warehouse, out of the analysts' tables.
Bodies are stored decoded (no Content-Encoding), with the response's status and headers.

WARC files made elsewhere (a crawler's, Common Crawl's CC-NEWS) are read the same way:
:func:`scan_warc` lists the records of a file by offset, reading headers and skipping bodies,
and :func:`read_record` reads one of them back when its batch comes.
"""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Literal

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsmill.errors import Rejection
from newsmill.tasks.fetch.client import Response


@dataclass(frozen=True)
class ArchivedRecord:
    path: str
    offset: int
    length: int


class WarcArchive:
    """Appends response records to one ``.warc.gz`` file (one writer at a time)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = path.open("ab")
        self._writer = WARCWriter(self._file, gzip=True)

    def write(self, response: Response) -> ArchivedRecord:
        status_line = f"{response.status} {response.reason or 'OK'}"
        http_headers = StatusAndHeaders(status_line, list(response.headers),
                                        protocol="HTTP/1.1")
        record = self._writer.create_warc_record(
            response.final_url, "response", payload=io.BytesIO(response.body),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": response.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")},
        )
        offset = self._file.tell()
        self._writer.write_record(record)
        self._file.flush()
        return ArchivedRecord(str(self.path), offset, self._file.tell() - offset)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> WarcArchive:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


@dataclass(frozen=True)
class StoredResponse:
    url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    #: The record's WARC-Date (naive UTC), None when it has none that parses.
    captured_at: datetime | None = None
    #: The record's length in the file, as stored (compressed, for a ``.warc.gz``).
    length: int = 0


def read_record(path: str, offset: int) -> StoredResponse:
    """The response stored at ``offset`` of the WARC file ``path``; a record cut short (a
    truncated file) or one that cannot be parsed is refused as ``warc_corrupt``."""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            records = ArchiveIterator(handle)
            for record in records:
                if record.rec_type != "response":
                    continue
                headers = record.http_headers
                body = record.content_stream().read()
                records.read_to_end(record)
                if _cut_short(record):
                    raise Rejection("fetch", "warc_corrupt",
                                    f"the record at {path}:{offset} is cut short")
                return StoredResponse(
                    url=record.rec_headers.get_header("WARC-Target-URI") or "",
                    status=int(headers.get_statuscode()) if headers else 0,
                    headers=tuple(headers.headers) if headers else (),
                    body=body, captured_at=warc_date(record),
                    length=records.get_record_length(),
                )
    except OSError as exc:
        raise Rejection("fetch", "archive_missing", f"cannot read {path}: {exc}") from exc
    except (ArchiveLoadFailed, EOFError, ValueError, zlib.error) as exc:
        raise Rejection("fetch", "warc_corrupt",
                        f"the record at {path}:{offset} cannot be read: {exc}") from exc
    raise Rejection("fetch", "archive_missing", f"no response record at {path}:{offset}")


def warc_date(record: ArcWarcRecord) -> datetime | None:
    """The record's WARC-Date as a naive UTC datetime (None when missing or malformed)."""
    value = record.rec_headers.get_header("WARC-Date") if record.rec_headers else None
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _cut_short(record: ArcWarcRecord) -> bool:
    """Whether the record's block ended before its Content-Length (read to its end first):
    warcio reads a truncated last record without complaint, leaving the rest unread."""
    return bool(getattr(record.raw_stream, "limit", 0))


@dataclass(frozen=True)
class ScannedRecord:
    """One record of a WARC file as :func:`scan_warc` found it, its body not read.

    ``problem`` is set (and the other fields may be empty) for a record that is cut short or
    cannot be parsed; ``offset`` is where it starts.
    """

    offset: int
    rec_type: str
    url: str = ""
    captured_at: datetime | None = None
    status: int | None = None
    content_type: str | None = None
    problem: str | None = None


#: Why the records of a ``.warc.gz`` compressed as one gzip stream cannot be read by offset.
WHOLE_FILE_GZIP = ("the file is gzipped as a whole, not record by record, so its records "
                   "cannot be read by offset (`warcio recompress` rewrites it record by record)")
#: Where to look for the next record after a damaged one, by how the file is compressed.
_RECORD_STARTS: dict[str, bytes] = {"gzip": b"\x1f\x8b\x08", "plain": b"WARC/"}
_RESYNC_CHUNK = 1 << 20


def scan_warc(path: str) -> Iterator[ScannedRecord]:
    """Every record of the WARC file ``path`` in file order, headers only.

    A damaged record is reported with ``problem`` and the scan goes on at the next record
    that starts after it (the next gzip member of a ``.warc.gz``, the next ``WARC/`` line
    of a ``.warc``), so one bad record costs that record only. An unreadable file raises
    :class:`OSError`.
    """
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        compression: Compression = "gzip" if handle.read(2) == b"\x1f\x8b" else "plain"
        start: int | None = 0
        while start is not None and start < size:
            handle.seek(start)
            start = yield from _scan_from(handle, start, size, compression)


Compression = Literal["gzip", "plain"]


def _scan_from(handle: BinaryIO, start: int, size: int, compression: Compression
               ) -> Generator[ScannedRecord, None, int | None]:
    """The records from ``start`` on; returns where to go on after a damaged one (None: the
    file is done)."""
    records = ArchiveIterator(handle, check_digests=False)
    position = start
    try:
        for record in records:
            headers = record.http_headers
            url = record.rec_headers.get_header("WARC-Target-URI") or ""
            status = None
            if headers is not None and record.rec_type == "response":
                try:
                    status = int(headers.get_statuscode())
                except (TypeError, ValueError):
                    status = None
            records.read_to_end(record)
            offset = records.get_record_offset()
            if records.get_record_length() <= 0:  # warcio's sign of one gzip stream
                yield ScannedRecord(offset, record.rec_type, url, problem=WHOLE_FILE_GZIP)
                return None
            position = offset + records.get_record_length()
            if _cut_short(record):
                yield ScannedRecord(offset, record.rec_type, url, warc_date(record),
                                    problem="the record is cut short (truncated file)")
                return None
            yield ScannedRecord(offset, record.rec_type, url, warc_date(record), status,
                                headers.get_header("Content-Type") if headers else None)
    except Exception as exc:  # whatever damaged bytes provoke in warcio is that record's
        if "non-chunked gzip" in str(exc):
            yield ScannedRecord(position, "", problem=WHOLE_FILE_GZIP)
            return None
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        position = _past_blank_lines(handle, position)
        yield ScannedRecord(position, "", problem=f"the record cannot be read ({detail})")
        return _next_start(handle, position + 1, size, compression)
    if _has_more(handle, position, size):  # bytes left that warcio read as no record
        yield ScannedRecord(position, "", problem="the record is cut short (truncated file)")
    return None


def _next_start(handle: BinaryIO, after: int, size: int, compression: Compression
                ) -> int | None:
    """The offset of the first record start at or after ``after``, if any."""
    marker = _RECORD_STARTS[compression]
    at = after
    while at < size:
        handle.seek(at)
        chunk = handle.read(_RESYNC_CHUNK + len(marker))
        found = chunk.find(marker)
        if found >= 0:
            return at + found
        at += _RESYNC_CHUNK
    return None


def _past_blank_lines(handle: BinaryIO, position: int) -> int:
    """``position`` moved past the blank lines that end a record of a ``.warc`` (warcio counts
    them in neither record), so that a damaged record is named by where it starts."""
    handle.seek(position)
    head = handle.read(64)
    return position + len(head) - len(head.lstrip(b"\r\n"))


def _has_more(handle: BinaryIO, position: int, size: int) -> bool:
    """Whether anything but blank lines follows ``position``."""
    if position >= size:
        return False
    handle.seek(position)
    return bool(handle.read(4096).strip())

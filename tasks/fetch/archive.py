"""Raw responses kept as WARC (ISO 28500), the format web archives and their tools read.

Each batch writes one gzipped WARC file; a record's file, offset and length go into the
``fetches`` table, so any document can be re-extracted later without fetching again
(``newsmill reextract``). The files live beside the warehouse, out of the analysts' tables.
Bodies are stored decoded (no Content-Encoding), with the response's status and headers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from warcio.archiveiterator import ArchiveIterator
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


def read_record(path: str, offset: int) -> StoredResponse:
    """The response stored at ``offset`` of the WARC file ``path``."""
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            for record in ArchiveIterator(handle):
                if record.rec_type != "response":
                    continue
                headers = record.http_headers
                return StoredResponse(
                    url=record.rec_headers.get_header("WARC-Target-URI") or "",
                    status=int(headers.get_statuscode()) if headers else 0,
                    headers=tuple(headers.headers) if headers else (),
                    body=record.content_stream().read(),
                )
    except OSError as exc:
        raise Rejection("fetch", "archive_missing", f"cannot read {path}: {exc}") from exc
    raise Rejection("fetch", "archive_missing", f"no response record at {path}:{offset}")

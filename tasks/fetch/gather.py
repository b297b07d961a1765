"""A batch's raw bytes: files read, archived responses read back, URLs fetched, pages of
WARC files given as input read by offset.

The fetch stage as a batch sees it: every source becomes a raw document or a refusal with its
reason, in the order the sources came (an input that raises anything is refused, never the
batch); file names go on in their stored spelling (``sources.stored_name``); successful
responses go to the WARC archive and every response to a ``fetches`` row (a page of a WARC file
given as input too, at its capture date, pointing at that file); robots.txt records
fetched on the way become ``robots`` rows.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from newsmill.errors import Rejection
from newsmill.settings import Settings
from newsmill.tasks import fetch
from newsmill.tasks.fetch.archive import ArchivedRecord, WarcArchive
from newsmill.tasks.fetch.client import Response
from newsmill.tasks.fetch.robots import RobotsRecord, origin_of
from newsmill.tasks.fetch.urls import canonical_url
from newsmill.tasks.models import RawDocument, Source
from newsmill.tasks.sources import stored_name
from newsmill.tasks.unchanged import FileStamp, raw_sha256, stamp_of
from newsmill.warehouse.connection import open_writer
from newsmill.warehouse.fetching import robots_for_origins
from newsmill.warehouse.loader import Row

#: ``{origin: (fetched_at, status, body)}``: robots.txt records known before fetching.
KnownRobots = Mapping[str, tuple[datetime, int, str]]


@dataclass
class Gathered:
    """What the fetch stage made of a batch's sources, each list in source order."""

    raws: list[RawDocument] = field(default_factory=list)
    refused: list[tuple[str, Rejection]] = field(default_factory=list)
    #: Pages that answered 304 Not Modified: unchanged, nothing to extract.
    not_modified: int = 0
    fetches: list[Row] = field(default_factory=list)
    robots: list[Row] = field(default_factory=list)
    #: Each file read: its stamp (taken before reading it) and the hash of its bytes.
    file_stamps: dict[str, tuple[FileStamp, str]] = field(default_factory=dict)


def gather(sources: Sequence[Source], settings: Settings, run_id: str,
           robots: KnownRobots | None = None) -> Gathered:
    """Read or fetch every source (URLs concurrently). ``robots``: the robots.txt records
    known for the URLs' origins (None: read them from the warehouse)."""
    out = Gathered()
    # Every source's outcome in its slot, so the lists keep source order whatever the kind.
    slots: list[RawDocument | tuple[str, Rejection] | None] = [None] * len(sources)
    urls = [(i, s) for i, s in enumerate(sources) if s.kind == "url"]
    for i, source in enumerate(sources):
        if source.kind == "url":
            continue
        try:
            slots[i] = _read_local(source, settings, run_id, out)
        except Rejection as rejection:
            slots[i] = (stored_name(source.location), rejection)
        except Exception as exc:  # whatever an input provokes is that input's refusal
            slots[i] = (stored_name(source.location), Rejection(
                "fetch", "read_error", f"{type(exc).__name__}: {exc}"))
    if urls:
        _fetch_urls(urls, settings, run_id, robots, out, slots)
    for slot in slots:
        if isinstance(slot, RawDocument):
            out.raws.append(slot)
        elif slot is not None:
            out.refused.append(slot)
    return out


def _read_local(source: Source, settings: Settings, run_id: str, out: Gathered
                ) -> RawDocument:
    if source.kind == "invalid":  # a damaged record of a WARC file is refused as it is read
        stage = "fetch" if source.archive_path is not None else "discover"
        raise Rejection(stage, source.reason or "invalid", source.detail or "")
    if source.kind == "archive":
        if source.captured_at is None:  # a re-extraction: its fetches row is there already
            return fetch.read_archived(source)
        # A page of a WARC file given as input: fetched when it was captured, and its row
        # points at that file, so `newsmill reextract` reads it from there.
        response, record = fetch.archived_response(source)
        out.fetches.append(fetch_row(source, response, ArchivedRecord(
            stored_name(record.path), record.offset, record.length), run_id))
        return fetch.as_raw_document(source.location, response)
    if source.kind != "file":
        raise Rejection("discover", "unexpected_source",
                        f"a {source.kind} source reached the fetch stage")
    stamp = stamp_of(source.location)  # before reading: a later change then shows next run
    raw = fetch.read_file(source, max_bytes=settings.max_input_bytes)
    if stamp is not None:  # by the name as stored, which the documents carry
        out.file_stamps[raw.source] = (stamp, raw_sha256(raw.body))
    return raw


def _fetch_urls(urls: Sequence[tuple[int, Source]], settings: Settings, run_id: str,
                robots: KnownRobots | None, out: Gathered,
                slots: list[RawDocument | tuple[str, Rejection] | None]) -> None:
    if robots is None:
        with open_writer(settings.db) as conn:
            robots = robots_for_origins(conn, urls_origins(s for _i, s in urls))
    fetcher = fetch.Fetcher(settings, {o: RobotsRecord(o, *r) for o, r in robots.items()})
    try:
        outcomes = fetcher.fetch_all([s for _i, s in urls])
    finally:
        fetcher.close()
    out.robots = robots_rows(fetcher, run_id)
    archive_file = settings.archive_path / f"{run_id}-{uuid.uuid4().hex[:12]}.warc.gz"
    archive: WarcArchive | None = None
    try:
        for (i, source), outcome in zip(urls, outcomes, strict=True):
            response = outcome.response
            if outcome.rejection is not None or response is None:
                slots[i] = (source.location, outcome.rejection or Rejection(
                    "fetch", "no_response", "no response and no reason"))
                continue
            record = None
            if 200 <= response.status < 300:
                archive = archive or WarcArchive(archive_file)
                record = archive.write(response)
            out.fetches.append(fetch_row(source, response, record, run_id))
            if outcome.not_modified:
                out.not_modified += 1
                continue
            try:
                slots[i] = fetch.as_raw_document(source.location, response)
            except Rejection as rejection:
                slots[i] = (source.location, rejection)
            except Exception as exc:  # a header no policy foresaw: this page's refusal
                slots[i] = (source.location, Rejection(
                    "fetch", "bad_response", f"{type(exc).__name__}: {exc}"))
    finally:
        if archive is not None:
            archive.close()


def robots_rows(fetcher: fetch.Fetcher, run_id: str) -> list[Row]:
    """The ``robots`` rows of the robots.txt files ``fetcher`` fetched."""
    return [{"origin": r.origin, "fetched_at": r.fetched_at, "status": r.status,
             "body": r.body, "run_id": run_id} for r in fetcher.robots.fetched]


def urls_origins(sources: Iterable[Source]) -> set[str]:
    """The origins (scheme://host:port) of the URL sources, whose robots.txt applies."""
    return {origin_of(s.location) for s in sources if s.kind == "url"}


def fetch_row(source: Source, response: Response, record: ArchivedRecord | None,
              run_id: str) -> Row:
    """The ``fetches`` row of one response."""
    media_type, _charset = response.content_type
    return {
        "fetch_id": hashlib.sha256(
            f"{source.location}|{response.fetched_at.isoformat()}|{run_id}".encode()
        ).hexdigest()[:20],
        "url": source.location, "canonical_url": canonical_url(source.location),
        "final_url": response.final_url, "status": response.status,
        "fetched_at": response.fetched_at, "content_type": media_type,
        "etag": response.header("ETag"), "last_modified": response.header("Last-Modified"),
        "body_bytes": len(response.body),
        "body_sha256": hashlib.sha256(response.body).hexdigest(),
        "warc_path": record.path if record else None,
        "warc_offset": record.offset if record else None,
        "warc_length": record.length if record else None,
        "run_id": run_id,
    }

"""One batch through every stage, and the thin Prefect task around it.

:func:`process_batch` is plain Python: read/fetch → extract → normalise → skip what the
warehouse already has → spaCy over the batch with ``nlp.pipe`` → entities and quotes → one
transaction. A document that fails anywhere becomes a rejection; the batch goes on. Only a
transient failure of the warehouse itself (a lock) fails the batch, and the task retries it;
loading is idempotent, so a retried batch never duplicates rows.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from newsmill.errors import Rejection
from newsmill.settings import Settings
from tasks import duplicates, entities, fetch, normalise, quotes
from tasks.duplicates import Verdict
from tasks.fetch.archive import ArchivedRecord, WarcArchive
from tasks.fetch.client import Response
from tasks.fetch.robots import RobotsRecord, origin_of
from tasks.fetch.urls import canonical_url
from tasks.isolation import BoundedExtractor, shared_extractor
from tasks.language import UNDETERMINED
from tasks.load import build_rows
from tasks.models import Analysis, CleanDocument, RawDocument, Source
from tasks.nlp import load_pipeline
from warehouse.connection import open_writer, utcnow
from warehouse.fetching import robots_for_origins
from warehouse.loader import (
    BatchRows,
    Row,
    existing_documents,
    load_batch,
    near_duplicate_candidates,
)

log = logging.getLogger(__name__)


@dataclass
class BatchReport:
    """What one batch did: small, so it can be a task result."""

    seen: int = 0
    loaded: int = 0
    unchanged: int = 0
    rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def merge(self, other: BatchReport) -> None:
        self.seen += other.seen
        self.loaded += other.loaded
        self.unchanged += other.unchanged
        self.rejected += other.rejected
        for reason, count in other.reasons.items():
            self.reasons[reason] = self.reasons.get(reason, 0) + count
        for stage, seconds in other.stage_seconds.items():
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + seconds


@contextmanager
def _timed(report: BatchReport, stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        report.stage_seconds[stage] += time.perf_counter() - started


def gather_raw(
    sources: Sequence[Source], settings: Settings, run_id: str, report: BatchReport,
    rows: BatchRows,
) -> tuple[list[RawDocument], list[tuple[str, Rejection]], int]:
    """The raw bytes of every source: files read, archived responses read back, URLs fetched
    concurrently and their responses archived. Returns the raw documents, the refusals and
    the number of pages that answered 304 Not Modified."""
    raws: list[RawDocument] = []
    refused: list[tuple[str, Rejection]] = []
    urls = [s for s in sources if s.kind == "url"]
    with _timed(report, "fetch"):
        for source in sources:
            try:
                if source.kind == "invalid":
                    raise Rejection("discover", source.reason or "invalid", source.detail or "")
                if source.kind == "file":
                    raws.append(fetch.read_file(source, max_bytes=settings.max_input_bytes))
                elif source.kind == "archive":
                    raws.append(fetch.read_archived(source))
                elif source.kind != "url":
                    raise Rejection("discover", "unexpected_source",
                                    f"a {source.kind} source reached the fetch stage")
            except Rejection as rejection:
                refused.append((source.location, rejection))
        not_modified = _fetch_urls(urls, settings, run_id, raws, refused, rows) if urls else 0
    return raws, refused, not_modified


def _fetch_urls(
    urls: Sequence[Source], settings: Settings, run_id: str, raws: list[RawDocument],
    refused: list[tuple[str, Rejection]], rows: BatchRows,
) -> int:
    with open_writer(settings.db) as conn:
        known = robots_for_origins(conn, {origin_of(s.location) for s in urls})
    fetcher = fetch.Fetcher(settings, {o: RobotsRecord(o, *r) for o, r in known.items()})
    try:
        outcomes = fetcher.fetch_all(urls)
    finally:
        fetcher.close()
    rows.robots = [{"origin": r.origin, "fetched_at": r.fetched_at, "status": r.status,
                    "body": r.body, "run_id": run_id} for r in fetcher.robots.fetched]
    not_modified = 0
    archive_file = settings.archive_path / f"{run_id}-{uuid.uuid4().hex[:12]}.warc.gz"
    archive: WarcArchive | None = None
    try:
        for outcome in outcomes:
            source, response = outcome.source, outcome.response
            if outcome.rejection is not None or response is None:
                refused.append((source.location, outcome.rejection or Rejection(
                    "fetch", "no_response", "no response and no reason")))
                continue
            record = None
            if 200 <= response.status < 300:
                archive = archive or WarcArchive(archive_file)
                record = archive.write(response)
            rows.fetches.append(fetch_row(source, response, record, run_id))
            if outcome.not_modified:
                not_modified += 1
                continue
            try:
                raws.append(fetch.as_raw_document(source.location, response))
            except Rejection as rejection:
                refused.append((source.location, rejection))
    finally:
        if archive is not None:
            archive.close()
    return not_modified


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


def prepare(raw: RawDocument, settings: Settings, report: BatchReport,
            extractor: BoundedExtractor) -> CleanDocument:
    """Extract (within time and memory bounds) and normalise one raw document."""
    with _timed(report, "extract"):
        extracted = extractor.extract(raw)
    with _timed(report, "normalise"):
        return normalise.normalise(extracted, min_chars=settings.min_text_chars,
                                   max_chars=settings.max_text_chars)


def analyse(
    documents: Sequence[CleanDocument], settings: Settings, report: BatchReport,
    on_error: Callable[[CleanDocument, Rejection], None],
) -> list[tuple[CleanDocument, Analysis]]:
    """spaCy over the batch, one pass per language, then entities (and, for English, quotes)
    per document. A language without a pipeline is skipped, with the reason."""
    pipelines = settings.pipelines()
    by_language: dict[str, list[CleanDocument]] = {}
    out: list[tuple[CleanDocument, Analysis]] = []
    for document in documents:
        # An undetermined language (a very short text) is read as English.
        language = document.language if document.language not in {None, UNDETERMINED} else "en"
        if language in pipelines:
            by_language.setdefault(str(language), []).append(document)
        else:
            out.append((document, Analysis(
                document.document_id, nlp_status="skipped",
                nlp_note=f"no spaCy pipeline for language '{language}' "
                         "(NEWSMILL_SPACY_MODELS adds one)")))
    for language, group in by_language.items():
        nlp, _info = load_pipeline(pipelines[language])
        with _timed(report, "spacy"):
            docs = list(nlp.pipe((d.clean_text for d in group),
                                 batch_size=settings.nlp_batch_size))
        for document, doc in zip(group, docs, strict=True):
            try:
                with _timed(report, "entities"):
                    mentions = entities.extract_mentions(doc, document.dateline)
                with _timed(report, "quotes"):
                    # The quote rules read English syntax and speech verbs.
                    found = quotes.extract_quotes(doc, mentions) if language == "en" else []
            except Exception as exc:  # a bug on one document must not lose the batch
                log.exception("analysis failed for %s", document.source)
                on_error(document, Rejection("nlp", "analysis_error",
                                             f"{type(exc).__name__}: {exc}"))
                continue
            note = None if language == "en" else "entities only: quote rules are English"
            out.append((document, Analysis(document.document_id, mentions, found,
                                           nlp_note=note)))
    return out


def near_duplicates(
    analysed: Sequence[tuple[CleanDocument, Analysis]], settings: Settings,
) -> tuple[dict[str, Verdict], dict[str, list[int]]]:
    """Which new documents copy a stored one (or an earlier one of the batch)."""
    signatures = {d.document_id: duplicates.signature(d.clean_text) for d, _ in analysed}
    bands = [(band, key) for sig in signatures.values()
             for band, key in enumerate(duplicates.band_keys(sig))]
    with open_writer(settings.db) as conn:
        stored = near_duplicate_candidates(conn, bands)
    candidates = [duplicates.Stored(doc_id, np.array(sig, dtype=np.uint64), root)
                  for doc_id, sig, root in stored if doc_id not in signatures]
    verdicts = duplicates.find_near_duplicates(list(signatures.items()), candidates)
    return ({v.document_id: v for v in verdicts},
            {k: [int(x) for x in v] for k, v in signatures.items()})


def process_batch(sources: Sequence[Source], settings: Settings, run_id: str) -> BatchReport:
    """Run every stage over ``sources`` and load the result in one transaction."""
    report = BatchReport(seen=len(sources))
    fetched = BatchRows(run_id=run_id)
    raws, rejections, not_modified = gather_raw(sources, settings, run_id, report, fetched)
    prepared: list[CleanDocument] = []
    # One extraction worker per process, kept across batches: starting one costs a second
    # or more (several under a Prefect worker), measured as 20–30 s per 400 documents at
    # batches of 50 when it was started per batch.
    extractor = shared_extractor(settings.extract_timeout, settings.extract_memory_mb,
                                 settings.max_html_bytes)
    for raw in raws:
        try:
            prepared.append(prepare(raw, settings, report, extractor))
        except Rejection as rejection:
            rejections.append((raw.source, rejection))
        except Exception as exc:  # unexpected: record it with its type, go on
            log.exception("unexpected failure on %s", raw.source)
            rejections.append((raw.source, Rejection(
                "prepare", "internal_error", f"{type(exc).__name__}: {exc}")))

    with _timed(report, "lookup"), open_writer(settings.db) as conn:
        stored = existing_documents(conn, (d.content_hash for d in prepared))
    seen_sources = [(d.source, d.document_id) for d in prepared]
    fresh: dict[str, CleanDocument] = {}
    for d in prepared:
        if d.content_hash not in stored and d.content_hash not in fresh:
            fresh[d.content_hash] = d
    unchanged = len(prepared) - len(fresh) + not_modified

    def reject_document(document: CleanDocument, rejection: Rejection) -> None:
        rejections.append((document.source, rejection))

    analysed = analyse(list(fresh.values()), settings, report, reject_document) if fresh else []
    analysed_ids = {d.document_id for d, _ in analysed}
    seen_sources = [(s, i) for s, i in seen_sources
                    if i in analysed_ids or i in stored.values()]

    with _timed(report, "duplicates"):
        verdicts, signatures = near_duplicates(analysed, settings) if analysed else ({}, {})
    rows = build_rows(run_id=run_id, now=utcnow(), new_documents=analysed,
                      seen_sources=seen_sources, rejections=rejections,
                      seen=len(sources), unchanged=unchanged, duplicates=verdicts,
                      signatures=signatures)
    rows.fetches, rows.robots = fetched.fetches, fetched.robots
    with _timed(report, "load"), open_writer(settings.db) as conn:
        load_batch(conn, rows)
    report.loaded = rows.loaded
    report.unchanged = unchanged
    report.rejected = len(rows.rejections)
    for _source, refused in rejections:
        key = f"{refused.stage}/{refused.reason}"
        report.reasons[key] = report.reasons.get(key, 0) + 1
    report.stage_seconds = dict(report.stage_seconds)
    return report

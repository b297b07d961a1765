"""One batch through every stage, and the thin Prefect task around it.

:func:`process_batch` is plain Python: read/fetch → extract → normalise → skip what the
warehouse already has → spaCy over the batch with ``nlp.pipe`` → entities and quotes → one
transaction. A document that fails anywhere becomes a rejection; the batch goes on. Only a
transient failure of the warehouse itself (a lock) fails the batch, and the task retries it;
loading is idempotent, so a retried batch never duplicates rows.

It is two halves: :func:`produce_batch` does everything that needs no warehouse, and
:func:`commit_batch` decides against the warehouse which texts are new and which are
near-duplicates, and loads them. The default runner calls both in turn; with the Dask runner a
worker produces (``tasks.staging``) and the run's process commits, in batch order.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import duckdb
import numpy as np

from newsmill.errors import Rejection
from newsmill.settings import Settings
from newsmill.tasks import duplicates, fetch, normalise
from newsmill.tasks.duplicates import Verdict
from newsmill.tasks.fetch.archive import ArchivedRecord, WarcArchive
from newsmill.tasks.fetch.client import Response
from newsmill.tasks.fetch.robots import RobotsRecord, origin_of
from newsmill.tasks.fetch.urls import canonical_url
from newsmill.tasks.language import UNDETERMINED
from newsmill.tasks.models import Analysis, CleanDocument, RawDocument, Source
from newsmill.tasks.unchanged import FileStamp, input_file_row, raw_sha256, stamp_of
from newsmill.warehouse.connection import open_writer, utcnow
from newsmill.warehouse.fetching import robots_for_origins
from newsmill.warehouse.loader import (
    BatchRows,
    Row,
    existing_documents,
    load_batch,
    near_duplicate_candidates,
)

if TYPE_CHECKING:
    from newsmill.tasks.isolation import BoundedExtractor

# spaCy (with the analysis built on it) and trafilatura (with the extractor) are imported in
# the functions that use them, when a batch has work: together they are 0.6 s of the 0.8 s of
# imports of a run whose inputs are all unchanged.

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
        report.stage_seconds[stage] = (report.stage_seconds.get(stage, 0.0)
                                       + time.perf_counter() - started)


def gather_raw(
    sources: Sequence[Source], settings: Settings, run_id: str, report: BatchReport,
    rows: BatchRows, robots: Mapping[str, tuple[datetime, int, str]] | None = None,
    stamps: dict[str, tuple[FileStamp, str]] | None = None,
) -> tuple[list[RawDocument], list[tuple[str, Rejection]], int]:
    """The raw bytes of every source: files read, archived responses read back, URLs fetched
    concurrently and their responses archived. Returns the raw documents, the refusals and
    the number of pages that answered 304 Not Modified. ``robots``: the robots.txt records
    known for the URLs' origins (None: read them from the warehouse). ``stamps`` gets each
    file's stamp (taken before reading it) and the hash of its bytes, by source."""
    raws: list[RawDocument] = []
    refused: list[tuple[str, Rejection]] = []
    urls = [s for s in sources if s.kind == "url"]
    with _timed(report, "fetch"):
        for source in sources:
            try:
                if source.kind == "invalid":
                    raise Rejection("discover", source.reason or "invalid", source.detail or "")
                if source.kind == "file":
                    stamp = stamp_of(source.location)
                    raw = fetch.read_file(source, max_bytes=settings.max_input_bytes)
                    raws.append(raw)
                    if stamp is not None and stamps is not None:
                        stamps[source.location] = (stamp, raw_sha256(raw.body))
                elif source.kind == "archive":
                    raws.append(fetch.read_archived(source))
                elif source.kind != "url":
                    raise Rejection("discover", "unexpected_source",
                                    f"a {source.kind} source reached the fetch stage")
            except Rejection as rejection:
                refused.append((source.location, rejection))
        not_modified = (_fetch_urls(urls, settings, run_id, raws, refused, rows, robots)
                        if urls else 0)
    return raws, refused, not_modified


def _fetch_urls(
    urls: Sequence[Source], settings: Settings, run_id: str, raws: list[RawDocument],
    refused: list[tuple[str, Rejection]], rows: BatchRows,
    robots: Mapping[str, tuple[datetime, int, str]] | None = None,
) -> int:
    if robots is None:
        with open_writer(settings.db) as conn:
            known = robots_for_origins(conn, urls_origins(urls))
    else:
        known = dict(robots)
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


def prepare(raw: RawDocument, settings: Settings, report: BatchReport,
            extractor: BoundedExtractor) -> CleanDocument:
    """Extract (within time and memory bounds) and normalise one raw document."""
    with _timed(report, "extract"):
        extracted = extractor.extract(raw)
    with _timed(report, "normalise"):
        return normalise.normalise(extracted, min_chars=settings.min_text_chars,
                                   max_chars=settings.max_text_chars)


def _by_language(
    documents: Sequence[CleanDocument], pipelines: Mapping[str, str],
) -> tuple[list[CleanDocument], dict[str, list[CleanDocument]]]:
    """The documents with no pipeline for their language, and the others grouped by language
    (in order of first appearance)."""
    skipped: list[CleanDocument] = []
    by_language: dict[str, list[CleanDocument]] = {}
    for document in documents:
        # An undetermined language (a very short text) is read as English.
        language = document.language if document.language not in {None, UNDETERMINED} else "en"
        if language in pipelines:
            by_language.setdefault(str(language), []).append(document)
        else:
            skipped.append(document)
    return skipped, by_language


def analysis_order(documents: Sequence[CleanDocument], settings: Settings
                   ) -> list[CleanDocument]:
    """The order in which :func:`analyse` returns ``documents``: those skipped first, then one
    language after another. Near-duplicate verdicts within a batch follow this order."""
    skipped, by_language = _by_language(documents, settings.pipelines())
    return skipped + [d for group in by_language.values() for d in group]


def analyse(
    documents: Sequence[CleanDocument], settings: Settings, report: BatchReport,
    on_error: Callable[[CleanDocument, Rejection], None],
) -> list[tuple[CleanDocument, Analysis]]:
    """spaCy over the batch, one pass per language, then entities (and, for English, quotes)
    per document. A language without a pipeline is skipped, with the reason."""
    pipelines = settings.pipelines()
    skipped, by_language = _by_language(documents, pipelines)
    out: list[tuple[CleanDocument, Analysis]] = []
    for document in skipped:
        language = document.language
        out.append((document, Analysis(
            document.document_id, nlp_status="skipped",
            nlp_note=f"no spaCy pipeline for language '{language}' "
                     "(NEWSMILL_SPACY_MODELS adds one)")))
    from newsmill.tasks.analysis import analyse_document
    from newsmill.tasks.nlp import load_pipeline

    for language, group in by_language.items():
        nlp, _info = load_pipeline(pipelines[language])
        with _timed(report, "spacy"):
            docs = list(nlp.pipe((d.clean_text for d in group),
                                 batch_size=settings.nlp_batch_size))
        for document, doc in zip(group, docs, strict=True):
            try:
                with _timed(report, "analysis"):
                    analysis = analyse_document(doc, document.document_id,
                                                dateline=document.dateline, language=language)
            except Exception as exc:  # a bug on one document must not lose the batch
                log.exception("analysis failed for %s", document.source)
                on_error(document, Rejection("nlp", "analysis_error",
                                             f"{type(exc).__name__}: {exc}"))
                continue
            out.append((document, analysis))
    return out


def signatures_of(documents: Iterable[CleanDocument]) -> dict[str, list[int]]:
    """The MinHash signature of each document, by document id."""
    return {d.document_id: [int(x) for x in duplicates.signature(d.clean_text)]
            for d in documents}


def judge_duplicates(
    conn: duckdb.DuckDBPyConnection, ids: Sequence[str], signatures: Mapping[str, list[int]],
) -> dict[str, Verdict]:
    """Near-duplicate verdicts for the documents ``ids`` (in this order), against the stored
    documents sharing a band key with them and against each other."""
    if not ids:
        return {}
    new = [(i, np.array(signatures[i], dtype=np.uint64)) for i in ids]
    bands = [(band, key) for _i, sig in new for band, key in enumerate(duplicates.band_keys(sig))]
    wanted = set(ids)
    candidates = [duplicates.Stored(doc_id, np.array(sig, dtype=np.uint64), root)
                  for doc_id, sig, root in near_duplicate_candidates(conn, bands)
                  if doc_id not in wanted]
    return {v.document_id: v for v in duplicates.find_near_duplicates(new, candidates)}


@dataclass
class ProducedBatch:
    """The first half of a batch, everything that needs no warehouse: what was read, the
    documents extracted from it, and their analysis. :func:`commit_batch` decides, against the
    warehouse, which documents are new and which copy another, and loads them.

    The default runner hands it over in memory; a Dask worker writes it to a staging file
    (``tasks.staging``) for the loader in the run's process.
    """

    run_id: str
    seen: int
    #: Every document extracted, in source order (copies of one text within the batch too).
    documents: list[CleanDocument] = field(default_factory=list)
    #: The analysis of each document analysed, by document id.
    analyses: dict[str, Analysis] = field(default_factory=dict)
    #: Documents whose analysis failed, by document id.
    failures: dict[str, Rejection] = field(default_factory=dict)
    #: MinHash signatures of the documents analysed, by document id.
    signatures: dict[str, list[int]] = field(default_factory=dict)
    #: Sources refused before analysis: ``(source, rejection)``.
    rejections: list[tuple[str, Rejection]] = field(default_factory=list)
    not_modified: int = 0
    #: Each file read: its stamp and the hash of its bytes, by source (``input_files``).
    file_stamps: dict[str, tuple[FileStamp, str]] = field(default_factory=dict)
    fetches: list[Row] = field(default_factory=list)
    robots: list[Row] = field(default_factory=list)
    report: BatchReport = field(default_factory=BatchReport)


def produce_batch(
    sources: Sequence[Source], settings: Settings, run_id: str, *, use_warehouse: bool = True,
    robots: Mapping[str, tuple[datetime, int, str]] | None = None,
) -> ProducedBatch:
    """Read or fetch ``sources``, extract, normalise and analyse them.

    With ``use_warehouse`` (the default runner) documents already stored are not analysed
    again and cached robots.txt records are read from the warehouse. A Dask worker has no
    warehouse: it passes ``use_warehouse=False`` and the ``robots`` records the run's process
    read for it, and analyses every distinct text; the loader drops those already stored.
    """
    report = BatchReport(seen=len(sources))
    fetched = BatchRows(run_id=run_id)
    stamps: dict[str, tuple[FileStamp, str]] = {}
    raws, rejections, not_modified = gather_raw(sources, settings, run_id, report, fetched,
                                                robots=None if use_warehouse else robots or {},
                                                stamps=stamps)
    prepared: list[CleanDocument] = []
    # One extraction worker per process, kept across batches: starting one costs a second
    # or more (several under a Prefect worker), measured as 20–30 s per 400 documents at
    # batches of 50 when it was started per batch.
    from newsmill.tasks.isolation import shared_extractor

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

    stored: dict[str, str] = {}
    if use_warehouse:
        with _timed(report, "lookup"), open_writer(settings.db) as conn:
            stored = existing_documents(conn, (d.content_hash for d in prepared))
    produced = ProducedBatch(run_id=run_id, seen=len(sources), documents=prepared,
                             rejections=rejections, not_modified=not_modified,
                             fetches=fetched.fetches, robots=fetched.robots, report=report,
                             file_stamps=stamps)

    def failed(document: CleanDocument, rejection: Rejection) -> None:
        produced.failures[document.document_id] = rejection

    todo = _first_of_each_text(prepared, stored)
    analysed = analyse(todo, settings, report, failed) if todo else []
    produced.analyses = {d.document_id: a for d, a in analysed}
    with _timed(report, "duplicates"):
        produced.signatures = signatures_of(d for d, _ in analysed)
    return produced


def _first_of_each_text(documents: Iterable[CleanDocument], stored: Mapping[str, str]
                        ) -> list[CleanDocument]:
    """The first document of each text not stored yet (one per content hash), in order."""
    fresh: dict[str, CleanDocument] = {}
    for d in documents:
        if d.content_hash not in stored and d.content_hash not in fresh:
            fresh[d.content_hash] = d
    return list(fresh.values())


def commit_batch(produced: ProducedBatch, settings: Settings) -> BatchReport:
    """Decide, against the warehouse as it is now, which of the produced documents are new
    (by content hash) and which copy a stored one, and load the batch in one transaction.

    Batches committed in order therefore come out the same whichever runner produced them:
    a text seen in an earlier batch is stored by then, and so are its near-duplicates.
    """
    from newsmill.tasks.rows import build_rows

    report = produced.report
    rejections = list(produced.rejections)
    with open_writer(settings.db) as conn:
        with _timed(report, "lookup"):
            stored = existing_documents(conn, (d.content_hash for d in produced.documents))
        fresh = _first_of_each_text(produced.documents, stored)
        unchanged = len(produced.documents) - len(fresh) + produced.not_modified
        analysed: list[tuple[CleanDocument, Analysis]] = []
        for document in analysis_order(fresh, settings):
            analysis = produced.analyses.get(document.document_id)
            if analysis is not None:
                analysed.append((document, analysis))
            else:
                rejections.append((document.source, produced.failures.get(
                    document.document_id,
                    Rejection("nlp", "not_analysed", "the batch's analysis skipped it"))))
        analysed_ids = {d.document_id for d, _ in analysed}
        seen_sources = [(d.source, d.document_id) for d in produced.documents
                        if d.document_id in analysed_ids or d.document_id in stored.values()]
        with _timed(report, "duplicates"):
            verdicts = judge_duplicates(conn, [d.document_id for d, _ in analysed],
                                        produced.signatures)
        signatures = {i: produced.signatures[i] for i in analysed_ids}
        now = utcnow()
        rows = build_rows(run_id=produced.run_id, now=now, new_documents=analysed,
                          seen_sources=seen_sources, rejections=rejections,
                          seen=produced.seen, unchanged=unchanged, duplicates=verdicts,
                          signatures=signatures)
        rows.fetches, rows.robots = produced.fetches, produced.robots
        # One row per file path (two spellings of one path are one file).
        rows.input_files = list({
            row["path"]: row for row in (
                input_file_row(*produced.file_stamps[source], document_id, produced.run_id, now)
                for source, document_id in seen_sources if source in produced.file_stamps)
        }.values())
        with _timed(report, "load"):
            load_batch(conn, rows)
    report.seen = produced.seen
    report.loaded = rows.loaded
    report.unchanged = unchanged
    report.rejected = len(rows.rejections)
    for _source, refused in rejections:
        key = f"{refused.stage}/{refused.reason}"
        report.reasons[key] = report.reasons.get(key, 0) + 1
    report.stage_seconds = dict(report.stage_seconds)
    return report


def process_batch(sources: Sequence[Source], settings: Settings, run_id: str) -> BatchReport:
    """Run every stage over ``sources`` and load the result in one transaction."""
    return commit_batch(produce_batch(sources, settings, run_id), settings)

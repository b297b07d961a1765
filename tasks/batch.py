"""One batch through every stage, and the thin Prefect task around it.

:func:`process_batch` is plain Python: read/fetch → extract → normalise → skip what the
warehouse already has → spaCy over the batch with ``nlp.pipe`` → entities and quotes → one
transaction. A document that fails anywhere becomes a rejection; the batch goes on. Only a
transient failure of the warehouse itself (a lock) fails the batch, and the task retries it;
loading is idempotent, so a retried batch never duplicates rows.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun

from newsmill.errors import Rejection, TransientError
from newsmill.settings import Settings
from tasks import entities, extract, fetch, normalise, quotes
from tasks.load import build_rows
from tasks.models import Analysis, CleanDocument, RawDocument, Source
from tasks.nlp import load_pipeline
from warehouse.connection import open_writer, utcnow
from warehouse.loader import existing_documents, load_batch

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


def read_source(source: Source, settings: Settings, pool: Any) -> RawDocument:
    """The bytes of one source, or a Rejection."""
    if source.kind == "invalid":
        raise Rejection("discover", source.reason or "invalid", source.detail or "")
    if source.kind == "url":
        return fetch.fetch_url(source, pool=pool, max_bytes=settings.max_input_bytes,
                               timeout=settings.fetch_timeout, retries=settings.fetch_retries,
                               user_agent=settings.user_agent)
    return fetch.read_file(source, max_bytes=settings.max_input_bytes)


def prepare(source: Source, settings: Settings, pool: Any, report: BatchReport) -> CleanDocument:
    """Fetch, extract and normalise one source."""
    with _timed(report, "fetch"):
        raw = read_source(source, settings, pool)
    with _timed(report, "extract"):
        extracted = extract.extract(raw)
    with _timed(report, "normalise"):
        return normalise.normalise(extracted, min_chars=settings.min_text_chars,
                                   max_chars=settings.max_text_chars)


def analyse(
    documents: Sequence[CleanDocument], settings: Settings, report: BatchReport,
    on_error: Callable[[CleanDocument, Rejection], None],
) -> list[tuple[CleanDocument, Analysis]]:
    """spaCy over the batch, then entities and quotes per document."""
    nlp, _info = load_pipeline(settings.spacy_model)
    out: list[tuple[CleanDocument, Analysis]] = []
    texts = (d.clean_text for d in documents)
    with _timed(report, "spacy"):
        docs = list(nlp.pipe(texts, batch_size=settings.nlp_batch_size))
    for document, doc in zip(documents, docs, strict=True):
        try:
            with _timed(report, "entities"):
                mentions = entities.extract_mentions(doc, document.dateline)
            with _timed(report, "quotes"):
                found = quotes.extract_quotes(doc, mentions)
        except Exception as exc:  # a bug on one document must not lose the batch
            log.exception("analysis failed for %s", document.source)
            on_error(document, Rejection("nlp", "analysis_error", f"{type(exc).__name__}: {exc}"))
            continue
        out.append((document, Analysis(document.document_id, mentions, found)))
    return out


def process_batch(sources: Sequence[Source], settings: Settings, run_id: str) -> BatchReport:
    """Run every stage over ``sources`` and load the result in one transaction."""
    report = BatchReport(seen=len(sources))
    rejections: list[tuple[str, Rejection]] = []
    prepared: list[CleanDocument] = []
    pool = fetch.make_pool()
    for source in sources:
        try:
            prepared.append(prepare(source, settings, pool, report))
        except Rejection as rejection:
            rejections.append((source.location, rejection))
        except Exception as exc:  # unexpected: record it with its type, keep the batch going
            log.exception("unexpected failure on %s", source.location)
            rejections.append((source.location, Rejection(
                "prepare", "internal_error", f"{type(exc).__name__}: {exc}")))
    pool.clear()

    with _timed(report, "lookup"), open_writer(settings.db) as conn:
        stored = existing_documents(conn, (d.content_hash for d in prepared))
    seen_sources = [(d.source, d.document_id) for d in prepared]
    fresh: dict[str, CleanDocument] = {}
    for d in prepared:
        if d.content_hash not in stored and d.content_hash not in fresh:
            fresh[d.content_hash] = d
    unchanged = len(prepared) - len(fresh)

    def reject_document(document: CleanDocument, rejection: Rejection) -> None:
        rejections.append((document.source, rejection))

    analysed = analyse(list(fresh.values()), settings, report, reject_document) if fresh else []
    analysed_ids = {d.document_id for d, _ in analysed}
    seen_sources = [(s, i) for s, i in seen_sources
                    if i in analysed_ids or i in stored.values()]

    rows = build_rows(run_id=run_id, now=utcnow(), new_documents=analysed,
                      seen_sources=seen_sources, rejections=rejections,
                      seen=len(sources), unchanged=unchanged)
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


def only_transient(task: Any, task_run: TaskRun, state: State[Any]) -> bool:
    """Prefect retry condition: retry a batch only when it failed for a transient reason."""
    try:
        state.result()
    except TransientError:
        return True
    except Exception:
        return False
    return False


#: Retry delays for a batch whose warehouse was locked, in seconds.
BATCH_RETRY_DELAYS: list[float] = [2.0, 10.0, 30.0]

process_batch_task = task(
    name="process-batch",
    retries=len(BATCH_RETRY_DELAYS),
    retry_delay_seconds=BATCH_RETRY_DELAYS,
    retry_condition_fn=only_transient,
    cache_policy=NO_CACHE,
    persist_result=False,
    log_prints=False,
)(process_batch)

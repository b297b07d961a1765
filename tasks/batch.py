"""The recipe of one batch: every stage in turn, one transaction at the end.

:func:`process_batch` is plain Python: gather (``fetch.gather``: read, fetch, archive) →
extract and normalise → skip what the warehouse already has → spaCy over the batch with
``nlp.pipe`` → ``analyse_document`` (entities, quotes) → near-duplicate fingerprints
(``duplicates``) → rows (``rows``) → one transaction (``warehouse.loader``). A document that
fails anywhere becomes a rejection; the batch goes on. Only a transient failure of the
warehouse itself (a lock) fails the batch, and the task retries it; loading is idempotent, so
a retried batch never duplicates rows.

It is two halves: :func:`produce_batch` does everything that needs no warehouse, and
:func:`commit_batch` decides against the warehouse which texts are new and which are
near-duplicates, and loads them. The default runner calls both in turn; with the Dask runner a
worker produces (``flows.staging``) and the run's process commits, in batch order. The Prefect
task wrappers are in ``flows.batch_tasks``.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from newsmill.errors import Rejection
from newsmill.settings import Settings
from newsmill.tasks import duplicates, normalise
from newsmill.tasks.duplicates import Fingerprint
from newsmill.tasks.fetch.gather import gather
from newsmill.tasks.language import MIN_CONFIDENCE, UNDETERMINED
from newsmill.tasks.models import Analysis, CleanDocument, Extracted, RawDocument, Source
from newsmill.tasks.unchanged import FileStamp, input_file_row
from newsmill.warehouse.connection import open_writer, utcnow
from newsmill.warehouse.loader import Row, existing_documents, load_batch

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


def prepare(raw: RawDocument, settings: Settings, report: BatchReport,
            extractor: BoundedExtractor) -> CleanDocument:
    """Extract (within time and memory bounds) and normalise one raw document."""
    with _timed(report, "extract"):
        extracted = extractor.extract(raw)
    return normalised(extracted, settings, report)


def normalised(extracted: Extracted, settings: Settings, report: BatchReport) -> CleanDocument:
    """Normalise one extracted document."""
    with _timed(report, "normalise"):
        return normalise.normalise(extracted, min_chars=settings.min_text_chars,
                                   max_chars=settings.max_text_chars)


#: Confidence from which a document in a language without a pipeline is skipped rather than
#: read as English (see :func:`_by_language`).
SURE_FOREIGN = 0.9


def _unsure(confidence: float | None) -> bool:
    """Whether the identifier's verdict is too weak to skip a document for. No confidence (a
    document made elsewhere), or one below the identifier's own floor (the language then came
    from the page's declaration), is taken as given."""
    return confidence is not None and MIN_CONFIDENCE <= confidence < SURE_FOREIGN


def _by_language(
    documents: Sequence[CleanDocument], pipelines: Mapping[str, str],
) -> tuple[list[CleanDocument], dict[str, list[CleanDocument]]]:
    """The documents with no pipeline for their language, and the others grouped by language
    (in order of first appearance)."""
    skipped: list[CleanDocument] = []
    by_language: dict[str, list[CleanDocument]] = {}
    for document in documents:
        # An undetermined language (a very short text) is read as English, and so is a
        # language we have no pipeline for when the identifier is unsure of it: a Reuters
        # results table came out Nigerian Pidgin at 0.68 (309 of CoNLL-2003 dev's 5,942
        # entities lost), while articles really in another language score above 0.98.
        language = document.language if document.language not in {None, UNDETERMINED} else "en"
        if language not in pipelines and _unsure(document.language_confidence):
            language = "en"
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


def too_large_to_parse(chars: int, ceiling_mb: int) -> Rejection:
    """The rejection of a text whose parse would take more than ``ceiling_mb`` MB."""
    from newsmill.tasks.nlp import parse_memory_mb

    return Rejection("nlp", "too_large",
                     f"{chars:,} characters would take about {parse_memory_mb(chars):,.0f} MB "
                     f"to parse, over the ceiling of {ceiling_mb:,} MB per document "
                     "(NEWSMILL_NLP_MEMORY_MB)")


def analyse(
    documents: Sequence[CleanDocument], settings: Settings, report: BatchReport,
    on_error: Callable[[CleanDocument, Rejection], None],
) -> list[tuple[CleanDocument, Analysis]]:
    """spaCy over the batch, one pass per language, then entities (and, for English, quotes)
    per document as its parse comes. A language without a pipeline is skipped, with the
    reason; a text whose parse would take more memory than ``nlp_memory_mb`` is rejected
    (``nlp/too_large``) without being parsed."""
    pipelines = settings.pipelines()
    skipped, by_language = _by_language(documents, pipelines)
    out: list[tuple[CleanDocument, Analysis]] = []
    for document in skipped:
        language = document.language
        out.append((document, Analysis(
            document.document_id, nlp_status="skipped",
            nlp_note=f"no spaCy pipeline for language '{language}' "
                     "(NEWSMILL_SPACY_MODELS adds one)")))
    from newsmill.tasks.analysis import Deadline, TooSlow, analyse_document
    from newsmill.tasks.nlp import chars_within, load_pipeline, pipe_runs

    budget = chars_within(settings.nlp_memory_mb)
    for language, group in by_language.items():
        fits = []
        for document in group:
            if len(document.clean_text) > budget:
                too_large = too_large_to_parse(len(document.clean_text), settings.nlp_memory_mb)
                log.warning("%s not analysed: %s", document.source, too_large.detail)
                on_error(document, too_large)
            else:
                fits.append(document)
        if not fits:
            continue
        nlp, _info = load_pipeline(pipelines[language])
        # The texts go to spaCy in runs whose parses fit the ceiling together, and each Doc is
        # analysed as it comes and then dropped: keeping a batch's Docs cost 133–184 MB more
        # (issue 14), and one nlp.pipe batch of long texts holds all their parses at once.
        for run in pipe_runs([len(d.clean_text) for d in fits], max_chars=budget,
                             max_texts=settings.nlp_batch_size):
            parsed = nlp.pipe((fits[i].clean_text for i in run), batch_size=len(run))
            for i in run:
                document = fits[i]
                with _timed(report, "spacy"):
                    doc = next(parsed)
                try:
                    with _timed(report, "analysis"):
                        analysis = analyse_document(
                            doc, document.document_id, dateline=document.dateline,
                            language=language,
                            deadline=Deadline(settings.nlp_seconds_per_document),
                            name_fallback=settings.speaker_name_fallback)
                except TooSlow as slow:  # the rules stopped at the time limit
                    log.warning("analysis of %s stopped: %s", document.source, slow.detail)
                    on_error(document, slow)
                    continue
                except Exception as exc:  # a bug on one document must not lose the batch
                    log.exception("analysis failed for %s", document.source)
                    on_error(document, Rejection("nlp", "analysis_error",
                                                 f"{type(exc).__name__}: {exc}"))
                    continue
                finally:
                    del doc
                out.append((document, analysis))
    return out


def fingerprints_of(documents: Iterable[CleanDocument]) -> dict[str, Fingerprint]:
    """The near-duplicate fingerprint of each document, by document id."""
    return {d.document_id: duplicates.fingerprint(d.clean_text) for d in documents}


@dataclass
class ProducedBatch:
    """The first half of a batch, everything that needs no warehouse: what was read, the
    documents extracted from it, and their analysis. :func:`commit_batch` decides, against the
    warehouse, which documents are new and which copy another, and loads them.

    The default runner hands it over in memory; a Dask worker writes it to a staging file
    (``flows.staging``) for the loader in the run's process.
    """

    run_id: str
    seen: int
    #: Every document extracted, in source order (copies of one text within the batch too).
    documents: list[CleanDocument] = field(default_factory=list)
    #: The analysis of each document analysed, by document id.
    analyses: dict[str, Analysis] = field(default_factory=dict)
    #: Documents whose analysis failed, by document id.
    failures: dict[str, Rejection] = field(default_factory=dict)
    #: Near-duplicate fingerprints (MinHash signature, band keys) of the documents analysed.
    fingerprints: dict[str, Fingerprint] = field(default_factory=dict)
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
    with _timed(report, "fetch"):
        gathered = gather(sources, settings, run_id,
                          robots=None if use_warehouse else robots or {})
    rejections = list(gathered.refused)
    prepared: list[CleanDocument] = []
    # One extraction worker per process, kept across batches: starting one costs a second
    # or more (several under a Prefect worker), measured as 20–30 s per 400 documents at
    # batches of 50 when it was started per batch.
    from newsmill.tasks.isolation import shared_extractor

    extractor = shared_extractor(settings.extract_timeout, settings.extract_memory_mb,
                                 settings.max_html_bytes)
    # The pages go to the extraction worker several at a time (one round trip per chunk,
    # not per page), each still bounded on its own.
    with _timed(report, "extract"):
        outcomes = extractor.extract_many(gathered.raws)
    for raw, outcome in zip(gathered.raws, outcomes, strict=True):
        try:
            if isinstance(outcome, Rejection):
                raise outcome
            prepared.append(normalised(outcome, settings, report))
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
                             rejections=rejections, not_modified=gathered.not_modified,
                             fetches=gathered.fetches, robots=gathered.robots, report=report,
                             file_stamps=gathered.file_stamps)

    def failed(document: CleanDocument, rejection: Rejection) -> None:
        produced.failures[document.document_id] = rejection

    todo = _first_of_each_text(prepared, stored)
    analysed = analyse(todo, settings, report, failed) if todo else []
    produced.analyses = {d.document_id: a for d, a in analysed}
    with _timed(report, "duplicates"):
        produced.fingerprints = fingerprints_of(d for d, _ in analysed)
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
            verdicts = duplicates.judge(conn, [d.document_id for d, _ in analysed],
                                        produced.fingerprints)
        prints = {i: produced.fingerprints[i] for i in analysed_ids}
        now = utcnow()
        rows = build_rows(run_id=produced.run_id, now=now, new_documents=analysed,
                          seen_sources=seen_sources, rejections=rejections,
                          seen=produced.seen, unchanged=unchanged, duplicates=verdicts,
                          fingerprints=prints)
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

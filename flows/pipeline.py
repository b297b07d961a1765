"""The wiring of a run, independent of how its steps are executed.

A run is: expand the sources, plan the articles (discovery, dedup), then one step per batch,
with the run row recording how it went. ``Steps`` says how the plan and batch steps run: as
Prefect tasks inside a flow run (``flows.ingest``), or as plain calls (the CLI with no Prefect
API configured, which then starts in about 3 s instead of 20). This module does not import
Prefect.

By default (``NEWSMILL_TASK_RUNNER=processes``) an ingest's batches are produced in worker
processes, one per core (``flows.processes``), and with ``dask`` on a Dask cluster
(``Steps.produce_all``); either way they are committed here, one transaction per batch in batch
order, so that the warehouse has one writer and ends up as a single process
(``threads``) leaves it (docs/scale-out.md).
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from newsmill.errors import NewsmillError, Rejection
from newsmill.flows.staging import StagedBatch, commit_staged, discard_run
from newsmill.settings import Settings
from newsmill.tasks.backfill import CaptureFilter, select_captures
from newsmill.tasks.batch import BatchReport, ProducedBatch, commit_batch, process_batch
from newsmill.tasks.fetch.plan import Plan, plan_articles
from newsmill.tasks.models import Source
from newsmill.tasks.nlp_model import ModelInfo, describe_pipeline
from newsmill.tasks.sources import expand_sources
from newsmill.tasks.unchanged import UnchangedFiles, split_unchanged
from newsmill.versions import code_version
from newsmill.warehouse.connection import open_writer, utcnow
from newsmill.warehouse.fetching import archived_responses
from newsmill.warehouse.loader import BatchRows, all_document_ids, load_batch
from newsmill.warehouse.runs import (
    CANCELLED,
    COMPLETED,
    FAILED,
    finish_run,
    set_prefect_flow_run,
    start_run,
)
from newsmill.warehouse.search import index_documents
from newsmill.warehouse.snapshot import publish_snapshot, snapshot_due

T = TypeVar("T")
UrlKind = Literal["feed", "sitemap", "homepage"]

#: Logger the CLI listens to for its progress bar; records carry ``done`` and ``total``.
PROGRESS_LOGGER = "newsmill.progress"
progress_log = logging.getLogger(PROGRESS_LOGGER)


@dataclass
class IngestResult:
    """What a run returns (and the CLI prints)."""

    run_id: str
    db: str
    sources: int
    report: BatchReport = field(default_factory=BatchReport)
    status: str = COMPLETED
    skipped_known: int = 0


#: Produces every batch of a run on a cluster, several at once, and yields, batch by batch in
#: order, the staged batch or the exception that failed it; the cluster lives as long as the
#: context.
ProduceAll = Callable[[Sequence[Sequence[Source]], Settings, str],
                      AbstractContextManager[Iterator[StagedBatch | Exception]]]


@dataclass(frozen=True)
class Steps:
    """How the steps of a run are executed."""

    plan: Callable[..., Plan] = plan_articles
    batch: Callable[[Sequence[Source], Settings, str], BatchReport] = process_batch
    publish: Callable[[Settings, str, str, BatchReport, str], None] | None = None
    logger: Any = field(default_factory=lambda: logging.getLogger("newsmill.flows.pipeline"))
    #: The Prefect flow run carrying this run, recorded on the run row.
    flow_run_id: str | None = None
    #: With the dask runner: how batches are produced on the cluster (None: plain Dask, no
    #: Prefect, ``flows.scaleout``) and how each staged batch is committed.
    produce_all: ProduceAll | None = None
    commit: Callable[[StagedBatch, Settings], BatchReport] = commit_staged
    #: With the processes runner: how each batch produced by a worker process is committed.
    commit_produced: Callable[[ProducedBatch, Settings], BatchReport] = commit_batch


def chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """``items`` cut into consecutive slices of at most ``size``."""
    return [items[i:i + size] for i in range(0, len(items), size)]


#: The smallest batch the processes runner makes when it cuts a run finer than
#: NEWSMILL_BATCH_SIZE to give every worker work: below ~20 texts ``nlp.pipe`` and the
#: per-batch commit stop paying for themselves.
MIN_SHARED_BATCH = 20


def batch_size_for(count: int, settings: Settings, workers: int) -> int:
    """The batch size a run of ``count`` sources uses: NEWSMILL_BATCH_SIZE, or with several
    workers smaller, so that there are about two batches per worker (one being produced while
    the other is committed) — 200 articles on 2 cores are 4 batches of 50, not one of 200 that
    only one core would work on — but not below :data:`MIN_SHARED_BATCH`."""
    if workers <= 1:
        return settings.batch_size
    shared = -(-count // (2 * workers))  # ceil
    return min(settings.batch_size, max(shared, MIN_SHARED_BATCH))


def ingest_run(
    sources: list[str], settings: Settings, steps: Steps, *, urls_are: UrlKind | None = None,
    max_articles: int | None = None, refresh: bool = False,
    captures: CaptureFilter | None = None,
) -> IngestResult:
    """Ingest files, folders, URLs, feeds, sitemaps and @lists into the warehouse.
    ``captures`` selects the pages of WARC files given by site and capture day."""
    run_id = uuid.uuid4().hex
    given = expand_sources(sources, urls_are=urls_are)
    if captures is not None and captures.active:
        given, left_out = select_captures(given, captures)
        steps.logger.info("left out %d pages of the WARC files given (site or capture day)",
                          left_out)
    model = _start(settings, run_id, "ingest", len(given), steps)
    try:
        if any(s.kind in {"url", "feed", "sitemap", "homepage"} for s in given):
            plan = steps.plan(given, settings, run_id, refresh=refresh,
                              max_articles=max_articles)
        else:
            plan = Plan(sources=given)
    except BaseException as exc:
        _fail(settings, run_id, BatchReport(), exc)
        raise
    steps.logger.info("run %s: %d sources into %s with %s %s", run_id, len(plan.sources),
                      settings.db, model.name, model.version)
    todo = _set_aside_unchanged(plan.sources, settings, run_id)
    result = IngestResult(run_id=run_id, db=str(settings.db), sources=len(plan.sources))
    result.report.seen = plan.skipped_known + plan.refused + todo.unchanged
    result.report.unchanged = plan.skipped_known + todo.unchanged
    result.report.rejected = plan.refused
    result.skipped_known = plan.skipped_known
    return _run_batches(todo.todo, settings, run_id, result, steps, "ingest",
                        scale_out=True)


def _set_aside_unchanged(sources: list[Source], settings: Settings, run_id: str
                         ) -> UnchangedFiles:
    """The sources minus the files stored unchanged, which are counted on the run row here
    (in one small transaction, with their refreshed stamps): no batch, no extraction, no
    model for them, whichever runner produces the batches."""
    if not any(s.kind == "file" for s in sources):
        return UnchangedFiles(todo=list(sources))
    with open_writer(settings.db) as conn:
        outcome = split_unchanged(conn, sources, run_id=run_id, now=utcnow(),
                                  max_bytes=settings.max_input_bytes)
        if outcome.unchanged:
            load_batch(conn, BatchRows(run_id=run_id, seen=outcome.unchanged,
                                       unchanged=outcome.unchanged,
                                       input_files=outcome.refreshed))
    return outcome


def reextract_run(settings: Settings, steps: Steps, *, run: str | None = None) -> IngestResult:
    """Extract stored pages again from the WARC archive, without fetching anything."""
    run_id = uuid.uuid4().hex
    with open_writer(settings.db) as conn:
        stored = archived_responses(conn, run)
    sources = [Source(url, "archive", archive_path=path, archive_offset=offset)
               for url, _canonical, path, offset in stored]
    _start(settings, run_id, "reextract", len(sources), steps)
    result = IngestResult(run_id=run_id, db=str(settings.db), sources=len(sources))
    return _run_batches(sources, settings, run_id, result, steps, "reextract",
                        scale_out=True)


def reprocess_run(settings: Settings, steps: Steps, *, language: str | None = None
                  ) -> IngestResult:
    """Analyse every stored document again with the current NLP settings."""
    run_id = uuid.uuid4().hex
    with open_writer(settings.db) as conn:
        ids = all_document_ids(conn, language)
    sources = [Source(document_id, "stored") for document_id in ids]
    _start(settings, run_id, "reprocess", len(sources), steps)
    result = IngestResult(run_id=run_id, db=str(settings.db), sources=len(sources))
    return _run_batches(sources, settings, run_id, result, steps, "reprocess")


def _start(settings: Settings, run_id: str, flow: str, sources_given: int, steps: Steps
           ) -> ModelInfo:
    """Record the run as started, with the model it will use (read from the model's meta,
    not loaded: a run with nothing new never loads it). First, under the writer's lock, what
    killed processes left is tidied: runs of this host whose process is gone are marked
    crashed, and a half-made snapshot copy is deleted."""
    from newsmill.warehouse.runs import mark_abandoned_runs
    from newsmill.warehouse.snapshot import remove_leftovers

    model = describe_pipeline(settings.spacy_model)
    with open_writer(settings.db) as conn:
        for abandoned in mark_abandoned_runs(conn):
            steps.logger.warning("run %s was left running by a process that is gone: "
                                 "marked crashed", abandoned)
        if remove_leftovers(settings.db):
            steps.logger.info("removed the temporary files of a snapshot publication that "
                              "was killed half-way")
        start_run(conn, run_id=run_id, flow=flow, settings=settings.as_record(),
                  code_version=code_version(), spacy_model=model.name,
                  spacy_model_version=model.version, sources_given=sources_given)
        if steps.flow_run_id:
            set_prefect_flow_run(conn, run_id, steps.flow_run_id)
    return model


def _run_batches(sources: list[Source], settings: Settings, run_id: str,
                 result: IngestResult, steps: Steps, flow: str, *, scale_out: bool = False
                 ) -> IngestResult:
    """One step per batch, in order; the run row says how it ended. ``scale_out``: the
    batches may be produced by worker processes or a Dask cluster (NEWSMILL_TASK_RUNNER);
    reprocess, which reads stored texts from the warehouse, runs its batches here."""
    logger = steps.logger
    progress_log.info("0 of %d sources done", len(sources),
                      extra={"done": 0, "total": len(sources)})
    done = 0
    failed_batches: list[str] = []
    runner = settings.task_runner if scale_out else "threads"
    workers = settings.worker_count() if runner == "processes" else 1
    batches = chunks(sources, batch_size_for(len(sources), settings, workers))
    if runner == "processes" and (workers == 1 or len(batches) == 1):
        runner = "threads"  # one worker, or one batch: a pool would only add its start-up
    try:
        with ExitStack() as cluster:
            runs = _batch_steps(batches, settings, run_id, steps, cluster, runner=runner)
            for batch, run_batch in zip(batches, runs, strict=True):
                try:
                    report = run_batch()
                except Exception as exc:  # retries are spent: record the batch and go on
                    logger.error("a batch of %d sources failed: %s", len(batch), exc)
                    report = _record_failed_batch(batch, settings, run_id, exc)
                    failed_batches.append(f"{type(exc).__name__}: {exc}")
                result.report.merge(report)
                done += len(batch)
                logger.info("batch done: %d loaded, %d unchanged, %d rejected",
                            report.loaded, report.unchanged, report.rejected)
                progress_log.info("%d of %d sources done", done, len(sources),
                                  extra={"done": done, "total": len(sources)})
    except BaseException as exc:
        # Ctrl-C, or the SIGTERM Prefect turns into TerminationSignal when a flow run is
        # cancelled (matched by name: this module does not import Prefect), ends the run as
        # cancelled; anything else that escapes fails it.
        stopped = isinstance(exc, KeyboardInterrupt) or any(
            cls.__name__ in CANCELLATION_SIGNALS for cls in type(exc).__mro__)
        result.status = CANCELLED if stopped else FAILED
        with open_writer(settings.db) as conn:
            finish_run(conn, run_id=run_id, status=result.status,
                       stage_seconds=result.report.stage_seconds,
                       error=f"{type(exc).__name__}: {exc}")
        raise
    _log_rejections(logger, result.report)
    error = (f"{len(failed_batches)} batch(es) failed and were recorded as rejections; "
             f"first: {failed_batches[0]}") if failed_batches else None
    with open_writer(settings.db) as conn:
        finish_run(conn, run_id=run_id, status=COMPLETED, error=error,
                   stage_seconds=result.report.stage_seconds)
        # Batches index their own documents; this only catches up on documents not indexed
        # yet (a warehouse made by older code): on an indexed warehouse, one query.
        if index_documents(conn) is None and result.report.loaded:
            logger.info("no fts extension here: `newsmill search` uses its plain fallback")
    # Also when this run loaded nothing: a run killed before it published left the snapshot
    # behind, and only a later run can bring it up to date.
    if snapshot_due(settings.db, settings.snapshot_minutes, loaded=bool(result.report.loaded)):
        try:
            publish_snapshot(settings.db)
        except NewsmillError:  # readers keep the previous snapshot; the run itself is done
            logger.warning("could not publish the analysts' snapshot", exc_info=True)
    if steps.publish is not None:
        try:
            steps.publish(settings, flow, run_id, result.report, COMPLETED)
        except Exception:  # the summary is a courtesy: never fail a loaded run over it
            logger.warning("could not publish the run summary", exc_info=True)
    logger.info("run %s completed: %d seen, %d loaded, %d unchanged, %d rejected", run_id,
                result.report.seen, result.report.loaded, result.report.unchanged,
                result.report.rejected)
    return result


#: Exceptions (by class name) that stop a run from outside: Prefect's TerminationSignal (a
#: cancelled flow run) and CancelledRun. With KeyboardInterrupt they end the run `cancelled`.
CANCELLATION_SIGNALS = frozenset({"TerminationSignal", "CancelledRun"})


def _log_rejections(logger: Any, report: BatchReport) -> None:
    """The run's rejections by reason, most frequent first: at WARNING when every source was
    rejected (a run that completed with nothing to show for it must say why), else INFO."""
    if not report.rejected:
        return
    counts = sorted(report.reasons.items(), key=lambda kv: -kv[1])
    unexplained = report.rejected - sum(report.reasons.values())
    if unexplained > 0:
        counts.append(("refused before extraction", unexplained))
    reasons = ", ".join(f"{reason} {count}" for reason, count in counts)
    if not report.loaded and not report.unchanged:
        logger.warning("nothing loaded: every source was rejected (%d): %s", report.rejected,
                       reasons)
    else:
        logger.info("%d of %d sources rejected: %s", report.rejected, report.seen, reasons)


def _batch_steps(batches: Sequence[Sequence[Source]], settings: Settings, run_id: str,
                 steps: Steps, cluster: ExitStack, *, runner: str
                 ) -> Iterator[Callable[[], BatchReport]]:
    """One call per batch, in order, each returning the batch's report. With ``threads`` a
    call runs the whole batch here; with ``processes`` or ``dask`` batches are produced by
    workers, several at once, and a call commits the next one as soon as it is ready (the
    workers stop, and a Dask run's staging files go, when ``cluster`` closes)."""
    if runner == "threads" or not batches:
        return (functools.partial(steps.batch, batch, settings, run_id) for batch in batches)
    if runner == "processes":
        from newsmill.flows.processes import produce_in_processes

        # Under Prefect the run's process only commits (it must stay free to answer a cancel).
        produced = cluster.enter_context(produce_in_processes(
            batches, settings, run_id, here_too=steps.flow_run_id is None))
        return (functools.partial(_commit, outcome, settings, steps.commit_produced)
                for outcome in produced)
    if steps.produce_all is not None:
        produce_all = steps.produce_all
    else:
        from newsmill.flows.scaleout import produce_with_dask  # imports Dask: only when asked for

        produce_all = produce_with_dask
    cluster.callback(discard_run, settings, run_id)  # after the cluster has stopped
    outcomes = cluster.enter_context(produce_all(batches, settings, run_id))
    return (functools.partial(_commit, outcome, settings, steps.commit) for outcome in outcomes)


def _commit(outcome: T | Exception, settings: Settings,
            commit: Callable[[T, Settings], BatchReport]) -> BatchReport:
    if isinstance(outcome, Exception):
        raise outcome  # producing the batch failed: recorded like any failed batch
    return commit(outcome, settings)


def _record_failed_batch(batch: Sequence[Source], settings: Settings, run_id: str,
                         exc: Exception) -> BatchReport:
    """Every source of a batch that failed as a whole becomes a rejection (in one small
    transaction); if even that cannot be written, the run fails."""
    from newsmill.tasks.rows import rejection_row

    now = utcnow()
    refusal = Rejection("batch", "batch_failed", f"{type(exc).__name__}: {exc}")
    rows = BatchRows(run_id=run_id, seen=len(batch),
                     rejections=[rejection_row(run_id, s.location, refusal, now) for s in batch])
    with open_writer(settings.db) as conn:
        load_batch(conn, rows)
    return BatchReport(seen=len(batch), rejected=len(batch),
                       reasons={"batch/batch_failed": len(batch)})


def _fail(settings: Settings, run_id: str, report: BatchReport, exc: BaseException) -> None:
    with open_writer(settings.db) as conn:
        finish_run(conn, run_id=run_id, status=FAILED, stage_seconds=report.stage_seconds,
                   error=f"{type(exc).__name__}: {exc}")

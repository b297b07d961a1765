"""The ingest flow: sources in, one task run per batch, a run row that says how it went."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from prefect import flow, get_run_logger

from newsmill.settings import Settings
from newsmill.versions import code_version
from tasks.batch import BatchReport, process_batch_task
from tasks.nlp import load_pipeline
from tasks.sources import expand_sources
from warehouse.connection import open_writer
from warehouse.runs import COMPLETED, FAILED, finish_run, start_run

T = TypeVar("T")

#: Logger the CLI listens to for its progress bar; records carry ``done`` and ``total``.
PROGRESS_LOGGER = "newsmill.progress"
progress_log = logging.getLogger(PROGRESS_LOGGER)


@dataclass
class IngestResult:
    """What the flow returns (and the CLI prints)."""

    run_id: str
    db: str
    sources: int
    report: BatchReport = field(default_factory=BatchReport)
    status: str = COMPLETED


def chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """``items`` cut into consecutive slices of at most ``size``."""
    return [items[i:i + size] for i in range(0, len(items), size)]


@flow(name="ingest", log_prints=False, persist_result=False)
def ingest(
    sources: list[str],
    db: str | None = None,
    batch_size: int | None = None,
    spacy_model: str | None = None,
) -> IngestResult:
    """Ingest files, folders, URLs and @lists into the warehouse.

    Args:
        sources: files (.html, .htm, .txt), folders, http(s) URLs, or @file lists.
        db: DuckDB file to load into (default: NEWSMILL_DB or data/newsmill.duckdb).
        batch_size: documents per batch (default: NEWSMILL_BATCH_SIZE).
        spacy_model: spaCy pipeline to use (default: NEWSMILL_SPACY_MODEL, 'auto').
    """
    logger = get_run_logger()
    settings = Settings.from_env(db=db, batch_size=batch_size, spacy_model=spacy_model)
    run_id = uuid.uuid4().hex
    expanded = expand_sources(sources)
    _nlp, model = load_pipeline(settings.spacy_model)
    with open_writer(settings.db) as conn:
        start_run(conn, run_id=run_id, flow="ingest", settings=settings.as_record(),
                  code_version=code_version(), spacy_model=model.name,
                  spacy_model_version=model.version, sources_given=len(expanded))
    logger.info("run %s: %d sources into %s with %s %s", run_id, len(expanded), settings.db,
                model.name, model.version)
    result = IngestResult(run_id=run_id, db=str(settings.db), sources=len(expanded))
    progress_log.info("0 of %d sources done", len(expanded),
                      extra={"done": 0, "total": len(expanded)})
    try:
        for batch in chunks(expanded, settings.batch_size):
            report = process_batch_task(batch, settings, run_id)
            result.report.merge(report)
            logger.info("batch done: %d loaded, %d unchanged, %d rejected",
                        report.loaded, report.unchanged, report.rejected)
            progress_log.info("%d of %d sources done", result.report.seen, len(expanded),
                              extra={"done": result.report.seen, "total": len(expanded)})
    except BaseException as exc:
        result.status = FAILED
        with open_writer(settings.db) as conn:
            finish_run(conn, run_id=run_id, status=FAILED,
                       stage_seconds=result.report.stage_seconds,
                       error=f"{type(exc).__name__}: {exc}")
        raise
    with open_writer(settings.db) as conn:
        finish_run(conn, run_id=run_id, status=COMPLETED,
                   stage_seconds=result.report.stage_seconds)
    logger.info("run %s completed: %d seen, %d loaded, %d unchanged, %d rejected", run_id,
                result.report.seen, result.report.loaded, result.report.unchanged,
                result.report.rejected)
    return result

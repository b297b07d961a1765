"""The ingest flow: sources in, one task run per batch, a run row that says how it went."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Literal, TypeVar

from prefect import flow, get_run_logger
from pydantic import Field

from flows.artifacts import publish_run_artifacts
from newsmill.settings import Settings
from newsmill.versions import code_version
from tasks.batch import BatchReport, process_batch_task
from tasks.discover import Plan, discover_task
from tasks.models import Source
from tasks.nlp import load_pipeline
from tasks.sources import expand_sources
from warehouse.connection import open_writer
from warehouse.fetching import archived_responses
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
    skipped_known: int = 0


def chunks(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """``items`` cut into consecutive slices of at most ``size``."""
    return [items[i:i + size] for i in range(0, len(items), size)]


@flow(name="ingest", log_prints=False, persist_result=False)
def ingest(
    sources: Annotated[list[str], Field(
        min_length=1,
        description="Files (.html, .htm, .txt), folders, http(s) URLs of articles, feeds or "
                    "sitemaps, or @list files (one source per line).")],
    db: Annotated[str | None, Field(
        description="DuckDB file to load into. Empty: NEWSMILL_DB, else "
                    "data/newsmill.duckdb.")] = None,
    batch_size: Annotated[int | None, Field(
        ge=1, le=100_000,
        description="Documents per batch (one task run, one transaction). Empty: "
                    "NEWSMILL_BATCH_SIZE.")] = None,
    spacy_model: Annotated[str | None, Field(
        description="spaCy pipeline for English. Empty: NEWSMILL_SPACY_MODEL ('auto').")] = None,
    urls_are: Annotated[Literal["feed", "sitemap", "homepage"] | None, Field(
        description="Treat every URL given as a feed, a sitemap, or a home page to discover "
                    "feeds and articles from. Empty: decided per URL from its path.")] = None,
    max_articles: Annotated[int | None, Field(
        ge=1, description="Fetch at most this many new articles.")] = None,
    refresh: Annotated[bool, Field(
        description="Fetch pages already stored again, conditionally (unchanged pages "
                    "answer 304).")] = False,
) -> IngestResult:
    """Ingest files, folders, URLs, feeds, sitemaps and @lists into the warehouse.

    Args:
        sources: files (.html, .htm, .txt), folders, http(s) URLs, or @file lists.
        db: DuckDB file to load into (default: NEWSMILL_DB or data/newsmill.duckdb).
        batch_size: documents per batch (default: NEWSMILL_BATCH_SIZE).
        spacy_model: spaCy pipeline to use (default: NEWSMILL_SPACY_MODEL, 'auto').
        urls_are: treat every URL given as a feed, a sitemap, or a home page to discover
            feeds and articles from (default: decided per URL from its path).
        max_articles: fetch at most this many new article URLs.
        refresh: fetch URLs already in the warehouse again (conditionally: unchanged pages
            answer 304 and cost nothing more).
    """
    logger = get_run_logger()
    settings = Settings.from_env(db=db, batch_size=batch_size, spacy_model=spacy_model)
    run_id = uuid.uuid4().hex
    given = expand_sources(sources, urls_are=urls_are)
    _nlp, model = load_pipeline(settings.spacy_model)
    with open_writer(settings.db) as conn:
        start_run(conn, run_id=run_id, flow="ingest", settings=settings.as_record(),
                  code_version=code_version(), spacy_model=model.name,
                  spacy_model_version=model.version, sources_given=len(given))
    try:
        plan = _plan(given, settings, run_id, refresh=refresh, max_articles=max_articles)
    except BaseException as exc:
        _fail(settings, run_id, BatchReport(), exc)
        raise
    expanded = plan.sources
    logger.info("run %s: %d sources into %s with %s %s", run_id, len(expanded), settings.db,
                model.name, model.version)
    result = IngestResult(run_id=run_id, db=str(settings.db), sources=len(expanded))
    result.report.seen = plan.skipped_known + plan.refused
    result.report.unchanged = plan.skipped_known
    result.report.rejected = plan.refused
    result.skipped_known = plan.skipped_known
    return _run_batches(expanded, settings, run_id, result)


def _run_batches(sources: list[Source], settings: Settings, run_id: str,
                 result: IngestResult, flow: str = "ingest") -> IngestResult:
    """One task run per batch, in order; the run row says how it ended."""
    logger = get_run_logger()
    progress_log.info("0 of %d sources done", len(sources),
                      extra={"done": 0, "total": len(sources)})
    done = 0
    try:
        for batch in chunks(sources, settings.batch_size):
            report = process_batch_task(batch, settings, run_id)
            result.report.merge(report)
            done += len(batch)
            logger.info("batch done: %d loaded, %d unchanged, %d rejected",
                        report.loaded, report.unchanged, report.rejected)
            progress_log.info("%d of %d sources done", done, len(sources),
                              extra={"done": done, "total": len(sources)})
    except BaseException as exc:
        result.status = FAILED
        _fail(settings, run_id, result.report, exc)
        raise
    with open_writer(settings.db) as conn:
        finish_run(conn, run_id=run_id, status=COMPLETED,
                   stage_seconds=result.report.stage_seconds)
    try:
        publish_run_artifacts(settings, flow, run_id, result.report, COMPLETED)
    except Exception:  # the summary is a courtesy: never fail a loaded run over it
        logger.warning("could not publish the run summary", exc_info=True)
    logger.info("run %s completed: %d seen, %d loaded, %d unchanged, %d rejected", run_id,
                result.report.seen, result.report.loaded, result.report.unchanged,
                result.report.rejected)
    return result


@flow(name="reextract", log_prints=False, persist_result=False)
def reextract(
    db: Annotated[str | None, Field(
        description="DuckDB file. Empty: NEWSMILL_DB, else data/newsmill.duckdb.")] = None,
    run: Annotated[str | None, Field(
        description="Only the pages fetched by this run id. Empty: the newest copy of every "
                    "stored page.")] = None,
    batch_size: Annotated[int | None, Field(
        ge=1, le=100_000, description="Documents per batch. Empty: NEWSMILL_BATCH_SIZE.")] = None,
    spacy_model: Annotated[str | None, Field(
        description="spaCy pipeline for English. Empty: NEWSMILL_SPACY_MODEL.")] = None,
) -> IngestResult:
    """Extract stored pages again from the WARC archive, without fetching anything.

    Pages whose extracted text comes out the same are counted as unchanged; a page whose text
    changes (a newer extractor, other settings) becomes a new document version.

    Args:
        db: DuckDB file (default: NEWSMILL_DB or data/newsmill.duckdb).
        run: only the pages fetched by this run id (default: the newest copy of every page).
        batch_size: documents per batch (default: NEWSMILL_BATCH_SIZE).
        spacy_model: spaCy pipeline to use (default: NEWSMILL_SPACY_MODEL, 'auto').
    """
    settings = Settings.from_env(db=db, batch_size=batch_size, spacy_model=spacy_model)
    run_id = uuid.uuid4().hex
    with open_writer(settings.db) as conn:
        stored = archived_responses(conn, run)
    sources = [Source(url, "archive", archive_path=path, archive_offset=offset)
               for url, _canonical, path, offset in stored]
    _nlp, model = load_pipeline(settings.spacy_model)
    with open_writer(settings.db) as conn:
        start_run(conn, run_id=run_id, flow="reextract", settings=settings.as_record(),
                  code_version=code_version(), spacy_model=model.name,
                  spacy_model_version=model.version, sources_given=len(sources))
    result = IngestResult(run_id=run_id, db=str(settings.db), sources=len(sources))
    return _run_batches(sources, settings, run_id, result, flow="reextract")


def _plan(given: list[Source], settings: Settings, run_id: str, *, refresh: bool,
          max_articles: int | None) -> Plan:
    """Discovery runs as its own task only when there are URLs to plan."""
    if not any(s.kind in {"url", "feed", "sitemap", "homepage"} for s in given):
        return Plan(sources=given)
    return discover_task(given, settings, run_id, refresh=refresh, max_articles=max_articles)


def _fail(settings: Settings, run_id: str, report: BatchReport, exc: BaseException) -> None:
    with open_writer(settings.db) as conn:
        finish_run(conn, run_id=run_id, status=FAILED, stage_seconds=report.stage_seconds,
                   error=f"{type(exc).__name__}: {exc}")

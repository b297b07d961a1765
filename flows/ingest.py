"""The Prefect flows: a run's wiring (``flows.pipeline``) with its steps as Prefect tasks —
one task run per batch — and its summary published as artifacts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any, Literal

from prefect import flow, get_run_logger
from prefect.client.schemas.objects import FlowRun, State
from prefect.context import FlowRunContext
from pydantic import Field

from newsmill.flows.artifacts import publish_run_artifacts
from newsmill.flows.batch_tasks import (
    commit_staged_task,
    discover_task,
    process_batch_task,
    reprocess_batch_task,
    stage_batch_task,
)
from newsmill.flows.pipeline import IngestResult, Steps, ingest_run, reextract_run, reprocess_run
from newsmill.flows.runtime import newsmill_log_level
from newsmill.flows.staging import StagedBatch
from newsmill.settings import Settings
from newsmill.tasks.backfill import CaptureFilter
from newsmill.tasks.models import Source
from newsmill.warehouse.connection import open_writer
from newsmill.warehouse.runs import CANCELLED, CRASHED, mark_ended_by_prefect

__all__ = ["IngestResult", "ingest", "reextract", "reprocess"]


def _prefect_log_level() -> str:
    """Prefect's own log level (PREFECT_LOGGING_LEVEL): newsmill's lines follow it inside a
    flow run, so a worker's runs show them at INFO and the CLI's quiet flow runs stay quiet."""
    from prefect.settings import get_current_settings

    return str(get_current_settings().logging.level).upper()


def _orchestrated_steps() -> Steps:
    context = FlowRunContext.get()
    flow_run_id = str(context.flow_run.id) if context and context.flow_run else None
    return Steps(plan=discover_task, batch=process_batch_task, publish=publish_run_artifacts,
                 logger=get_run_logger(), flow_run_id=flow_run_id,
                 produce_all=produce_on_dask, commit=commit_staged_task)


def dask_task_runner(settings: Settings) -> Any:
    """Prefect's ``DaskTaskRunner`` for the settings: the scheduler at ``dask_address``, else
    a local cluster of ``dask_workers`` processes started for the run."""
    from prefect_dask.task_runners import DaskTaskRunner  # imports Dask: only if asked for

    from newsmill.flows.scaleout import local_cluster_kwargs

    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(cluster_kwargs=local_cluster_kwargs(settings))


@contextmanager
def produce_on_dask(batches: Sequence[Sequence[Source]], settings: Settings, run_id: str
                    ) -> Iterator[Iterator[StagedBatch | Exception]]:
    """The flow's NLP stage with NEWSMILL_TASK_RUNNER=dask: every batch submitted at once as a
    ``stage-batch`` task run on the Dask task runner; outcomes yielded in batch order, for the
    flow to commit (``commit-batch``) as each becomes ready."""
    import dask

    from newsmill.flows.scaleout import DASK_CONFIG, batch_parameters, in_order, prepare_workers

    parameters = batch_parameters(batches, settings, run_id)
    with dask_task_runner(settings) as runner:
        with dask.config.set(DASK_CONFIG):  # the runner's client starts its cluster
            prepare_workers(runner.client, settings)
        futures = [runner.submit(stage_batch_task, p) for p in parameters]
        yield in_order(futures)


def _ended_by_prefect(flow: Any, flow_run: FlowRun, state: State[Any]) -> None:
    """Flow hook: a crashed or cancelled flow run marks its newsmill run so. Batches already
    committed stay (each is whole); the one in flight was rolled back with its transaction."""
    status = CANCELLED if state.is_cancelled() else CRASHED
    db = (flow_run.parameters or {}).get("db")
    settings = Settings.from_env(db=db)
    with open_writer(settings.db) as conn:
        mark_ended_by_prefect(conn, str(flow_run.id), status,
                              f"{state.name}: {state.message or 'no message'}")


@flow(name="ingest", log_prints=False, persist_result=False,
      on_crashed=[_ended_by_prefect], on_cancellation=[_ended_by_prefect])
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
    sites: Annotated[list[str], Field(
        description="WARC backfill: only pages of these sites (host suffixes such as "
                    "bbc.co.uk). Empty: every site.")] = [],  # noqa: B006 (a flow parameter)
    captured_since: Annotated[date | None, Field(
        description="WARC backfill: only pages captured on or after this day.")] = None,
    captured_until: Annotated[date | None, Field(
        description="WARC backfill: only pages captured on or before this day.")] = None,
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
        sites: for WARC files, only pages of these sites (host suffixes).
        captured_since: for WARC files, only pages captured on or after this day.
        captured_until: for WARC files, only pages captured on or before this day.
    """
    with newsmill_log_level(_prefect_log_level()):
        settings = Settings.from_env(db=db, batch_size=batch_size, spacy_model=spacy_model)
        return ingest_run(sources, settings, _orchestrated_steps(), urls_are=urls_are,
                          max_articles=max_articles, refresh=refresh,
                          captures=CaptureFilter(tuple(sites), captured_since,
                                                 captured_until))


@flow(name="reextract", log_prints=False, persist_result=False,
      on_crashed=[_ended_by_prefect], on_cancellation=[_ended_by_prefect])
def reextract(
    db: Annotated[str | None, Field(
        description="DuckDB file. Empty: NEWSMILL_DB, else data/newsmill.duckdb.")] = None,
    run: Annotated[str | None, Field(
        description="Only the pages fetched by this run id, as that run archived them. "
                    "Empty: the newest copy of every stored page.")] = None,
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
        run: only the pages fetched by this run id, each as that run archived it (default:
            the newest copy of every page).
        batch_size: documents per batch (default: NEWSMILL_BATCH_SIZE).
        spacy_model: spaCy pipeline to use (default: NEWSMILL_SPACY_MODEL, 'auto').
    """
    with newsmill_log_level(_prefect_log_level()):
        settings = Settings.from_env(db=db, batch_size=batch_size, spacy_model=spacy_model)
        return reextract_run(settings, _orchestrated_steps(), run=run)


@flow(name="reprocess", log_prints=False, persist_result=False,
      on_crashed=[_ended_by_prefect], on_cancellation=[_ended_by_prefect])
def reprocess(
    db: Annotated[str | None, Field(
        description="DuckDB file. Empty: NEWSMILL_DB, else data/newsmill.duckdb.")] = None,
    language: Annotated[str | None, Field(
        description="Only documents in this language (ISO 639-1, e.g. 'en'). Empty: all.")
    ] = None,
    batch_size: Annotated[int | None, Field(
        ge=1, le=100_000, description="Documents per batch. Empty: NEWSMILL_BATCH_SIZE.")] = None,
    spacy_model: Annotated[str | None, Field(
        description="spaCy pipeline for English. Empty: NEWSMILL_SPACY_MODEL.")] = None,
) -> IngestResult:
    """Analyse stored documents again with the current NLP settings (a new model, new rules),
    replacing their entities and quotes batch by batch; nothing is fetched or extracted.
    """
    with newsmill_log_level(_prefect_log_level()):
        settings = Settings.from_env(db=db, batch_size=batch_size, spacy_model=spacy_model)
        steps = _orchestrated_steps()
        steps = Steps(plan=steps.plan, batch=reprocess_batch_task, publish=steps.publish,
                      logger=steps.logger, flow_run_id=steps.flow_run_id)
        return reprocess_run(settings, steps, language=language)

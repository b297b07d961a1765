"""The Prefect flows: a run's wiring (``flows.pipeline``) with its steps as Prefect tasks —
one task run per batch — and its summary published as artifacts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from prefect import flow, get_run_logger
from prefect.client.schemas.objects import FlowRun, State
from prefect.context import FlowRunContext

from newsmill.flows.artifacts import publish_run_artifacts
from newsmill.flows.batch_tasks import (
    commit_produced_task,
    commit_staged_task,
    discover_task,
    process_batch_task,
    reprocess_batch_task,
    stage_batch_task,
)
from newsmill.flows.parameters import (
    DAY_PATTERN,
    DEFAULT_BATCH_SIZE,
    RELATIVE_PATHS,
    BatchSize,
    SourceText,
    SpacyModel,
    Warehouse,
    day,
    form_field,
    or_none,
)
from newsmill.flows.pipeline import IngestResult, Steps, ingest_run, reextract_run, reprocess_run
from newsmill.flows.runtime import emit_run_event, newsmill_log_level
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
                 produce_all=produce_on_dask, commit=commit_staged_task,
                 commit_produced=commit_produced_task)


def dask_task_runner(settings: Settings) -> Any:
    """Prefect's ``DaskTaskRunner`` for the settings: the scheduler at ``dask_address``, else
    a local cluster of ``worker_count()`` processes started for the run."""
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
    # The worker runs the cancellation hooks while the flow run is still CANCELLING.
    status = CANCELLED if state.is_cancelled() or state.is_cancelling() else CRASHED
    db = (flow_run.parameters or {}).get("db") or None  # "" in the form: the settings' file
    settings = Settings.from_env(db=db)
    with open_writer(settings.db) as conn:
        mark_ended_by_prefect(conn, str(flow_run.id), status,
                              f"{state.name}: {state.message or 'no message'}")


@flow(name="ingest", log_prints=False, persist_result=False,
      on_crashed=[_ended_by_prefect], on_cancellation=[_ended_by_prefect])
def ingest(
    sources: Annotated[list[SourceText], form_field(
        "Sources",
        "Files (.html, .htm, .txt, .warc, .warc.gz), folders, http(s) URLs of articles, feeds "
        "or sitemaps, or @list files (one source per line); at least one, none empty. "
        + RELATIVE_PATHS, min_length=1)],
    db: Warehouse = "",
    batch_size: BatchSize = DEFAULT_BATCH_SIZE,
    spacy_model: SpacyModel = "",
    urls_are: Annotated[Literal["auto", "feed", "sitemap", "homepage"], form_field(
        "URLs are",
        "What every URL given is: auto (decided per URL from its path), feed, sitemap, or "
        "homepage (read its feeds, or failing that its article links).")] = "auto",
    max_articles: Annotated[int, form_field(
        "Most new articles",
        "Fetch at most this many new articles; 0: no limit.", ge=0)] = 0,
    refresh: Annotated[bool, form_field(
        "Refresh stored pages",
        "Fetch pages already stored again, conditionally (unchanged pages answer 304).")
    ] = False,
    sites: Annotated[list[str], form_field(
        "WARC backfill: sites",
        "Only pages of these sites (host suffixes such as bbc.co.uk). Empty: every site.")
    ] = [],  # noqa: B006 (a flow parameter: Prefect copies it per run)
    captured_since: Annotated[str, form_field(
        "WARC backfill: captured since",
        "Only pages captured on or after this day (YYYY-MM-DD). Empty: no lower bound.",
        pattern=DAY_PATTERN)] = "",
    captured_until: Annotated[str, form_field(
        "WARC backfill: captured until",
        "Only pages captured on or before this day (YYYY-MM-DD). Empty: no upper bound.",
        pattern=DAY_PATTERN)] = "",
) -> IngestResult:
    """Ingest files, folders, URLs, feeds, sitemaps, WARC files and @lists into the warehouse.

    Every parameter but ``sources`` has a value meaning "not given" ("" for text, 0 for
    ``max_articles``, "auto" for ``urls_are``), so the run form shows one input per field
    (``newsmill.flows.parameters``). Relative paths resolve in the worker's folder.

    Args:
        sources: files, folders, http(s) URLs, or @list files; none empty.
        db: DuckDB file to load into ("": NEWSMILL_DB, else data/newsmill.duckdb).
        batch_size: documents per batch, 1 to 100,000.
        spacy_model: spaCy pipeline to use ("": NEWSMILL_SPACY_MODEL, else the best installed).
        urls_are: what every URL given is: auto (per URL from its path), feed, sitemap or
            homepage.
        max_articles: fetch at most this many new articles (0: no limit).
        refresh: fetch URLs already in the warehouse again (conditionally: unchanged pages
            answer 304 and cost nothing more).
        sites: for WARC files, only pages of these sites (host suffixes).
        captured_since: for WARC files, only pages captured on or after this day (YYYY-MM-DD).
        captured_until: for WARC files, only pages captured on or before this day.
    """
    with newsmill_log_level(_prefect_log_level()):
        settings = Settings.from_env(db=or_none(db), batch_size=batch_size,
                                     spacy_model=or_none(spacy_model))
        since, until = day(captured_since, "captured_since"), day(captured_until,
                                                                  "captured_until")
        result = ingest_run(list(sources), settings, _orchestrated_steps(),
                            urls_are=None if urls_are == "auto" else urls_are,
                            max_articles=max_articles or None, refresh=refresh,
                            captures=CaptureFilter(tuple(sites), since, until))
        emit_run_event(result)  # newsmill.run.rejected and others: for automations
        return result


@flow(name="reextract", log_prints=False, persist_result=False,
      on_crashed=[_ended_by_prefect], on_cancellation=[_ended_by_prefect])
def reextract(
    db: Warehouse = "",
    run: Annotated[str, form_field(
        "Only the pages of run",
        "A run id (the runs table, or a run's summary): only the pages that run fetched, as "
        "it archived them. Empty: the newest copy of every stored page.")] = "",
    batch_size: BatchSize = DEFAULT_BATCH_SIZE,
    spacy_model: SpacyModel = "",
) -> IngestResult:
    """Extract stored pages again from the WARC archive, without fetching anything.

    Pages whose extracted text comes out the same are counted as unchanged; a page whose text
    changes (a newer extractor, other settings) becomes a new document version.

    Args:
        db: DuckDB file ("": NEWSMILL_DB, else data/newsmill.duckdb).
        run: only the pages fetched by this run id, each as that run archived it ("": the
            newest copy of every page).
        batch_size: documents per batch, 1 to 100,000.
        spacy_model: spaCy pipeline to use ("": NEWSMILL_SPACY_MODEL, else the best installed).
    """
    with newsmill_log_level(_prefect_log_level()):
        settings = Settings.from_env(db=or_none(db), batch_size=batch_size,
                                     spacy_model=or_none(spacy_model))
        result = reextract_run(settings, _orchestrated_steps(), run=or_none(run))
        emit_run_event(result)
        return result


@flow(name="reprocess", log_prints=False, persist_result=False,
      on_crashed=[_ended_by_prefect], on_cancellation=[_ended_by_prefect])
def reprocess(
    db: Warehouse = "",
    language: Annotated[str, form_field(
        "Only the language",
        "Only documents in this language, as its two-letter ISO 639-1 code (en, fr). Empty: "
        "every language.", pattern=r"^([A-Za-z]{2,3})?$")] = "",
    batch_size: BatchSize = DEFAULT_BATCH_SIZE,
    spacy_model: SpacyModel = "",
) -> IngestResult:
    """Analyse stored documents again with the current NLP settings (a new model, new rules),
    replacing their entities and quotes batch by batch; nothing is fetched or extracted.

    Args:
        db: DuckDB file ("": NEWSMILL_DB, else data/newsmill.duckdb).
        language: only documents in this language (ISO 639-1; "": every language).
        batch_size: documents per batch, 1 to 100,000.
        spacy_model: spaCy pipeline to use ("": NEWSMILL_SPACY_MODEL, else the best installed).
    """
    with newsmill_log_level(_prefect_log_level()):
        settings = Settings.from_env(db=or_none(db), batch_size=batch_size,
                                     spacy_model=or_none(spacy_model))
        steps = _orchestrated_steps()
        steps = Steps(plan=steps.plan, batch=reprocess_batch_task, publish=steps.publish,
                      logger=steps.logger, flow_run_id=steps.flow_run_id)
        result = reprocess_run(settings, steps, language=or_none(language))
        emit_run_event(result)
        return result

"""The Dask side of ``NEWSMILL_TASK_RUNNER=dask``: the cluster, and producing batches on it.

Workers run :func:`newsmill.flows.staging.stage_batch` (read or fetch, extract, spaCy, entities,
quotes) and leave each batch in a staging file; the run's process commits them in order
(``flows.pipeline``). Workers never open the warehouse: DuckDB lets one process write a file
while no other process has it open, so the robots.txt records they need are read here and
passed along.

:func:`produce_with_dask` is the plain version (``distributed`` directly: the CLI without a
Prefect API); ``flows.ingest`` does the same through Prefect's ``DaskTaskRunner`` so that each
batch is a task run. Neither needs Prefect to be imported here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

import distributed

from newsmill.flows.robots import robots_by_batch
from newsmill.flows.staging import StagedBatch, stage_batch
from newsmill.settings import Settings
from newsmill.tasks.isolation import shared_extractor
from newsmill.tasks.models import Source

log = logging.getLogger(__name__)


#: Dask configuration for newsmill's workers. Dask starts worker processes as daemons, and a
#: daemon may not start processes of its own; the bounded extraction (``tasks.isolation``)
#: runs pages in a child process. Workers started by hand need the same:
#: ``DASK_DISTRIBUTED__WORKER__DAEMON=False dask worker tcp://scheduler:8786``.
DASK_CONFIG: dict[str, Any] = {"distributed.worker.daemon": False}


class ExtractorCleanup(distributed.WorkerPlugin):
    """Shuts a worker's extraction process down when the worker closes.

    The extraction worker (``tasks.isolation``) lives as long as its process, and is shut
    down by its parent's exit; a Dask worker process is ended without
    that, which left the extraction process and its fork server running after the cluster
    had stopped.
    """

    idempotent = True  # registered by every run; a worker keeps the first

    def __init__(self, settings: Settings) -> None:
        self.limits = (settings.extract_timeout, settings.extract_memory_mb,
                       settings.max_html_bytes)

    def teardown(self, worker: distributed.Worker) -> None:
        shared_extractor(*self.limits).close()
        shared_extractor.cache_clear()


def prepare_workers(client: Any, settings: Settings) -> None:
    """Ready a cluster's workers for newsmill's batches (see :class:`ExtractorCleanup`)."""
    client.register_plugin(ExtractorCleanup(settings), name="newsmill-extractor-cleanup")


def local_cluster_kwargs(settings: Settings) -> dict[str, Any]:
    """``distributed.LocalCluster`` arguments: one process per worker, one batch at a time
    each (spaCy and extraction are CPU-bound and hold the GIL), no web dashboard."""
    return {"n_workers": settings.worker_count(), "threads_per_worker": 1, "processes": True,
            "dashboard_address": None}


def in_order(futures: Sequence[Any]) -> Iterator[StagedBatch | Exception]:
    """Each future's result in submission order, or the exception that failed it."""
    for future in futures:
        try:
            yield future.result()
        except Exception as exc:  # recorded as a failed batch by the pipeline
            yield exc


@contextmanager
def produce_with_dask(batches: Sequence[Sequence[Source]], settings: Settings, run_id: str
                      ) -> Iterator[Iterator[StagedBatch | Exception]]:
    """Submit every batch to a Dask cluster (``settings.dask_address``, else a local one) and
    yield their outcomes in batch order; the cluster stops (a local one) or forgets the
    run's tasks (a shared one) when the context exits."""
    import dask

    untyped: Any = distributed  # distributed's constructors carry no annotations
    parameters = batch_parameters(batches, settings, run_id)
    with ExitStack() as stack:
        with dask.config.set(DASK_CONFIG):
            target = settings.dask_address or stack.enter_context(
                untyped.LocalCluster(**local_cluster_kwargs(settings)))
            client = stack.enter_context(untyped.Client(target))
        prepare_workers(client, settings)
        log.info("producing %d batches on %s", len(batches), client)
        futures = [client.submit(stage_batch, **p, pure=False, key=f"stage-{run_id}-{i}")
                   for i, p in enumerate(parameters)]
        yield in_order(futures)


def batch_parameters(batches: Sequence[Sequence[Source]], settings: Settings, run_id: str
                     ) -> list[dict[str, Any]]:
    """The parameters of :func:`newsmill.flows.staging.stage_batch` for each batch (for a task
    runner's ``submit``)."""
    robots = robots_by_batch(batches, settings)
    return [{"sources": list(batch), "settings": settings, "run_id": run_id, "index": index,
             "robots": robots[index]} for index, batch in enumerate(batches)]

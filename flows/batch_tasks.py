"""The Prefect task wrappers of the stages: retries, caching and logging, nothing else.

Kept apart from the stages so that running the pipeline without orchestration (the CLI when
no Prefect API is configured, the tests) does not import Prefect, which alone takes ~3.5 s.
"""

from __future__ import annotations

from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun

from newsmill.errors import TransientError
from newsmill.flows.reprocess import reprocess_batch
from newsmill.flows.staging import commit_staged, stage_batch
from newsmill.tasks.batch import commit_batch, process_batch
from newsmill.tasks.fetch.plan import plan_articles


def only_transient(task: Any, task_run: TaskRun, state: State[Any]) -> bool:
    """Prefect ``retry_condition_fn``: retry when the task failed with a TransientError."""
    try:
        state.result()
    except TransientError:
        return True
    except Exception:
        return False
    return False


#: Retry delays for a batch whose warehouse was locked, in seconds.
BATCH_RETRY_DELAYS: list[float] = [2.0, 10.0, 30.0]
#: Retry delays for a discovery whose warehouse was locked, in seconds.
DISCOVER_RETRY_DELAYS: list[float] = [5.0, 20.0]


def _batch_task(name: str, delays: list[float], **options: Any) -> Any:
    """A Prefect task wrapper retried on transient failures after ``delays``.

    NO_CACHE: the inputs are settings and source lists, and the work has side effects (the
    warehouse); results are small reports, not worth persisting.
    """
    return task(name=name, retries=len(delays), retry_delay_seconds=delays,
                retry_condition_fn=only_transient, cache_policy=NO_CACHE,
                persist_result=False, **options)


process_batch_task = _batch_task("process-batch", BATCH_RETRY_DELAYS,
                                 log_prints=False)(process_batch)
discover_task = _batch_task("discover", DISCOVER_RETRY_DELAYS)(plan_articles)
reprocess_batch_task = _batch_task("reprocess-batch", BATCH_RETRY_DELAYS)(reprocess_batch)

# The Dask runner's two halves of a batch. ``stage-batch`` runs on a Dask worker and returns
# only the staging file's path and a small report; ``commit-batch`` runs in the flow process,
# the warehouse's one writer, in batch order, and is retried like a batch when the warehouse
# is locked (its staging file stays until the commit succeeds).
stage_batch_task = task(
    name="stage-batch",
    cache_policy=NO_CACHE,
    persist_result=False,
)(stage_batch)
commit_staged_task = _batch_task("commit-batch", BATCH_RETRY_DELAYS)(commit_staged)

# The processes runner's commit: a batch produced by a worker process (``flows.processes``,
# plain Python, no Prefect in the workers) is committed in the flow process as a task run,
# retried like a batch when the warehouse is locked.
commit_produced_task = _batch_task("commit-batch", BATCH_RETRY_DELAYS)(commit_batch)

"""The run wiring with NEWSMILL_TASK_RUNNER=dask, without Prefect: batches produced elsewhere
are committed in order, a batch that failed on the cluster is recorded like any failed batch,
and plain Dask (the CLI with no Prefect API) fills the warehouse as the default runner does."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from helpers import query_rows
from same_warehouse import child_processes, wait_for_no_new_children, warehouse_contents

from newsmill.flows.pipeline import Steps, ingest_run
from newsmill.flows.scaleout import local_cluster_kwargs, robots_by_batch
from newsmill.flows.staging import StagedBatch, stage_batch
from newsmill.settings import Settings
from newsmill.tasks.models import Source
from newsmill.warehouse.connection import open_writer
from newsmill.warehouse.loader import BatchRows, load_batch


def test_workers_get_the_robots_records_of_their_batches(settings: Settings) -> None:
    seen = datetime(2024, 5, 1, 8, 0)
    with open_writer(settings.db) as conn:
        load_batch(conn, BatchRows(run_id="r", robots=[
            {"origin": "https://a.example", "fetched_at": seen, "status": 200,
             "body": "User-agent: *", "run_id": "r"}]))
    batches = [[Source("https://a.example/1", "url"), Source("https://b.example/2", "url")],
               [Source("/in/x.txt", "file")],
               [Source("https://a.example/3", "url")]]
    assert robots_by_batch(batches, settings) == [
        {"https://a.example": (seen, 200, "User-agent: *")}, {},
        {"https://a.example": (seen, 200, "User-agent: *")}]
    # Files only: the warehouse is not even opened.
    elsewhere = settings.replace(db=settings.db.parent / "none" / "w.duckdb")
    assert robots_by_batch([[Source("/in/x.txt", "file")]], elsewhere) == [{}]
    assert not elsewhere.db.exists()


def test_a_local_cluster_is_asked_for_single_threaded_worker_processes() -> None:
    settings = Settings.from_env(env={}, task_runner="dask", workers=3)
    assert local_cluster_kwargs(settings) == {
        "n_workers": 3, "threads_per_worker": 1, "processes": True, "dashboard_address": None}


@pytest.mark.model
def test_batches_produced_elsewhere_are_committed_in_order(three_files: Path,
                                                           tmp_path: Path) -> None:
    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb", batch_size=1,
                                 task_runner="dask")
    order: list[int] = []

    @contextmanager
    def on_the_cluster(batches: Sequence[Sequence[Source]], s: Settings, run_id: str
                       ) -> Iterator[Iterator[StagedBatch | Exception]]:
        def outcomes() -> Iterator[StagedBatch | Exception]:
            for index, batch in enumerate(batches):
                if "liverpool" in batch[0].location:
                    yield RuntimeError("KilledWorker: the worker died three times")
                else:
                    yield stage_batch(batch, s, run_id, index)
        yield outcomes()

    def commit(staged: StagedBatch, s: Settings) -> object:
        from newsmill.flows.staging import commit_staged

        order.append(staged.index)
        return commit_staged(staged, s)

    result = ingest_run([str(three_files)], settings,
                        Steps(produce_all=on_the_cluster, commit=commit))  # type: ignore[arg-type]

    assert order == [0, 1]  # corvane, kenya; liverpool (2) failed on the cluster
    assert (result.report.loaded, result.report.rejected) == (2, 1)
    assert result.report.reasons == {"batch/batch_failed": 1}
    ((status, error, batches),) = query_rows(settings.db,
                                        "select status, error, batches_committed from runs")
    assert status == "completed" and "KilledWorker" in str(error) and batches == 3
    assert not (settings.staging_path / result.run_id).exists()


@pytest.mark.slow
@pytest.mark.model
def test_plain_dask_loads_what_the_default_runner_loads(three_files: Path,
                                                        tmp_path: Path) -> None:
    by_threads = Settings.from_env(env={}, db=tmp_path / "t.duckdb", batch_size=1,
                                   snapshot_minutes=0)
    ingest_run([str(three_files)], by_threads, Steps())
    before = child_processes()
    by_dask = by_threads.replace(db=tmp_path / "d.duckdb", task_runner="dask", workers=2)
    result = ingest_run([str(three_files)], by_dask, Steps())

    assert result.report.loaded == 3
    assert warehouse_contents(by_dask.db) == warehouse_contents(by_threads.db)
    assert not (by_dask.staging_path / result.run_id).exists()
    assert wait_for_no_new_children(before) == set()

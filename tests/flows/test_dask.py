"""The Dask task runner: a small ingest on a 2-worker local cluster fills the warehouse exactly
as the default runner does, through Prefect, and leaves no process or staging file behind."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import duckdb
import pytest
from same_warehouse import child_processes, wait_for_no_new_children, warehouse_contents

pytestmark = [pytest.mark.model, pytest.mark.slow]


def _task_run_names(flow_run_id: str) -> list[str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async def read() -> list[str]:
        async with get_client() as client:
            runs = await client.read_task_runs(flow_run_filter=FlowRunFilter(
                id=FlowRunFilterId(any_=[flow_run_id])))
            return [r.name for r in runs if r.state is not None and r.state.is_completed()]

    return asyncio.run(read())


def _flow_run_id(db: Path) -> str:
    conn = duckdb.connect(str(db), read_only=True)
    try:
        row = conn.execute("select prefect_flow_run_id from runs").fetchone()
    finally:
        conn.close()
    assert row is not None and row[0]
    return str(row[0])


def test_a_dask_ingest_loads_what_the_default_runner_loads(
    prefect_harness: None, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    run_data_tests: Any,
) -> None:
    from newsmill.flows.ingest import ingest

    monkeypatch.setenv("NEWSMILL_SNAPSHOT", "false")
    threads_db, dask_db = tmp_path / "threads.duckdb", tmp_path / "dask.duckdb"
    # Batches of 5: the 21 sample files make 5 batches, several in flight on the cluster, the
    # syndicated copy and its original in different ones.
    by_threads = ingest(sources=[str(corpus)], db=str(threads_db), batch_size=5)

    before = child_processes()
    monkeypatch.setenv("NEWSMILL_TASK_RUNNER", "dask")
    monkeypatch.setenv("NEWSMILL_WORKERS", "2")
    by_dask = ingest(sources=[str(corpus)], db=str(dask_db), batch_size=5)

    assert warehouse_contents(dask_db) == warehouse_contents(threads_db)
    for field in ("seen", "loaded", "unchanged", "rejected", "reasons"):
        assert getattr(by_dask.report, field) == getattr(by_threads.report, field), field
    assert by_dask.report.loaded == 19
    assert run_data_tests(dask_db) == {}
    # Each batch was a task run on a worker and a commit in the flow.
    names = _task_run_names(_flow_run_id(dask_db))
    assert sum(n.startswith("stage-batch") for n in names) == 5
    assert sum(n.startswith("commit-batch") for n in names) == 5
    # The staging files are gone, and so is the cluster with its workers' children.
    staging = tmp_path / "staging"
    assert not staging.exists() or not any(staging.rglob("*"))
    assert wait_for_no_new_children(before) == set()

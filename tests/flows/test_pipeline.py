"""The run wiring without Prefect: batches in order, a failed batch recorded, run rows right."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from helpers import query_rows

from newsmill.flows.pipeline import Steps, ingest_run
from newsmill.settings import Settings
from newsmill.tasks.batch import BatchReport, process_batch
from newsmill.tasks.models import Source
from newsmill.warehouse.connection import open_writer
from newsmill.warehouse.runs import mark_ended_by_prefect, set_prefect_flow_run

pytestmark = pytest.mark.model

def test_a_failing_batch_is_recorded_and_the_run_goes_on(three_files: Path,
                                                         tmp_path: Path) -> None:
    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb", batch_size=1)

    def flaky(batch: Sequence[Source], s: Settings, run_id: str) -> BatchReport:
        if "liverpool" in batch[0].location:
            raise RuntimeError("the disk is on fire")
        return process_batch(batch, s, run_id)

    result = ingest_run([str(three_files)], settings, Steps(batch=flaky))
    assert result.report.loaded == 2 and result.report.rejected == 1
    assert query_rows(settings.db, "select stage, reason from rejections") == [
        ("batch", "batch_failed")]
    ((status, error, batches),) = query_rows(settings.db,
                                        "select status, error, batches_committed from runs")
    assert status == "completed" and "disk is on fire" in str(error) and batches == 3


def test_an_interrupted_run_is_marked_failed(three_files: Path, tmp_path: Path) -> None:
    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb", batch_size=1)
    calls = []

    def interrupted(batch: Sequence[Source], s: Settings, run_id: str) -> BatchReport:
        calls.append(batch)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return process_batch(batch, s, run_id)

    with pytest.raises(KeyboardInterrupt):
        ingest_run([str(three_files)], settings, Steps(batch=interrupted))
    ((status, loaded, batches),) = query_rows(settings.db,
                                         "select status, docs_loaded, batches_committed from runs")
    assert status == "failed"
    assert (loaded, batches) == (1, 1)  # only the whole batch before the interruption
    assert query_rows(settings.db, "select count(*) from documents") == [(1,)]


def test_a_crashed_prefect_run_marks_its_run(tmp_path: Path, three_files: Path) -> None:
    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb")
    result = ingest_run([str(three_files)], settings, Steps(flow_run_id="flow-run-1"))
    with open_writer(settings.db) as conn:
        # A finished run is left alone ...
        mark_ended_by_prefect(conn, "flow-run-1", "crashed", "Crashed: worker lost")
        conn.execute("insert into runs (run_id, flow, started_at, status, settings, "
                     "code_version) values ('r2', 'ingest', now(), 'running', '{}', 'x')")
        set_prefect_flow_run(conn, "r2", "flow-run-2")
        # ... a running one is marked.
        mark_ended_by_prefect(conn, "flow-run-2", "crashed", "Crashed: worker lost")
    assert query_rows(settings.db, "select run_id, status from runs order by run_id") == sorted(
        [(result.run_id, "completed"), ("r2", "crashed")])


def test_reprocess_replaces_the_analysis_without_duplicates(
    three_files: Path, tmp_path: Path, run_data_tests: object
) -> None:
    from newsmill.flows.pipeline import reprocess_run
    from newsmill.flows.reprocess import reprocess_batch

    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb")
    ingest_run([str(three_files)], settings, Steps())
    counts = "select (select count(*) from mentions), (select count(*) from quotes)"
    before = query_rows(settings.db, counts)
    with open_writer(settings.db) as conn:  # an analysis gone wrong, to be repaired
        conn.execute("delete from quotes")
    result = reprocess_run(settings, Steps(batch=reprocess_batch))
    assert result.report.loaded == 3
    assert query_rows(settings.db, counts) == before
    assert query_rows(settings.db, "select count(*) from mentions m join runs r using (run_id) "
                              "where r.flow = 'reprocess'") == [(before[0][0],)]
    assert run_data_tests(settings.db) == {}  # type: ignore[operator]

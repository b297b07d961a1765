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
from newsmill.warehouse.runs import COMPLETED, finish_run, set_prefect_flow_run, start_run

pytestmark = pytest.mark.model

def test_a_failing_batch_is_recorded_and_the_run_goes_on(three_files: Path,
                                                         tmp_path: Path) -> None:
    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb", batch_size=1,
                                 task_runner="threads")  # the batch step is this test's

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


def test_an_interrupted_run_is_marked_cancelled(three_files: Path, tmp_path: Path) -> None:
    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb", batch_size=1,
                                 task_runner="threads")  # the batch step is this test's
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
    assert status == "cancelled"  # Ctrl-C: the README's word for a run stopped from outside
    assert (loaded, batches) == (1, 1)  # only the whole batch before the interruption
    assert query_rows(settings.db, "select count(*) from documents") == [(1,)]


def test_a_crashed_or_cancelled_prefect_run_marks_its_run(tmp_path: Path) -> None:
    import uuid

    from prefect.client.schemas.objects import FlowRun, State, StateType

    from newsmill.flows.ingest import _ended_by_prefect

    db = tmp_path / "w.duckdb"
    flow_runs = {name: uuid.uuid4() for name in ("finished", "crashed", "cancelled")}
    with open_writer(db) as conn:
        for name, flow_run_id in flow_runs.items():
            start_run(conn, run_id=name, flow="ingest", settings={}, code_version="t",
                      spacy_model=None, spacy_model_version=None, sources_given=1)
            set_prefect_flow_run(conn, name, str(flow_run_id))
        finish_run(conn, run_id="finished", status=COMPLETED)
    # The flow's on_crashed / on_cancellation hook, given the flow run as Prefect hands it over.
    for name, state in (("finished", State(type=StateType.CRASHED, message="late")),
                        ("crashed", State(type=StateType.CRASHED, message="worker lost")),
                        ("cancelled", State(type=StateType.CANCELLED, message="by a user"))):
        flow_run = FlowRun(id=flow_runs[name], flow_id=uuid.uuid4(),
                           parameters={"db": str(db)})
        _ended_by_prefect(None, flow_run, state)
    assert query_rows(db, "select run_id, status, error from runs order by run_id") == [
        ("cancelled", "cancelled", "Cancelled: by a user"),
        ("crashed", "crashed", "Crashed: worker lost"),
        ("finished", "completed", None)]  # a run that had finished is left alone


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


def test_after_reprocess_and_export_the_lake_holds_the_warehouses_rows(
    three_files: Path, tmp_path: Path
) -> None:
    import duckdb

    from newsmill.flows.pipeline import reprocess_run
    from newsmill.flows.reprocess import reprocess_batch
    from newsmill.warehouse.connection import connect
    from newsmill.warehouse.export import export_parquet

    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb")
    lake = tmp_path / "lake"
    (three_files / "who.txt").write_text(  # an acronym tied to its long form: a link
        "Clinics reopen\n\nThe World Health Organization (WHO) said on Monday that the "
        "outbreak was under control. The WHO added that vaccines would arrive this week "
        "and that clinics in the north would reopen. Health workers in the region welcomed "
        "the news after weeks of uncertainty.\n")
    ingest_run([str(three_files)], settings, Steps())

    def export() -> None:
        conn = connect(settings.db, read_only=True)
        try:
            export_parquet(conn, lake)
        finally:
            conn.close()

    with open_writer(settings.db) as conn:  # what another model said of one document
        conn.execute("update documents set nlp_status = 'skipped', nlp_note = 'old model' "
                     "where document_id = (select min(document_id) from documents)")
    export()
    reprocess_run(settings, Steps(batch=reprocess_batch))
    export()

    compared = {"documents": "document_id, nlp_status, nlp_note",
                "mentions": "document_id, start_char, end_char, entity_id, run_id",
                "quotes": "quote_id, run_id", "entity_links": "alias_entity_id, entity_id"}
    for table, columns in compared.items():
        stored = sorted(query_rows(settings.db, f"select {columns} from {table}"))  # noqa: S608
        files = [str(p) for p in (lake / table).rglob("*.parquet")]
        exported = sorted(duckdb.sql(
            f"select {columns} from read_parquet($files, hive_partitioning = true)",  # noqa: S608
            params={"files": files}).fetchall()) if files else []
        assert exported == stored, table
    assert query_rows(settings.db, "select count(*) from documents "
                                   "where nlp_status = 'analysed'") == [(4,)]
    assert ("WHO",) in query_rows(settings.db, "select alias from entity_links")

"""The default runner: batches produced in worker processes and committed in order fill the
warehouse as one process does, a worker that dies costs a retry and not the batch, workers'
log records reach this process, and no process outlives the run."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import multiprocessing
import os
import shutil
import signal
from pathlib import Path

import pytest
from same_warehouse import child_processes, wait_for_no_new_children, warehouse_contents

from newsmill.flows.pipeline import MIN_SHARED_BATCH, Steps, batch_size_for, ingest_run
from newsmill.flows.processes import _LogForwarder, produce_in_processes
from newsmill.settings import Settings
from newsmill.tasks.batch import ProducedBatch
from newsmill.tasks.models import Source

CORPUS = Path(__file__).resolve().parents[2] / "samples" / "corpus"
NINE = sorted(p.name for p in CORPUS.iterdir() if p.suffix in {".txt", ".html"})[:9]


@pytest.fixture
def nine_files(tmp_path: Path) -> Path:
    folder = tmp_path / "nine"
    folder.mkdir()
    for name in NINE:
        shutil.copy(CORPUS / name, folder / name)
    return folder


def test_a_run_is_cut_so_that_every_worker_has_two_batches() -> None:
    settings = Settings.from_env(env={})  # NEWSMILL_BATCH_SIZE 200
    assert batch_size_for(200, settings, workers=2) == 50
    assert batch_size_for(2000, settings, workers=2) == 200  # never above the setting
    assert batch_size_for(30, settings, workers=2) == MIN_SHARED_BATCH  # nor below the floor
    assert batch_size_for(200, settings, workers=1) == 200
    small = settings.replace(batch_size=3)
    assert batch_size_for(9, small, workers=2) == 3  # an explicit small size is kept


@pytest.mark.model
def test_worker_processes_fill_the_warehouse_as_one_process_does(nine_files: Path,
                                                                 tmp_path: Path) -> None:
    alone = Settings.from_env(env={}, db=tmp_path / "t.duckdb", batch_size=3,
                              snapshot_minutes=0, task_runner="threads")
    ingest_run([str(nine_files)], alone, Steps())
    before = child_processes()
    shared = alone.replace(db=tmp_path / "p.duckdb", task_runner="processes", workers=2)
    result = ingest_run([str(nine_files)], shared, Steps())

    assert (result.report.loaded, result.report.rejected) == (7, 2)  # broken.html, empty.txt
    assert warehouse_contents(shared.db) == warehouse_contents(alone.db)
    assert wait_for_no_new_children(before) == set()


@pytest.mark.model
@pytest.mark.parametrize("here_too", [True, False])  # False: under Prefect, a pool of two
def test_a_worker_that_dies_costs_its_batches_a_second_try(nine_files: Path, tmp_path: Path,
                                                           here_too: bool) -> None:
    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb", workers=2)
    files = [Source(str(p), "file") for p in sorted(nine_files.iterdir())]
    batches = [files[0:3], files[3:6], files[6:9]]
    before = child_processes()
    with produce_in_processes(batches, settings, "run-1", here_too=here_too) as outcomes:
        first = next(outcomes)
        # A worker killed from outside (the OOM killer, a person): the pool breaks.
        workers = [p for p in child_processes() - before
                   if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")]
        assert workers
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        rest = list(outcomes)
    produced = [first, *rest]
    assert all(isinstance(p, ProducedBatch) for p in produced), produced
    assert [p.seen for p in produced if isinstance(p, ProducedBatch)] == [3, 3, 3]
    assert wait_for_no_new_children(before) == set()


@pytest.mark.model
def test_a_run_stopped_half_way_leaves_no_process(nine_files: Path, tmp_path: Path) -> None:
    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb", workers=2)
    files = [Source(str(p), "file") for p in sorted(nine_files.iterdir())]
    before = child_processes()
    batches = [files[0:3], files[3:6], files[6:9]]
    with (pytest.raises(KeyboardInterrupt),
          produce_in_processes(batches, settings, "run-2") as outcomes):
        next(outcomes)
        raise KeyboardInterrupt
    assert wait_for_no_new_children(before, seconds=10) == set()


def _log_from_a_child(records: object) -> None:
    logger = logging.getLogger("newsmill.tasks.somewhere")
    logger.handlers[:] = [logging.handlers.QueueHandler(records)]  # type: ignore[arg-type]
    logger.propagate = False
    logger.warning("analysis of %s stopped", "a.txt")


def test_records_logged_in_a_worker_are_handled_here(caplog: pytest.LogCaptureFixture) -> None:

    context = multiprocessing.get_context("forkserver")
    forwarder = _LogForwarder(context)
    child = context.Process(target=_log_from_a_child, args=(forwarder.queue,))
    child.start()
    child.join(30)
    with caplog.at_level(logging.INFO, logger="newsmill"):
        forwarder.drain(wait=5)
    forwarder.close()
    assert [(r.name, r.levelno, r.getMessage()) for r in caplog.records] == [
        ("newsmill.tasks.somewhere", logging.WARNING, "analysis of a.txt stopped")]


@pytest.mark.model
@pytest.mark.slow
def test_the_workers_outlive_a_sigterm_to_the_process_group(tmp_path: Path) -> None:
    """A cancelled Prefect flow run: the worker sends SIGTERM to the run's whole process group,
    and the run's process decides what to do with it. The worker processes must not die of it
    first: forked from a fork server, they did (the fork server does not ignore SIGTERM, and
    the pool took its children for dead), and the run ended failed with a broken pool."""
    import subprocess
    import sys
    import time

    import duckdb

    folder = tmp_path / "in"
    folder.mkdir()
    for copy in range(8):
        for name in NINE:
            text = (CORPUS / name).read_bytes()
            if name.endswith(".txt") and text.strip():
                (folder / f"{copy}-{name}").write_bytes(text + f"\n\nCopy {copy}.\n".encode())
    db = tmp_path / "w.duckdb"
    script = Path(__file__).with_name("terminated_run.py")
    run = subprocess.Popen([sys.executable, str(script), str(db), str(folder)],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           start_new_session=True)
    assert run.stdout is not None
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = run.stdout.readline()
        lines.append(line)
        if "batch done" in line or not line:
            break
    assert any("batch done" in line for line in lines), lines
    os.killpg(run.pid, signal.SIGTERM)
    try:
        rest = run.communicate(timeout=120)[0]
    finally:
        with contextlib.suppress(ProcessLookupError):  # whatever a failure left behind
            os.killpg(run.pid, signal.SIGKILL)
    assert "SIGTERM received" in rest, rest
    conn = duckdb.connect(str(db), read_only=True)
    try:
        status, error, loaded = conn.execute(
            "select status, error, docs_loaded from runs").fetchone() or ("", "", 0)
    finally:
        conn.close()
    assert (status, error) == ("completed", None), rest
    assert loaded == len(list(folder.iterdir()))

"""The crash test, small enough for CI (``run_crash_test.py`` runs it at full size), and a
test of its own for each defect it found."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from crash_run import crash_test

from newsmill.flows.pipeline import Steps, ingest_run
from newsmill.settings import Settings
from newsmill.warehouse.connection import open_writer
from newsmill.warehouse.runs import mark_abandoned_runs
from newsmill.warehouse.snapshot import snapshot_path


@pytest.mark.slow
@pytest.mark.model
def test_runs_killed_at_any_moment_end_as_one_clean_run(tmp_path: Path) -> None:
    """Killed (the whole process group, SIGKILL) while creating the warehouse, between two
    commits, publishing the snapshot, after the last batch and during the index's catch-up,
    then run again: the warehouse, its search index and its snapshot come out as one clean
    run leaves them, with no temporary file and no process left."""
    outcome = crash_test(tmp_path / "work", documents=30, kills=5, batch_size=10, say=False)
    phases = Counter(a.phase for a in outcome.kills)
    assert len(outcome.kills) >= 4, [(a.aimed_at, a.phase) for a in outcome.attempts]
    assert outcome.problems == [], (phases, outcome.problems)


def _count(db: Path, query: str) -> int:
    conn = duckdb.connect(str(db), read_only=True)
    try:
        row = conn.execute(query).fetchone()
    finally:
        conn.close()
    assert row is not None
    return int(row[0])


def test_a_run_killed_as_its_row_is_written_leaves_no_row_a_later_run_cannot_close(
    tmp_path: Path,
) -> None:
    """Killed between writing its run row and its process (pid, host), a run left a row
    `running` that no later run could mark crashed: it had no process to look for. The row
    and its process are now one transaction."""
    db = tmp_path / "warehouse.duckdb"
    with open_writer(db):
        pass
    script = f"""
import os, signal
import newsmill.warehouse.runs as runs
from newsmill.warehouse.connection import open_writer

write = runs.execute

def execute(conn, name, params=None, **options):
    if name == "run_set_process":  # the moment between the two statements
        os.kill(os.getpid(), signal.SIGKILL)
    return write(conn, name, params, **options)

runs.execute = execute
with open_writer({str(db)!r}) as conn:
    runs.start_run(conn, run_id="killed", flow="ingest", settings={{}}, code_version="t",
                   spacy_model=None, spacy_model_version=None, sources_given=1)
"""
    done = subprocess.run([sys.executable, "-c", script], env=dict(os.environ), check=False)
    assert done.returncode == -9
    with open_writer(db) as conn:
        mark_abandoned_runs(conn)
    assert _count(db, "select count(*) from runs where status = 'running'") == 0


@pytest.mark.model
def test_a_run_with_nothing_new_publishes_a_snapshot_left_behind(
    settings: Settings, three_files: Path, tmp_path: Path,
) -> None:
    """A run killed after its last batch, before or while it published the snapshot, left
    readers without the snapshot or with one behind the warehouse; the re-run loads nothing
    and so never published. Now it publishes whenever the snapshot is missing or behind."""
    threads = settings.replace(task_runner="threads")
    off, every_run = threads.replace(snapshot_minutes=0.0), threads.replace(
        snapshot_minutes=0.0001)
    files = sorted(three_files.iterdir())
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(files[0], one / files[0].name)

    ingest_run([str(one)], every_run, Steps())  # the snapshot holds one document
    snapshot = snapshot_path(settings.db)
    assert _count(snapshot, "select count(*) from documents") == 1
    ingest_run([str(three_files)], off, Steps())  # as if killed before publishing
    assert _count(snapshot, "select count(*) from documents") == 1

    result = ingest_run([str(three_files)], every_run, Steps())
    assert result.report.loaded == 0
    assert _count(snapshot, "select count(*) from documents") == 3

    snapshot.unlink()  # as if killed before its first publication
    ingest_run([str(three_files)], every_run, Steps())
    assert _count(snapshot, "select count(*) from documents") == 3

"""The analysts' snapshot: a long-lived reader on it never holds up the writer."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import duckdb

from newsmill.warehouse.connection import connect, open_writer
from newsmill.warehouse.loader import BatchRows, load_batch
from newsmill.warehouse.runs import start_run
from newsmill.warehouse.snapshot import publish_snapshot, snapshot_path


def _add(db: Path, run_id: str, doc_id: str) -> None:
    with open_writer(db, wait=0) as conn:  # wait=0: a held file would fail this at once
        start_run(conn, run_id=run_id, flow="t", settings={}, code_version="t",
                  spacy_model=None, spacy_model_version=None, sources_given=1)
        rows = BatchRows(run_id=run_id, seen=1)
        rows.documents.append({
            "document_id": doc_id, "source": doc_id, "canonical_url": None,
            "content_hash": "h" + doc_id, "title": "T", "author": None, "published_at": None,
            "site_name": None, "language": "en", "description": None, "dateline": None,
            "dateline_start_char": None, "dateline_end_char": None, "source_format": "text",
            "clean_text": "text", "run_id": run_id, "loaded_at": datetime(2026, 3, 9)})
        load_batch(conn, rows)


def test_a_reader_on_the_snapshot_does_not_block_the_writer(tmp_path: Path) -> None:
    db = tmp_path / "newsmill.duckdb"
    _add(db, "r1", "d1")
    snapshot = publish_snapshot(db)
    assert snapshot == snapshot_path(db) == tmp_path / "newsmill.snapshot.duckdb"
    reader = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, duckdb
        conn = duckdb.connect({str(snapshot)!r}, read_only=True)
        print(conn.execute("select count(*) from documents").fetchone()[0], flush=True)
        sys.stdin.readline()
        print(conn.execute("select count(*) from documents").fetchone()[0], flush=True)
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)  # noqa: S608
    assert reader.stdin is not None and reader.stdout is not None
    assert reader.stdout.readline().strip() == "1"
    _add(db, "r2", "d2")  # the writer is not held up by the snapshot's reader
    publish_snapshot(db)  # nor is publishing a new snapshot
    reader.stdin.write("\n")
    reader.stdin.flush()
    assert reader.stdout.readline().strip() == "1"  # the open reader keeps its copy
    reader.wait(timeout=20)
    conn = connect(snapshot, read_only=True)
    try:
        assert conn.execute("select count(*) from documents").fetchone() == (2,)
        assert conn.execute("select count(*) from stg_documents").fetchone() == (2,)  # views too
    finally:
        conn.close()
    assert not list(tmp_path.glob("*.tmp"))
    duckdb.connect(str(db)).close()


def test_runs_publish_the_snapshot_only_when_asked_and_due(three_files: Path,
                                                          tmp_path: Path) -> None:
    import os
    import shutil

    from newsmill.flows.pipeline import Steps, ingest_run
    from newsmill.settings import Settings

    db = tmp_path / "newsmill.duckdb"
    ingest_run([str(three_files)], Settings.from_env(env={}, db=db), Steps())
    assert not snapshot_path(db).exists()  # the default: no whole-warehouse copy per run

    hourly = Settings.from_env(env={"NEWSMILL_SNAPSHOT_MINUTES": "60"}, db=db)
    more = tmp_path / "more"
    more.mkdir()
    first, second = sorted(three_files.iterdir())[:2]
    shutil.copy(first, more / "a.txt")
    (more / "a.txt").write_text(first.read_text() + "\nA later paragraph.\n")
    ingest_run([str(more)], hourly, Steps())
    assert snapshot_path(db).exists()  # none yet: due at once
    published = snapshot_path(db).stat().st_mtime_ns
    (more / "b.txt").write_text(second.read_text() + "\nAnother later paragraph.\n")
    assert ingest_run([str(more)], hourly, Steps()).report.loaded == 1
    assert snapshot_path(db).stat().st_mtime_ns == published  # fresh enough: not copied again
    os.utime(snapshot_path(db), (0, 0))  # an hour and more ago
    (more / "c.txt").write_text(second.read_text() + "\nA third later paragraph.\n")
    ingest_run([str(more)], hourly, Steps())
    assert snapshot_path(db).stat().st_mtime_ns != 0


def _leave_a_killed_publication(db: Path) -> list[Path]:
    """What a process killed while copying the snapshot leaves: the temporary file and its
    write-ahead log (made by a real DuckDB process that exits without closing them)."""
    temporary = snapshot_path(db).with_name(snapshot_path(db).name + ".tmp")
    code = textwrap.dedent("""
        import os, sys, duckdb
        conn = duckdb.connect()
        conn.execute("SET checkpoint_threshold = '1TB'")
        conn.execute("ATTACH '" + sys.argv[1] + "' AS snapshot")
        conn.execute("CREATE TABLE snapshot.t AS SELECT range AS x FROM range(100000)")
        os._exit(9)
    """)
    subprocess.run([sys.executable, "-c", code, str(temporary)], check=False)
    left = [temporary, temporary.with_name(temporary.name + ".wal")]
    assert all(p.exists() for p in left)
    return left


def test_the_start_of_a_run_removes_a_killed_publication_s_leftovers(tmp_path: Path) -> None:
    from newsmill.flows.pipeline import Steps, ingest_run
    from newsmill.settings import Settings

    db = tmp_path / "newsmill.duckdb"
    _add(db, "r1", "d1")
    left = _leave_a_killed_publication(db)
    ingest_run([], Settings.from_env(env={}, db=db), Steps())
    assert not any(p.exists() for p in left)


def test_the_next_publication_removes_a_killed_publication_s_leftovers(tmp_path: Path) -> None:
    db = tmp_path / "newsmill.duckdb"
    _add(db, "r1", "d1")
    left = _leave_a_killed_publication(db)
    publish_snapshot(db)
    assert not any(p.exists() for p in left)
    conn = duckdb.connect(str(snapshot_path(db)), read_only=True)
    try:
        assert conn.execute("select document_id from documents").fetchall() == [("d1",)]
    finally:
        conn.close()

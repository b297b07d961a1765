"""The warehouse on real DuckDB files: migrations, atomic loads, error mapping."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from newsmill.errors import TransientError, WarehouseError
from newsmill.warehouse import sql
from newsmill.warehouse.connection import connect, map_error, migrate, open_writer, schema_version
from newsmill.warehouse.loader import BatchRows, existing_documents, insert_rows, load_batch
from newsmill.warehouse.runs import COMPLETED, finish_run, get_run, start_run

NOW = datetime(2026, 3, 9, 12, 0, 0)


def _start(conn: duckdb.DuckDBPyConnection, run_id: str = "run-1") -> None:
    start_run(conn, run_id=run_id, flow="test", settings={"a": 1}, code_version="test",
              spacy_model="none", spacy_model_version="0", sources_given=1)


def _document(document_id: str = "d1", text: str = "Some clean text.") -> dict[str, object]:
    return {"document_id": document_id, "source": f"{document_id}.txt", "canonical_url": None,
            "content_hash": "h-" + document_id, "title": "T", "author": None,
            "published_at": NOW, "site_name": None, "language": "en", "description": None,
            "dateline": None, "dateline_start_char": None, "dateline_end_char": None,
            "source_format": "text", "clean_text": text, "run_id": "run-1", "loaded_at": NOW}


def test_migrate_creates_schema_and_records_versions(tmp_path: Path) -> None:
    conn = connect(tmp_path / "w.duckdb")
    assert schema_version(conn) == 0
    applied = migrate(conn)
    assert applied == [v for v, _n, _s in sql.migrations()]
    assert schema_version(conn) == max(applied)
    assert migrate(conn) == []  # forward-only and idempotent
    tables = {r[0] for r in conn.execute(
        "select table_name from information_schema.tables").fetchall()}
    assert {"runs", "documents", "rejections", "entities", "mentions", "quotes",
            "document_sources", "schema_version"} <= tables
    for name, text in sql.views():
        macro = re.search(r"CREATE OR REPLACE MACRO \w+\(([^)]*)\)", text)
        if macro:  # table macros take arguments: call it with NULL for each
            nulls = ", ".join("NULL" for _ in macro.group(1).split(","))
            conn.execute(f"select * from {name}({nulls}) limit 0")  # noqa: S608
        else:
            conn.execute(f"select * from {name} limit 0")  # noqa: S608 - view names from our files


def test_every_view_file_states_its_grain() -> None:
    for name, text in sql.views():
        assert text.lstrip().startswith("-- Grain:"), name


def test_load_batch_is_atomic_and_idempotent(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as conn:
        _start(conn)
        good = BatchRows(run_id="run-1", documents=[_document()], seen=1)
        load_batch(conn, good)
        load_batch(conn, good)  # same rows again: nothing new, counts still add up per batch
        assert conn.execute("select count(*) from documents").fetchone() == (1,)

        bad = BatchRows(run_id="run-1", documents=[_document("d2")], seen=1)
        bad.mentions = [{"document_id": "d2", "entity_id": None, "start_char": 0,
                         "end_char": 4, "text": "Some", "label": "ORG", "sentence_index": 0,
                         "model_label": None, "run_id": "run-1"}]  # entity_id NOT NULL
        with pytest.raises(WarehouseError):
            load_batch(conn, bad)
        # The failed batch left nothing behind: not its document, not its counts.
        assert conn.execute("select count(*) from documents").fetchone() == (1,)
        run = get_run(conn, "run-1")
        assert run is not None and run.batches_committed == 2 and run.docs_seen == 2
        assert existing_documents(conn, ["h-d1", "h-d2"]) == {"h-d1": "d1"}


def test_run_row_records_outcome(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as conn:
        _start(conn)
        finish_run(conn, run_id="run-1", status=COMPLETED, stage_seconds={"spacy": 1.5})
        row = conn.execute("select status, finished_at is not null, stage_seconds->>'spacy', "
                           "settings->>'a' from runs").fetchone()
    assert row == ("completed", True, "1.5", "1")


def test_reader_refuses_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WarehouseError, match="run `newsmill ingest` first"):
        connect(tmp_path / "absent.duckdb", read_only=True)
    assert not (tmp_path / "absent.duckdb").exists()


def test_lock_held_by_another_process_is_transient(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            conn = duckdb.connect({str(db)!r})
            print("ready", flush=True)
            sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(TransientError, match="warehouse busy"):
            connect(db)
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=20)
    connect(db).close()  # free again once the other process has gone


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (duckdb.TransactionException("Conflict on update"), TransientError),
        (duckdb.IOException('Could not set lock on file "x": Conflicting lock is held'),
         TransientError),
        (duckdb.ConstraintException("NOT NULL constraint failed"), WarehouseError),
        (duckdb.CatalogException("Table with name nope does not exist"), WarehouseError),
        (duckdb.ParserException("syntax error"), WarehouseError),
    ],
)
def test_map_error(error: Exception, expected: type[Exception]) -> None:
    assert isinstance(map_error(error), expected)


def test_views_are_made_once_per_view_set_not_per_open(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with open_writer(db) as conn:
        conn.execute("DROP VIEW speaker_quote_counts")
    with open_writer(db) as conn:  # same code, same views: nothing is recreated
        assert not conn.execute("SELECT 1 FROM duckdb_views() "
                                "WHERE view_name = 'speaker_quote_counts'").fetchall()
        conn.execute("UPDATE view_state SET fingerprint = 'views of another code version'")
    with open_writer(db) as conn:  # another view set recorded: every view is made again
        assert conn.execute("SELECT count(*) FROM speaker_quote_counts").fetchone() == (0,)
        assert conn.execute("SELECT fingerprint FROM view_state").fetchone() == (
            sql.views_fingerprint(),)


def test_insert_types_come_from_the_catalog(tmp_path: Path) -> None:
    with open_writer(tmp_path / "w.duckdb") as conn:
        _start(conn)
        insert_rows(conn, "documents", [_document()])
        assert conn.execute("SELECT published_at FROM documents").fetchone() == (NOW,)
        insert_rows(conn, "feeds", [{
            "feed_url": "http://127.0.0.1/f.xml", "kind": "feed", "first_seen_at": NOW,
            "last_attempt_at": NOW, "last_success_at": NOW, "items_seen": 3,
            "new_articles": 1, "last_error": None, "run_id": "run-1"}])
        # a column the row leaves out keeps its default rather than becoming NULL
        assert conn.execute("SELECT consecutive_failures, items_seen FROM feeds").fetchone() \
            == (0, 3)
        with pytest.raises(WarehouseError, match="no column"):
            insert_rows(conn, "documents", [{**_document("d2"), "colour": "red"}])


def test_migration_012_keeps_child_rows_and_drops_their_keys(tmp_path: Path) -> None:
    conn = connect(tmp_path / "w.duckdb")
    conn.execute(sql.query("schema_version_create"))
    for version, name, text in sql.migrations():
        if version < 12:  # a warehouse as older code left it
            conn.execute(text)
            conn.execute(sql.query("schema_version_record"),
                         {"version": version, "name": name, "applied_at": NOW})
    _start(conn)
    rows = BatchRows(run_id="run-1", seen=1, documents=[_document()])
    rows.mentions = [{"document_id": "d1", "entity_id": "e1", "start_char": 0, "end_char": 4,
                      "text": "Some", "label": "ORG", "sentence_index": 0, "run_id": "run-1"}]
    rows.document_bands = [{"band": 0, "band_key": 7, "document_id": "d1"}]
    load_batch(conn, rows)
    assert 12 in migrate(conn)
    assert conn.execute("SELECT count(*) FROM mentions").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM document_bands").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM duckdb_constraints() WHERE table_name IN "
                        "('mentions', 'quotes', 'document_bands') AND constraint_type = "
                        "'PRIMARY KEY'").fetchone() == (0,)
    conn.close()


def test_a_run_row_records_the_process_and_host_that_run_it(tmp_path: Path) -> None:
    import os
    import socket

    with open_writer(tmp_path / "w.duckdb") as conn:
        _start(conn)
        assert conn.execute("select pid, host from runs").fetchall() == [
            (os.getpid(), socket.gethostname())]


def _start_in_a_process_that_dies(db: Path, run_id: str) -> None:
    """A real process starts a run and is gone without finishing it (as after a kill)."""
    code = textwrap.dedent(f"""
        import os
        from newsmill.warehouse.connection import open_writer
        from newsmill.warehouse.runs import start_run
        with open_writer({str(db)!r}) as conn:
            start_run(conn, run_id={run_id!r}, flow="ingest", settings={{}},
                      code_version="t", spacy_model=None, spacy_model_version=None,
                      sources_given=1)
        os._exit(9)
    """)
    subprocess.run([sys.executable, "-c", code], check=False)


def test_a_run_marks_runs_left_running_by_processes_that_are_gone(tmp_path: Path) -> None:
    from newsmill.flows.pipeline import Steps, ingest_run
    from newsmill.settings import Settings

    db = tmp_path / "w.duckdb"
    _start_in_a_process_that_dies(db, "killed")
    with open_writer(db) as conn:
        _start(conn, "live")  # this process: alive
        _start(conn, "elsewhere")
        conn.execute("update runs set host = 'another-host', pid = 1 where run_id = 'elsewhere'")
    result = ingest_run([], Settings.from_env(env={}, db=db), Steps())
    with open_writer(db) as conn:
        rows = dict(conn.execute("select run_id, status from runs").fetchall())
        (error,) = conn.execute("select error from runs where run_id = 'killed'").fetchone()
    assert rows == {"killed": "crashed", "live": "running", "elsewhere": "running",
                    result.run_id: "completed"}
    assert "abandoned" in error and "is gone" in error


def test_a_process_that_started_after_the_run_is_not_the_run_s_process() -> None:
    import os

    from newsmill.warehouse.connection import utcnow
    from newsmill.warehouse.runs import process_alive

    assert process_alive(os.getpid(), utcnow())
    assert not process_alive(os.getpid(), datetime(2001, 1, 1))  # its pid, reused since
    assert not process_alive(0) and not process_alive(2 ** 22 + 7)


def test_a_writer_caps_duckdbs_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    floor = 64 * (os.cpu_count() or 1)  # at least 64 MB per core
    db = tmp_path / "w.duckdb"
    with open_writer(db) as conn:  # the default: 256 MB
        assert conn.execute("SELECT current_setting('memory_limit')").fetchone() == (
            f"{max(256, floor)}.0 MiB",)
    monkeypatch.setenv("NEWSMILL_WRITER_MEMORY_MB", "1000")
    with open_writer(db) as conn:
        assert conn.execute("SELECT current_setting('memory_limit')").fetchone() == (
            f"{max(1000, floor)}.0 MiB",)
    monkeypatch.setenv("NEWSMILL_WRITER_MEMORY_MB", "1")
    with open_writer(db) as conn:  # never below the floor per core
        assert conn.execute("SELECT current_setting('memory_limit')").fetchone() == (
            f"{floor}.0 MiB",)
    with open_writer(db, memory_mb=0) as conn:  # 0: DuckDB's own default, far above
        limit = conn.execute("SELECT current_setting('memory_limit')").fetchone()
        assert limit is not None and limit[0] != f"{max(256, floor)}.0 MiB"

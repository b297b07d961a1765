"""Analysts and the pipeline on one warehouse file: another process reads in a loop while a
run writes batch after batch. Every query answers, and every answer sees whole batches only
(the documents it counts agree with the run counters committed in the same transactions)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from newsmill.flows.pipeline import Steps, ingest_run
from newsmill.settings import Settings
from newsmill.warehouse.connection import connect, open_writer

READER = textwrap.dedent("""
    import json, sys, time
    from newsmill.warehouse.connection import connect
    db, seconds = sys.argv[1], float(sys.argv[2])
    out, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        began = time.monotonic()
        try:
            conn = connect(db, read_only=True, wait=30)
        except Exception as exc:
            out.append({"error": repr(exc)})
            time.sleep(0.05)
            continue
        try:
            docs, counted = conn.execute(
                "select (select count(*) from documents), "
                "(select coalesce(sum(docs_loaded), 0) from runs)").fetchone()
        finally:
            conn.close()
        out.append({"docs": docs, "counted": int(counted), "wait": time.monotonic() - began})
        time.sleep(0.02)
    print(json.dumps(out))
""")


@pytest.mark.model
def test_readers_see_whole_batches_while_a_run_writes(tmp_path: Path, corpus: Path) -> None:
    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb", batch_size=2)
    with open_writer(settings.db):
        pass  # the file exists, migrated, before the reader starts
    reader = subprocess.Popen([sys.executable, "-c", READER, str(settings.db), "25"],
                              stdout=subprocess.PIPE, text=True)
    time.sleep(1.0)
    result = ingest_run([str(corpus)], settings, Steps())  # ~10 batches, each one commit
    out, _ = reader.communicate(timeout=120)
    answers = json.loads(out)
    errors = [a for a in answers if "error" in a]
    seen = [a for a in answers if "docs" in a]
    print(f"\n{len(seen)} reads during and after the run; longest wait "
          f"{max(a['wait'] for a in seen):.2f}s; {len(errors)} errors")
    assert result.report.loaded == 19
    assert not errors
    assert all(a["docs"] == a["counted"] for a in seen)  # never half a batch
    assert len({a["docs"] for a in seen}) > 2  # it read between batches, not only at the ends
    assert max(a["wait"] for a in seen) < 30


def test_a_writer_waits_for_a_reader_to_let_go(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    connect(db).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import time, duckdb
            conn = duckdb.connect({str(db)!r}, read_only=True)
            print("ready", flush=True)
            time.sleep(1.5)
            conn.close()
        """)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    began = time.monotonic()
    waited: list[str] = []
    conn = connect(db, wait=20, on_wait=waited.append)
    conn.close()
    holder.wait(timeout=10)
    assert len(waited) == 1  # announced once, naming the file and the holder
    assert waited[0].startswith(f"waiting for {db}, held by another process (PID ")
    assert time.monotonic() - began >= 1.0

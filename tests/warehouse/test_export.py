"""Parquet export: every table, month partitions, incremental by run."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from newsmill.warehouse.connection import connect, open_writer
from newsmill.warehouse.export import export_parquet
from newsmill.warehouse.loader import BatchRows, load_batch
from newsmill.warehouse.runs import COMPLETED, finish_run, start_run


def _run(db: Path, run_id: str, documents: list[tuple[str, datetime | None]]) -> None:
    with open_writer(db) as conn:
        start_run(conn, run_id=run_id, flow="test", settings={}, code_version="t",
                  spacy_model=None, spacy_model_version=None, sources_given=len(documents))
        rows = BatchRows(run_id=run_id, seen=len(documents))
        for document_id, published in documents:
            rows.documents.append({
                "document_id": document_id, "source": f"{document_id}.txt",
                "canonical_url": None, "content_hash": "h" + document_id, "title": "T",
                "author": None, "published_at": published, "site_name": None,
                "language": "en", "description": None, "dateline": None,
                "dateline_start_char": None, "dateline_end_char": None,
                "source_format": "text", "clean_text": "Ana Ruiz spoke.", "run_id": run_id,
                "loaded_at": datetime(2026, 3, 20)})
            rows.mentions.append({"document_id": document_id, "entity_id": "e1",
                                  "start_char": 0, "end_char": 8, "text": "Ana Ruiz",
                                  "label": "PERSON", "sentence_index": 0, "model_label": None,
                                  "run_id": run_id})
        rows.entities = [{"entity_id": "e1", "name": "Ana Ruiz", "label": "PERSON",
                          "run_id": run_id}]
        load_batch(conn, rows)
        finish_run(conn, run_id=run_id, status=COMPLETED)


def test_export_is_partitioned_and_incremental(tmp_path: Path) -> None:
    db, lake = tmp_path / "w.duckdb", tmp_path / "lake"
    _run(db, "run-a", [("d1", datetime(2026, 3, 9)), ("d2", datetime(2026, 4, 1)),
                       ("d3", None)])
    conn = connect(db, read_only=True)
    try:
        first = export_parquet(conn, lake)
        again = export_parquet(conn, lake)
    finally:
        conn.close()
    assert first.runs == 1 and first.rows["documents"] == 3 and first.rows["mentions"] == 3
    assert again.runs == 0
    months = duckdb.sql(
        "select published_month, count(*) from read_parquet($files, hive_partitioning = true) "
        "group by 1 order by 1", params={"files": f"{lake}/documents/**/*.parquet"}).fetchall()
    assert months == [("2026-03", 1), ("2026-04", 1), ("unknown", 1)]

    _run(db, "run-b", [("d4", datetime(2026, 3, 10))])
    conn = connect(db, read_only=True)
    try:
        later = export_parquet(conn, lake)
    finally:
        conn.close()
    assert later.runs == 1 and later.rows["documents"] == 1 and later.rows["entities"] == 0
    total = duckdb.sql("select count(*) from read_parquet($files, hive_partitioning = true)",
                       params={"files": f"{lake}/mentions/**/*.parquet"}).fetchone()
    assert total == (4,)
    runs = duckdb.sql("select count(*) from read_parquet($files)",
                      params={"files": f"{lake}/runs/*.parquet"}).fetchone()
    assert runs == (2,)

"""Parquet export: every table, month partitions, incremental by run."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from newsmill.warehouse.connection import connect, open_writer
from newsmill.warehouse.export import ExportReport, export_parquet
from newsmill.warehouse.loader import BatchRows, load_batch, replace_analysis
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
        # As if "Ana Ruiz" were an acronym tied to its long form e1: a link these mentions make.
        rows.entity_links = [{"alias_entity_id": f"alias-{run_id}", "entity_id": "e1",
                              "alias": "Ana Ruiz", "label": "PERSON", "run_id": run_id}]
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


def _reprocess(db: Path, run_id: str, document_ids: list[str]) -> None:
    """A reprocess run as it commits: new mentions (another span), a quote, and a changed NLP
    status for each document; the old mentions, and the link they made, go."""
    with open_writer(db) as conn:
        start_run(conn, run_id=run_id, flow="reprocess", settings={}, code_version="t",
                  spacy_model=None, spacy_model_version=None, sources_given=len(document_ids))
        rows = BatchRows(run_id=run_id, seen=len(document_ids))
        for document_id in document_ids:
            rows.mentions.append({"document_id": document_id, "entity_id": "e2",
                                  "start_char": 4, "end_char": 8, "text": "Ruiz",
                                  "label": "PERSON", "sentence_index": 0, "model_label": None,
                                  "run_id": run_id})
            rows.quotes.append({"quote_id": f"q-{document_id}", "document_id": document_id,
                                "start_char": 0, "end_char": 15, "text": "Ana Ruiz spoke.",
                                "kind": "indirect", "run_id": run_id})
        rows.entities = [{"entity_id": "e2", "name": "Ruiz", "label": "PERSON",
                          "run_id": run_id}]
        replace_analysis(conn, rows, document_ids, [
            {"document_id": d, "nlp_status": "analysed", "nlp_note": "again"}
            for d in document_ids])
        finish_run(conn, run_id=run_id, status=COMPLETED)


def _export(db: Path, lake: Path) -> ExportReport:
    conn = connect(db, read_only=True)
    try:
        return export_parquet(conn, lake)
    finally:
        conn.close()


#: What is compared between the lake and the warehouse, per table.
COMPARED = {"documents": "document_id, nlp_status, nlp_note, run_id",
            "mentions": "document_id, entity_id, start_char, end_char, run_id",
            "quotes": "quote_id, document_id, run_id",
            "entity_links": "alias_entity_id, entity_id, run_id",
            "entities": "entity_id, run_id", "runs": "run_id, flow, status"}


def _lake_rows(lake: Path, table: str) -> list[tuple[Any, ...]]:
    files = sorted((lake / table).rglob("*.parquet"))
    if not files:
        return []
    return sorted(duckdb.sql(
        f"select {COMPARED[table]} from read_parquet($files, hive_partitioning = true)",  # noqa: S608
        params={"files": [str(f) for f in files]}).fetchall())


def _warehouse_rows(db: Path, table: str, columns: str | None = None
                    ) -> list[tuple[Any, ...]]:
    """The table's ``columns`` (default: those :data:`COMPARED` names), sorted."""
    conn = connect(db, read_only=True)
    try:
        return sorted(conn.execute(
            f"select {columns or COMPARED[table]} from {table}").fetchall())  # noqa: S608
    finally:
        conn.close()


def _files(lake: Path) -> set[Path]:
    return {p.relative_to(lake) for p in lake.rglob("*.parquet")}


def test_after_a_reprocess_the_lake_holds_the_warehouse_as_it_now_stands(tmp_path: Path
                                                                         ) -> None:
    db, lake = tmp_path / "w.duckdb", tmp_path / "lake"
    _run(db, "run-a", [("d1", datetime(2026, 3, 9)), ("d2", datetime(2026, 4, 1)),
                       ("d3", None)])
    _run(db, "run-b", [("d4", datetime(2026, 3, 10))])
    _export(db, lake)

    _reprocess(db, "run-r", ["d1", "d2", "d3", "d4"])
    report = _export(db, lake)
    assert report.runs == 1
    for table in COMPARED:
        assert _lake_rows(lake, table) == _warehouse_rows(db, table), table
    count = duckdb.sql("select count(*) from read_parquet($files, hive_partitioning = true)",
                       params={"files": f"{lake}/mentions/**/*.parquet"}).fetchone()
    assert count == (4,)
    assert not [p for p in lake.iterdir() if p.name.startswith(".")]  # no rewrite left over

    # An ordinary run afterwards is exported incrementally again: new files beside the old.
    before = _files(lake)
    _run(db, "run-c", [("d5", datetime(2026, 3, 11))])
    later = _export(db, lake)
    assert later.runs == 1 and later.rows["documents"] == 1 and later.rows["mentions"] == 1
    assert before < _files(lake)
    for table in COMPARED:
        assert _lake_rows(lake, table) == _warehouse_rows(db, table), table


def test_a_reprocess_exported_together_with_the_runs_it_reprocessed(tmp_path: Path) -> None:
    db, lake = tmp_path / "w.duckdb", tmp_path / "lake"
    _run(db, "run-a", [("d1", datetime(2026, 3, 9)), ("d2", None)])
    _reprocess(db, "run-r", ["d1"])  # d2 keeps run-a's analysis
    assert _export(db, lake).runs == 2
    for table in COMPARED:
        assert _lake_rows(lake, table) == _warehouse_rows(db, table), table


@pytest.mark.model
def test_speaker_tables_are_exported_as_they_stand(three_files: Path, tmp_path: Path) -> None:
    from newsmill.flows.pipeline import Steps, ingest_run
    from newsmill.settings import Settings

    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb", snapshot_minutes=0)
    ingest_run([str(three_files)], settings, Steps())
    lake = tmp_path / "lake"
    first = _export(settings.db, lake)
    assert "speaker_attributes" in first.rewritten and first.rows["speaker_evidence"] > 0
    # Nothing new since: nothing written, and the lake still holds what the warehouse does.
    again = _export(settings.db, lake)
    assert again.runs == 0
    for table in ("speaker_evidence", "speaker_attributes"):
        stored = _warehouse_rows(settings.db, table, "* exclude (run_id)")
        exported = sorted(duckdb.sql("select * exclude (run_id) from read_parquet($f)",
                                     params={"f": str(lake / table / "*.parquet")}).fetchall())
        assert exported == stored, table


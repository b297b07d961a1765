"""Full-text search, with the fts extension (BM25) and with the plain fallback."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

import newsmill.warehouse.search as search_module
from newsmill.warehouse.connection import connect, open_writer
from newsmill.warehouse.loader import BatchRows, load_batch
from newsmill.warehouse.runs import start_run
from newsmill.warehouse.search import refresh_index, search, snippet

DOCS = [
    ("d1", "Dockers strike at the port", "Harbour Gazette", datetime(2026, 3, 9),
     "Dockers walked out at the port on Monday. The strike closed the container terminal."),
    ("d2", "Bank trims rates", "Northern Ledger", datetime(2026, 3, 12),
     "The bank cut its main rate. Dockers' mortgages will cost less, economists said."),
    ("d3", "Museum reopens", "Northern Ledger", datetime(2026, 3, 13),
     "The maritime museum reopened with a gallery about the port and its history."),
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with open_writer(path) as conn:
        start_run(conn, run_id="r", flow="t", settings={}, code_version="t", spacy_model=None,
                  spacy_model_version=None, sources_given=3)
        rows = BatchRows(run_id="r", seen=3)
        for doc_id, title, site, published, text in DOCS:
            rows.documents.append({
                "document_id": doc_id, "source": f"{doc_id}.html", "canonical_url": None,
                "content_hash": "h" + doc_id, "title": title, "author": None,
                "published_at": published, "site_name": site, "language": "en",
                "description": None, "dateline": None, "dateline_start_char": None,
                "dateline_end_char": None, "source_format": "html", "clean_text": text,
                "run_id": "r", "loaded_at": published})
        load_batch(conn, rows)
        assert refresh_index(conn)  # this machine has the packaged extension
    return path


@pytest.mark.parametrize("method", ["bm25", "plain"])
def test_search_ranks_and_filters(db: Path, method: str, monkeypatch: pytest.MonkeyPatch
                                  ) -> None:
    if method == "plain":
        monkeypatch.setattr(search_module, "load_fts", lambda conn: False)
    conn = connect(db, read_only=True)
    try:
        hits, used = search(conn, "dockers strike")
        assert used == method
        assert [h.document_id for h in hits] == ["d1"]  # every term is required
        hits, _ = search(conn, "port")
        assert {h.document_id for h in hits} == {"d1", "d3"}
        assert hits[0].document_id == "d1"  # in the title as well as the text
        hits, _ = search(conn, "port", site="%Ledger%")
        assert [h.document_id for h in hits] == ["d3"]
        hits, _ = search(conn, "port", since=date(2026, 3, 10))
        assert [h.document_id for h in hits] == ["d3"]
        assert search(conn, "nothing-like-this") == ([], used)
        assert search(conn, "   ")[0] == []
    finally:
        conn.close()


def test_snippet_shows_the_match() -> None:
    text = "x" * 500 + " the strike began " + "y" * 500
    piece = snippet(text, ["strike"])
    assert "the strike began" in piece and piece.startswith("…") and piece.endswith("…")

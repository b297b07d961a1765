"""Replacing stored documents' analysis (what ``newsmill reprocess`` commits, batch by batch)
on a real warehouse file: their mentions, quotes and NLP status, and the cross-document entity
links that came from them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
from helpers import query_rows

from newsmill.errors import Rejection
from newsmill.tasks.entities import entity_id
from newsmill.tasks.models import Analysis, CleanDocument, Extracted, Mention
from newsmill.tasks.normalise import normalise
from newsmill.tasks.rows import build_rows
from newsmill.warehouse.connection import open_writer
from newsmill.warehouse.loader import load_batch, replace_analysis
from newsmill.warehouse.runs import COMPLETED, finish_run, start_run

DataTests = Callable[[Path], dict[str, list[tuple[object, ...]]]]
NOW = datetime(2026, 3, 9, 12, 0)

CSTO = "Collective Security Treaty Organization"
PWC = "PricewaterhouseCoopers"
#: d1 ties two acronyms to their long forms; d2 uses both bare; d3 ties the second one too,
#: written another way (the same alias entity: entity ids fold case).
TEXTS = {
    "d1": f"The {CSTO} (CSTO) met in Yerevan. {PWC} (PWC) audited it.",
    "d2": "CSTO observers and PwC staff arrived on Monday.",
    "d3": f"{PWC} (PwC) said the accounts were sound.",
}


def _document(name: str) -> CleanDocument:
    return normalise(Extracted(source=f"/in/{name}.txt", format="text", text=TEXTS[name]),
                     min_chars=0, max_chars=10**7)


def _mention(doc: CleanDocument, surface: str, canonical: str | None = None,
             label: str = "ORG") -> Mention:
    start = doc.clean_text.index(surface)
    return Mention(start, start + len(surface), surface, label, canonical or surface, 0, label)


def _analyses(docs: dict[str, CleanDocument], *, d1_links: bool = True, d3_links: bool = True
              ) -> dict[str, Analysis]:
    """Each document's analysis; without ``d1_links`` d1 reads as rules that no longer tie
    an acronym to its long form would read it."""
    d1, d2, d3 = docs["d1"], docs["d2"], docs["d3"]
    return {
        "d1": Analysis(d1.document_id, mentions=[
            _mention(d1, CSTO), _mention(d1, "CSTO", CSTO if d1_links else None),
            _mention(d1, "Yerevan", label="GPE"),
            _mention(d1, PWC, label="ORG"), _mention(d1, "PWC", PWC if d1_links else None)]),
        "d2": Analysis(d2.document_id, mentions=[_mention(d2, "CSTO"), _mention(d2, "PwC")]),
        "d3": Analysis(d3.document_id, mentions=[
            _mention(d3, PWC), _mention(d3, "PwC", PWC if d3_links else None)]),
    }


def _start(conn: duckdb.DuckDBPyConnection, run_id: str, flow: str) -> None:
    start_run(conn, run_id=run_id, flow=flow, settings={}, code_version="t", spacy_model=None,
              spacy_model_version=None, sources_given=3)


def _ingested(db: Path) -> dict[str, CleanDocument]:
    docs = {name: _document(name) for name in TEXTS}
    analyses = _analyses(docs)
    with open_writer(db) as conn:
        _start(conn, "run-a", "ingest")
        load_batch(conn, build_rows(
            run_id="run-a", now=NOW, new_documents=[(docs[n], analyses[n]) for n in docs],
            seen_sources=[(d.source, d.document_id) for d in docs.values()], rejections=[],
            seen=3, unchanged=0))
        finish_run(conn, run_id="run-a", status=COMPLETED)
    return docs


def _reprocess(db: Path, docs: dict[str, CleanDocument], names: list[str],
               analyses: dict[str, Analysis], run_id: str = "run-r") -> None:
    """Replace the analysis of ``names`` as a reprocess batch of run ``run_id`` does."""
    pairs = [(docs[n], analyses[n]) for n in names]
    rows = build_rows(run_id=run_id, now=NOW, new_documents=pairs, seen_sources=[],
                      rejections=[], seen=len(pairs), unchanged=0)
    with open_writer(db) as conn:
        _start(conn, run_id, "reprocess")
        replace_analysis(conn, rows, [d.document_id for d, _ in pairs],
                         [{"document_id": d.document_id, "nlp_status": a.nlp_status,
                           "nlp_note": a.nlp_note} for d, a in pairs])


def _links(db: Path) -> list[tuple[object, ...]]:
    return query_rows(db, "select alias, entity_id, run_id from entity_links order by alias")


def _query(db: Path, query: str, *params: object) -> list[tuple[object, ...]]:
    conn = duckdb.connect(str(db), read_only=True)
    try:
        return conn.execute(query, list(params)).fetchall()
    finally:
        conn.close()


def _resolved(db: Path, document_id: str) -> dict[object, object]:
    return dict(_query(db, "select mention_text, entity_id from mentions_resolved "
                           "where document_id = ?", document_id))


def test_links_the_new_analysis_no_longer_makes_go_with_it(tmp_path: Path,
                                                          run_data_tests: DataTests) -> None:
    db = tmp_path / "w.duckdb"
    docs = _ingested(db)
    csto, pwc = entity_id(CSTO, "ORG"), entity_id(PWC, "ORG")
    assert _links(db) == [("CSTO", csto, "run-a"), ("PWC", pwc, "run-a")]
    assert _resolved(db, docs["d2"].document_id) == {"CSTO": csto, "PwC": pwc}

    _reprocess(db, docs, ["d1"], _analyses(docs, d1_links=False))

    # d1 alone tied CSTO to its long form: that link is gone, and CSTO elsewhere is itself
    # again. d3 ties PwC too (spelt its own way): that link stays, as first loaded.
    assert _links(db) == [("PWC", pwc, "run-a")]
    assert _resolved(db, docs["d2"].document_id) == {"CSTO": entity_id("CSTO", "ORG"),
                                                     "PwC": pwc}
    assert _query(db, "select count(*) from mentions where document_id = ? and run_id = ?",
                  docs["d1"].document_id, "run-r") == [(5,)]
    assert run_data_tests(db) == {}


def test_a_link_made_again_keeps_its_row_and_one_made_by_no_document_goes(
    tmp_path: Path, run_data_tests: DataTests,
) -> None:
    db = tmp_path / "w.duckdb"
    docs = _ingested(db)
    pwc = entity_id(PWC, "ORG")

    _reprocess(db, docs, ["d1", "d3"], _analyses(docs))  # the same rules: the same links
    assert [(alias, run) for alias, _e, run in _links(db)] == [("CSTO", "run-a"),
                                                               ("PWC", "run-a")]

    # Both documents that tied PwC, in one batch, no longer do: no one makes that link now.
    _reprocess(db, docs, ["d1", "d3"], _analyses(docs, d1_links=False, d3_links=False),
               run_id="run-r2")
    assert _links(db) == []
    assert _resolved(db, docs["d2"].document_id)["PwC"] != pwc
    assert run_data_tests(db) == {}


def test_a_document_whose_new_analysis_failed_keeps_its_old_one_and_is_a_rejection(
    tmp_path: Path,
) -> None:
    db = tmp_path / "w.duckdb"
    docs = _ingested(db)
    before = query_rows(db, "select count(*) from mentions")
    rows = build_rows(run_id="run-r", now=NOW, new_documents=[], seen_sources=[],
                      rejections=[(docs["d1"].source,
                                   Rejection("nlp", "analysis_error", "ValueError: x"))],
                      seen=1, unchanged=0)
    with open_writer(db) as conn:
        _start(conn, "run-r", "reprocess")
        replace_analysis(conn, rows, [], [])
    assert query_rows(db, "select count(*) from mentions") == before
    assert query_rows(db, "select run_id, source, stage, reason from rejections") == [
        ("run-r", "/in/d1.txt", "nlp", "analysis_error")]
    assert query_rows(db, "select docs_seen, docs_rejected from runs "
                          "where run_id = 'run-r'") == [(1, 1)]

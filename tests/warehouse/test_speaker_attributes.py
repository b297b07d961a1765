"""Speaker attributes on a real warehouse file: per-document evidence, the per-speaker sums a
batch merges into (and a reprocess takes away from), the gender rule in SQL against
``decide``, and the marts of who gets quoted."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from newsmill.tasks.entities import entity_id
from newsmill.tasks.models import (
    Analysis,
    CleanDocument,
    Extracted,
    GenderEvidence,
    Mention,
    Quote,
    Span,
    SpeakerProfile,
)
from newsmill.tasks.normalise import normalise
from newsmill.tasks.rows import build_rows
from newsmill.tasks.speaker_profile import decide
from newsmill.warehouse.connection import open_writer
from newsmill.warehouse.loader import load_batch, replace_analysis
from newsmill.warehouse.runs import COMPLETED, finish_run, start_run

DataTests = Callable[[Path], dict[str, list[tuple[object, ...]]]]
NOW = datetime(2026, 3, 9, 12, 0)
ANA = "Ana Petrosyan"


def _document(name: str, site: str = "Harbour Gazette") -> CleanDocument:
    text = f"{ANA} said the port would reopen. Story {name} of the harbour board."
    doc = normalise(Extracted(source=f"/in/{name}.txt", format="text", text=text,
                              site_name=site, published_at=datetime(2026, 3, 9)),
                    min_chars=0, max_chars=10**7)
    return doc


def _analysis(doc: CleanDocument, speakers: Sequence[tuple[str, str, GenderEvidence, str | None]]
              ) -> Analysis:
    """An analysis of ``doc`` quoting each ``(name, label, evidence, role)`` once."""
    text = doc.clean_text
    mentions, quotes, profiles = [], [], []
    for i, (name, label, evidence, role) in enumerate(speakers):
        start = text.index(ANA) if name == ANA else 0
        mentions.append(Mention(start, start + len(ANA), text[start:start + len(ANA)], label,
                                name, 0, label))
        quotes.append(Quote(i, len(text), text[i:], "indirect", speaker_canonical=name,
                            speaker_label=label))  # one span per speaker: one quote each
        gender = decide(evidence.female, evidence.male) if label == "PERSON" else "unknown"
        profiles.append(SpeakerProfile(
            name, label, 1, evidence, gender, "pronoun" if gender != "unknown" else
            "no-evidence", role=Span(0, 5, role) if role else None,
            role_method="title" if role else None,
            role_category="government and politics" if role else "unknown"))
    return Analysis(doc.document_id, mentions, quotes, speakers=profiles)


def _load(db: Path, run_id: str, pairs: list[tuple[CleanDocument, Analysis]]) -> None:
    with open_writer(db) as conn:
        start_run(conn, run_id=run_id, flow="ingest", settings={}, code_version="t",
                  spacy_model=None, spacy_model_version=None, sources_given=len(pairs))
        load_batch(conn, build_rows(
            run_id=run_id, now=NOW, new_documents=pairs,
            seen_sources=[(d.source, d.document_id) for d, _ in pairs], rejections=[],
            seen=len(pairs), unchanged=0))
        finish_run(conn, run_id=run_id, status=COMPLETED)


def _reprocess(db: Path, pairs: list[tuple[CleanDocument, Analysis]],
               run_id: str = "run-r") -> None:
    rows = build_rows(run_id=run_id, now=NOW, new_documents=pairs, seen_sources=[],
                      rejections=[], seen=len(pairs), unchanged=0)
    with open_writer(db) as conn:
        start_run(conn, run_id=run_id, flow="reprocess", settings={}, code_version="t",
                  spacy_model=None, spacy_model_version=None, sources_given=len(pairs))
        replace_analysis(conn, rows, [d.document_id for d, _ in pairs],
                         [{"document_id": d.document_id, "nlp_status": a.nlp_status,
                           "nlp_note": a.nlp_note} for d, a in pairs])


def _row(db: Path, name: str = ANA) -> tuple[object, ...]:
    conn = duckdb.connect(str(db), read_only=True)
    try:
        return conn.execute(
            "select documents, quotes, pronoun_female, pronoun_male, gender, gender_method, "
            "role, run_id from speaker_attributes where entity_id = ?",
            [entity_id(name, "PERSON")]).fetchone()
    finally:
        conn.close()


def test_each_batch_adds_its_sums_and_a_reprocess_takes_them_away(
        tmp_path: Path, run_data_tests: DataTests) -> None:
    db = tmp_path / "w.duckdb"
    d1, d2, d3 = _document("one"), _document("two"), _document("three")
    _load(db, "run-1", [(d1, _analysis(d1, [(ANA, "PERSON", GenderEvidence(pronoun_female=1),
                                             "Mayor")]))])
    assert _row(db) == (1, 1, 1, 0, "female", "pronoun", "Mayor", "run-1")
    _load(db, "run-2", [(d2, _analysis(d2, [(ANA, "PERSON", GenderEvidence(pronoun_male=1),
                                             None)]))])
    # One piece each way: conflicting. The role stays that of the document that gave one.
    assert _row(db) == (2, 2, 1, 1, "unknown", "conflicting", "Mayor", "run-2")
    _load(db, "run-3", [(d3, _analysis(d3, [(ANA, "PERSON", GenderEvidence(pronoun_male=2),
                                             "Governor")]))])
    assert _row(db) == (3, 3, 1, 3, "male", "pronoun", "Governor", "run-3")
    assert run_data_tests(db) == {}

    # d3 read again says nothing of her: its sums go, and so does the role it gave.
    _reprocess(db, [(d3, _analysis(d3, []))])
    assert _row(db) == (2, 2, 1, 1, "unknown", "conflicting", None, "run-r")
    assert run_data_tests(db) == {}
    # Reprocessing every document she is in without her removes her row.
    _reprocess(db, [(d1, _analysis(d1, [])), (d2, _analysis(d2, []))], run_id="run-r2")
    assert _row(db) is None
    assert run_data_tests(db) == {}


def test_the_sql_rule_is_the_python_rule(tmp_path: Path, run_data_tests: DataTests) -> None:
    db = tmp_path / "w.duckdb"
    grid = [(f, m) for f in range(7) for m in range(7)]
    pairs = []
    for f, m in grid:
        doc = _document(f"{f}-{m}")
        name = f"Person F{f} M{m}"
        evidence = GenderEvidence(pronoun_female=f, noun_male=m)
        pairs.append((doc, _analysis(doc, [(name, "PERSON", evidence, None)])))
    _load(db, "run-g", pairs)
    conn = duckdb.connect(str(db), read_only=True)
    try:
        stored = dict(conn.execute(
            "select entity_id, gender from speaker_attributes").fetchall())
    finally:
        conn.close()
    for f, m in grid:
        assert stored[entity_id(f"Person F{f} M{m}", "PERSON")] == decide(f, m), (f, m)
    assert run_data_tests(db) == {}


def test_an_organisation_is_never_gendered_in_the_warehouse(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    doc = _document("org")
    _load(db, "run-o", [(doc, _analysis(doc, [("Harbour Board", "ORG", GenderEvidence(),
                                               None)]))])
    conn = duckdb.connect(str(db), read_only=True)
    try:
        assert conn.execute("select person, gender, gender_method from speaker_attributes"
                            ).fetchall() == [(False, "unknown", "not-a-person")]
    finally:
        conn.close()


@pytest.fixture
def quoted(tmp_path: Path) -> Path:
    """Two sites: the Gazette quotes a woman twice and a man once, the Ledger a man."""
    db = tmp_path / "w.duckdb"
    g1, g2 = _document("g1"), _document("g2")
    ledger = _document("l1", site="Northern Ledger")
    women = GenderEvidence(pronoun_female=1)
    men = GenderEvidence(pronoun_male=1)
    _load(db, "run-m", [
        (g1, _analysis(g1, [(ANA, "PERSON", women, "Mayor")])),
        (g2, _analysis(g2, [(ANA, "PERSON", women, None), ("Tom Reid", "PERSON", men, None)])),
        (ledger, _analysis(ledger, [("Tom Reid", "PERSON", men, None)])),
    ])
    return db


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = duckdb.connect(str(db), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_gender_shares_per_site_and_month(quoted: Path) -> None:
    rows = _query(quoted, "select site_name, gender, quotes, speakers, gendered_quote_share, "
                          "gendered_speaker_share from speaker_gender_monthly "
                          "order by site_name, gender")
    assert rows == [("Harbour Gazette", "female", 2, 1, 0.6667, 0.5),
                    ("Harbour Gazette", "male", 1, 1, 0.3333, 0.5),
                    ("Northern Ledger", "male", 1, 1, 1.0, 1.0)]


def test_most_quoted_by_gender_and_source_diversity(quoted: Path) -> None:
    assert _query(quoted, "select gender, rank_in_gender, speaker, quotes, sites "
                          "from most_quoted_by_gender") == [
        ("female", 1, ANA, 2, 1), ("male", 1, "Tom Reid", 2, 2)]
    assert _query(quoted, "select site_name, quotes, speakers, female_speakers, "
                          "male_speakers, female_quote_share, role_categories, "
                          "top5_quote_share from source_diversity") == [
        ("Harbour Gazette", 3, 2, 1, 1, 0.6667, 1, 1.0),
        ("Northern Ledger", 1, 1, 0, 1, 0.0, 0, 1.0)]
    assert _query(quoted, "select site_name, role_category, quotes, female_quotes "
                          "from speaker_role_categories order by all") == [
        ("Harbour Gazette", "government and politics", 2, 2),
        ("Harbour Gazette", "unknown", 1, 0),
        ("Northern Ledger", "unknown", 1, 0)]


def test_the_loaders_default_rule_is_the_pipelines() -> None:
    from newsmill.tasks.rows import speaker_rule
    from newsmill.warehouse.loader import DEFAULT_SPEAKER_RULE

    pipeline = speaker_rule(NOW)
    assert (DEFAULT_SPEAKER_RULE["dominance"], DEFAULT_SPEAKER_RULE["min_pieces"]) == (
        pipeline["dominance"], pipeline["min_pieces"])

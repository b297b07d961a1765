"""A batch through every real stage into a real DuckDB file (loads the spaCy model)."""

from __future__ import annotations

import gc
import re
import shutil
import uuid
import weakref
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from newsmill.settings import Settings
from newsmill.tasks.batch import BatchReport, analyse, process_batch
from newsmill.tasks.models import CleanDocument
from newsmill.tasks.sources import expand_sources
from newsmill.versions import code_version
from newsmill.warehouse.connection import open_writer
from newsmill.warehouse.runs import start_run

pytestmark = pytest.mark.model

DataTests = Callable[[Path], dict[str, list[tuple[object, ...]]]]


def _run(settings: Settings, paths: list[str]) -> tuple[str, object]:
    run_id = uuid.uuid4().hex
    with open_writer(settings.db) as conn:
        start_run(conn, run_id=run_id, flow="test", settings=settings.as_record(),
                  code_version=code_version(), spacy_model=None, spacy_model_version=None,
                  sources_given=len(paths))
    return run_id, process_batch(expand_sources(paths), settings, run_id)


def _count(db: Path, query: str, *params: object) -> int:
    conn = duckdb.connect(str(db), read_only=True)
    try:
        row = conn.execute(query, list(params)).fetchone()
    finally:
        conn.close()
    assert row is not None
    return int(row[0])


@pytest.fixture
def corpus_copy(tmp_path: Path, corpus: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(corpus, target)
    return target


def test_sample_corpus_loads_with_rejections_recorded(
    settings: Settings, corpus_copy: Path, run_data_tests: DataTests
) -> None:
    files = sorted(p for p in corpus_copy.iterdir() if p.is_file())
    _run_id, report = _run(settings, [str(corpus_copy), str(corpus_copy / "missing.html")])
    assert report.seen == len(files) + 1  # type: ignore[attr-defined]
    assert report.reasons == {"extract/binary": 1, "extract/empty": 1,  # type: ignore[attr-defined]
                              "discover/not_found": 1}
    assert report.loaded == len(files) - 2  # type: ignore[attr-defined]
    db = settings.db
    assert _count(db, "select count(*) from documents") == len(files) - 2
    assert _count(db, "select count(*) from rejections") == 3
    assert _count(db, "select count(*) from quotes where kind = 'direct'") > 50
    assert _count(db, "select count(*) from quotes where kind in ('indirect', 'mixed')") > 20
    assert _count(db, "select count(*) from quotes where speaker_entity_id is not null") > 50
    assert _count(db, "select count(*) from mentions") > 300
    assert _count(db, "select count(*) from documents where dateline is not null") >= 3
    assert _count(db, "select count(*) from documents where title is null "
                      "and source_format = 'html'") == 0
    # Every document can be mapped back to its extraction.
    assert _count(db, "select count(*) from documents "
                      "where json_array_length(raw_offsets) > 0") == len(files) - 2
    # The French article is stored, searchable, without English NLP, and says why.
    assert _count(db, "select count(*) from documents where language = 'fr' "
                      "and nlp_status = 'skipped' and nlp_note like '%no spaCy pipeline%'") == 1
    assert _count(db, "select count(*) from mentions join documents using (document_id) "
                      "where language = 'fr'") == 0
    # The syndicated wire copy points at its original; the near miss does not.
    assert _count(db, "select count(*) from documents where duplicate_of is not null") == 1
    assert _count(db, "select count(*) from stories where copies = 2") == 1
    assert run_data_tests(db) == {}


def test_reingest_is_idempotent_and_changed_content_is_a_new_version(
    settings: Settings, corpus_copy: Path, run_data_tests: DataTests
) -> None:
    _run(settings, [str(corpus_copy)])
    tables = ("documents", "mentions", "quotes", "entities", "document_sources")
    before = {t: _count(settings.db, f"select count(*) from {t}") for t in tables}  # noqa: S608

    _second, report = _run(settings, [str(corpus_copy)])
    assert report.loaded == 0  # type: ignore[attr-defined]
    assert report.unchanged == before["documents"]  # type: ignore[attr-defined]
    assert {t: _count(settings.db, f"select count(*) from {t}") for t in tables} == before  # noqa: S608

    changed = corpus_copy / "kenya-drought-herders.txt"
    changed.write_text(changed.read_text() + "\n\nA late paragraph was added to this story.\n")
    _third, report = _run(settings, [str(changed)])
    assert report.loaded == 1  # type: ignore[attr-defined]
    versions = _count(settings.db, "select count(*) from document_sources where source = ?",
                      str(changed))
    assert versions == 2
    current = _count(settings.db, "select count(*) from current_documents where source = ? "
                     "and clean_text like '%late paragraph%'", str(changed))
    assert current == 1
    assert run_data_tests(settings.db) == {}


def test_an_acronym_linked_in_one_document_resolves_in_another(
    settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "acronyms"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Ministers meet\n\nThe World Health Organization (WHO) said on Monday that the "
        "outbreak was under control. The WHO added that vaccines would arrive this week "
        "and that clinics in the north would reopen. Health workers in the region welcomed "
        "the news after weeks of uncertainty.\n")
    (folder / "b.txt").write_text(
        "Clinics reopen\n\nClinics in the north reopened on Friday. Officials from WHO "
        "visited three of them and said supplies were sufficient for the coming month, "
        "according to local reports from the region. Parents said they were relieved that "
        "the long wait for treatment was over.\n")
    _run(settings, [str(folder)])
    conn = duckdb.connect(str(settings.db), read_only=True)
    try:
        rows = conn.execute(
            "select m.mention_text, e.entity_name from mentions_resolved m "
            "join stg_entities e using (entity_id) join documents d using (document_id) "
            "where m.mention_text = 'WHO' order by d.source").fetchall()
        summary = conn.execute("select documents from entity_summary "
                               "where entity_name = 'World Health Organization'").fetchall()
    finally:
        conn.close()
    assert rows and {name for _text, name in rows} == {"World Health Organization"}
    assert summary == [(2,)]  # both documents count for the one entity


def _words(count: int) -> str:
    return " ".join(f"The harbour board met on day {i} and said the plan would go ahead."
                    for i in range(count))


def test_a_document_whose_parse_would_pass_the_memory_ceiling_is_rejected_unparsed(
    settings: Settings, tmp_path: Path
) -> None:
    """NEWSMILL_NLP_MEMORY_MB: 10 MB is about 2,500 characters of parse; a 7,000-character
    text is refused with its size and the ceiling, a 1,300-character one beside it loads."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "short.txt").write_text("Short story\n\n" + _words(20) + "\n")
    (folder / "long.txt").write_text("Long story\n\n" + _words(110) + "\n")
    ceiling = settings.replace(nlp_memory_mb=10)
    run_id, report = _run(ceiling, [str(folder)])
    assert report.loaded == 1  # type: ignore[attr-defined]
    assert report.reasons == {"nlp/too_large": 1}  # type: ignore[attr-defined]
    conn = duckdb.connect(str(settings.db), read_only=True)
    try:
        rows = conn.execute("select source, detail from rejections where run_id = ?",
                            [run_id]).fetchall()
    finally:
        conn.close()
    [(source, detail)] = rows
    assert source.endswith("long.txt")
    size = re.match(r"([\d,]+) characters would take about (\d+) MB to parse", detail)
    assert size, detail
    assert 7_000 < int(size[1].replace(",", "")) < 7_400 and int(size[2]) > 10
    assert "ceiling of 10 MB" in detail and "NEWSMILL_NLP_MEMORY_MB" in detail
    # The default ceiling takes the longest text NEWSMILL_MAX_TEXT_CHARS lets through.
    from newsmill.tasks.nlp import chars_within

    assert chars_within(Settings().nlp_memory_mb) >= Settings().max_text_chars


#: Docs alive (not yet freed) when the tracking component of the blank pipeline below ran.
_LIVE: weakref.WeakSet[Doc] = weakref.WeakSet()
_LIVE_AT_PARSE: list[int] = []


@Language.component("test_batch_live_docs")
def _track_live_docs(doc: Doc) -> Doc:
    _LIVE.add(doc)
    _LIVE_AT_PARSE.append(len(_LIVE))
    return doc


def test_analyse_streams_the_docs_instead_of_keeping_a_batch_of_them(
    settings: Settings, tmp_path: Path
) -> None:
    """Each Doc is analysed as spaCy yields it and then dropped: with texts given to spaCy in
    runs of 2, at most a run's Docs (and the one being analysed) are alive at once, not the
    batch's 12. A blank pipeline that counts live Docs stands in for the model."""
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("test_batch_live_docs")
    nlp.to_disk(tmp_path / "blank")
    documents = [CleanDocument(
        document_id=f"d{i}", content_hash=f"h{i}", source=f"d{i}.txt", format="text",
        clean_text=_words(3 + i), title=None, author=None, published_at=None, site_name=None,
        canonical_url=None, description=None, language="en", dateline=None)
        for i in range(12)]
    _LIVE_AT_PARSE.clear()
    gc.collect()
    failures: list[str] = []
    out = analyse(documents, settings.replace(spacy_model=str(tmp_path / "blank"),
                                              nlp_batch_size=2), BatchReport(),
                  lambda document, rejection: failures.append(rejection.reason))
    assert len(out) + len(failures) == 12 and len(_LIVE_AT_PARSE) == 12
    assert max(_LIVE_AT_PARSE) <= 3, _LIVE_AT_PARSE


def test_a_run_of_texts_for_spacy_stays_under_the_character_budget() -> None:
    from newsmill.tasks.nlp import pipe_runs

    assert pipe_runs([400, 400, 400, 100, 900, 50], max_chars=1000, max_texts=32) == [
        range(0, 2), range(2, 4), range(4, 6)]
    assert pipe_runs([10] * 5, max_chars=1000, max_texts=2) == [
        range(0, 2), range(2, 4), range(4, 5)]
    assert pipe_runs([5000, 10], max_chars=1000, max_texts=8) == [range(0, 1), range(1, 2)]
    assert pipe_runs([], max_chars=1000, max_texts=8) == []



def _identified(name: str, language: str, confidence: float | None) -> CleanDocument:
    """A clean document whose language the identifier gave with ``confidence``."""
    return CleanDocument(document_id=name, content_hash=name, source=name, format="text",
                         clean_text="Text.", title=None, author=None, published_at=None,
                         site_name=None, canonical_url=None, description=None,
                         language=language, dateline=None, language_confidence=confidence)


def test_an_unsure_verdict_of_a_language_without_a_pipeline_is_read_as_english() -> None:
    from newsmill.tasks.batch import analysis_order

    settings = Settings.from_env(env={})
    table = _identified("table", "pcm", 0.68)  # a results table, not Pidgin
    french = _identified("french", "fr", 0.99)
    english = _identified("english", "en", 0.99)
    # Skipped documents come first, then each language's group.
    assert [d.document_id for d in analysis_order([table, french, english], settings)] == [
        "french", "table", "english"]


def test_a_language_the_page_declares_or_of_unknown_confidence_is_taken_as_given() -> None:
    from newsmill.tasks.batch import analysis_order

    declared = _identified("declared", "fr", 0.3)  # the identifier unsure, the page says French
    unknown = _identified("unknown", "fr", None)
    english = _identified("english", "en", 0.99)
    order = analysis_order([english, declared, unknown], Settings.from_env(env={}))
    assert [d.document_id for d in order] == ["declared", "unknown", "english"]

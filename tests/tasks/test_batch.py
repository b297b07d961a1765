"""A batch through every real stage into a real DuckDB file (loads the spaCy model)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from newsmill.settings import Settings
from newsmill.tasks.batch import process_batch
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

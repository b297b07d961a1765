"""A batch split in two: produced without the warehouse (a Dask worker), handed over in a
staging file, and committed by the loader, which decides against the warehouse what is new and
what is a copy."""

from __future__ import annotations

import random
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from helpers import query_rows

from newsmill.errors import Rejection
from newsmill.flows.staging import (
    StagedBatch,
    batch_path,
    commit_staged,
    discard_run,
    dump,
    load,
    stage_batch,
)
from newsmill.settings import Settings
from newsmill.tasks.batch import (
    BatchReport,
    ProducedBatch,
    analysis_order,
    commit_batch,
    fingerprints_of,
)
from newsmill.tasks.models import Analysis, CleanDocument, Extracted, Mention, Quote, Span
from newsmill.tasks.normalise import normalise
from newsmill.tasks.sources import expand_sources
from newsmill.versions import code_version
from newsmill.warehouse.connection import open_writer
from newsmill.warehouse.runs import start_run


def _story(seed: int, sentences: int = 40) -> str:
    """A text of its own: random words, so that two stories share no 5-word shingle."""
    pick = random.Random(seed)
    syllables = ("har", "bour", "coun", "cil", "fer", "ry", "tram", "mar", "ket", "clin",
                 "ic", "sta", "di", "um", "or", "chard", "quar", "light", "house", "pier")
    vocabulary = ["".join(pick.sample(syllables, 3)) for _ in range(300)]
    return " ".join(" ".join(pick.choices(vocabulary, k=12)).capitalize() + "."
                    for _ in range(sentences))


def _document(text: str, source: str, language: str | None = None) -> CleanDocument:
    document = normalise(Extracted(source=source, format="text", text=text), min_chars=0,
                         max_chars=10**7)
    if language is None:
        return document
    return CleanDocument(**{**document.__dict__, "language": language})


def _produced(run_id: str, documents: list[CleanDocument]) -> ProducedBatch:
    """What a worker would produce for ``documents`` (each distinct text analysed)."""
    return ProducedBatch(run_id=run_id, seen=len(documents), documents=documents,
                         analyses={d.document_id: Analysis(d.document_id) for d in documents},
                         fingerprints=fingerprints_of(documents))


def _start(settings: Settings) -> str:
    run_id = uuid.uuid4().hex
    with open_writer(settings.db) as conn:
        start_run(conn, run_id=run_id, flow="test", settings=settings.as_record(),
                  code_version=code_version(), spacy_model=None, spacy_model_version=None,
                  sources_given=0)
    return run_id


def test_a_produced_batch_survives_its_staging_file() -> None:
    text = "GENEVA - " + _story(1)
    document = CleanDocument(
        **{**_document(text, "/in/a.html").__dict__,
           "published_at": datetime(2024, 5, 1, 8, 30), "title": "Talks – “late”",
           "dateline": Span(0, 6, "GENEVA"), "raw_offsets": ((0, 3, 100), (100, 110, 20))})
    cue, speaker = Span(40, 44, "said"), Span(45, 52, "Ms Okoro")
    analysis = Analysis(
        document.document_id,
        mentions=[Mention(0, 6, "GENEVA", "GPE", "Geneva", 0, "GPE")],
        quotes=[Quote(10, 30, "“we will”", "direct", cue=cue, speaker=speaker,
                      speaker_canonical="Ada Okoro", speaker_label="PERSON",
                      sentence_index=0)],
        nlp_note="a note")
    fetched = datetime(2024, 5, 1, 9, 0, 1, 250)
    produced = ProducedBatch(
        run_id="run-1", seen=4, documents=[document],
        analyses={document.document_id: analysis},
        failures={"feedbeef": Rejection("nlp", "analysis_error", "ValueError: x")},
        fingerprints=fingerprints_of([document]),
        rejections=[("/in/empty.txt", Rejection("extract", "empty", "no text"))],
        not_modified=1,
        fetches=[{"url": "https://example.org/a", "fetched_at": fetched, "status": 200}],
        robots=[{"origin": "https://example.org", "fetched_at": fetched, "body": "",
                 "status": 404, "run_id": "run-1"}],
        report=BatchReport(seen=4, stage_seconds={"spacy": 1.25, "extract": 0.5}))

    back = load(dump(produced))

    assert back.documents == produced.documents
    assert back.analyses == produced.analyses
    assert back.fingerprints == produced.fingerprints
    assert back.fetches == produced.fetches and back.robots == produced.robots
    assert (back.run_id, back.seen, back.not_modified) == ("run-1", 4, 1)
    assert back.report == produced.report
    assert [(s, r.stage, r.reason, r.detail) for s, r in back.rejections] == [
        ("/in/empty.txt", "extract", "empty", "no text")]
    assert {k: (r.stage, r.reason, r.detail) for k, r in back.failures.items()} == {
        "feedbeef": ("nlp", "analysis_error", "ValueError: x")}


def test_a_staging_file_of_another_format_is_refused() -> None:
    text = dump(ProducedBatch(run_id="r", seen=0)).replace('"format":1', '"format":99')
    with pytest.raises(ValueError, match="format 99"):
        load(text)


def test_the_loader_decides_what_is_new_and_what_is_a_copy(settings: Settings) -> None:
    run_id = _start(settings)
    original = _story(1)
    copy = "Wire copy. " + original.rsplit(" Sentence", 2)[0]  # re-headlined, trimmed
    first = _produced(run_id, [_document(original, "/in/a.txt")])
    # Produced before the first batch was committed, as on a cluster: the worker could not
    # know the text of a.txt is stored, nor that the wire copy repeats it.
    second = _produced(run_id, [_document(original, "/in/b.txt"),
                                _document(copy, "/in/wire.txt"),
                                _document(_story(9), "/in/other.txt")])

    one, two = commit_batch(first, settings), commit_batch(second, settings)

    assert (one.loaded, one.unchanged) == (1, 0)
    assert (two.loaded, two.unchanged, two.seen) == (2, 1, 3)
    original_id = first.documents[0].document_id
    assert sorted(query_rows(settings.db, "select source, document_id from document_sources")) == [
        ("/in/a.txt", original_id), ("/in/b.txt", original_id),
        ("/in/other.txt", second.documents[2].document_id),
        ("/in/wire.txt", second.documents[1].document_id)]
    assert query_rows(settings.db, "select source, duplicate_of from documents "
                              "where duplicate_of is not null") == [("/in/wire.txt", original_id)]
    assert query_rows(settings.db, "select docs_seen, docs_loaded, docs_unchanged, "
                              "batches_committed from runs") == [(4, 3, 1, 2)]


def test_a_text_whose_analysis_failed_is_rejected_at_commit(settings: Settings) -> None:
    run_id = _start(settings)
    good, bad = _document(_story(1), "/in/good.txt"), _document(_story(2), "/in/bad.txt")
    produced = _produced(run_id, [good, bad])
    del produced.analyses[bad.document_id]
    produced.failures[bad.document_id] = Rejection("nlp", "analysis_error", "boom")

    report = commit_batch(produced, settings)

    assert (report.loaded, report.rejected) == (1, 1)
    assert report.reasons == {"nlp/analysis_error": 1}
    assert query_rows(settings.db, "select source, reason from rejections") == [
        ("/in/bad.txt", "analysis_error")]


def test_commit_staged_deletes_the_file_once_committed(settings: Settings) -> None:
    run_id = _start(settings)
    path = batch_path(settings, run_id, 3)
    path.parent.mkdir(parents=True)
    path.write_text(dump(_produced(run_id, [_document(_story(1), "/in/a.txt")])))

    with pytest.raises(ValueError, match="belongs to run"):
        commit_staged(StagedBatch("another-run", 3, str(path), BatchReport()), settings)
    assert path.exists()  # kept for a retry

    report = commit_staged(StagedBatch(run_id, 3, str(path), BatchReport()), settings)
    assert report.loaded == 1 and not path.exists()
    assert path.parent == settings.db.parent / "staging" / run_id
    discard_run(settings, run_id)
    assert not path.parent.exists()


def test_analysis_order_is_the_order_analyse_returns() -> None:
    settings = Settings.from_env(env={}, spacy_models="de=de_core_news_sm")
    documents = [_document(_story(i), f"/in/{i}.txt", language)
                 for i, language in enumerate(["en", "fr", "de", "und", "en", "fr"])]
    order = [d.source for d in analysis_order(documents, settings)]
    # No pipeline first (fr), then English (an undetermined language reads as English),
    # then German: one nlp.pipe per language.
    assert order == ["/in/1.txt", "/in/5.txt", "/in/0.txt", "/in/3.txt", "/in/4.txt",
                     "/in/2.txt"]


@pytest.mark.model
def test_a_worker_stages_its_batch_without_opening_the_warehouse(
    settings: Settings, corpus: Path
) -> None:
    files = [str(corpus / "kenya-drought-herders.txt"), str(corpus / "empty.txt"),
             str(corpus / "corvane-staff-react-manchester.txt")]
    staged = stage_batch(expand_sources(files), settings, "run-7", 2)

    assert not settings.db.exists()
    assert staged.path == str(settings.staging_path / "run-7" / "batch-00002.json")
    assert staged.report.seen == 3 and staged.report.stage_seconds["spacy"] > 0
    produced = load(Path(staged.path).read_text(encoding="utf-8"))
    assert len(produced.documents) == 2 and len(produced.analyses) == 2
    assert all(a.mentions for a in produced.analyses.values())
    assert [(s.rsplit("/", 1)[1], r.reason) for s, r in produced.rejections] == [
        ("empty.txt", "empty")]

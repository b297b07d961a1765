"""CoNLL-style gold data and entity scoring: newsmill.evaluation.entities (one test loads the
real model)."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from newsmill.evaluation.entities import (
    ConllDocument,
    EntitySpan,
    bio_spans,
    evaluate_entities,
    format_report,
    make_doc,
    map_label,
    read_conll,
    score_spans,
    scored_labels,
    to_token_spans,
)

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "ner" / "sample.iob2"


def E(start: int, end: int, label: str) -> EntitySpan:
    return EntitySpan(start, end, label)


@pytest.fixture(scope="module")
def sample() -> list[ConllDocument]:
    return read_conll(SAMPLE)


# -- reading ------------------------------------------------------------------------------------

def test_reader_splits_documents_and_sentences(sample: list[ConllDocument]) -> None:
    assert [d.doc_id for d in sample] == ["fx01", "fx02"]
    assert [len(d.sentences) for d in sample] == [4, 2]
    first = sample[0].sentences[0]
    assert first.sent_id == "fx01-0001"
    # The token is the second column and the tag the third, not the last (an annotator id).
    assert first.tokens[:3] == ("Harriet", "Vance", "flew")
    assert first.tags[:3] == ("B-PER", "I-PER", "O")
    assert sample[0].sentence_starts == [0, 15, 24, 33]
    assert len(sample[0].tokens) == 39


def test_reader_spans_from_bio(sample: list[ConllDocument]) -> None:
    fx01, fx02 = sample
    assert fx01.sentences[0].spans == [E(0, 2, "PER"), E(4, 5, "LOC"), E(6, 7, "LOC"),
                                       E(11, 14, "ORG")]
    # B-PER right after B-PER: two people, "Reyes" and "Holt".
    assert fx01.sentences[1].spans == [E(0, 1, "PER"), E(2, 3, "PER"), E(3, 4, "PER")]
    # I-LOC after O opens an entity.
    assert fx01.sentences[2].spans == [E(4, 5, "LOC"), E(6, 8, "LOC")]
    # I-ORG after B-LOC is a new ORG entity, not a continuation.
    assert fx01.sentences[3].spans == [E(0, 1, "LOC"), E(1, 2, "ORG")]
    # Document offsets add the sentence starts.
    assert fx01.spans[4:7] == [E(15, 16, "PER"), E(17, 18, "PER"), E(18, 19, "PER")]
    assert fx02.spans == [E(1, 2, "MISC"), E(5, 6, "LOC"), E(8, 10, "MISC"),
                          E(11, 13, "PER"), E(16, 17, "PER"), E(18, 19, "LOC")]


@pytest.mark.parametrize(
    ("tags", "spans"),
    [
        (["B-X", "I-X", "O"], [E(0, 2, "X")]),
        (["I-X", "I-X"], [E(0, 2, "X")]),  # IOB1: I- opens
        (["B-X", "B-X", "I-X"], [E(0, 1, "X"), E(1, 3, "X")]),
        (["B-X", "I-Y"], [E(0, 1, "X"), E(1, 2, "Y")]),
        (["S-X", "B-X", "E-X", "I-X"], [E(0, 1, "X"), E(1, 3, "X"), E(3, 4, "X")]),  # BIOES
        (["B-DATE", "I-DATE"], [E(0, 2, "DATE")]),  # an unknown label is its own label
        (["O", "O"], []),
    ],
)
def test_bio_spans(tags: list[str], spans: list[EntitySpan]) -> None:
    assert bio_spans(tags) == spans


def test_reader_conll2003_docstart_and_iob1(tmp_path: Path) -> None:
    path = tmp_path / "c.txt"
    path.write_text(
        "-DOCSTART- -X- -X- O\n\n"
        "EU NNP B-NP I-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP I-MISC\n\n"
        "Peter NNP B-NP I-PER\nBlackburn NNP I-NP I-PER\n\n"
        "-DOCSTART- -X- -X- O\n\n"
        "# NN B-NP O\nLondon NNP B-NP I-LOC\n"
    )
    docs = read_conll(path)
    assert len(docs) == 2
    assert [len(d.sentences) for d in docs] == [2, 1]
    assert docs[0].spans == [E(0, 1, "ORG"), E(2, 3, "MISC"), E(3, 5, "PER")]
    assert docs[1].tokens == ["#", "London"]  # a "#" token is not a comment
    assert docs[1].spans == [E(1, 2, "LOC")]


def test_reader_without_markers_is_one_document(tmp_path: Path) -> None:
    path = tmp_path / "plain.iob2"
    path.write_text("# a comment\nAnna\tB-PER\nsang\tO\n\nBo\tB-PER\n")
    docs = read_conll(path)
    assert len(docs) == 1
    assert [s.tokens for s in docs[0].sentences] == [("Anna", "sang"), ("Bo",)]
    assert docs[0].spans == [E(0, 1, "PER"), E(2, 3, "PER")]


def test_reader_skips_conllu_multiword_lines(tmp_path: Path) -> None:
    path = tmp_path / "u.conllu"
    path.write_text("# newdoc id = d1\n# text = Anna's\n1-2\tAnna's\tO\n1\tAnna\tB-PER\n"
                    "2\t's\tO\n")
    (doc,) = read_conll(path)
    assert doc.doc_id == "d1"
    assert doc.tokens == ["Anna", "'s"]
    assert doc.spans == [E(0, 1, "PER")]


def test_reader_rejects_a_file_without_tags(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_text("Anna sang\nBo danced\n")
    with pytest.raises(ValueError, match="BIO tags"):
        read_conll(path)


# -- labels and scoring -------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("spacy_label", "label"),
    [("PERSON", "PER"), ("ORG", "ORG"), ("GPE", "LOC"), ("LOC", "LOC"), ("FAC", "LOC"),
     ("NORP", "MISC"), ("EVENT", "MISC"), ("PRODUCT", "MISC"), ("WORK_OF_ART", "MISC"),
     ("LAW", "MISC"), ("LANGUAGE", "MISC"), ("DATE", None), ("CARDINAL", None),
     ("MONEY", None), ("PER", None)],
)
def test_label_mapping(spacy_label: str, label: str | None) -> None:
    assert map_label(spacy_label) == label


def test_scored_labels_keep_misc_only_when_gold_has_it(sample: list[ConllDocument]) -> None:
    assert scored_labels(sample) == ("LOC", "MISC", "ORG", "PER")
    assert scored_labels(sample[:1]) == ("LOC", "ORG", "PER")


def test_score_spans_exact_match_per_label_and_micro() -> None:
    gold = [E(0, 2, "PER"), E(4, 5, "LOC"), E(6, 7, "LOC"), E(11, 14, "ORG")]
    found = [
        E(0, 2, "PER"),  # right
        E(4, 5, "LOC"),  # right
        E(6, 7, "ORG"),  # right place, wrong label
        E(11, 13, "ORG"),  # overlaps, not exact
        E(15, 16, "PER"),  # spurious
        E(20, 21, "MISC"),  # not a scored label: ignored
    ]
    scores = score_spans(gold, found, ("LOC", "ORG", "PER"))
    per = scores.per_label
    assert (per["PER"].gold, per["PER"].predicted, per["PER"].correct) == (1, 2, 1)
    assert (per["LOC"].gold, per["LOC"].predicted, per["LOC"].correct) == (2, 1, 1)
    assert (per["ORG"].gold, per["ORG"].predicted, per["ORG"].correct) == (1, 2, 0)
    assert per["PER"].precision == pytest.approx(0.5)
    assert per["PER"].recall == pytest.approx(1.0)
    assert per["PER"].f1 == pytest.approx(2 / 3)
    assert per["LOC"].precision == pytest.approx(1.0)
    assert per["LOC"].recall == pytest.approx(0.5)
    assert per["ORG"].f1 == 0.0
    micro = scores.micro
    assert (micro.gold, micro.predicted, micro.correct) == (4, 5, 2)
    assert micro.precision == pytest.approx(0.4)
    assert micro.recall == pytest.approx(0.5)
    assert micro.f1 == pytest.approx(2 * 0.4 * 0.5 / 0.9)


def test_scores_add_across_documents() -> None:
    total = score_spans([E(0, 1, "PER")], [E(0, 1, "PER")], ("PER",))
    total.add(score_spans([E(0, 1, "PER")], [E(1, 2, "PER")], ("PER",)))
    assert (total.micro.gold, total.micro.predicted, total.micro.correct) == (2, 2, 1)


def test_char_spans_become_token_spans_expanded() -> None:
    doc = Doc(spacy.blank("en").vocab, words=["the", "Kremlin's", "aides"])
    # "Kremlin" cuts the token "Kremlin's": expanded to it; DATE is not scored.
    assert to_token_spans(doc, [(4, 11, "ORG"), (0, 3, "DATE"), (4, 20, "GPE")]) == [
        E(1, 2, "ORG"), E(1, 3, "LOC")]


# -- whole evaluation ---------------------------------------------------------------------------

def test_evaluate_with_a_rule_pipeline_shows_consolidation(
        sample: list[ConllDocument]) -> None:
    """No statistical model: an entity ruler gives known spans, consolidation trims "the"."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([  # type: ignore[attr-defined]
        {"label": "PERSON", "pattern": "Harriet Vance"},
        {"label": "GPE", "pattern": "Oslo"},
        {"label": "DATE", "pattern": "Monday"},
        {"label": "ORG", "pattern": "the Baltic Rowing Federation"},
    ])
    doc = make_doc(sample[0], nlp)
    assert [s.start for s in doc.sents] == sample[0].sentence_starts
    report = evaluate_entities(sample, nlp)
    assert report.labels == ("LOC", "MISC", "ORG", "PER")
    assert (report.documents, report.sentences, report.tokens) == (2, 6, 61)
    raw, cons = report.raw, report.consolidated
    assert (raw.micro.gold, raw.micro.predicted, raw.micro.correct) == (17, 5, 4)
    assert (cons.micro.gold, cons.micro.predicted, cons.micro.correct) == (17, 5, 5)
    assert raw.per_label["ORG"].precision == 0.0
    assert cons.per_label["ORG"].precision == 1.0
    assert report.results[0].raw[-2:] == (E(10, 14, "ORG"), E(33, 34, "LOC"))
    assert E(11, 14, "ORG") in report.results[0].consolidated
    text = format_report(report)
    assert "micro" in text and "ΔF1" in text
    assert " 80.0" in text and "100.0" in text


@pytest.mark.model
def test_evaluate_with_the_model(sample: list[ConllDocument]) -> None:
    from newsmill.tasks.nlp import load_pipeline

    nlp, _info = load_pipeline("auto")
    report = evaluate_entities(sample, nlp)
    assert report.documents == 2
    for scores in (report.raw, report.consolidated):
        assert scores.micro.gold == 17
        assert scores.micro.predicted > 0
        for counts in [*scores.per_label.values(), scores.micro]:
            assert 0.0 <= counts.precision <= 1.0
            assert 0.0 <= counts.recall <= 1.0
            assert 0.0 <= counts.f1 <= 1.0
    assert "raw" in format_report(report)

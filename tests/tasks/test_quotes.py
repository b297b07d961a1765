"""Who said what: tasks.quotes.extract_quotes on hand-built spaCy Docs (no model loaded)."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from tasks.models import Mention
from tasks.quotes import extract_quotes, speech_verbs

VOCAB = spacy.blank("en").vocab

Row = tuple[str, int, str, str]  # word, head (index within its sentence), dep, POS


def build(text: str, *sentences: list[Row]) -> Doc:
    """A parsed Doc for ``text``; heads are given per sentence and made absolute here."""
    words, heads, deps, pos, starts = [], [], [], [], []
    for rows in sentences:
        offset = len(words)
        for i, (word, head, dep, tag) in enumerate(rows):
            words.append(word)
            heads.append(offset + head)
            deps.append(dep)
            pos.append(tag)
            starts.append(i == 0)
    spaces, p = [], 0
    for word in words:
        assert text.startswith(word, p), (word, text[p:])
        p += len(word)
        spaces.append(p < len(text) and text[p] == " ")
        p += spaces[-1]
    doc = Doc(VOCAB, words=words, spaces=spaces, heads=heads, deps=deps, pos=pos,
              sent_starts=starts)
    assert doc.text == text
    return doc


def mention(text: str, name: str, label: str = "PERSON", canonical: str | None = None,
            sentence: int = 0) -> Mention:
    start = text.index(name)
    return Mention(start, start + len(name), name, label, canonical or name, sentence)


def quotes_of(doc: Doc, mentions: list[Mention]):
    found = extract_quotes(doc, mentions)
    for q in found:
        assert doc.text[q.start_char:q.end_char] == q.text
        assert q.text and q.text[0] not in "“”\""
    return found


def nl(root: int) -> Row:
    """A paragraph break, attached to the root of the sentence it ends."""
    return ("\n", root, "dep", "SPACE")


DIRECT_AFTER = "“We will not give up,” said Ana Petrosyan."
DIRECT_AFTER_ROWS: list[Row] = [
    ("“", 8, "punct", "PUNCT"), ("We", 4, "nsubj", "PRON"), ("will", 4, "aux", "AUX"),
    ("not", 4, "neg", "PART"), ("give", 8, "ccomp", "VERB"), ("up", 4, "prt", "ADP"),
    (",", 8, "punct", "PUNCT"), ("”", 8, "punct", "PUNCT"), ("said", 8, "ROOT", "VERB"),
    ("Ana", 10, "compound", "PROPN"), ("Petrosyan", 8, "nsubj", "PROPN"),
    (".", 8, "punct", "PUNCT"),
]


def test_direct_quote_with_speaker_after_the_closing_mark():
    doc = build(DIRECT_AFTER, DIRECT_AFTER_ROWS)
    [q] = quotes_of(doc, [mention(DIRECT_AFTER, "Ana Petrosyan")])
    assert (q.kind, q.text) == ("direct", "We will not give up,")
    assert q.cue is not None and q.cue.text == "said"
    assert q.speaker is not None and q.speaker.text == "Ana Petrosyan"
    assert (q.speaker_canonical, q.speaker_label, q.sentence_index) == (
        "Ana Petrosyan", "PERSON", 0)


def test_direct_quote_with_unknown_speaker_keeps_the_phrase_only():
    doc = build(DIRECT_AFTER, DIRECT_AFTER_ROWS)
    [q] = quotes_of(doc, [])
    assert q.speaker is not None and q.speaker.text == "Ana Petrosyan"
    assert q.speaker_canonical is None


def test_direct_quote_introduced_before_the_opening_mark():
    text = "Petrosyan told reporters: “We will rebuild the pier before the winter storms.”"
    doc = build(text, [
        ("Petrosyan", 1, "nsubj", "PROPN"), ("told", 1, "ROOT", "VERB"),
        ("reporters", 1, "dobj", "NOUN"), (":", 1, "punct", "PUNCT"), ("“", 7, "punct", "PUNCT"),
        ("We", 7, "nsubj", "PRON"), ("will", 7, "aux", "AUX"), ("rebuild", 1, "ccomp", "VERB"),
        ("the", 9, "det", "DET"), ("pier", 7, "dobj", "NOUN"), ("before", 7, "prep", "ADP"),
        ("the", 13, "det", "DET"), ("winter", 13, "compound", "NOUN"),
        ("storms", 10, "pobj", "NOUN"), (".", 1, "punct", "PUNCT"), ("”", 1, "punct", "PUNCT"),
    ])
    [q] = quotes_of(doc, [mention(text, "Petrosyan", canonical="Ana Petrosyan")])
    assert (q.kind, q.text) == ("direct", "We will rebuild the pier before the winter storms.")
    assert q.cue is not None and q.cue.text == "told"
    assert q.speaker_canonical == "Ana Petrosyan"


STORY = (
    "Davit Sargsyan visited the Harbour Authority. “The pier will be rebuilt this year,” he said.\n"
    "“Fishing crews have waited two long winters for it.”\n"
    "The council met.\n"
    "“Nobody else will pay for the work on the pier.”"
)
STORY_SENTENCES: list[list[Row]] = [
    [("Davit", 1, "compound", "PROPN"), ("Sargsyan", 2, "nsubj", "PROPN"),
     ("visited", 2, "ROOT", "VERB"), ("the", 5, "det", "DET"), ("Harbour", 5, "compound", "PROPN"),
     ("Authority", 2, "dobj", "PROPN"), (".", 2, "punct", "PUNCT")],
    [("“", 11, "punct", "PUNCT"), ("The", 2, "det", "DET"), ("pier", 5, "nsubjpass", "NOUN"),
     ("will", 5, "aux", "AUX"), ("be", 5, "auxpass", "AUX"), ("rebuilt", 11, "ccomp", "VERB"),
     ("this", 7, "det", "DET"), ("year", 5, "npadvmod", "NOUN"), (",", 11, "punct", "PUNCT"),
     ("”", 11, "punct", "PUNCT"), ("he", 11, "nsubj", "PRON"), ("said", 11, "ROOT", "VERB"),
     (".", 11, "punct", "PUNCT"), nl(11)],
    [("“", 4, "punct", "PUNCT"), ("Fishing", 2, "compound", "NOUN"), ("crews", 4, "nsubj", "NOUN"),
     ("have", 4, "aux", "AUX"), ("waited", 4, "ROOT", "VERB"), ("two", 7, "nummod", "NUM"),
     ("long", 7, "amod", "ADJ"), ("winters", 4, "npadvmod", "NOUN"), ("for", 4, "prep", "ADP"),
     ("it", 8, "pobj", "PRON"), (".", 4, "punct", "PUNCT"), ("”", 4, "punct", "PUNCT"),
     nl(4)],
    [("The", 1, "det", "DET"), ("council", 2, "nsubj", "NOUN"), ("met", 2, "ROOT", "VERB"),
     (".", 2, "punct", "PUNCT"), nl(2)],
    [("“", 4, "punct", "PUNCT"), ("Nobody", 4, "nsubj", "PRON"), ("else", 1, "amod", "ADV"),
     ("will", 4, "aux", "AUX"), ("pay", 4, "ROOT", "VERB"), ("for", 4, "prep", "ADP"),
     ("the", 7, "det", "DET"), ("work", 5, "pobj", "NOUN"), ("on", 7, "prep", "ADP"),
     ("the", 10, "det", "DET"), ("pier", 8, "pobj", "NOUN"), (".", 4, "punct", "PUNCT"),
     ("”", 4, "punct", "PUNCT")],
]
STORY_MENTIONS = [mention(STORY, "Davit Sargsyan"),
                  mention(STORY, "Harbour Authority", "ORG")]


def test_pronoun_speaker_resolves_to_last_person_before_it():
    quotes = quotes_of(build(STORY, *STORY_SENTENCES), STORY_MENTIONS)
    first = quotes[0]
    assert first.text == "The pier will be rebuilt this year,"
    assert first.speaker is not None and first.speaker.text == "he"
    assert (first.speaker_canonical, first.speaker_label) == ("Davit Sargsyan", "PERSON")
    assert first.sentence_index == 1


def test_floating_quote_in_next_paragraph_inherits_the_speaker():
    quotes = quotes_of(build(STORY, *STORY_SENTENCES), STORY_MENTIONS)
    assert [q.kind for q in quotes] == ["direct", "direct", "direct"]
    floating = quotes[1]
    assert floating.text == "Fishing crews have waited two long winters for it."
    assert floating.cue is None
    assert (floating.speaker_canonical, floating.speaker_label) == ("Davit Sargsyan", "PERSON")
    # Two paragraphs after the last quote is too far to inherit anything.
    assert quotes[2].text == "Nobody else will pay for the work on the pier."
    assert quotes[2].speaker_canonical is None


def test_short_scare_quoted_term_is_not_a_quote():
    text = "The council called it a “historic compromise” on Tuesday."
    doc = build(text, [
        ("The", 1, "det", "DET"), ("council", 2, "nsubj", "NOUN"), ("called", 2, "ROOT", "VERB"),
        ("it", 2, "dobj", "PRON"), ("a", 7, "det", "DET"), ("“", 7, "punct", "PUNCT"),
        ("historic", 7, "amod", "ADJ"), ("compromise", 2, "oprd", "NOUN"),
        ("”", 7, "punct", "PUNCT"), ("on", 2, "prep", "ADP"), ("Tuesday", 9, "pobj", "PROPN"),
        (".", 2, "punct", "PUNCT"),
    ])
    assert quotes_of(doc, []) == []


@pytest.mark.parametrize(
    "verb", ["said", "told", "insisted", "warned", "tweeted", "noted", "acknowledged", "wrote"])
def test_speech_verb_lexicon_and_indirect_quote(verb):
    assert verb in speech_verbs()
    text = f"Lena Hovhannisyan {verb} that the town would apply for a regional grant."
    doc = build(text, [
        ("Lena", 1, "compound", "PROPN"), ("Hovhannisyan", 2, "nsubj", "PROPN"),
        (verb, 2, "ROOT", "VERB"), ("that", 7, "mark", "SCONJ"), ("the", 5, "det", "DET"),
        ("town", 7, "nsubj", "NOUN"), ("would", 7, "aux", "AUX"), ("apply", 2, "ccomp", "VERB"),
        ("for", 7, "prep", "ADP"), ("a", 11, "det", "DET"), ("regional", 11, "amod", "ADJ"),
        ("grant", 8, "pobj", "NOUN"), (".", 2, "punct", "PUNCT"),
    ])
    [q] = quotes_of(doc, [mention(text, "Lena Hovhannisyan")])
    assert (q.kind, q.text) == ("indirect", "the town would apply for a regional grant")
    assert q.cue is not None and (q.cue.text, q.cue.start_char) == (verb, text.index(verb))
    assert q.speaker is not None and q.speaker.text == "Lena Hovhannisyan"
    assert q.speaker_canonical == "Lena Hovhannisyan"


def test_verb_outside_the_lexicon_reports_nothing():
    assert "painted" not in speech_verbs()
    text = "Hovhannisyan painted that the town would apply for a regional grant."
    doc = build(text, [
        ("Hovhannisyan", 1, "nsubj", "PROPN"), ("painted", 1, "ROOT", "VERB"),
        ("that", 6, "mark", "SCONJ"), ("the", 4, "det", "DET"), ("town", 6, "nsubj", "NOUN"),
        ("would", 6, "aux", "AUX"), ("apply", 1, "ccomp", "VERB"), ("for", 6, "prep", "ADP"),
        ("a", 10, "det", "DET"), ("regional", 10, "amod", "ADJ"), ("grant", 7, "pobj", "NOUN"),
        (".", 1, "punct", "PUNCT"),
    ])
    assert quotes_of(doc, []) == []


def _mixed_doc(period_inside: bool) -> tuple[str, Doc]:
    end = ".”" if period_inside else "”."
    text = f"Hovhannisyan said that the decision was “a victory for the whole coast{end}"
    closing: list[Row] = [("”", 8, "punct", "PUNCT"), (".", 1, "punct", "PUNCT")]
    if period_inside:
        closing.reverse()
    doc = build(text, [
        ("Hovhannisyan", 1, "nsubj", "PROPN"), ("said", 1, "ROOT", "VERB"),
        ("that", 5, "mark", "SCONJ"), ("the", 4, "det", "DET"), ("decision", 5, "nsubj", "NOUN"),
        ("was", 1, "ccomp", "AUX"), ("“", 8, "punct", "PUNCT"), ("a", 8, "det", "DET"),
        ("victory", 5, "attr", "NOUN"), ("for", 8, "prep", "ADP"), ("the", 12, "det", "DET"),
        ("whole", 12, "amod", "ADJ"), ("coast", 9, "pobj", "NOUN"), *closing,
    ])
    return text, doc


def test_mixed_quote_when_reported_clause_contains_a_quoted_fragment():
    text, doc = _mixed_doc(period_inside=False)
    [q] = quotes_of(doc, [mention(text, "Hovhannisyan", canonical="Lena Hovhannisyan")])
    assert (q.kind, q.text) == ("mixed", "the decision was “a victory for the whole coast”")
    assert q.cue is not None and q.cue.text == "said"
    assert (q.speaker_canonical, q.speaker_label) == ("Lena Hovhannisyan", "PERSON")


def test_mixed_quote_with_full_stop_inside_the_marks():
    text, doc = _mixed_doc(period_inside=True)
    quotes = quotes_of(doc, [mention(text, "Hovhannisyan", canonical="Lena Hovhannisyan")])
    assert [(q.kind, q.speaker_canonical) for q in quotes] == [("mixed", "Lena Hovhannisyan")]

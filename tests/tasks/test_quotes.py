"""Who said what: newsmill.tasks.quotes.extract_quotes on hand-built spaCy Docs (no model
loaded)."""

from __future__ import annotations

import re
import time

import pytest
import spacy
from spacy.tokens import Doc

from newsmill.tasks.models import Mention, Quote
from newsmill.tasks.quotes import (
    CONFIDENCE,
    MIN_STATEMENT_WORDS,
    entity_genders,
    extract_quotes,
    speech_verbs,
)

VOCAB = spacy.blank("en").vocab

# word, head (index within its sentence), dep, POS[, fine-grained tag]
Row = tuple[str, int, str, str] | tuple[str, int, str, str, str]


def build(text: str, *sentences: list[Row], doc_class: type[Doc] = Doc) -> Doc:
    """A parsed Doc for ``text``; heads are given per sentence and made absolute here."""
    words, heads, deps, pos, tags, starts = [], [], [], [], [], []
    for rows in sentences:
        offset = len(words)
        for i, (word, head, dep, coarse, *fine) in enumerate(rows):
            words.append(word)
            heads.append(offset + head)
            deps.append(dep)
            pos.append(coarse)
            tags.append(fine[0] if fine else "")
            starts.append(i == 0)
    spaces, p = [], 0
    for word in words:
        assert text.startswith(word, p), (word, text[p:])
        p += len(word)
        spaces.append(p < len(text) and text[p] == " ")
        p += spaces[-1]
    doc = doc_class(VOCAB, words=words, spaces=spaces, heads=heads, deps=deps, pos=pos,
                    tags=tags, sent_starts=starts)
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
    # The term is no direct quote; what the council called it is reported speech, one mixed
    # quote (tests/tasks/test_quotes_broad.py has the rules for "call").
    [q] = quotes_of(doc, [])
    assert (q.kind, q.text) == ("mixed", "it a “historic compromise”")


@pytest.mark.parametrize(
    "verb", ["said", "told", "insisted", "warned", "tweeted", "noted", "acknowledged", "wrote",
             "yelled", "continued"])
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


# --- Rules added recently: attribution after the closing mark, floating quotes, "according
# to", coordinated reported clauses and speaker resolution. ---

_TOKEN = re.compile(r"\w+|\n|[^\w\s]")


def flat(text: str) -> Doc:
    """A Doc whose sentences are flat (every word hangs from the first one): enough where only
    the quotation marks and sentence starts matter. A sentence ends after ``.!?`` (and the
    closing mark that follows) or a paragraph break."""
    sentences: list[list[str]] = [[]]
    for word in _TOKEN.findall(text):
        previous = sentences[-1][-1] if sentences[-1] else None
        if previous == "\n" or (previous in {".", "!", "?", "”"} and word not in {"”", "\n"}
                                and (word[0].isupper() or word == "“")):
            sentences.append([])
        sentences[-1].append(word)
    rows = [
        [(w, 0, "ROOT" if i == 0 else "dep",
          "SPACE" if w == "\n" else "PUNCT" if not w[0].isalnum() else "X")
         for i, w in enumerate(words)]
        for words in sentences
    ]
    return build(text, *rows)


def test_flat_helper_splits_sentences_and_paragraphs():
    doc = flat("The council met. “Nobody will pay.”\nThen it rained.")
    assert [s.text for s in doc.sents] == ["The council met.", "“Nobody will pay.”\n",
                                           "Then it rained."]


def _swap_mark_and_comma(rows: list[Row]) -> list[Row]:
    """``“…,” said`` → ``“…”, said`` (both tokens hang from the verb)."""
    rows = list(rows)
    rows[6], rows[7] = rows[7], rows[6]
    return rows


@pytest.mark.parametrize(
    ("text", "rows", "content"),
    [
        (DIRECT_AFTER, DIRECT_AFTER_ROWS, "We will not give up,"),
        ("“We will not give up”, said Ana Petrosyan.", _swap_mark_and_comma(DIRECT_AFTER_ROWS),
         "We will not give up"),
    ],
    ids=["comma-inside", "british-comma-outside"],
)
def test_quote_ending_in_punctuation_is_attributed_to_the_verb_after_it(text, rows, content):
    doc = build(text, rows)
    [q] = quotes_of(doc, [mention(text, "Ana Petrosyan")])
    assert (q.kind, q.text, q.start_char) == ("direct", content, 1)
    assert q.cue is not None and (q.cue.text, q.cue.start_char) == ("said", text.index("said"))
    assert q.speaker is not None and q.speaker.text == "Ana Petrosyan"
    assert text[q.speaker.start_char:q.speaker.end_char] == q.speaker.text
    assert (q.speaker_canonical, q.speaker_label) == ("Ana Petrosyan", "PERSON")


DECLINE = ("The mayor accused her of “a decade of decline” at the council and said the budget "
           "was wrong.")
DECLINE_ROWS: list[Row] = [
    ("The", 1, "det", "DET"), ("mayor", 2, "nsubj", "NOUN"), ("accused", 2, "ROOT", "VERB"),
    ("her", 2, "dobj", "PRON"), ("of", 2, "prep", "ADP"), ("“", 7, "punct", "PUNCT"),
    ("a", 7, "det", "DET"), ("decade", 4, "pobj", "NOUN"), ("of", 7, "prep", "ADP"),
    ("decline", 8, "pobj", "NOUN"), ("”", 7, "punct", "PUNCT"), ("at", 2, "prep", "ADP"),
    ("the", 13, "det", "DET"), ("council", 11, "pobj", "NOUN"), ("and", 2, "cc", "CCONJ"),
    ("said", 2, "conj", "VERB"), ("the", 17, "det", "DET"), ("budget", 18, "nsubj", "NOUN"),
    ("was", 15, "ccomp", "AUX"), ("wrong", 18, "acomp", "ADJ"), (".", 2, "punct", "PUNCT"),
]


def test_quoted_phrase_followed_by_more_of_the_sentence_is_not_attributed_to_a_later_verb():
    doc = build(DECLINE, DECLINE_ROWS)
    quotes = quotes_of(doc, [])
    assert not [q for q in quotes if q.kind == "direct"]
    # "said" stays free for its own reported clause, spoken by the mayor; "accused" reports
    # its object with the "of" phrase, which holds the quoted fragment.
    accusation, q = sorted(quotes, key=lambda q: q.start_char)
    assert (accusation.kind, accusation.text) == ("mixed", "her of “a decade of decline”")
    assert accusation.cue is not None and accusation.cue.text == "accused"
    assert (q.kind, q.text) == ("indirect", "the budget was wrong")
    assert q.cue is not None and (q.cue.text, q.cue.start_char) == ("said", DECLINE.index("said"))
    assert q.speaker is not None and q.speaker.text == "The mayor"


@pytest.mark.parametrize(
    ("text", "content"),
    [
        # follows a finished sentence
        ("The council met. “Nobody else will pay for the work on the pier.”",
         "Nobody else will pay for the work on the pier."),
        # opens a paragraph
        ("The council met.\n“Nobody else will pay for the work on the pier.”",
         "Nobody else will pay for the work on the pier."),
        # exactly MIN_STATEMENT_WORDS words, other closing punctuation
        ("The council met. “Who will pay for it now?”", "Who will pay for it now?"),
        ("The council met. “Nobody will pay for it now!”", "Nobody will pay for it now!"),
        # follows another quote's closing mark
        ("“The pier is closed.” “Nobody else will pay for the work on it.”",
         "Nobody else will pay for the work on it."),
    ],
    ids=["after-sentence", "opens-paragraph", "six-words-question", "six-words-exclamation",
         "after-closing-mark"],
)
def test_unattributed_sentence_of_its_own_is_a_floating_direct_quote(text, content):
    assert MIN_STATEMENT_WORDS == 6
    quotes = quotes_of(flat(text), [])
    found = quotes[-1]
    assert (found.kind, found.text) == ("direct", content)
    assert found.start_char == text.index(content)
    assert (found.cue, found.speaker, found.speaker_canonical) == (None, None, None)
    assert found.sentence_index == 1


@pytest.mark.parametrize(
    "text",
    [
        # five words: shorter than MIN_STATEMENT_WORDS
        "The council met. “Nobody will pay for it.”",
        # no punctuation at the end inside the marks
        "The council met. “Nobody else will pay for the work on the pier” was painted on a wall.",
        # a fragment inside a sentence, not after a finished one
        "The sign on the wall read “nobody else will pay for the work on the pier.”",
    ],
    ids=["too-short", "no-final-punctuation", "mid-sentence"],
)
def test_unattributed_passage_that_is_not_a_sentence_of_its_own_is_no_quote(text):
    assert quotes_of(flat(text), []) == []


def test_fragment_inside_reported_speech_is_part_of_a_mixed_quote_not_a_floating_one():
    text = "Hovhannisyan said the town would “never again pay for the work on the pier.”"
    doc = build(text, [
        ("Hovhannisyan", 1, "nsubj", "PROPN"), ("said", 1, "ROOT", "VERB"),
        ("the", 3, "det", "DET"), ("town", 8, "nsubj", "NOUN"), ("would", 8, "aux", "AUX"),
        ("“", 8, "punct", "PUNCT"), ("never", 8, "neg", "ADV"), ("again", 8, "advmod", "ADV"),
        ("pay", 1, "ccomp", "VERB"), ("for", 8, "prep", "ADP"), ("the", 11, "det", "DET"),
        ("work", 9, "pobj", "NOUN"), ("on", 11, "prep", "ADP"), ("the", 14, "det", "DET"),
        ("pier", 12, "pobj", "NOUN"), (".", 1, "punct", "PUNCT"), ("”", 1, "punct", "PUNCT"),
    ])
    [q] = quotes_of(doc, [mention(text, "Hovhannisyan", canonical="Lena Hovhannisyan")])
    assert (q.kind, q.text) == ("mixed", "the town would “never again pay for the work on the pier")
    assert q.cue is not None and q.cue.text == "said"
    assert q.speaker_canonical == "Lena Hovhannisyan"


ACCORDING_FIRST = ("The council met. According to the Harbour Authority, the pier will reopen in "
                   "the spring.")
ACCORDING_FIRST_ROWS: list[list[Row]] = [
    [("The", 1, "det", "DET"), ("council", 2, "nsubj", "NOUN"), ("met", 2, "ROOT", "VERB"),
     (".", 2, "punct", "PUNCT")],
    [("According", 9, "prep", "VERB"), ("to", 0, "prep", "ADP"), ("the", 4, "det", "DET"),
     ("Harbour", 4, "compound", "PROPN"), ("Authority", 1, "pobj", "PROPN"),
     (",", 9, "punct", "PUNCT"), ("the", 7, "det", "DET"), ("pier", 9, "nsubj", "NOUN"),
     ("will", 9, "aux", "AUX"), ("reopen", 9, "ROOT", "VERB"), ("in", 9, "prep", "ADP"),
     ("the", 12, "det", "DET"), ("spring", 10, "pobj", "NOUN"), (".", 9, "punct", "PUNCT")],
]
ACCORDING_LAST = ("The council met. The pier will reopen in the spring, according to the Harbour "
                  "Authority.")
ACCORDING_LAST_ROWS: list[list[Row]] = [
    ACCORDING_FIRST_ROWS[0],
    [("The", 1, "det", "DET"), ("pier", 3, "nsubj", "NOUN"), ("will", 3, "aux", "AUX"),
     ("reopen", 3, "ROOT", "VERB"), ("in", 3, "prep", "ADP"), ("the", 6, "det", "DET"),
     ("spring", 4, "pobj", "NOUN"), (",", 3, "punct", "PUNCT"), ("according", 3, "prep", "VERB"),
     ("to", 8, "prep", "ADP"), ("the", 12, "det", "DET"), ("Harbour", 12, "compound", "PROPN"),
     ("Authority", 9, "pobj", "PROPN"), (".", 3, "punct", "PUNCT")],
]


@pytest.mark.parametrize(
    ("text", "rows", "cue", "content"),
    [
        (ACCORDING_FIRST, ACCORDING_FIRST_ROWS, "According to",
         "the pier will reopen in the spring"),
        (ACCORDING_LAST, ACCORDING_LAST_ROWS, "according to",
         "The pier will reopen in the spring"),
    ],
    ids=["phrase-first", "phrase-last"],
)
def test_according_to_gives_an_indirect_quote_without_the_phrase(text, rows, cue, content):
    doc = build(text, *rows)
    [q] = quotes_of(doc, [mention(text, "Harbour Authority", "ORG")])
    assert (q.kind, q.text, q.start_char) == ("indirect", content, text.index(content))
    assert "ccording" not in q.text and "Authority" not in q.text
    assert q.cue is not None and (q.cue.text, q.cue.start_char) == (cue, text.index(cue))
    assert text[q.cue.start_char:q.cue.end_char] == q.cue.text
    assert q.speaker is not None and q.speaker.text == "the Harbour Authority"
    assert text[q.speaker.start_char:q.speaker.end_char] == q.speaker.text
    assert (q.speaker_canonical, q.speaker_label, q.sentence_index) == (
        "Harbour Authority", "ORG", 1)


def test_according_without_to_is_no_quote():
    text = "The pier was rebuilt according as the plan said."
    assert quotes_of(flat(text), []) == []


TWO_THATS = ("Hovhannisyan said that the town would apply for a grant and that the council had "
             "no plans to sell the pier.")
TWO_THATS_ROWS: list[Row] = [
    ("Hovhannisyan", 1, "nsubj", "PROPN"), ("said", 1, "ROOT", "VERB"),
    ("that", 6, "mark", "SCONJ"), ("the", 4, "det", "DET"), ("town", 6, "nsubj", "NOUN"),
    ("would", 6, "aux", "AUX"), ("apply", 1, "ccomp", "VERB"), ("for", 6, "prep", "ADP"),
    ("a", 9, "det", "DET"), ("grant", 7, "pobj", "NOUN"), ("and", 6, "cc", "CCONJ"),
    ("that", 14, "mark", "SCONJ"), ("the", 13, "det", "DET"), ("council", 14, "nsubj", "NOUN"),
    ("had", 6, "conj", "VERB"), ("no", 16, "det", "DET"), ("plans", 14, "dobj", "NOUN"),
    ("to", 18, "aux", "PART"), ("sell", 16, "acl", "VERB"), ("the", 20, "det", "DET"),
    ("pier", 18, "dobj", "NOUN"), (".", 1, "punct", "PUNCT"),
]


def test_coordinated_clause_with_its_own_that_is_a_second_reported_quote():
    doc = build(TWO_THATS, TWO_THATS_ROWS)
    quotes = quotes_of(doc, [mention(TWO_THATS, "Hovhannisyan", canonical="Lena Hovhannisyan")])
    assert [(q.kind, q.text) for q in quotes] == [
        ("indirect", "the town would apply for a grant"),
        ("indirect", "the council had no plans to sell the pier"),
    ]
    for q in quotes:
        assert q.cue is not None and (q.cue.text, q.cue.start_char) == ("said", 13)
        assert q.speaker is not None and q.speaker.text == "Hovhannisyan"
        assert (q.speaker_canonical, q.speaker_label) == ("Lena Hovhannisyan", "PERSON")


def test_coordinated_clause_without_its_own_that_stays_in_one_quote():
    text = ("Hovhannisyan said that the town would apply for a grant and the council would sell "
            "the pier.")
    doc = build(text, [
        ("Hovhannisyan", 1, "nsubj", "PROPN"), ("said", 1, "ROOT", "VERB"),
        ("that", 6, "mark", "SCONJ"), ("the", 4, "det", "DET"), ("town", 6, "nsubj", "NOUN"),
        ("would", 6, "aux", "AUX"), ("apply", 1, "ccomp", "VERB"), ("for", 6, "prep", "ADP"),
        ("a", 9, "det", "DET"), ("grant", 7, "pobj", "NOUN"), ("and", 6, "cc", "CCONJ"),
        ("the", 12, "det", "DET"), ("council", 14, "nsubj", "NOUN"), ("would", 14, "aux", "AUX"),
        ("sell", 6, "conj", "VERB"), ("the", 16, "det", "DET"), ("pier", 14, "dobj", "NOUN"),
        (".", 1, "punct", "PUNCT"),
    ])
    [q] = quotes_of(doc, [mention(text, "Hovhannisyan")])
    assert (q.kind, q.text) == (
        "indirect", "the town would apply for a grant and the council would sell the pier")


URGED = ("Hovhannisyan said the talks had failed, and urged both sides to return to the table.")
URGED_ROWS: list[Row] = [
    # The parser hangs "urged" from the reported clause, not from "said".
    ("Hovhannisyan", 1, "nsubj", "PROPN"), ("said", 1, "ROOT", "VERB"),
    ("the", 3, "det", "DET"), ("talks", 5, "nsubj", "NOUN"), ("had", 5, "aux", "AUX"),
    ("failed", 1, "ccomp", "VERB"), (",", 5, "punct", "PUNCT"), ("and", 5, "cc", "CCONJ"),
    ("urged", 5, "conj", "VERB"), ("both", 10, "det", "DET"), ("sides", 8, "dobj", "NOUN"),
    ("to", 12, "aux", "PART"), ("return", 8, "xcomp", "VERB"), ("to", 12, "prep", "ADP"),
    ("the", 15, "det", "DET"), ("table", 13, "pobj", "NOUN"), (".", 1, "punct", "PUNCT"),
]
URGED_MENTIONS = [mention(URGED, "Hovhannisyan", canonical="Lena Hovhannisyan")]


def test_coordinated_speech_verb_is_kept_out_of_the_reported_content():
    doc = build(URGED, URGED_ROWS)
    quotes = quotes_of(doc, URGED_MENTIONS)
    said = [q for q in quotes if q.cue is not None and q.cue.text == "said"]
    assert [(q.kind, q.text) for q in said] == [("indirect", "the talks had failed")]
    assert said[0].speaker_canonical == "Lena Hovhannisyan"
    assert not any("urged" in q.text for q in quotes)


def test_coordinated_speech_verb_reports_for_the_same_speaker():
    doc = build(URGED, URGED_ROWS)
    quotes = quotes_of(doc, URGED_MENTIONS)
    urged = [q for q in quotes if q.cue is not None and q.cue.text == "urged"]
    assert [q.text for q in urged] == ["to return to the table"]
    assert all(q.speaker_canonical == "Lena Hovhannisyan" for q in urged)
    assert all(q.speaker is not None and q.speaker.text == "Hovhannisyan" for q in urged)


def _club_rows(subject: list[Row]) -> list[Row]:
    """``<subject> said that the club would sign two players.``; ``subject`` rows hang from
    the verb at ``len(subject)``, their head word being the ``nsubj``."""
    v = len(subject)
    return [*subject, ("said", v, "ROOT", "VERB"), ("that", v + 5, "mark", "SCONJ"),
            ("the", v + 3, "det", "DET"), ("club", v + 5, "nsubj", "NOUN"),
            ("would", v + 5, "aux", "AUX"), ("sign", v, "ccomp", "VERB"),
            ("two", v + 7, "nummod", "NUM"), ("players", v + 5, "dobj", "NOUN"),
            (".", v, "punct", "PUNCT")]


CLUB_CONTENT = "the club would sign two players"


def test_possessive_role_does_not_resolve_to_the_owner():
    text = "Everton's director said that the club would sign two players."
    doc = build(text, _club_rows([
        ("Everton", 2, "poss", "PROPN"), ("'s", 0, "case", "PART"),
        ("director", 3, "nsubj", "NOUN"),
    ]))
    [q] = quotes_of(doc, [mention(text, "Everton", "ORG", canonical="Everton FC")])
    assert (q.kind, q.text) == ("indirect", CLUB_CONTENT)
    assert q.speaker is not None and q.speaker.text == "Everton's director"
    assert (q.speaker.start_char, q.speaker.end_char) == (0, len("Everton's director"))
    assert (q.speaker_canonical, q.speaker_label) == (None, None)


def test_possessive_role_with_an_apposed_name_resolves_to_the_name():
    text = "Everton's director, Karl Henshall, said that the club would sign two players."
    doc = build(text, _club_rows([
        ("Everton", 2, "poss", "PROPN"), ("'s", 0, "case", "PART"),
        ("director", 7, "nsubj", "NOUN"),
        (",", 2, "punct", "PUNCT"), ("Karl", 5, "compound", "PROPN"),
        ("Henshall", 2, "appos", "PROPN"), (",", 2, "punct", "PUNCT"),
    ]))
    mentions = [mention(text, "Everton", "ORG"), mention(text, "Karl Henshall")]
    [q] = quotes_of(doc, mentions)
    assert (q.kind, q.text) == ("indirect", CLUB_CONTENT)
    assert q.speaker is not None and q.speaker.text == "Everton's director"
    assert (q.speaker_canonical, q.speaker_label) == ("Karl Henshall", "PERSON")


def test_spokesperson_for_an_organisation_resolves_to_it():
    text = "A spokesperson for Acme Shipping said that the club would sign two players."
    doc = build(text, _club_rows([
        ("A", 1, "det", "DET"), ("spokesperson", 5, "nsubj", "NOUN"), ("for", 1, "prep", "ADP"),
        ("Acme", 4, "compound", "PROPN"), ("Shipping", 2, "pobj", "PROPN"),
    ]))
    [q] = quotes_of(doc, [mention(text, "Acme Shipping", "ORG")])
    assert (q.kind, q.text) == ("indirect", CLUB_CONTENT)
    assert q.speaker is not None and q.speaker.text == "A spokesperson"
    assert (q.speaker_canonical, q.speaker_label) == ("Acme Shipping", "ORG")


@pytest.mark.parametrize(
    ("first", "first_rows"),
    [
        # the organisation is the previous sentence's subject, a place is named after it
        ("Acme Shipping lost the case in Yerevan.",
         [("Acme", 1, "compound", "PROPN"), ("Shipping", 2, "nsubj", "PROPN"),
          ("lost", 2, "ROOT", "VERB"), ("the", 4, "det", "DET"), ("case", 2, "dobj", "NOUN"),
          ("in", 2, "prep", "ADP"), ("Yerevan", 5, "pobj", "PROPN"), (".", 2, "punct", "PUNCT")]),
        # the organisation is the object; the subject is no entity
        ("Investors sued Acme Shipping in Yerevan.",
         [("Investors", 1, "nsubj", "NOUN"), ("sued", 1, "ROOT", "VERB"),
          ("Acme", 3, "compound", "PROPN"), ("Shipping", 1, "dobj", "PROPN"),
          ("in", 1, "prep", "ADP"), ("Yerevan", 4, "pobj", "PROPN"), (".", 1, "punct", "PUNCT")]),
    ],
    ids=["org-subject", "org-object"],
)
def test_the_company_resolves_to_the_organisation_named_before(first, first_rows):
    text = f"{first} The company said that the club would sign two players."
    doc = build(text, first_rows, _club_rows([
        ("The", 1, "det", "DET"), ("company", 2, "nsubj", "NOUN"),
    ]))
    mentions = [mention(text, "Acme Shipping", "ORG", canonical="Acme Shipping Ltd"),
                mention(text, "Yerevan", "GPE")]
    [q] = quotes_of(doc, mentions)
    assert (q.kind, q.text, q.sentence_index) == ("indirect", CLUB_CONTENT, 1)
    assert q.speaker is not None and q.speaker.text == "The company"
    assert q.speaker.start_char == text.index("The company")
    assert (q.speaker_canonical, q.speaker_label) == ("Acme Shipping Ltd", "ORG")


def test_company_without_the_does_not_resolve():
    text = "Acme Shipping lost the case. A company said that the club would sign two players."
    doc = build(
        text,
        [("Acme", 1, "compound", "PROPN"), ("Shipping", 2, "nsubj", "PROPN"),
         ("lost", 2, "ROOT", "VERB"), ("the", 4, "det", "DET"), ("case", 2, "dobj", "NOUN"),
         (".", 2, "punct", "PUNCT")],
        _club_rows([("A", 1, "det", "DET"), ("company", 2, "nsubj", "NOUN")]),
    )
    [q] = quotes_of(doc, [mention(text, "Acme Shipping", "ORG")])
    assert q.speaker is not None and q.speaker.text == "A company"
    assert q.speaker_canonical is None


RUBEN_QUOTE = "“Rúben is exactly the profile we wanted,” he said."
RUBEN_ROWS: list[Row] = [
    ("“", 11, "punct", "PUNCT"), ("Rúben", 2, "nsubj", "PROPN"), ("is", 11, "ccomp", "AUX"),
    ("exactly", 5, "advmod", "ADV"), ("the", 5, "det", "DET"), ("profile", 2, "attr", "NOUN"),
    ("we", 7, "nsubj", "PRON"), ("wanted", 5, "relcl", "VERB"), (",", 11, "punct", "PUNCT"),
    ("”", 11, "punct", "PUNCT"), ("he", 11, "nsubj", "PRON"), ("said", 11, "ROOT", "VERB"),
    (".", 11, "punct", "PUNCT"),
]


@pytest.mark.parametrize(
    ("first", "first_rows", "expected"),
    [
        ("Davit Sargsyan met the coach.",
         [("Davit", 1, "compound", "PROPN"), ("Sargsyan", 2, "nsubj", "PROPN"),
          ("met", 2, "ROOT", "VERB"), ("the", 4, "det", "DET"), ("coach", 2, "dobj", "NOUN"),
          (".", 2, "punct", "PUNCT")],
         ("Davit Sargsyan", "PERSON")),
        ("The board met the coach.",
         [("The", 1, "det", "DET"), ("board", 2, "nsubj", "NOUN"), ("met", 2, "ROOT", "VERB"),
          ("the", 4, "det", "DET"), ("coach", 2, "dobj", "NOUN"), (".", 2, "punct", "PUNCT")],
         (None, None)),
    ],
    ids=["person-outside", "nobody-outside"],
)
def test_pronoun_never_resolves_to_a_person_named_inside_the_quote(first, first_rows, expected):
    text = f"{first} {RUBEN_QUOTE}"
    doc = build(text, first_rows, RUBEN_ROWS)
    mentions = [mention(text, "Rúben", canonical="Rúben Amorim")]
    if "Davit" in text:
        mentions.insert(0, mention(text, "Davit Sargsyan"))
    [q] = quotes_of(doc, mentions)
    assert (q.kind, q.text) == ("direct", "Rúben is exactly the profile we wanted,")
    assert q.speaker is not None and q.speaker.text == "he"
    assert q.speaker.start_char == text.index(" he ") + 1
    assert (q.speaker_canonical, q.speaker_label) == expected


def test_speech_verb_coordinated_with_said_reports_for_the_same_speaker():
    # The usual parse: "urged" hangs from "said", so "said" keeps its whole clause.
    rows = list(URGED_ROWS)
    rows[6], rows[7], rows[8] = (",", 1, "punct", "PUNCT"), ("and", 1, "cc", "CCONJ"), (
        "urged", 1, "conj", "VERB")
    quotes = quotes_of(build(URGED, rows), URGED_MENTIONS)
    assert [(q.text, q.cue.text if q.cue else None, q.speaker_canonical) for q in quotes] == [
        ("the talks had failed", "said", "Lena Hovhannisyan"),
        ("to return to the table", "urged", "Lena Hovhannisyan"),
    ]


# -- speakers resolved in text order, with gender agreement ------------------------------------

MET = "Sarah Lin met Mr. Adebayo on Monday. “We will rebuild,” she said."
MET_ROWS: tuple[list[Row], ...] = (
    [("Sarah", 1, "compound", "PROPN"), ("Lin", 2, "nsubj", "PROPN"), ("met", 2, "ROOT", "VERB"),
     ("Mr.", 4, "compound", "PROPN"), ("Adebayo", 2, "dobj", "PROPN"), ("on", 2, "prep", "ADP"),
     ("Monday", 5, "pobj", "PROPN"), (".", 2, "punct", "PUNCT")],
    [("“", 7, "punct", "PUNCT"), ("We", 3, "nsubj", "PRON"), ("will", 3, "aux", "AUX"),
     ("rebuild", 7, "ccomp", "VERB"), (",", 7, "punct", "PUNCT"), ("”", 7, "punct", "PUNCT"),
     ("she", 7, "nsubj", "PRON"), ("said", 7, "ROOT", "VERB"), (".", 7, "punct", "PUNCT")],
)


def test_pronoun_agrees_in_gender_with_its_person():
    doc = build(MET, *MET_ROWS)
    # "Mr." makes Adebayo a man, the given name Sarah makes Lin a woman: "she" is Lin, although
    # Adebayo was named last.
    [q] = quotes_of(doc, [mention(MET, "Sarah Lin"), mention(MET, "Adebayo")])
    assert q.speaker_canonical == "Sarah Lin"
    assert q.speaker_method in {"pronoun-subject", "pronoun-previous-speaker"}
    assert q.speaker_confidence is not None and 0 < q.speaker_confidence < 1


@pytest.mark.parametrize(
    ("title", "expected"),
    [("Mr.", "m"), ("Mrs.", "f"), ("Ms.", "f")],
)
def test_honorific_before_a_mention_tells_the_gender(title, expected):
    text = f"{title} Okafor spoke. Dana Okafor left."
    found = entity_genders(text, [mention(text, "Okafor", canonical="Dana Okafor"),
                                  mention(text, "Dana Okafor")])
    assert found == {"Dana Okafor": expected}


@pytest.mark.parametrize(
    "name", ["Home Secretary Sarah Lin", "former Sen. Sarah Lin", "the Rev. Sarah Lin"])
def test_titles_before_the_given_name_are_skipped(name):
    text = f"{name} spoke."
    assert entity_genders(text, [mention(text, name)]) == {name: "f"}


def test_unknown_or_conflicting_gender_is_left_out():
    text = "Mr. Quill met Mrs. Quill. Robin Vale came."
    found = entity_genders(text, [mention(text, "Quill", canonical="Ash Quill"),
                                  Mention(text.index("Quill.") , text.index("Quill.") + 5,
                                          "Quill", "PERSON", "Ash Quill", 0),
                                  mention(text, "Robin Vale")])
    assert found == {}  # a man and a woman under one name; Robin is not a gendered name


HADDAD = ("“The deal is done,” Sarah Haddad said. Officials praised Omar Sayed. "
          "“It took a year,” she said.")
HADDAD_ROWS: tuple[list[Row], ...] = (
    [("“", 9, "punct", "PUNCT"), ("The", 2, "det", "DET"), ("deal", 4, "nsubjpass", "NOUN"),
     ("is", 4, "auxpass", "AUX"), ("done", 9, "ccomp", "VERB"), (",", 9, "punct", "PUNCT"),
     ("”", 9, "punct", "PUNCT"), ("Sarah", 8, "compound", "PROPN"), ("Haddad", 9, "nsubj", "PROPN"),
     ("said", 9, "ROOT", "VERB"), (".", 9, "punct", "PUNCT")],
    [("Officials", 1, "nsubj", "NOUN"), ("praised", 1, "ROOT", "VERB"),
     ("Omar", 3, "compound", "PROPN"), ("Sayed", 1, "dobj", "PROPN"), (".", 1, "punct", "PUNCT")],
    [("“", 8, "punct", "PUNCT"), ("It", 2, "nsubj", "PRON"), ("took", 8, "ccomp", "VERB"),
     ("a", 4, "det", "DET"), ("year", 2, "dobj", "NOUN"), (",", 8, "punct", "PUNCT"),
     ("”", 8, "punct", "PUNCT"), ("she", 8, "nsubj", "PRON"), ("said", 8, "ROOT", "VERB"),
     (".", 8, "punct", "PUNCT")],
)


@pytest.mark.parametrize(
    ("pronoun", "expected", "method"),
    [
        # the previous quote's speaker, agreeing, though someone else was named since
        ("she", "Sarah Haddad", "pronoun-previous-speaker"),
        # the previous speaker does not agree: the nearest agreeing person instead
        ("he", "Omar Sayed", "pronoun-recent"),
    ],
)
def test_pronoun_prefers_the_previous_speaker_when_gender_agrees(pronoun, expected, method):
    text = HADDAD.replace("she said", f"{pronoun} said")
    rows = [list(r) for r in HADDAD_ROWS]
    rows[2][7] = (pronoun, 8, "nsubj", "PRON")
    doc = build(text, *rows)
    found = quotes_of(doc, [mention(text, "Sarah Haddad"), mention(text, "Omar Sayed")])
    second = max(found, key=lambda q: q.start_char)
    assert (second.speaker_canonical, second.speaker_method) == (expected, method)


def test_pronoun_takes_a_person_who_became_the_subject_since_the_last_quote():
    text = ("“The deal is done,” Sarah Haddad said. Maria Sayed, her deputy, signed it. "
            "“It took a year,” she said.")
    rows = [HADDAD_ROWS[0],
            [("Maria", 1, "compound", "PROPN"), ("Sayed", 6, "nsubj", "PROPN"),
             (",", 1, "punct", "PUNCT"), ("her", 4, "poss", "PRON"), ("deputy", 1, "appos", "NOUN"),
             (",", 1, "punct", "PUNCT"), ("signed", 6, "ROOT", "VERB"), ("it", 6, "dobj", "PRON"),
             (".", 6, "punct", "PUNCT")],
            HADDAD_ROWS[2]]
    doc = build(text, *rows)
    found = quotes_of(doc, [mention(text, "Sarah Haddad"), mention(text, "Maria Sayed")])
    second = max(found, key=lambda q: q.start_char)
    assert (second.speaker_canonical, second.speaker_method) == ("Maria Sayed", "pronoun-subject")


def test_relative_who_resolves_to_the_noun_it_hangs_from():
    text = "The fund hired Paul Otte, who said the bonds were safe."
    rows: list[Row] = [
        ("The", 1, "det", "DET"), ("fund", 2, "nsubj", "NOUN"), ("hired", 2, "ROOT", "VERB"),
        ("Paul", 4, "compound", "PROPN"), ("Otte", 2, "dobj", "PROPN"), (",", 4, "punct", "PUNCT"),
        ("who", 7, "nsubj", "PRON"), ("said", 4, "relcl", "VERB"), ("the", 9, "det", "DET"),
        ("bonds", 10, "nsubj", "NOUN"), ("were", 7, "ccomp", "AUX"), ("safe", 10, "acomp", "ADJ"),
        (".", 2, "punct", "PUNCT")]
    [q] = quotes_of(build(text, rows), [mention(text, "Paul Otte")])
    assert (q.text, q.speaker_canonical, q.speaker_method) == (
        "the bonds were safe", "Paul Otte", "relative")


def test_unresolved_speaker_has_no_confidence():
    doc = build(DIRECT_AFTER, DIRECT_AFTER_ROWS)
    [q] = quotes_of(doc, [])
    assert q.speaker_canonical is None and q.speaker_confidence is None
    assert q.speaker_method == "unresolved"


def test_every_method_has_a_confidence_between_zero_and_one():
    assert set(CONFIDENCE) >= {"name", "apposition", "pronoun-subject", "inherited", "unresolved"}
    assert all(0 <= value <= 1 for value in CONFIDENCE.values())


# -- what reporting verbs report -----------------------------------------------------------------

DENIED = "The ministry denied any involvement in the attack."
DENIED_ROWS: list[Row] = [
    ("The", 1, "det", "DET"), ("ministry", 2, "nsubj", "NOUN"), ("denied", 2, "ROOT", "VERB"),
    ("any", 4, "det", "DET"), ("involvement", 2, "dobj", "NOUN"), ("in", 4, "prep", "ADP"),
    ("the", 7, "det", "DET"), ("attack", 5, "pobj", "NOUN"), (".", 2, "punct", "PUNCT")]


def test_noun_object_of_a_reporting_verb_is_what_was_reported():
    [q] = quotes_of(build(DENIED, DENIED_ROWS), [])
    assert (q.kind, q.text, q.cue and q.cue.text) == (
        "indirect", "any involvement in the attack", "denied")


@pytest.mark.parametrize("verb", ["told", "urged", "asked"])
def test_object_of_a_verb_of_addressing_is_the_listener_not_a_statement(verb):
    text = f"The mayor {verb} the striking dockers."
    rows: list[Row] = [("The", 1, "det", "DET"), ("mayor", 2, "nsubj", "NOUN"),
                       (verb, 2, "ROOT", "VERB"), ("the", 5, "det", "DET"),
                       ("striking", 5, "amod", "ADJ"), ("dockers", 2, "dobj", "NOUN"),
                       (".", 2, "punct", "PUNCT")]
    assert quotes_of(build(text, rows), []) == []


def test_object_pronoun_alone_reports_nothing():
    text = "The ministry denied it."
    rows: list[Row] = [("The", 1, "det", "DET"), ("ministry", 2, "nsubj", "NOUN"),
                       ("denied", 2, "ROOT", "VERB"), ("it", 2, "dobj", "PRON"),
                       (".", 2, "punct", "PUNCT")]
    assert quotes_of(build(text, rows), []) == []


def test_reported_clause_around_a_quoted_fragment_is_one_mixed_quote():
    text = "Baker said the probe was “ongoing.”"
    rows: list[Row] = [
        ("Baker", 1, "nsubj", "PROPN"), ("said", 1, "ROOT", "VERB"), ("the", 3, "det", "DET"),
        ("probe", 4, "nsubj", "NOUN"), ("was", 1, "ccomp", "AUX"), ("“", 6, "punct", "PUNCT"),
        ("ongoing", 4, "acomp", "ADJ"), (".", 4, "punct", "PUNCT"), ("”", 4, "punct", "PUNCT")]
    [q] = quotes_of(build(text, rows), [mention(text, "Baker")])
    assert (q.kind, q.text, q.speaker_canonical) == ("mixed", "the probe was “ongoing.”", "Baker")


def test_trailing_participle_of_the_writer_is_not_part_of_the_content():
    text = "He said the plan was sound, arguing that costs would fall."
    rows: list[Row] = [
        ("He", 1, "nsubj", "PRON", "PRP"), ("said", 1, "ROOT", "VERB", "VBD"),
        ("the", 3, "det", "DET", "DT"), ("plan", 4, "nsubj", "NOUN", "NN"),
        ("was", 1, "ccomp", "AUX", "VBD"), ("sound", 4, "acomp", "ADJ", "JJ"),
        (",", 4, "punct", "PUNCT", ","), ("arguing", 4, "advcl", "VERB", "VBG"),
        ("that", 11, "mark", "SCONJ", "IN"), ("costs", 11, "nsubj", "NOUN", "NNS"),
        ("would", 11, "aux", "AUX", "MD"), ("fall", 7, "ccomp", "VERB", "VB"),
        (".", 1, "punct", "PUNCT", ".")]
    texts = sorted(q.text for q in quotes_of(build(text, rows), []))
    # "arguing" reports its own clause (same speaker); the first content stops at the comma
    assert texts == ["costs would fall", "the plan was sound"]


def test_coordinated_narration_without_its_own_subject_is_cut():
    text = "The mayor insists the city must change, and has championed cuts to the budget."
    rows: list[Row] = [
        ("The", 1, "det", "DET", "DT"), ("mayor", 2, "nsubj", "NOUN", "NN"),
        ("insists", 2, "ROOT", "VERB", "VBZ"), ("the", 4, "det", "DET", "DT"),
        ("city", 6, "nsubj", "NOUN", "NN"), ("must", 6, "aux", "AUX", "MD"),
        ("change", 2, "ccomp", "VERB", "VB"), (",", 6, "punct", "PUNCT", ","),
        ("and", 6, "cc", "CCONJ", "CC"), ("has", 10, "aux", "AUX", "VBZ"),
        ("championed", 6, "conj", "VERB", "VBN"), ("cuts", 10, "dobj", "NOUN", "NNS"),
        ("to", 11, "prep", "ADP", "IN"), ("the", 14, "det", "DET", "DT"),
        ("budget", 12, "pobj", "NOUN", "NN"), (".", 2, "punct", "PUNCT", ".")]
    [q] = quotes_of(build(text, rows), [])
    assert q.text == "the city must change"


def test_gerund_after_a_preposition_speaks_for_the_subject_of_its_verb():
    text = "Kerr left after saying that the talks had failed."
    rows: list[Row] = [
        ("Kerr", 1, "nsubj", "PROPN"), ("left", 1, "ROOT", "VERB"), ("after", 1, "prep", "ADP"),
        ("saying", 2, "pcomp", "VERB"), ("that", 8, "mark", "SCONJ"), ("the", 6, "det", "DET"),
        ("talks", 8, "nsubj", "NOUN"), ("had", 8, "aux", "AUX"), ("failed", 3, "ccomp", "VERB"),
        (".", 1, "punct", "PUNCT")]
    [q] = quotes_of(build(text, rows), [mention(text, "Kerr")])
    assert (q.text, q.speaker_canonical) == ("the talks had failed", "Kerr")


# -- direct quotes: marks, signatures, long speaker phrases, colon cues ---------------------------

def test_apostrophe_pairs_mark_a_direct_quote():
    text = "''We will not give up,'' said Ana Petrosyan."
    rows = [("''", 8, "punct", "PUNCT"), *DIRECT_AFTER_ROWS[1:7], ("''", 8, "punct", "PUNCT"),
            *DIRECT_AFTER_ROWS[8:]]
    [q] = quotes_of(build(text, rows), [mention(text, "Ana Petrosyan")])
    assert (q.kind, q.text, q.speaker_canonical) == ("direct", "We will not give up,",
                                                     "Ana Petrosyan")


def test_quote_signed_with_a_dash_and_a_name_is_attributed_to_the_name():
    text = "“Fear is all I see in this race.” ― Ana Lopez, 34, Houston"
    doc = flat(text)
    [q] = quotes_of(doc, [mention(text, "Ana Lopez")])
    assert (q.text, q.speaker_canonical, q.cue and q.cue.text) == (
        "Fear is all I see in this race.", "Ana Lopez", "―")


def test_dash_before_something_other_than_a_name_is_no_signature():
    text = "“Fear is all I see in this race.” ― and then the debate ended"
    [q] = quotes_of(flat(text), [])
    assert q.cue is None  # a floating quote, not signed


def test_long_speaker_phrase_between_quote_and_verb():
    text = "“It is a dog whistle,” Rep. Gwen Moore (D-Wis.), a member of the caucus, said."
    speaker_rows: list[Row] = [
        ("Rep.", 2, "compound", "PROPN"), ("Gwen", 2, "compound", "PROPN"),
        ("Moore", 15, "nsubj", "PROPN"), ("(", 2, "punct", "PUNCT"), ("D", 6, "compound", "PROPN"),
        ("-", 6, "punct", "PUNCT"), ("Wis.", 2, "appos", "PROPN"), (")", 2, "punct", "PUNCT"),
        (",", 2, "punct", "PUNCT"), ("a", 10, "det", "DET"), ("member", 2, "appos", "NOUN"),
        ("of", 10, "prep", "ADP"), ("the", 13, "det", "DET"), ("caucus", 11, "pobj", "NOUN"),
        (",", 2, "punct", "PUNCT"), ("said", 15, "ROOT", "VERB"), (".", 15, "punct", "PUNCT")]
    said = 8 + 15  # eight tokens of quote, then the speaker phrase
    quote_rows: list[Row] = [
        ("“", said, "punct", "PUNCT"), ("It", 2, "nsubj", "PRON"), ("is", said, "ccomp", "AUX"),
        ("a", 5, "det", "DET"), ("dog", 5, "compound", "NOUN"), ("whistle", 2, "attr", "NOUN"),
        (",", said, "punct", "PUNCT"), ("”", said, "punct", "PUNCT")]
    rows = quote_rows + [(w, h + 8, d, p) for w, h, d, p in speaker_rows]
    [q] = quotes_of(build(text, rows), [mention(text, "Gwen Moore")])
    assert (q.text, q.speaker_canonical) == ("It is a dog whistle,", "Gwen Moore")


def test_far_off_verb_with_other_words_between_is_not_the_attribution():
    # "said" is 8+ words away and what stands between is not its subject
    text = "“It is a dog whistle to every voter,” the crowd chanted again and again as Moore said."
    doc = flat(text)
    [q] = quotes_of(doc, [mention(text, "Moore")])
    assert q.cue is None


def test_colon_at_the_end_of_a_paragraph_introduces_the_quote_below():
    text = "Trump said:\n“We have a situation in our inner cities.”"
    rows: tuple[list[Row], ...] = (
        [("Trump", 1, "nsubj", "PROPN"), ("said", 1, "ROOT", "VERB"), (":", 1, "punct", "PUNCT"),
         nl(1)],
        [("“", 2, "punct", "PUNCT"), ("We", 2, "nsubj", "PRON"), ("have", 2, "ROOT", "VERB"),
         ("a", 4, "det", "DET"), ("situation", 2, "dobj", "NOUN"), ("in", 4, "prep", "ADP"),
         ("our", 9, "poss", "PRON"), ("inner", 9, "amod", "ADJ"), ("cities", 5, "pobj", "NOUN"),
         (".", 2, "punct", "PUNCT"), ("”", 2, "punct", "PUNCT")],
    )
    [q] = quotes_of(build(text, *rows), [mention(text, "Trump")])
    assert (q.kind, q.speaker_canonical, q.cue and q.cue.text) == ("direct", "Trump", "said")


def test_subject_inside_the_quote_is_a_misparse_and_the_name_by_the_verb_speaks():
    text = "“I will stay,” said Kerr."
    # the parser hangs the quote's own "I" on "said" as its subject
    rows: list[Row] = [
        ("“", 6, "punct", "PUNCT"), ("I", 6, "nsubj", "PRON"), ("will", 3, "aux", "AUX"),
        ("stay", 6, "ccomp", "VERB"), (",", 6, "punct", "PUNCT"), ("”", 6, "punct", "PUNCT"),
        ("said", 6, "ROOT", "VERB"), ("Kerr", 6, "dobj", "PROPN"), (".", 6, "punct", "PUNCT")]
    [q] = quotes_of(build(text, rows), [mention(text, "Kerr")])
    assert (q.text, q.speaker_canonical) == ("I will stay,", "Kerr")


@pytest.mark.parametrize(("particle", "found"), [("out", True), ("up", False)])
def test_phrasal_speech_verb_counts_only_with_its_particle(particle, found):
    text = f"He pointed {particle} that the talks had failed."
    rows: list[Row] = [
        ("He", 1, "nsubj", "PRON"), ("pointed", 1, "ROOT", "VERB"), (particle, 1, "prt", "ADP"),
        ("that", 7, "mark", "SCONJ"), ("the", 5, "det", "DET"), ("talks", 7, "nsubj", "NOUN"),
        ("had", 7, "aux", "AUX"), ("failed", 1, "ccomp", "VERB"), (".", 1, "punct", "PUNCT")]
    texts = [q.text for q in quotes_of(build(text, rows), [])]
    assert texts == (["the talks had failed"] if found else [])


def test_passive_speech_verb_without_an_agent_has_no_speaker():
    text = "Kerr was asked whether the talks had failed."
    rows: list[Row] = [
        ("Kerr", 2, "nsubjpass", "PROPN"), ("was", 2, "auxpass", "AUX"),
        ("asked", 2, "ROOT", "VERB"),
        ("whether", 7, "mark", "SCONJ"), ("the", 5, "det", "DET"), ("talks", 7, "nsubj", "NOUN"),
        ("had", 7, "aux", "AUX"), ("failed", 2, "ccomp", "VERB"), (".", 2, "punct", "PUNCT")]
    [q] = quotes_of(build(text, rows), [mention(text, "Kerr")])
    assert q.text == "the talks had failed"  # Kerr was asked; who asked is not said
    assert q.speaker is None and q.speaker_canonical is None


# --- A quote left open at the end of its paragraph; long texts -----------------------------

UNCLOSED = ("Tottenham said in a statement: “Jose is one of the best managers.\n"
            "“He has won titles in four countries.\n"
            "Club statement")
UNCLOSED_ROWS: tuple[list[Row], ...] = (
    [("Tottenham", 1, "nsubj", "PROPN"), ("said", 1, "ROOT", "VERB"), ("in", 1, "prep", "ADP"),
     ("a", 4, "det", "DET"), ("statement", 2, "pobj", "NOUN"), (":", 1, "punct", "PUNCT"),
     ("“", 8, "punct", "PUNCT"), ("Jose", 8, "nsubj", "PROPN"), ("is", 1, "ccomp", "AUX"),
     ("one", 8, "attr", "NUM"), ("of", 9, "prep", "ADP"), ("the", 13, "det", "DET"),
     ("best", 13, "amod", "ADJ"), ("managers", 10, "pobj", "NOUN"), (".", 1, "punct", "PUNCT"),
     nl(1)],
    [("“", 3, "punct", "PUNCT"), ("He", 3, "nsubj", "PRON"), ("has", 3, "aux", "AUX"),
     ("won", 3, "ROOT", "VERB"), ("titles", 3, "dobj", "NOUN"), ("in", 3, "prep", "ADP"),
     ("four", 7, "nummod", "NUM"), ("countries", 5, "pobj", "NOUN"), (".", 3, "punct", "PUNCT"),
     nl(3)],
    [("Club", 1, "compound", "NOUN"), ("statement", 1, "ROOT", "NOUN")],
)


def test_quote_left_open_at_the_end_of_its_paragraph_ends_there():
    # The passage has no closing mark, so the window after it is empty (it once ran backwards
    # and spaCy raised E035); the attribution before the opening mark still holds.
    doc = build(UNCLOSED, *UNCLOSED_ROWS)
    [q] = quotes_of(doc, [mention(UNCLOSED, "Tottenham", "ORG")])
    assert (q.kind, q.text) == ("direct", "Jose is one of the best managers.")
    assert q.cue is not None and q.cue.text == "said"
    assert (q.speaker_canonical, q.speaker_label) == ("Tottenham", "ORG")


def test_quote_continued_into_a_paragraph_that_is_left_open_ends_with_that_paragraph():
    # Two paragraphs of one quote, then a third that opens with a mark but never continues
    # it: the quote ends with the second paragraph, again with nothing after its end.
    text = UNCLOSED.replace("Club statement", "“Club statement")
    rows = (*UNCLOSED_ROWS[:2], [("“", 2, "punct", "PUNCT"), *UNCLOSED_ROWS[2]])
    doc = build(text, *rows)
    [q] = quotes_of(doc, [mention(text, "Tottenham", "ORG")])
    assert (q.kind, q.text) == (
        "direct", "Jose is one of the best managers.\n“He has won titles in four countries.")
    assert q.cue is not None and q.cue.text == "said"
    assert q.speaker_canonical == "Tottenham"


def long_story(copies: int, doc_class: type[Doc] = Doc) -> tuple[Doc, list[Mention]]:
    """STORY and ACCORDING_LAST, as paragraphs, ``copies`` times over, with their mentions:
    direct, floating, indirect and pronoun-attributed quotes that grow with the text."""
    unit = STORY + "\n" + ACCORDING_LAST
    text = "\n".join([unit] * copies)
    sentences: list[list[Row]] = []
    for copy in range(copies):
        last = copy == copies - 1
        sentences += [*STORY_SENTENCES[:-1], [*STORY_SENTENCES[-1], nl(4)],
                      ACCORDING_LAST_ROWS[0],
                      ACCORDING_LAST_ROWS[1] if last else [*ACCORDING_LAST_ROWS[1], nl(3)]]
    mentions = [Mention(m.start(), m.end(), m.group(), label, m.group(), 0)
                for name, label in (("Davit Sargsyan", "PERSON"), ("Harbour Authority", "ORG"))
                for m in re.finditer(name, text)]
    return build(text, *sentences, doc_class=doc_class), sorted(
        mentions, key=lambda m: m.start_char)


def test_long_story_repeats_the_quotes_of_one_copy():
    one, one_mentions = long_story(1)
    doc, mentions = long_story(3)
    def in_text_order(quotes: list[Quote]) -> list[tuple[str, str, str | None]]:
        return [(q.text, q.kind, q.speaker_canonical)
                for q in sorted(quotes, key=lambda q: q.start_char)]

    once = in_text_order(quotes_of(one, one_mentions))
    assert len(once) == 4
    assert in_text_order(quotes_of(doc, mentions)) == once * 3


class CountingDoc(Doc):
    """A Doc that counts how often its whole text is rebuilt (``Doc.text`` joins every
    token)."""

    built = 0

    @property
    def text(self) -> str:
        type(self).built += 1
        return str(super().text)


def test_the_document_text_is_built_a_fixed_number_of_times_however_long_the_text():
    counts = []
    for copies in (1, 12):
        doc, mentions = long_story(copies, CountingDoc)
        CountingDoc.built = 0
        extract_quotes(doc, mentions)
        counts.append(CountingDoc.built)
    assert counts[0] == counts[1] <= 2


def _seconds(copies: int) -> float:
    doc, mentions = long_story(copies)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        extract_quotes(doc, mentions)
        best = min(best, time.perf_counter() - started)
    return best


def test_quote_time_grows_linearly_with_the_text():
    # Sixteen times the text: a linear rule set takes about sixteen times as long, a
    # quadratic one 256 times; the bound (128) leaves room for a busy machine.
    small, large = _seconds(12), _seconds(12 * 16)
    assert large < 16 * 8 * small, (small, large)  # half of quadratic: noise-proof

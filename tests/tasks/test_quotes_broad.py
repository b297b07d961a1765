"""Reported speech beyond speech verbs ("called … “…”", "called for", "cited … as"),
"according to" in the middle of a sentence, and speakers named by a word of an earlier name:
extract_quotes on hand-built spaCy Docs (no model loaded)."""

from __future__ import annotations

from test_quotes import build, mention, quotes_of

from newsmill.tasks.quotes import CONFIDENCE, speech_verbs


def test_called_the_object_a_name():
    text = "Rubio called the statement “offensive and outlandish.”"
    doc = build(text, [
        ("Rubio", 1, "nsubj", "PROPN"), ("called", 1, "ROOT", "VERB"), ("the", 3, "det", "DET"),
        ("statement", 1, "dobj", "NOUN"), ("“", 5, "punct", "PUNCT"),
        ("offensive", 1, "oprd", "ADJ"), ("and", 5, "cc", "CCONJ"),
        ("outlandish", 5, "conj", "ADJ"), (".", 1, "punct", "PUNCT"), ("”", 1, "punct", "PUNCT"),
    ])
    [q] = quotes_of(doc, [mention(text, "Rubio", canonical="Marco Rubio")])
    # The closing mark the parser hung on the verb comes back with its stop.
    assert (q.kind, q.text) == ("mixed", "the statement “offensive and outlandish.”")
    assert q.cue is not None and q.cue.text == "called"
    assert q.speaker_canonical == "Marco Rubio"


def test_called_for_and_called_on():
    text = "Trump called for a complete repeal of the law."
    doc = build(text, [
        ("Trump", 1, "nsubj", "PROPN"), ("called", 1, "ROOT", "VERB"), ("for", 1, "prep", "ADP"),
        ("a", 5, "det", "DET"), ("complete", 5, "amod", "ADJ"), ("repeal", 2, "pobj", "NOUN"),
        ("of", 5, "prep", "ADP"), ("the", 8, "det", "DET"), ("law", 6, "pobj", "NOUN"),
        (".", 1, "punct", "PUNCT"),
    ])
    [q] = quotes_of(doc, [mention(text, "Trump")])
    assert (q.kind, q.text, q.speaker_canonical) == ("indirect", "a complete repeal of the law",
                                                     "Trump")
    # "Called on X to do Y" is left out (the sample corpus's truth does not count it).
    text = "Palmieri called on Trump to stop attacking Machado."
    doc = build(text, [
        ("Palmieri", 1, "nsubj", "PROPN"), ("called", 1, "ROOT", "VERB"),
        ("on", 1, "prep", "ADP"), ("Trump", 2, "pobj", "PROPN"), ("to", 5, "aux", "PART"),
        ("stop", 1, "xcomp", "VERB", "VB"), ("attacking", 5, "xcomp", "VERB", "VBG"),
        ("Machado", 6, "dobj", "PROPN"), (".", 1, "punct", "PUNCT"),
    ])
    assert quotes_of(doc, [mention(text, "Palmieri")]) == []


def test_call_that_names_or_asks_nothing_is_no_quote():
    # Called off, called a meeting, and a passive ("was called a liar": by whom is not said).
    off = "The council called off the vote."
    doc = build(off, [
        ("The", 1, "det", "DET"), ("council", 2, "nsubj", "NOUN"), ("called", 2, "ROOT", "VERB"),
        ("off", 2, "prt", "ADP"), ("the", 5, "det", "DET"), ("vote", 2, "dobj", "NOUN"),
        (".", 2, "punct", "PUNCT"),
    ])
    assert quotes_of(doc, []) == []
    meeting = "The mayor called a meeting."
    doc = build(meeting, [
        ("The", 1, "det", "DET"), ("mayor", 2, "nsubj", "NOUN"), ("called", 2, "ROOT", "VERB"),
        ("a", 4, "det", "DET"), ("meeting", 2, "dobj", "NOUN"), (".", 2, "punct", "PUNCT"),
    ])
    assert quotes_of(doc, []) == []
    liar = "He was called a liar by nobody."
    doc = build(liar, [
        ("He", 2, "nsubjpass", "PRON"), ("was", 2, "auxpass", "AUX"),
        ("called", 2, "ROOT", "VERB", "VBN"), ("a", 4, "det", "DET"), ("liar", 2, "oprd", "NOUN"),
        ("by", 2, "prep", "ADP"), ("nobody", 5, "pobj", "PRON"), (".", 2, "punct", "PUNCT"),
    ])
    assert quotes_of(doc, []) == []


def test_cited_the_object_as_what_it_shows():
    text = "Clinton cited his remarks as proof of his temperament."
    doc = build(text, [
        ("Clinton", 1, "nsubj", "PROPN"), ("cited", 1, "ROOT", "VERB"), ("his", 3, "poss", "PRON"),
        ("remarks", 1, "dobj", "NOUN"), ("as", 1, "prep", "ADP"), ("proof", 4, "pobj", "NOUN"),
        ("of", 5, "prep", "ADP"), ("his", 8, "poss", "PRON"), ("temperament", 6, "pobj", "NOUN"),
        (".", 1, "punct", "PUNCT"),
    ])
    [q] = quotes_of(doc, [mention(text, "Clinton", canonical="Hillary Clinton")])
    assert (q.kind, q.text) == ("indirect", "his remarks as proof of his temperament")
    assert q.speaker_canonical == "Hillary Clinton"
    # "mention" is no speech verb: a quotation is not attributed to it.
    assert "mentioned" not in speech_verbs()


TESTER = "Jon Tester chairs the panel. Tester said the bank had failed its customers."
TESTER_ROWS = (
    [("Jon", 1, "compound", "PROPN"), ("Tester", 2, "nsubj", "PROPN"),
     ("chairs", 2, "ROOT", "VERB"), ("the", 4, "det", "DET"), ("panel", 2, "dobj", "NOUN"),
     (".", 2, "punct", "PUNCT")],
    [("Tester", 1, "nsubj", "PROPN"), ("said", 1, "ROOT", "VERB"), ("the", 3, "det", "DET"),
     ("bank", 5, "nsubj", "NOUN"), ("had", 5, "aux", "AUX"), ("failed", 1, "ccomp", "VERB"),
     ("its", 7, "poss", "PRON"), ("customers", 5, "dobj", "NOUN"), (".", 1, "punct", "PUNCT")],
)


def test_a_surname_the_model_missed_names_the_person_named_before():
    doc = build(TESTER, *TESTER_ROWS)
    [q] = quotes_of(doc, [mention(TESTER, "Jon Tester")])
    assert q.text == "the bank had failed its customers"
    assert q.speaker is not None and q.speaker.text == "Tester"
    assert (q.speaker_canonical, q.speaker_method) == ("Jon Tester", "name-word")
    assert q.speaker_confidence == CONFIDENCE["name-word"]
    # A proper noun naming nobody in the document stays unresolved.
    [q] = quotes_of(doc, [])
    assert (q.speaker_canonical, q.speaker_method) == (None, "unresolved")


def test_according_to_in_the_middle_takes_the_longer_side():
    text = "At the heart of it, according to Dennis Ross, was a decision by the president in 2009."
    doc = build(text, [
        ("At", 11, "prep", "ADP"), ("the", 2, "det", "DET"), ("heart", 0, "pobj", "NOUN"),
        ("of", 2, "prep", "ADP"), ("it", 3, "pobj", "PRON"), (",", 11, "punct", "PUNCT"),
        ("according", 11, "prep", "VERB"), ("to", 6, "prep", "ADP"),
        ("Dennis", 9, "compound", "PROPN"), ("Ross", 7, "pobj", "PROPN"),
        (",", 11, "punct", "PUNCT"), ("was", 11, "ROOT", "AUX"), ("a", 13, "det", "DET"),
        ("decision", 11, "attr", "NOUN"), ("by", 13, "prep", "ADP"), ("the", 16, "det", "DET"),
        ("president", 14, "pobj", "NOUN"), ("in", 13, "prep", "ADP"), ("2009", 17, "pobj", "NUM"),
        (".", 11, "punct", "PUNCT"),
    ])
    [q] = quotes_of(doc, [mention(text, "Dennis Ross")])
    # "At the heart of it" (5 words) against the 7 after the phrase.
    assert (q.kind, q.text) == ("indirect", "was a decision by the president in 2009")
    assert q.cue is not None and q.cue.text == "according to"
    assert q.speaker_canonical == "Dennis Ross"


def test_a_report_speaks_for_its_author():
    text = "The plan will fail, according to a new poll by Gallup."
    doc = build(text, [
        ("The", 1, "det", "DET"), ("plan", 3, "nsubj", "NOUN"), ("will", 3, "aux", "AUX"),
        ("fail", 3, "ROOT", "VERB"), (",", 3, "punct", "PUNCT"), ("according", 3, "prep", "VERB"),
        ("to", 5, "prep", "ADP"), ("a", 9, "det", "DET"), ("new", 9, "amod", "ADJ"),
        ("poll", 6, "pobj", "NOUN"), ("by", 9, "prep", "ADP"), ("Gallup", 10, "pobj", "PROPN"),
        (".", 3, "punct", "PUNCT"),
    ])
    [q] = quotes_of(doc, [mention(text, "Gallup", "ORG")])
    assert q.text == "The plan will fail"
    assert q.speaker is not None and q.speaker.text == "a new poll"
    assert (q.speaker_canonical, q.speaker_method) == ("Gallup", "document")
    # A report by nobody named stays unresolved.
    [q] = quotes_of(doc, [])
    assert (q.speaker_canonical, q.speaker_method) == (None, "unresolved")


def test_someone_a_speaker_talks_about_does_not_take_her_next_pronoun():
    text = ("“The deal is done,” Sarah Haddad said. She said Maria Sayed signed it. "
            "“It took a year,” she said.")
    doc = build(text, [
        ("“", 9, "punct", "PUNCT"), ("The", 2, "det", "DET"), ("deal", 4, "nsubjpass", "NOUN"),
        ("is", 4, "auxpass", "AUX"), ("done", 9, "ccomp", "VERB"), (",", 9, "punct", "PUNCT"),
        ("”", 9, "punct", "PUNCT"), ("Sarah", 8, "compound", "PROPN"),
        ("Haddad", 9, "nsubj", "PROPN"), ("said", 9, "ROOT", "VERB"), (".", 9, "punct", "PUNCT"),
    ], [
        ("She", 1, "nsubj", "PRON"), ("said", 1, "ROOT", "VERB"), ("Maria", 3, "compound", "PROPN"),
        ("Sayed", 4, "nsubj", "PROPN"), ("signed", 1, "ccomp", "VERB"), ("it", 4, "dobj", "PRON"),
        (".", 1, "punct", "PUNCT"),
    ], [
        ("“", 8, "punct", "PUNCT"), ("It", 2, "nsubj", "PRON"), ("took", 8, "ccomp", "VERB"),
        ("a", 4, "det", "DET"), ("year", 2, "dobj", "NOUN"), (",", 8, "punct", "PUNCT"),
        ("”", 8, "punct", "PUNCT"), ("she", 8, "nsubj", "PRON"), ("said", 8, "ROOT", "VERB"),
        (".", 8, "punct", "PUNCT"),
    ])
    found = quotes_of(doc, [mention(text, "Sarah Haddad"), mention(text, "Maria Sayed")])
    assert [q.text for q in sorted(found, key=lambda q: q.start_char)] == [
        "The deal is done,", "Maria Sayed signed it", "It took a year,"]
    # Maria Sayed is the subject of what Haddad said, not a new subject of the narrative:
    # the last "she" stays with the previous speaker.
    last = max(found, key=lambda q: q.start_char)
    assert (last.speaker_canonical, last.speaker_method) == ("Sarah Haddad",
                                                             "pronoun-previous-speaker")

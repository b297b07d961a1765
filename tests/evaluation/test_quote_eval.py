"""PolNeAR quote-attribution scoring: newsmill.evaluation.quotes on an invented fixture split
laid out like the real data (one test loads the real model)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from newsmill.evaluation.quotes import (
    AnnotatedDocument,
    GoldAttribution,
    NameRun,
    QuoteReport,
    ViewScore,
    evaluate_quotes,
    exact_words,
    format_report,
    gold_speaker,
    head_name,
    names_match,
    parse_ann,
    quote_kind,
    read_split,
    saying_cue,
    score_document,
    stored_name,
)
from newsmill.tasks.models import Quote, Span

SPLIT = Path(__file__).resolve().parent.parent / "fixtures" / "attributions" / "dev"
HARBOUR = "fx_2024-01-09_council-backs-harbour-plan"
FERRY = "fx_2024-01-12_ferry-strike-called-off"


@pytest.fixture(scope="module")
def documents() -> list[AnnotatedDocument]:
    return read_split(SPLIT)


@pytest.fixture(scope="module")
def harbour(documents: list[AnnotatedDocument]) -> AnnotatedDocument:
    return next(d for d in documents if d.doc_id == HARBOUR)


@pytest.fixture(scope="module")
def ferry(documents: list[AnnotatedDocument]) -> AnnotatedDocument:
    return next(d for d in documents if d.doc_id == FERRY)


def by_id(document: AnnotatedDocument, event: str) -> GoldAttribution:
    return next(a for a in document.attributions if a.id == event)


def span(text: str, part: str, nth: int = 1) -> Span:
    at = -1
    for _ in range(nth):
        at = text.index(part, at + 1)
    return Span(at, at + len(part), part)


def quote(document: AnnotatedDocument, content: str, kind: str = "direct", *,
          speaker: str | None = None, canonical: str | None = None,
          cue: str | None = "said", nth: int = 1) -> Quote:
    """A found quote over ``document``'s own text (the speaker and cue are the first of their
    words after the content, or anywhere when not found there)."""
    text = document.text
    where = span(text, content, nth)

    def near(part: str | None) -> Span | None:
        if part is None:
            return None
        at = text.find(part, where.end_char)
        return span(text, part) if at < 0 else Span(at, at + len(part), part)

    return Quote(where.start_char, where.end_char, where.text, kind,  # type: ignore[arg-type]
                 cue=near(cue), speaker=near(speaker), speaker_canonical=canonical)


# -- reading ------------------------------------------------------------------------------------

def test_reader_lists_annotated_articles(documents: list[AnnotatedDocument]) -> None:
    # The unannotated article is left out; file-name order.
    assert [d.doc_id for d in documents] == [HARBOUR, FERRY]
    # Two annotators for the ferry story: the lowest id is read unless one is asked for.
    assert [d.annotator for d in documents] == ["a1b2", "a1b2"]
    ferry = read_split(SPLIT, annotator="c3d4")[1]
    assert ferry.annotator == "c3d4"
    assert [a.text for a in ferry.attributions] == ["the strike was off"]
    assert read_split(SPLIT, annotator="zzzz")[1].annotator == "a1b2"


def test_reader_offsets_point_into_the_text(documents: list[AnnotatedDocument]) -> None:
    for document in documents:
        for a in document.attributions:
            for piece in (*a.content, *a.cue, *a.source):
                assert document.text[piece.start_char:piece.end_char] == piece.text
                assert piece.text.strip()


def test_reader_roles_pieces_and_kinds(harbour: AnnotatedDocument,
                                       ferry: AnnotatedDocument) -> None:
    assert [a.id for a in harbour.attributions] == ["E1", "E2", "E3", "E4", "E5"]
    e1, e2, e3, e4, e5 = harbour.attributions
    assert (e1.source_text, e1.cue_text, e1.kind) == ("Mayor Gareth Penhaligon", "said",
                                                      "indirect")
    # A content in two pieces, around the attribution.
    assert [p.text for p in e2.content] == ["“We have waited long enough,”",
                                            "“The town deserves better.”"]
    assert e2.text == "“We have waited long enough,” “The town deserves better.”"
    assert (e2.source_text, e2.kind) == ("he", "direct")
    assert e3.kind == "mixed"  # a quoted fragment inside reported speech
    # Attribution-no-source: no source, and its cue is not a speech verb.
    assert e4.source == () and e4.source_text is None
    assert e4.cue_text == "is expected" and not e4.speech_verb
    assert [a.speech_verb for a in harbour.attributions] == [True, True, True, False, True]
    assert e5.source_text == "Morwenna Tregear, who leads the residents’ group"
    # A span running over a paragraph break (its text spills onto the next .ann line);
    # a quote left open at the paragraph end continues, so it is still direct.
    e3f = by_id(ferry, "E3")
    assert e3f.text.startswith('"We thank') and e3f.text.endswith('from Monday."')
    assert "\n\n" in e3f.text and e3f.kind == "direct"
    assert by_id(ferry, "E2").cue_text == "told" and by_id(ferry, "E2").kind == "direct"


def test_parse_ann_skips_notes_and_reads_second_content() -> None:
    text = "Officials said the vote was fair and the count was quick."
    ann = ("T1\tSource 0 9\tOfficials\nT2\tCue 10 14\tsaid\nT3\tContent 15 32\tthe vote\n"
           "T4\tContent 37 56\tthe count\n#1\tAnnotatorNotes T1\ta note\nT5\tDiscuss 0 9\tx\n"
           "E1\tAttribution:T2 Content:T3 Cue:T2 Source:T1 Content2:T4\n")
    (a,) = parse_ann(ann, text)
    assert [p.text for p in a.content] == ["the vote was fair", "the count was quick"]
    assert a.source_text == "Officials" and a.kind == "indirect"


def test_quote_kind() -> None:
    text = 'He said: "We won." Then “a fine day” was had, she said "it" was.\n\n"Run on'
    assert quote_kind(text, [span(text, '"We won."')]) == "direct"
    assert quote_kind(text, [span(text, "We won.")]) == "direct"  # marks just outside
    assert quote_kind(text, [span(text, "Then “a fine day” was had")]) == "mixed"
    assert quote_kind(text, [span(text, "He said")]) == "indirect"
    assert quote_kind(text, [span(text, '"Run on')]) == "direct"  # runs to the paragraph end
    # Two pieces split only by a space (brat splits around a no-break space) are one quote.
    nbsp = '"Forty-three, yes;\xa0forty-four, no."'
    first, second = span(nbsp, '"Forty-three, yes;'), span(nbsp, 'forty-four, no."')
    assert quote_kind(nbsp, [first, second]) == "direct"
    assert quote_kind(nbsp, [first]) == "mixed"
    # Two apostrophes are a quotation mark.
    nyt = "''We will appeal,'' he said of the ''final'' ruling."
    assert quote_kind(nyt, [span(nyt, "''We will appeal,''")]) == "direct"
    assert quote_kind(nyt, [span(nyt, "the ''final'' ruling")]) == "mixed"


def test_corenlp_chains_and_names(harbour: AnnotatedDocument,
                                  ferry: AnnotatedDocument) -> None:
    assert harbour.has_corenlp and not ferry.has_corenlp
    names = [(harbour.text[r.start_char:r.end_char], r.tag) for r in harbour.names]
    assert names == [("Gareth Penhaligon", "PERSON"), ("Morwenna Tregear", "PERSON")]
    mayor = harbour.chains[0]
    assert [m.text for m in mayor] == ["Mayor Gareth Penhaligon", "he"]
    assert mayor[1].start_char == by_id(harbour, "E2").source[0].start_char
    assert ferry.chains == () and ferry.names == ()


# -- speakers -----------------------------------------------------------------------------------

def test_gold_speaker(harbour: AnnotatedDocument, ferry: AnnotatedDocument) -> None:
    def names(document: AnnotatedDocument, event: str) -> tuple[tuple[str, ...], bool]:
        found = gold_speaker(document, by_id(document, event))
        return found.names, found.pronoun

    assert names(harbour, "E1") == (("Gareth Penhaligon",), False)
    assert names(harbour, "E2") == (("Gareth Penhaligon",), True)  # through the chain
    assert names(harbour, "E3") == ((), False)  # "Critics": nobody to judge against
    assert names(harbour, "E4") == ((), False)  # no source
    assert names(harbour, "E5") == (("Morwenna Tregear",), False)  # apposition cut off
    # No CoreNLP file: capitalised words; a sentence-initial one only when written
    # capitalised mid-sentence elsewhere.
    assert names(ferry, "E2") == (("Ana Ribeiro",), False)
    assert names(ferry, "E3") == (("Ribeiro",), False)
    assert names(ferry, "E1") == ((), False)


def test_pronoun_chain_names_persons_for_he_and_she() -> None:
    # A chain that coreference wrongly merged: "he" names the person, not the company.
    text = "Acme Corp hired Ian Polk. Polk left Acme Corp. He said it was time."
    acme, polk = span(text, "Acme Corp"), span(text, "Ian Polk")
    he, it = span(text, "He"), span(text, "it")
    chain = (acme, polk, span(text, "Polk", 2), span(text, "Acme Corp", 2), he, it)
    names = (NameRun(acme.start_char, acme.end_char, "ORGANIZATION"),
             NameRun(polk.start_char, polk.end_char, "PERSON"),
             NameRun(chain[2].start_char, chain[2].end_char, "PERSON"),
             NameRun(chain[3].start_char, chain[3].end_char, "ORGANIZATION"))
    said = span(text, "said")

    def attribution(source: Span) -> GoldAttribution:
        return GoldAttribution("E1", (span(text, "was time"),), (said,), (source,), "indirect")

    document = AnnotatedDocument("x", "a", text, (), chains=(chain,), names=names,
                                 has_corenlp=True)
    assert gold_speaker(document, attribution(he)).names == ("Ian Polk", "Polk")
    assert gold_speaker(document, attribution(it)).names == ("Acme Corp", "Ian Polk", "Polk")


def test_head_name_takes_the_head_not_modifiers_or_possessors() -> None:
    text = ("Yesterday Clinton spokesman Nick Merrill spoke. Then Trump's campaign manager "
            "Kellyanne Conway and the Clinton campaign and Bank of America spoke, and "
            "Quentin Kidd, a scientist at Christopher Newport University.")
    runs = [(p, tag) for p, tag in [("Clinton", "PERSON"), ("Nick Merrill", "PERSON"),
                                    ("Trump", "PERSON"), ("Kellyanne Conway", "PERSON"),
                                    ("Bank of America", "ORGANIZATION"),
                                    ("Quentin Kidd", "PERSON"),
                                    ("Christopher Newport University", "ORGANIZATION")]]
    name_runs = []
    for part, tag in runs:
        at = text.index(part)
        name_runs.append(NameRun(at, at + len(part), tag))
    name_runs.append(NameRun(text.index("Clinton campaign"),
                             text.index("Clinton campaign") + 7, "PERSON"))
    document = AnnotatedDocument("x", "a", text, (), names=tuple(name_runs))

    def head(part: str) -> str | None:
        return head_name(document, span(text, part))

    assert head("Clinton spokesman Nick Merrill") == "Nick Merrill"
    assert head("Trump's campaign manager Kellyanne Conway") == "Kellyanne Conway"
    assert head("the Clinton campaign") is None
    assert head("Bank of America") == "Bank of America"
    assert head("Quentin Kidd, a scientist at Christopher Newport University") == "Quentin Kidd"
    # Only persons, when asked for (a "he" or "she" names a person).
    assert head_name(document, span(text, "Bank of America"),
                     frozenset({"PERSON"})) is None


def test_names_match() -> None:
    assert names_match("Fred Goldberg", "Mr. Goldberg")
    assert names_match("Trump", "Donald Trump")
    assert names_match("Pat Caddell", "longtime Democratic pollster Pat Caddell")
    assert names_match("International Monetary Fund", "the IMF")
    assert not names_match("Hillary Clinton", "the Clinton campaign")
    assert not names_match("Donald Trump", "Hillary Clinton")
    assert not names_match("he", "he")  # pronouns name nobody
    assert not names_match("IMF", "International Atomic Energy Agency")


# -- scoring ------------------------------------------------------------------------------------

def test_exact_words_ignore_punctuation_marks_and_that() -> None:
    assert exact_words("that the plan would pass") == exact_words("the plan would pass,")
    assert exact_words("“We won,”") == ["we", "won"]
    assert exact_words("the plan would pass") != exact_words("the plan would fail")


def harbour_found(harbour: AnnotatedDocument) -> list[Quote]:
    return [
        quote(harbour, "the harbour plan would create 300 jobs", "indirect",
              speaker="Mayor Gareth Penhaligon", canonical="Gareth Penhaligon"),
        quote(harbour, "We have waited long enough,", speaker="he",
              canonical="Gareth Penhaligon"),
        # The second half of E2, found on its own: part of a matched quote, no false positive.
        quote(harbour, "The town deserves better.", cue=None, canonical="Gareth Penhaligon"),
        quote(harbour, "It is a gift to developers,", speaker="Morwenna Tregear",
              canonical="Morwenna Tregear"),
        # The headline: nothing was said there.
        quote(harbour, "Council Backs Harbour Plan", "indirect", cue=None),
    ]


def test_score_all_view_by_hand(harbour: AnnotatedDocument) -> None:
    score, result = score_document(harbour, harbour_found(harbour), "all")
    assert (score.gold, score.found, score.matched, score.false_positives) == (5, 5, 3, 1)
    assert score.precision == pytest.approx(4 / 5)
    assert score.recall == pytest.approx(3 / 5)
    assert score.f1 == pytest.approx(2 * 0.8 * 0.6 / 1.4)
    # E1 exactly (PolNeAR's "that" aside), E5 exactly, E2 by its two halves together.
    assert (score.exact, score.exact_found) == (3, 4)
    assert score.exact_precision == pytest.approx(4 / 5)
    assert score.exact_recall == pytest.approx(3 / 5)
    assert score.matched_in_pieces == 0  # the first half of E2 matches on its own
    assert (score.with_source, score.mention_right) == (3, 3)
    assert (score.judged, score.resolved_right) == (3, 3)
    assert (score.pronouns, score.pronouns_right, score.gold_pronouns) == (1, 1, 1)
    assert score.end_to_end == 3
    assert score.end_to_end_rate == pytest.approx(3 / 5)
    assert [q.text for q in result.false_positives] == ["Council Backs Harbour Plan"]
    missed = [j.gold.id for j in result.judgements if j.found is None]
    assert missed == ["E3", "E4"]


def test_score_wrong_speakers(harbour: AnnotatedDocument) -> None:
    found = harbour_found(harbour)
    # The pronoun resolved to the wrong person; the mayor's phrase found but not resolved;
    # the speaker of E5 missed altogether.
    found[1] = replace(found[1], speaker_canonical="Morwenna Tregear")
    found[0] = replace(found[0], speaker_canonical=None)
    found[3] = replace(found[3], speaker=None, speaker_canonical=None)
    score, _ = score_document(harbour, found, "all")
    assert score.matched == 3
    assert score.mention_right == 2  # E1 and E2's spans are right
    # E1 falls back on the phrase "Mayor Gareth Penhaligon", which names him.
    assert score.resolved_right == 1
    assert (score.pronouns, score.pronouns_right) == (1, 0)
    assert score.end_to_end == 1


def test_score_views(harbour: AnnotatedDocument) -> None:
    found = harbour_found(harbour)
    speech, _ = score_document(harbour, found, "speech-verb")
    # E1, E2, E3, E5 have speech-verb cues. Found quotes with no cue are in (a floating
    # quote continues an attributed one); the headline is a false positive.
    assert (speech.gold, speech.found, speech.matched, speech.false_positives) == (4, 5, 3, 1)
    # Found quotes with another cue are out.
    found[4] = replace(found[4], cue=span(harbour.text, "is expected"))
    speech, _ = score_document(harbour, found, "speech-verb")
    assert (speech.gold, speech.found, speech.matched, speech.false_positives) == (4, 4, 3, 0)
    direct, _ = score_document(harbour, found, "direct")
    assert (direct.gold, direct.found, direct.matched, direct.false_positives) == (2, 3, 2, 0)
    assert direct.precision == 1.0 and direct.recall == 1.0
    # A "direct" quote matching an indirect attribution is out of the direct view, not a
    # false positive of it; one matching nothing is.
    mislabelled = [replace(found[0], kind="direct"), replace(found[4], kind="direct")]
    direct, result = score_document(harbour, mislabelled, "direct")
    assert (direct.found, direct.matched, direct.false_positives) == (2, 0, 1)
    assert [q.text for q in result.false_positives] == ["Council Backs Harbour Plan"]


def test_a_quote_in_pieces_is_matched_by_its_pieces_together() -> None:
    text = "“Ports, roads and rail,” he said, “need money,” and “they need it now.”"
    pieces = (span(text, "“Ports, roads and rail,”"), span(text, "“need money,”"),
              span(text, "“they need it now.”"))
    he = span(text, "he")
    gold = GoldAttribution("E1", pieces, (span(text, "said"),), (he,), "direct")
    document = AnnotatedDocument("x", "a", text, (gold,))

    def found(part: str, speaker: Span | None = None) -> Quote:
        where = span(text, part)
        return Quote(where.start_char, where.end_char, part, "direct", speaker=speaker,
                     speaker_canonical="Ana Ribeiro" if speaker else None)

    # Each piece is under half the attribution's words; together they are all of them.
    halves = [found("Ports, roads and rail,"), found("need money,", he),
              found("they need it now.")]
    score, result = score_document(document, halves, "direct")
    assert (score.matched, score.matched_in_pieces, score.false_positives) == (1, 1, 0)
    assert (score.exact, score.exact_found, score.exact_precision) == (1, 3, 1.0)
    # The speaker is the one of the piece that has one.
    assert score.mention_right == 1 and result.judgements[0].found == halves[1]
    # Two of the three pieces: 6 of 10 words, still a match; one alone (4 of 10) is not, and
    # a piece of an unmatched attribution is a false positive.
    score, _ = score_document(document, halves[1:], "direct")
    assert (score.matched, score.matched_in_pieces, score.exact) == (1, 1, 0)
    score, _ = score_document(document, halves[:1], "direct")
    assert (score.matched, score.false_positives) == (0, 1)


def test_no_source_attribution_wants_no_speaker(harbour: AnnotatedDocument) -> None:
    passive = quote(harbour, "The plan is expected to pass next month", "indirect", cue=None)
    score, _ = score_document(harbour, [passive], "all")
    assert (score.matched, score.with_source, score.end_to_end) == (1, 0, 1)
    guessed = replace(passive, speaker=span(harbour.text, "The plan", 1),
                      speaker_canonical="Harbour Plan")
    score, _ = score_document(harbour, [guessed], "all")
    assert (score.matched, score.end_to_end) == (1, 0)


def test_unjudged_source_falls_back_on_the_mention(harbour: AnnotatedDocument) -> None:
    critics = quote(harbour, "the plan is “far too expensive” for the town", "mixed",
                    speaker="Critics", cue="argue")
    critics = replace(critics, speaker=span(harbour.text, "Critics"))
    score, _ = score_document(harbour, [critics], "all")
    assert (score.matched, score.judged, score.unjudged, score.end_to_end) == (1, 0, 1, 1)
    elsewhere = replace(critics, speaker=span(harbour.text, "Morwenna Tregear"))
    score, _ = score_document(harbour, [elsewhere], "all")
    assert (score.mention_right, score.end_to_end) == (0, 0)


def test_partial_match_threshold(harbour: AnnotatedDocument) -> None:
    # 3 of E1's 8 words: below the partial-match threshold, so a miss and a false positive.
    short = quote(harbour, "would create 300", "indirect", speaker="Mayor")
    score, _ = score_document(harbour, [short], "all")
    assert (score.matched, score.false_positives) == (0, 1)
    # 4 of its 8 words: exactly the threshold, a match.
    half = quote(harbour, "plan would create 300", "indirect")
    score, _ = score_document(harbour, [half], "all")
    assert score.matched == 1


def test_format_report() -> None:
    report = QuoteReport(documents=2, tokens=100, seconds=1.5, model="en_test")
    report.views["all"] = ViewScore(gold=10, found=8, matched=6, false_positives=2, exact=4,
                                    exact_found=4,
                                    with_source=6, mention_right=5, judged=5,
                                    resolved_right=4, gold_pronouns=3, pronouns=2,
                                    pronouns_right=1, end_to_end=4)
    text = format_report(report)
    assert "2 documents" in text and "en_test" in text
    for expected in ("75.0", "60.0", "66.7", "80.0 /5", "50.0 /2", "30.0", "40.0"):
        assert expected in text, expected
    assert text.splitlines()[3].split() == ["all", "speech-verb", "broad", "direct"]
    assert "indirect found" in text


@pytest.mark.model
def test_evaluate_with_the_model(documents: list[AnnotatedDocument]) -> None:
    from newsmill.tasks.nlp import load_pipeline

    nlp, _info = load_pipeline("auto")
    report = evaluate_quotes(documents, nlp)
    assert report.documents == 2 and report.tokens > 100
    assert [report.views[v].gold for v in ("all", "speech-verb", "broad", "direct")] == \
        [8, 7, 7, 4]
    for view in report.views.values():
        for value in (view.precision, view.recall, view.f1, view.exact_f1,
                      view.mention_accuracy, view.resolved_accuracy, view.end_to_end_rate):
            assert 0.0 <= value <= 1.0
    # Offsets are the file's own: every found quote and speaker is read off the raw text.
    texts = {d.doc_id: d.text for d in documents}
    for result in report.results["all"]:
        for q in result.found:
            assert texts[result.doc_id][q.start_char:q.end_char] == q.text
            if q.speaker is not None:
                assert texts[result.doc_id][q.speaker.start_char:q.speaker.end_char] \
                    == q.speaker.text
    # The plainly attributed direct quotes are found, with their speakers.
    direct = report.views["direct"]
    assert direct.matched >= 3
    judged = {(r.doc_id, j.gold.id): j for r in report.results["direct"] for j in r.judgements}
    assert judged[(HARBOUR, "E5")].end_to_end
    assert judged[(FERRY, "E2")].end_to_end
    assert "speech-verb" in format_report(report)


def test_speech_verb_view_is_its_own_frozen_list():
    from newsmill.evaluation.quotes import view_speech_verbs
    from newsmill.tasks.quotes import speech_verbs

    view = view_speech_verbs()
    assert {"said", "told", "warned", "tweeted"} <= view
    # the extractor's lexicon may grow; the view stays as it was frozen
    assert view <= speech_verbs()
    assert "continued" in speech_verbs() and "continued" not in view


# -- the broad view -----------------------------------------------------------------------------

def test_saying_cues_of_the_broad_view() -> None:
    for cue in ("said", "told", "added:", "according to", "As she put it", ":", "―", "--",
                "said in a statement", "in an interview", "called for", "has often cited",
                "continued", "vowed"):
        assert saying_cue(cue), cue
    # Thinking, wanting and evidence are attributions, not saying; no cue at all is nothing.
    for cue in ("believes", "wants", "the poll shows", "found", "is expected", "", "  "):
        assert not saying_cue(cue), cue


def test_broad_view_counts_every_saying_cue(harbour: AnnotatedDocument) -> None:
    # The harbour story's speech-verb cues are its saying cues; "is expected" is neither.
    assert [a.saying for a in harbour.attributions] == [True, True, True, False, True]
    text = ("Poll: Voters back the harbour plan.\n"
            "The plan is sound, according to the council. Penhaligon called the critics "
            "“a noisy few.” Tregear believes the vote was rushed.")
    golds = (
        GoldAttribution("E1", (span(text, "Voters back the harbour plan"),),
                        (span(text, ":"),), (span(text, "Poll"),), "indirect"),
        GoldAttribution("E2", (span(text, "The plan is sound"),),
                        (span(text, "according to"),), (span(text, "the council"),),
                        "indirect"),
        GoldAttribution("E3", (span(text, "the critics “a noisy few.”"),),
                        (span(text, "called"),), (span(text, "Penhaligon"),), "mixed"),
        GoldAttribution("E4", (span(text, "the vote was rushed"),),
                        (span(text, "believes"),), (span(text, "Tregear"),), "indirect"),
    )
    document = AnnotatedDocument("x", "a", text, golds)
    where = span(text, "The plan is sound")
    found = [Quote(where.start_char, where.end_char, where.text, "indirect",
                   cue=span(text, "according to"), speaker=span(text, "the council"))]
    broad, _ = score_document(document, found, "broad")
    speech, _ = score_document(document, found, "speech-verb")
    assert (broad.gold, speech.gold) == (3, 0)  # the colon, "according to" and "called"
    assert (broad.found, broad.matched, broad.false_positives) == (1, 1, 0)
    assert (broad.gold_indirect, broad.indirect_matched) == (2, 1)
    assert broad.indirect_recall == 0.5
    # "the council" names nobody the scorer knows: judged by the mention, so right.
    assert (broad.unjudged, broad.end_to_end, broad.indirect_end_to_end) == (1, 1, 1)
    assert broad.indirect_end_to_end_rate == 0.5


def test_broad_view_judges_the_name_the_warehouse_stores(harbour: AnnotatedDocument) -> None:
    found = harbour_found(harbour)
    # The mayor's phrase found but not resolved to an entity: the warehouse stores no name
    # for him (speaker_name is NULL), so the broad view counts the speaker wrong; the other
    # views read the phrase as written.
    found[0] = replace(found[0], speaker_canonical=None)
    assert stored_name(found[0], "broad") is None
    assert stored_name(found[0], "speech-verb") == "Mayor Gareth Penhaligon"
    broad, _ = score_document(harbour, found, "broad")
    speech, _ = score_document(harbour, found, "speech-verb")
    assert (broad.matched, speech.matched) == (3, 3)
    assert (broad.resolved_right, speech.resolved_right) == (2, 3)
    assert (broad.end_to_end, speech.end_to_end) == (2, 3)
    # E1 is the one indirect attribution: found, but not with a stored speaker.
    assert (broad.gold_indirect, broad.indirect_matched, broad.indirect_end_to_end) == (1, 1, 0)

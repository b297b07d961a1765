"""The speakers evaluation (newsmill/evaluation/speakers.py) on hand-made documents: the
silver truth from coreference chains and its filters, matching, the scores and the share of
quotes by women; and the sample truth file read against the quotes truth."""

from __future__ import annotations

from pathlib import Path

from newsmill.evaluation.quotes import AnnotatedDocument, GoldAttribution, NameRun
from newsmill.evaluation.speakers import (
    SpeakerScore,
    TruthSpeaker,
    format_report,
    read_sample_truth,
    score_document,
    silver_speakers,
)
from newsmill.tasks.models import Analysis, GenderEvidence, Mention, Quote, Span, SpeakerProfile

ROOT = Path(__file__).resolve().parents[2]


def span(text: str, part: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return Span(start, start + len(part), part)


def attribution(text: str, source: str, content: str, nth: int = 0) -> GoldAttribution:
    return GoldAttribution(f"E{content[:3]}", (span(text, content),), (span(text, "said"),),
                           (span(text, source, nth),), "indirect")


TEXT = ("Mary Jones said the port would open. She said trade was slow. "
        "Tom Reid said prices rose. “He is wrong,” Mary Jones said.")


def document(chains: tuple[tuple[Span, ...], ...]) -> AnnotatedDocument:
    names = (NameRun(*_bounds(TEXT, "Mary Jones"), "PERSON"),
             NameRun(*_bounds(TEXT, "Tom Reid"), "PERSON"),
             NameRun(*_bounds(TEXT, "Mary Jones", 1), "PERSON"))
    return AnnotatedDocument("d", "a", TEXT, (
        attribution(TEXT, "Mary Jones", "the port would open"),
        attribution(TEXT, "She", "trade was slow"),
        attribution(TEXT, "Tom Reid", "prices rose"),
    ), chains, names, has_corenlp=True)


def _bounds(text: str, part: str, nth: int = 0) -> tuple[int, int]:
    s = span(text, part, nth)
    return s.start_char, s.end_char


def test_the_silver_gender_comes_from_the_chains_pronouns_outside_quotes() -> None:
    mary = (span(TEXT, "Mary Jones"), span(TEXT, "She"), span(TEXT, "Mary Jones", 1))
    # CoreNLP put the quoted "He" (someone else, in Mary Jones's words) into Tom Reid's chain.
    tom = (span(TEXT, "Tom Reid"), span(TEXT, "He"))
    speakers = {s.names: s for s in silver_speakers(document((mary, tom)))}
    assert speakers[("Mary Jones",)].gender == "female"
    assert speakers[("Mary Jones",)].quotes == 2
    assert speakers[("Tom Reid",)].gender is None  # its only pronoun was inside quotes


def test_a_chain_naming_two_people_or_contradicting_the_given_name_is_not_judged() -> None:
    merged = (span(TEXT, "Mary Jones"), span(TEXT, "She"), span(TEXT, "Tom Reid"))
    assert all(s.gender is None for s in silver_speakers(document((merged,))))
    he = Span(TEXT.index("She"), TEXT.index("She") + 3, "She")
    # "Mary" opens with a woman's given name; a chain whose pronoun says "he" is wrong.
    wrong = (span(TEXT, "Mary Jones"), Span(he.start_char, he.end_char, "he"))
    speakers = {s.names: s for s in silver_speakers(document((wrong,)))}
    assert speakers[("Mary Jones",)].gender is None


def profile(name: str, gender: str, quotes: int = 1) -> SpeakerProfile:
    return SpeakerProfile(name, "PERSON", quotes, GenderEvidence(), gender,  # type: ignore[arg-type]
                          "pronoun" if gender != "unknown" else "no-evidence")


def found_quote(name: str) -> Quote:
    return Quote(0, 1, "x", "indirect", speaker_canonical=name, speaker_label="PERSON")


def test_scores_precision_coverage_and_the_share_of_quotes_by_women() -> None:
    truth = [
        TruthSpeaker("d", ("Mary Jones",), "female", True, 3),
        TruthSpeaker("d", ("Tom Reid",), "male", True, 1),
        TruthSpeaker("d", ("Ann Lee",), "female", True, 1),  # newsmill never found her
        TruthSpeaker("d", ("Bo Park",), None, False, 2),  # the truth cannot judge
    ]
    analysis = Analysis("d", [Mention(0, 10, "Mary Jones", "PERSON", "Mary Jones", 0)], [],
                        speakers=[profile("Mary Jones", "female"), profile("Tom Reid", "female"),
                                  profile("Bo Park", "male")])
    found = [found_quote("Mary Jones"), found_quote("Mary Jones"), found_quote("Tom Reid"),
             found_quote("Bo Park")]
    score = SpeakerScore()
    score_document(score, truth, analysis, found)
    assert (score.given["female"], score.right["female"]) == (2, 1)
    assert score.precision("female") == 0.5
    assert score.coverage("female") == 0.5  # Mary of Mary and Ann
    assert (score.persons_known, score.persons_matched, score.persons_gendered) == (3, 2, 2)
    assert score.unmatched == 1 and score.unjudged_given == 1
    assert len(score.wrong) == 1 and "Tom Reid is male, given female" in score.wrong[0]
    # Truth: 4 of 5 gendered quotes are women's (Mary 3 + Ann 1, Tom 1); newsmill's own
    # quotes: Mary 2 and "Tom" 1 women's, Bo 1 a man's.
    assert score.truth_female_share == 0.8
    assert score.estimated_female_share == 0.75
    assert round(score.share_error_points, 1) == -5.0
    report = format_report("silver", score)
    assert "female" in report and "error -5.0 points" in report


def test_the_sample_truth_names_every_quoted_speaker_of_the_quotes_truth() -> None:
    articles = read_sample_truth(ROOT / "samples" / "speakers.json")
    assert len(articles) >= 18
    for article in articles:
        assert article.path.is_file(), article.name
        for speaker in article.speakers:
            assert speaker.gender in {"female", "male", "unknown"}
            assert speaker.person or speaker.gender == "unknown", speaker
            assert speaker.quotes >= 1, (article.name, speaker.names)
    everyone = [s for a in articles for s in a.speakers]
    assert {s.gender for s in everyone if s.person} == {"female", "male", "unknown"}
    assert any(not s.person for s in everyone) and any(s.role for s in everyone)

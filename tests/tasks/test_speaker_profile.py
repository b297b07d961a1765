"""Speaker profiles (tasks/speaker_profile) on hand-built Docs: gender evidence, the rule that
decides, the first-name fallback, roles, affiliations and categories."""

from __future__ import annotations

import pytest
from spacy.tokens import Doc
from test_quotes import Row, build, mention

from newsmill.tasks.models import GenderEvidence, Mention, Quote, Span
from newsmill.tasks.speaker_profile import categorise, decide, name_gender, profile_speakers
from newsmill.tasks.speaker_profile.gender import DOMINANCE, deciding_method


def quote_by(text: str, speaker: str, canonical: str | None = None, label: str = "PERSON",
             at: int | None = None) -> Quote:
    """A quote (its content is the whole text) whose speaker phrase is ``speaker``."""
    start = text.index(speaker) if at is None else at
    return Quote(0, len(text), text, "indirect", speaker=Span(start, start + len(speaker),
                                                              speaker),
                 speaker_canonical=canonical or speaker, speaker_label=label)


def only(doc: Doc, mentions: list[Mention], quotes: list[Quote], **kwargs: bool):
    [profile] = profile_speakers(doc, mentions, quotes, **kwargs)
    return profile


PM = "Prime Minister Ana Petrosyan said she would resign."
PM_ROWS: list[Row] = [
    ("Prime", 1, "compound", "PROPN"), ("Minister", 3, "compound", "PROPN"),
    ("Ana", 3, "compound", "PROPN"), ("Petrosyan", 4, "nsubj", "PROPN"),
    ("said", 4, "ROOT", "VERB"), ("she", 7, "nsubj", "PRON"), ("would", 7, "aux", "AUX"),
    ("resign", 4, "ccomp", "VERB"), (".", 4, "punct", "PUNCT"),
]


def test_a_pronoun_after_its_subject_is_evidence_and_the_title_is_the_role() -> None:
    doc = build(PM, PM_ROWS)
    profile = only(doc, [mention(PM, "Ana Petrosyan")], [quote_by(PM, "Ana Petrosyan")])
    assert profile.evidence == GenderEvidence(pronoun_female=1)
    assert (profile.gender, profile.gender_method) == ("female", "pronoun")
    assert profile.gender_confidence is not None and 0.9 < profile.gender_confidence < 1
    assert profile.role is not None and profile.role.text == "Prime Minister"
    assert PM[profile.role.start_char:profile.role.end_char] == "Prime Minister"
    assert (profile.role_method, profile.role_category) == ("title", "government and politics")


ACCUSED = "Gareth Penhaligon accused her of failing."
ACCUSED_ROWS: list[Row] = [
    ("Gareth", 1, "compound", "PROPN"), ("Penhaligon", 2, "nsubj", "PROPN"),
    ("accused", 2, "ROOT", "VERB"), ("her", 2, "dobj", "PRON"), ("of", 2, "prep", "ADP"),
    ("failing", 4, "pcomp", "VERB"), (".", 2, "punct", "PUNCT"),
]


def test_the_object_of_the_subjects_own_verb_is_someone_else() -> None:
    doc = build(ACCUSED, ACCUSED_ROWS)
    profile = only(doc, [mention(ACCUSED, "Gareth Penhaligon")],
                   [quote_by(ACCUSED, "Gareth Penhaligon")])
    assert profile.evidence == GenderEvidence()
    assert (profile.gender, profile.gender_method) == ("unknown", "no-evidence")


LET_DOWN = "“He let us down,” said Mary Jones."
LET_DOWN_ROWS: list[Row] = [
    ("“", 7, "punct", "PUNCT"), ("He", 2, "nsubj", "PRON"), ("let", 7, "ccomp", "VERB"),
    ("us", 2, "dobj", "PRON"), ("down", 2, "prt", "ADP"), (",", 7, "punct", "PUNCT"),
    ("”", 7, "punct", "PUNCT"), ("said", 7, "ROOT", "VERB"), ("Mary", 9, "compound", "PROPN"),
    ("Jones", 7, "nsubj", "PROPN"), (".", 7, "punct", "PUNCT"),
]


def test_a_pronoun_inside_quotation_marks_never_counts() -> None:
    doc = build(LET_DOWN, LET_DOWN_ROWS)
    profile = only(doc, [mention(LET_DOWN, "Mary Jones")], [quote_by(LET_DOWN, "Mary Jones")])
    assert profile.evidence == GenderEvidence()
    assert profile.gender == "unknown"


HALE = "Mrs Hale said the plan works."
HALE_ROWS: list[Row] = [
    ("Mrs", 1, "compound", "PROPN"), ("Hale", 2, "nsubj", "PROPN"), ("said", 2, "ROOT", "VERB"),
    ("the", 4, "det", "DET"), ("plan", 5, "nsubj", "NOUN"), ("works", 2, "ccomp", "VERB"),
    (".", 2, "punct", "PUNCT"),
]


def test_an_honorific_before_the_name_is_evidence_but_no_role() -> None:
    doc = build(HALE, HALE_ROWS)
    profile = only(doc, [mention(HALE, "Hale")], [quote_by(HALE, "Hale")])
    assert profile.evidence == GenderEvidence(honorific_female=1)
    assert (profile.gender, profile.gender_method) == ("female", "honorific")
    assert profile.role is None and profile.role_category == "unknown"


REID = "Tom Reid, a father of two, said his mother was ill."
REID_ROWS: list[Row] = [
    ("Tom", 1, "compound", "PROPN"), ("Reid", 8, "nsubj", "PROPN"), (",", 1, "punct", "PUNCT"),
    ("a", 4, "det", "DET"), ("father", 1, "appos", "NOUN"), ("of", 4, "prep", "ADP"),
    ("two", 5, "pobj", "NUM"), (",", 1, "punct", "PUNCT"), ("said", 8, "ROOT", "VERB"),
    ("his", 10, "poss", "PRON"), ("mother", 11, "nsubj", "NOUN"), ("was", 8, "ccomp", "AUX"),
    ("ill", 11, "acomp", "ADJ"), (".", 8, "punct", "PUNCT"),
]


def test_a_gendered_noun_in_apposition_counts_a_possessed_one_does_not() -> None:
    doc = build(REID, REID_ROWS)
    profile = only(doc, [mention(REID, "Tom Reid")], [quote_by(REID, "Tom Reid")])
    # "a father of two" is Reid; "his" (the reported clause's subject's possessor) is Reid;
    # "his mother" is someone else.
    assert profile.evidence == GenderEvidence(pronoun_male=1, noun_male=1)
    assert profile.gender == "male"
    assert profile.role is not None and profile.role.text == "father of two"
    assert (profile.role_method, profile.role_category) == ("apposition",
                                                          "members of the public")


THANKED = "Ana Petrosyan thanked Mary Jones. She smiled."
THANKED_ROWS: list[list[Row]] = [
    [("Ana", 1, "compound", "PROPN"), ("Petrosyan", 2, "nsubj", "PROPN"),
     ("thanked", 2, "ROOT", "VERB"), ("Mary", 4, "compound", "PROPN"),
     ("Jones", 2, "dobj", "PROPN"), (".", 2, "punct", "PUNCT")],
    [("She", 1, "nsubj", "PRON"), ("smiled", 1, "ROOT", "VERB"), (".", 1, "punct", "PUNCT")],
]


def test_a_pronoun_with_another_person_between_it_and_the_subject_counts_for_nobody() -> None:
    doc = build(THANKED, *THANKED_ROWS)
    mentions = [mention(THANKED, "Ana Petrosyan"), mention(THANKED, "Mary Jones")]
    profile = only(doc, mentions, [quote_by(THANKED, "Ana Petrosyan")])
    assert profile.evidence == GenderEvidence()


def test_an_organisation_is_never_gendered_and_takes_its_names_category() -> None:
    text = "The National Union of Port Workers said she was wrong."
    rows: list[Row] = [
        ("The", 5, "det", "DET"), ("National", 2, "compound", "PROPN"),
        ("Union", 6, "nsubj", "PROPN"), ("of", 2, "prep", "ADP"),
        ("Port", 5, "compound", "PROPN"), ("Workers", 3, "pobj", "PROPN"),
        ("said", 6, "ROOT", "VERB"), ("she", 8, "nsubj", "PRON"), ("was", 6, "ccomp", "AUX"),
        ("wrong", 8, "acomp", "ADJ"), (".", 6, "punct", "PUNCT"),
    ]
    name = "National Union of Port Workers"
    profile = only(build(text, rows), [mention(text, name, "ORG")],
                   [quote_by(text, name, label="ORG")])
    assert (profile.gender, profile.gender_method) == ("unknown", "not-a-person")
    assert profile.gender_confidence is None
    assert profile.role_category == "civil society and unions"


LOWE = "Karen Lowe said prices rose."
LOWE_ROWS: list[Row] = [
    ("Karen", 1, "compound", "PROPN"), ("Lowe", 2, "nsubj", "PROPN"), ("said", 2, "ROOT", "VERB"),
    ("prices", 4, "nsubj", "NOUN"), ("rose", 2, "ccomp", "VERB"), (".", 2, "punct", "PUNCT"),
]


def test_the_first_name_fallback_is_off_by_default_and_its_own_method() -> None:
    doc = build(LOWE, LOWE_ROWS)
    args = (doc, [mention(LOWE, "Karen Lowe")], [quote_by(LOWE, "Karen Lowe")])
    off = only(*args)
    assert (off.gender, off.gender_method, off.name_gender) == ("unknown", "no-evidence", None)
    on = only(*args, name_fallback=True)
    assert (on.gender, on.gender_method, on.name_gender) == ("female", "first-name", "female")
    assert on.evidence == GenderEvidence()  # the name is never evidence
    assert on.gender_confidence is not None and on.gender_confidence < 0.97


def test_the_fallback_never_overrules_the_text() -> None:
    text = "Karen Lowe said he would stay."
    rows: list[Row] = [
        ("Karen", 1, "compound", "PROPN"), ("Lowe", 2, "nsubj", "PROPN"),
        ("said", 2, "ROOT", "VERB"), ("he", 5, "nsubj", "PRON"), ("would", 5, "aux", "AUX"),
        ("stay", 2, "ccomp", "VERB"), (".", 2, "punct", "PUNCT"),
    ]
    profile = only(build(text, rows), [mention(text, "Karen Lowe")],
                   [quote_by(text, "Karen Lowe")], name_fallback=True)
    assert (profile.gender, profile.gender_method) == ("male", "pronoun")


def test_an_age_alone_is_no_role_but_a_member_of_the_public() -> None:
    text = "Joan Petrakis, 64, said the fire came."
    rows: list[Row] = [
        ("Joan", 1, "compound", "PROPN"), ("Petrakis", 5, "nsubj", "PROPN"),
        (",", 1, "punct", "PUNCT"), ("64", 1, "appos", "NUM"), (",", 1, "punct", "PUNCT"),
        ("said", 5, "ROOT", "VERB"), ("the", 7, "det", "DET"), ("fire", 8, "nsubj", "NOUN"),
        ("came", 5, "ccomp", "VERB"), (".", 5, "punct", "PUNCT"),
    ]
    profile = only(build(text, rows), [mention(text, "Joan Petrakis")],
                   [quote_by(text, "Joan Petrakis")])
    assert profile.role is None
    assert (profile.role_method, profile.role_category) == ("age", "members of the public")


def test_the_affiliation_is_the_organisation_after_at() -> None:
    text = "Hannah Greaves, an economist at Mersey University, said ships waited."
    rows: list[Row] = [
        ("Hannah", 1, "compound", "PROPN"), ("Greaves", 9, "nsubj", "PROPN"),
        (",", 1, "punct", "PUNCT"), ("an", 4, "det", "DET"), ("economist", 1, "appos", "NOUN"),
        ("at", 4, "prep", "ADP"), ("Mersey", 7, "compound", "PROPN"),
        ("University", 5, "pobj", "PROPN"), (",", 1, "punct", "PUNCT"),
        ("said", 9, "ROOT", "VERB"), ("ships", 11, "nsubj", "NOUN"),
        ("waited", 9, "ccomp", "VERB"), (".", 9, "punct", "PUNCT"),
    ]
    mentions = [mention(text, "Hannah Greaves"), mention(text, "Mersey University", "ORG")]
    profile = only(build(text, rows), mentions, [quote_by(text, "Hannah Greaves")])
    assert profile.role is not None and profile.role.text == "economist at Mersey University"
    assert (profile.affiliation_canonical, profile.affiliation_label) == (
        "Mersey University", "ORG")
    assert profile.role_category == "academia and experts"


def test_no_quotes_no_profiles() -> None:
    doc = build(PM, PM_ROWS)
    assert profile_speakers(doc, [mention(PM, "Ana Petrosyan")], []) == []


@pytest.mark.parametrize(("female", "male", "expected"), [
    (0, 0, "unknown"), (1, 0, "female"), (0, 1, "male"), (1, 1, "unknown"), (2, 1, "unknown"),
    (3, 1, "female"), (1, 3, "male"), (5, 2, "unknown"), (6, 2, "female"), (2, 6, "male"),
])
def test_the_gender_rule(female: int, male: int, expected: str) -> None:
    assert DOMINANCE == 3
    assert decide(female, male) == expected


def test_the_deciding_method_is_the_winning_sides_largest_kind() -> None:
    evidence = GenderEvidence(pronoun_male=2, honorific_male=2, noun_female=1)
    assert deciding_method(evidence, "male") == "honorific"  # a tie goes to the honorific
    assert deciding_method(GenderEvidence(pronoun_male=1, pronoun_female=1), "unknown") \
        == "conflicting"


@pytest.mark.parametrize(("phrase", "context", "expected"), [
    ("Transport Secretary", (), "government and politics"),
    ("general secretary of the NUPW", (), "civil society and unions"),
    ("director of supply chain policy", ("British Retail Consortium",), "business"),
    ("maritime economist at the University of Liverpool", (), "academia and experts"),
    ("Everton's director of football", (), "sport and culture"),
    ("Liverpool manager", (), "unknown"),
    ("regional director", ("Royal College of Nursing",), "civil society and unions"),
    ("crane operator", (), "members of the public"),
    ("Bank of England", (), "government and politics"),
])
def test_role_categories_from_the_lexicon(phrase: str, context: tuple[str, ...],
                                          expected: str) -> None:
    assert categorise(phrase, context) == expected


def test_name_gender_needs_a_given_name_and_a_surname() -> None:
    assert name_gender("Karen Lowe") == "female"
    assert name_gender("Councillor John Smith") == "male"
    assert name_gender("Karen") is None
    assert name_gender("Zzyzx Lowe") is None


def test_an_object_inside_a_reported_clause_is_someone_else_its_subject_is_the_speaker() -> None:
    text = "Bernie Sanders said nobody would question her intelligence."
    rows: list[Row] = [
        ("Bernie", 1, "compound", "PROPN"), ("Sanders", 2, "nsubj", "PROPN"),
        ("said", 2, "ROOT", "VERB"), ("nobody", 5, "nsubj", "PRON"), ("would", 5, "aux", "AUX"),
        ("question", 2, "ccomp", "VERB"), ("her", 7, "poss", "PRON"),
        ("intelligence", 5, "dobj", "NOUN"), (".", 2, "punct", "PUNCT"),
    ]
    profile = only(build(text, rows), [mention(text, "Bernie Sanders")],
                   [quote_by(text, "Bernie Sanders")])
    assert profile.evidence == GenderEvidence()


def test_the_mother_as_a_subject_refers_back_to_the_person() -> None:
    text = "Lena Brown left early. The 45-year-old mother said she was tired."
    rows: list[list[Row]] = [
        [("Lena", 1, "compound", "PROPN"), ("Brown", 2, "nsubj", "PROPN"),
         ("left", 2, "ROOT", "VERB"), ("early", 2, "advmod", "ADV"), (".", 2, "punct", "PUNCT")],
        [("The", 2, "det", "DET"), ("45-year-old", 2, "amod", "ADJ"),
         ("mother", 3, "nsubj", "NOUN"), ("said", 3, "ROOT", "VERB"),
         ("she", 5, "nsubj", "PRON"), ("was", 3, "ccomp", "AUX"), ("tired", 5, "acomp", "ADJ"),
         (".", 3, "punct", "PUNCT")],
    ]
    doc = build(text, *rows)
    profile = only(doc, [mention(text, "Lena Brown")], [quote_by(text, "Lena Brown")])
    # "mother" refers back to Brown, and so does "she" (its most recent person subject).
    assert profile.evidence == GenderEvidence(pronoun_female=1, noun_female=1)
    assert (profile.gender, profile.gender_method) == ("female", "noun")

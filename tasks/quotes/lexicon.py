"""The words the quote rules look for: speech and reporting verbs, the given names that tell
a person's gender, and the pronouns and nouns that stand for a speaker.

The long lists are resource files (``resources/speech_verbs.txt``, ``first_names.txt``); the
short closed classes are written here. Titles and honorifics, which entity consolidation reads
too, are in :mod:`newsmill.tasks.names`.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from spacy.tokens import Token

#: Pronouns that stand for a person, resolved by gender and recency.
PRONOUN_PERSON = frozenset({"he", "she", "him", "her"})
#: Pronouns that stand for an organisation or a place.
PRONOUN_GROUP = frozenset({"it", "they", "them", "we"})
#: Nouns that, after "the", refer back to an organisation already named ("the company said").
ORGANISATION_NOUNS = frozenset({
    "company", "firm", "operator", "union", "ministry", "department", "council", "government",
    "club", "bank", "agency", "authority", "committee", "party", "court", "police", "hospital",
    "trust", "board", "group", "survey", "association", "federation", "office", "commission",
    "organisation", "organization", "institute", "university", "museum", "charity", "regulator",
    "airline", "retailer", "insurer", "carrier", "manufacturer", "developer", "league",
    "alliance", "bloc", "coalition", "campaign", "service", "team", "network",
})
#: Nouns for what was published, which speak for their author ("according to a new poll by
#: Politico", "said in a statement from the ministry", "Trump's statement said").
DOCUMENT_NOUNS = frozenset({
    "report", "reports", "statement", "statements", "poll", "polls", "survey", "study",
    "analysis", "memo", "letter", "release", "story", "article", "filing", "filings",
    "complaint", "lawsuit", "email", "tweet", "post", "interview", "speech", "ad", "book",
    "documents", "data", "estimate", "estimates", "review", "audit", "investigation",
})
#: Role nouns that speak for the organisation in their "for"/"of" phrase.
SPOKESPERSON_NOUNS = frozenset({"spokesperson", "spokesman", "spokeswoman", "representative",
                                "official", "officials", "statement", "source", "sources"})


def _inflections(verb: str) -> tuple[str, ...]:
    """The forms of a regular English verb: base, -s, -ed, -ing ("deny" → "denies",
    "denied", "denying"; "note" → "notes", "noted", "noting"; "admit" → "admitted")."""
    if verb.endswith("it"):
        return verb, verb + "s", verb + "ted", verb + "ting"
    if verb.endswith("y"):
        return verb, verb[:-1] + "ies", verb[:-1] + "ied", verb + "ing"
    if verb.endswith("e"):
        return verb, verb + "s", verb + "d", verb[:-1] + "ing"
    if verb.endswith(("s", "sh", "ch")):
        return verb, verb + "es", verb + "ed", verb + "ing"
    return verb, verb + "s", verb + "ed", verb + "ing"


#: Reporting verbs whose noun object is what was said ("announced the arrest of a man",
#: "denied any involvement", "described the plan as a gamble"). Verbs whose object is the
#: listener ("told reporters", "warned officials") or seldom a statement ("added a layer",
#: "wrote a book", "declared an emergency") are left out: on our sample corpus they were
#: wrong more often than right.
OBJECT_CONTENT_VERBS = frozenset(
    form for verb in ("acknowledge", "admit", "announce", "confirm", "deny", "describe",
                      "reveal", "accuse", "criticize", "criticise", "claim", "stress",
                      "emphasize", "emphasise", "note", "predict", "propose", "promise",
                      "suggest", "report", "blame", "praise", "dismiss", "defend",
                      "explain", "question", "recommend", "endorse", "reject", "condemn")
    for form in _inflections(verb))


#: Verbs that report what was said only through their object, never a quotation of their
#: own ("cited the poll as proof", "mentioned the wall"): read like :data:`OBJECT_CONTENT_VERBS`
#: though they are not speech verbs (“…,” she mentioned is not how news attributes).
OBJECT_ONLY_VERBS = frozenset(form for verb in ("cite", "mention") for form in _inflections(verb))
#: Forms of "call", which reports speech by what it names or asks for: "called the plan
#: “a disaster”", "called for a recount", "called on Congress to act".
CALL_FORMS = frozenset(_inflections("call"))


@cache
def speech_verbs() -> frozenset[str]:
    """Every inflected form in ``resources/speech_verbs.txt``, lowercased."""
    text = resources.files("newsmill.tasks").joinpath("resources", "speech_verbs.txt").read_text()
    return frozenset(
        word.lower() for line in text.splitlines()
        if line.strip() and not line.startswith("#") for word in line.split()
    )


#: Verbs that report speech only with their particle ("pointed out", "went on").
PHRASAL_SPEECH_VERBS = {"point": "out", "points": "out", "pointed": "out", "pointing": "out",
                        "go": "on", "goes": "on", "went": "on", "going": "on"}


def is_speech_verb(token: Token) -> bool:
    """A verb of ``speech_verbs()``, or a phrasal one with its particle ("pointed out")."""
    if token.pos_ not in {"VERB", "AUX", ""}:
        return False
    if token.lower_ in speech_verbs():
        return True
    particle = PHRASAL_SPEECH_VERBS.get(token.lower_)
    return particle is not None and any(
        c.dep_ == "prt" and c.lower_ == particle for c in token.children)


@cache
def first_name_genders() -> dict[str, str]:
    """``{given name: "m" or "f"}`` from ``resources/first_names.txt``."""
    text = resources.files("newsmill.tasks").joinpath("resources", "first_names.txt").read_text()
    genders: dict[str, str] = {}
    for line in text.splitlines():
        gender, sep, names = line.partition(":")
        if sep and gender in {"m", "f"} and not line.startswith("#"):
            genders.update((name, gender) for name in names.split())
    return genders

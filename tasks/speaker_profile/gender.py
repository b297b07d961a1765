"""A person's gender from what one text says about them: pronouns, honorifics, gendered nouns.

Evidence, counted per person (every PERSON entity; profiles keep the speakers'):

* **pronouns** (he, him, his, himself, she, her, hers, herself) outside quotation marks: a
  pronoun the quote rules resolved as a speaker counts for that speaker (unless the speaker
  is named only inside quotation marks, which the article does not describe, or the rule
  below names someone else); any other counts for the *most recent subject* — the last
  person mention, outside quotation marks, that is the subject of its clause, in the
  pronoun's sentence before it or in the sentence before — when no mention of another
  person stands between that subject and the pronoun and no other person is a subject in
  those two sentences (then it is ambiguous and counts for nobody, not even for the
  speaker the quote rules gave it), and the parse allows it: not the object of the
  subject's own verb ("Penhaligon accused her"), not inside the subject's own noun phrase
  ("Donald Trump, her Republican opponent"), and inside a clause the subject's verb reports
  only as that clause's subject or its subject's possessor ("Stannard said he was …", not
  "Sanders said nobody would question her intelligence"). Pronouns inside quotation marks
  are the speaker's own words about someone else ("he let us down") and never count;
* **honorifics** (Mr, Mrs, Ms, Miss, Sir, Dame, Lord, Lady, Madam) right before a mention,
  one piece per mention;
* **gendered nouns** (``resources/gendered_nouns.txt``) used for the person: before the name
  ("spokeswoman Jane Doe"), in apposition ("Jane Doe, a mother of three,"; "the chairman,
  John Roe,"), as the predicate ("Doe is the chairwoman"), or as a subject that refers back
  like a pronoun ("the 45-year-old mother said", by the pronoun rule). A possessed noun
  ("his mother", "Roe's wife") names another person and is not counted.

:func:`decide` turns the counts into a value: see its docstring for the rule.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence

import numpy
from spacy.attrs import LOWER
from spacy.tokens import Doc, Token

from newsmill.tasks.models import Gender, GenderEvidence, Mention, Quote
from newsmill.tasks.names import GENDERED_HONORIFICS
from newsmill.tasks.speaker_profile.lexicon import GENDERED_PRONOUNS, gendered_nouns

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
#: Dependencies of a clause a speech verb reports ("said that …").
CLAUSE_DEPS = frozenset({"ccomp", "xcomp", "advcl"})
#: Dependencies of a pronoun that is its verb's object.
OBJECT_DEPS = frozenset({"dobj", "dative", "iobj", "oprd"})
#: How much one side must outweigh the other when the evidence conflicts (3:1). Measured on
#: PolNeAR train (see ``newsmill eval speakers``): persons with evidence on both sides are
#: mostly pronouns of a nearby other person counted for them.
DOMINANCE = 3
#: The fewest pieces the winning side needs when the evidence conflicts.
MIN_DOMINANT_PIECES = 2
#: Forms of "be" (the pipelines load without a lemmatizer, so lemmas are not there).
BE_FORMS = frozenset({"is", "was", "are", "were", "be", "been", "being", "'s", "’s"})
_HONORIFIC_BEFORE = re.compile(r"\b([A-Z][a-z]{1,4})\.?\s+$")
_KINDS = ("honorific", "noun", "pronoun")


def _unbounded() -> None:
    """The ``check`` of a profile built with no time limit."""


def decide(female: int, male: int) -> Gender:
    """The gender ``female`` and ``male`` pieces of evidence give: the only side with any,
    else the side with at least :data:`DOMINANCE` times the other's pieces and at least
    :data:`MIN_DOMINANT_PIECES`; no evidence, or conflicting evidence that no side
    dominates, is "unknown". (The warehouse applies the same rule to the counts summed over
    documents: ``queries/speaker_attributes_merge.sql``.)"""
    if female and not male:
        return "female"
    if male and not female:
        return "male"
    if female >= DOMINANCE * male and female >= MIN_DOMINANT_PIECES and male:
        return "female"
    if male >= DOMINANCE * female and male >= MIN_DOMINANT_PIECES and female:
        return "male"
    return "unknown"


def deciding_method(evidence: GenderEvidence, gender: Gender) -> str:
    """How ``gender`` was decided from ``evidence``: the kind of evidence with most pieces on
    the winning side (honorific, then noun, then pronoun on a tie); "conflicting" when there
    is evidence but no side won, "no-evidence" when there is none."""
    if gender == "unknown":
        return "conflicting" if evidence.female or evidence.male else "no-evidence"
    side = "female" if gender == "female" else "male"
    counts = {kind: getattr(evidence, f"{kind}_{side}") for kind in _KINDS}
    return max(_KINDS, key=lambda kind: counts[kind])


class QuotedRegions:
    """Whether a character offset lies inside one of the quoted passages."""

    def __init__(self, passages: Iterable[tuple[int, int]]) -> None:
        merged: list[tuple[int, int]] = []
        for start, end in sorted(passages):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def __call__(self, char: int) -> bool:
        i = bisect.bisect_right(self.starts, char) - 1
        return i >= 0 and char < self.ends[i]


class _Counts:
    """Evidence being counted, per canonical person name."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, canonical: str, kind: str, gender: str) -> None:
        self.counts[canonical][f"{kind}_{gender}"] += 1

    def evidence(self, canonical: str) -> GenderEvidence:
        return GenderEvidence(**self.counts.get(canonical, {}))


#: What :meth:`_Antecedents.most_recent_subject` returns when two people are subjects in the
#: window: the pronoun counts for nobody, not even the speaker the quote rules gave it.
AMBIGUOUS = Mention(-1, -1, "", "PERSON", "", -1)


class _Antecedents:
    """The person mentions outside quotation marks, in text order, with which of them are
    subjects: what a pronoun may refer back to."""

    def __init__(self, doc: Doc, persons: Sequence[Mention]) -> None:
        self.persons = list(persons)
        self.starts = [m.start_char for m in self.persons]
        # Sentence bounds once: Token.sent walks the sentence anew each time it is read.
        bounds = [(sent.start, sent.start_char) for sent in doc.sents] or [(0, 0)]
        self.sentence_tokens = [start for start, _ in bounds]
        self.sentence_chars = [char for _, char in bounds]
        roots = [_root(doc, m) for m in self.persons]
        self.roots = roots
        self.subject = [root is not None and root.dep_ in SUBJECT_DEPS for root in roots]
        #: The verb each subject is the subject of.
        self.verb = [root.head.i if root is not None else -1 for root in roots]

    def sentence_of(self, i: int) -> int:
        """The index of the sentence holding token ``i``."""
        return bisect.bisect_right(self.sentence_tokens, i) - 1

    def most_recent_subject(self, token: Token) -> Mention | None:
        """The person the pronoun (or noun) ``token`` refers back to by the rule of the
        module docstring, or None. A pronoun that is a verb's object ("accused her") does
        not refer to that verb's subject."""
        sentence = self.sentence_of(token.i)
        window = self.sentence_chars[max(sentence - 1, 0)]
        i = bisect.bisect_left(self.starts, token.idx) - 1  # the mentions before the token
        others: set[str] = set()
        found: Mention | None = None
        subjects: set[str] = set()
        while i >= 0 and self.starts[i] >= window:
            m = self.persons[i]
            if self.subject[i] and m.end_char <= token.idx:
                subjects.add(m.canonical)
                if found is None:
                    root = self.roots[i]
                    same = root is not None and self.sentence_of(root.i) == sentence
                    if others - {m.canonical} or self.verb[i] == _governor(token) or (
                            same and root is not None and not _may_refer_to(token, root)):
                        return None
                    found = m
            others.add(m.canonical)
            i -= 1
        if len(subjects) > 1:
            return AMBIGUOUS
        return found


def count_evidence(doc: Doc, text: str, mentions: Sequence[Mention], quotes: Sequence[Quote],
                   passages: Iterable[tuple[int, int]], *,
                   check: Callable[[], None] = _unbounded) -> dict[str, GenderEvidence]:
    """``{canonical person name: evidence}`` for every person of ``mentions`` the text gives
    any evidence for (rules: the module docstring). ``passages``: ``(start, end)`` of each
    quoted passage's content. ``check`` is called per person mention and per token read."""
    inside = QuotedRegions(passages)
    persons = sorted((m for m in mentions if m.label == "PERSON"), key=lambda m: m.start_char)
    counts = _Counts()
    for m in persons:
        check()
        before = _HONORIFIC_BEFORE.search(text, max(0, m.start_char - 8), m.start_char)
        opening = re.match(r"([A-Z][a-z]{1,4})\.?\s", m.text)
        for found in (before, opening):
            gender = GENDERED_HONORIFICS.get(found.group(1).lower()) if found else None
            if gender:
                counts.add(m.canonical, "honorific", "female" if gender == "f" else "male")
    outside = [m for m in persons if not inside(m.start_char)]
    antecedents = _Antecedents(doc, outside)
    by_token = _person_tokens(doc, outside)
    # A speaker named only inside quotation marks ("my time at Corvane", read as a person)
    # is no one the article describes: the pronouns resolved to it are someone else's.
    described = {m.canonical for m in outside}
    resolved = {q.speaker.start_char: q.speaker_canonical for q in quotes
                if q.speaker is not None and q.speaker_canonical in described
                and q.speaker_label == "PERSON"
                and q.speaker.text.casefold() in GENDERED_PRONOUNS}
    nouns = gendered_nouns()
    for token in _candidates(doc, nouns):
        word = token.lower_
        pronoun = GENDERED_PRONOUNS.get(word)
        noun = nouns.get(word) if pronoun is None else None
        if pronoun is None and noun is None:
            continue
        check()
        if inside(token.idx):
            continue
        if pronoun is not None:
            antecedent = antecedents.most_recent_subject(token)
            canonical = resolved.get(token.idx)
            if antecedent is AMBIGUOUS:
                canonical = None
            elif canonical is None:
                canonical = antecedent.canonical if antecedent else None
            elif antecedent is not None and antecedent.canonical != canonical:
                canonical = None  # the two rules disagree: the pronoun tells nothing sure
            if canonical is not None:
                counts.add(canonical, "pronoun", pronoun)
        elif noun is not None:
            person = _noun_person(token, by_token, antecedents)
            if person is not None and person is not AMBIGUOUS:
                counts.add(person.canonical, "noun", noun)
    return {name: counts.evidence(name) for name in counts.counts}


def _candidates(doc: Doc, nouns: dict[str, str]) -> Iterator[Token]:
    """The tokens that are gendered pronouns or nouns, found on the array of lowercase forms
    (making a Token of every token of a long text cost more than the rest of the profile)."""
    wanted = numpy.array([doc.vocab.strings.add(w) for w in (*GENDERED_PRONOUNS, *nouns)],
                         dtype=numpy.uint64)
    lowers = doc.to_array([LOWER]).astype(numpy.uint64)
    for i in numpy.flatnonzero(numpy.isin(lowers, wanted)):
        yield doc[int(i)]


def _root(doc: Doc, mention: Mention) -> Token | None:
    span = doc.char_span(mention.start_char, mention.end_char, alignment_mode="expand")
    return span.root if span is not None and len(span) > 0 else None


def _may_refer_to(pronoun: Token, subject: Token) -> bool:
    """Whether the parse lets ``pronoun`` refer to ``subject`` (the root of a subject
    mention before it). Not when it stands inside the subject's own noun phrase ("Donald
    Trump, her Republican opponent"); inside a clause reported by the subject's verb
    ("Sanders told MSNBC that nobody would question her intelligence") only as that
    clause's subject or its subject's possessor ("said he would", "said his plan would"):
    speakers name themselves so, and an object there is most often someone else. The two
    stand in one sentence."""
    verb = subject.head
    node = pronoun
    reported = False
    while node.i != node.head.i:
        if node.i == subject.i:
            return False
        if node.head.i == verb.i:
            reported = node.dep_ in CLAUSE_DEPS
            break
        node = node.head
    if not reported:
        return True
    if pronoun.dep_ in SUBJECT_DEPS:
        return True
    return pronoun.dep_ == "poss" and pronoun.head.dep_ in SUBJECT_DEPS


def _governor(token: Token) -> int:
    """The verb whose object ``token`` is ("accused her", "told him", "asked of her"); -1
    for any other token. Such an object is never its own verb's subject, so the subject of
    that verb is not its antecedent."""
    if token.dep_ in OBJECT_DEPS:
        return token.head.i
    if token.dep_ == "pobj" and token.head.dep_ in {"prep", "dative"}:
        return token.head.head.i
    return -1


def _person_tokens(doc: Doc, persons: Sequence[Mention]) -> dict[int, Mention]:
    """``{token index: person mention}`` for the tokens of each person mention."""
    found: dict[int, Mention] = {}
    for m in persons:
        span = doc.char_span(m.start_char, m.end_char, alignment_mode="expand")
        if span is not None:
            for tok in span:
                found.setdefault(tok.i, m)
    return found


def _noun_person(token: Token, persons: dict[int, Mention],
                 antecedents: _Antecedents) -> Mention | None:
    """The person a gendered noun is used for (rules: the module docstring), or None."""
    for child in token.children:
        if child.dep_ == "appos" and child.i in persons:
            return persons[child.i]  # "the chairman, John Roe," (the name hangs from it)
    if any(child.dep_ == "poss" for child in token.children):
        return None  # "his mother", "Roe's wife": someone else
    head = token.head
    if token.dep_ in {"compound", "appos", "nmod"} and head.i in persons:
        return persons[head.i]  # "spokeswoman Jane Doe", "Jane Doe, a mother of three"
    if token.dep_ == "attr" and head.lower_ in BE_FORMS:
        for child in head.children:
            if child.dep_ in SUBJECT_DEPS and child.i in persons:
                return persons[child.i]  # "Doe is the chairwoman"
    if token.dep_ in SUBJECT_DEPS and any(c.lower_ == "the" for c in token.lefts):
        return antecedents.most_recent_subject(token)  # "the 45-year-old mother said"
    return None

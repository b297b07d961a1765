"""Who is speaking: the subject of a speech verb, and the entity a speaker phrase names.

A speaker phrase resolves, in text order, to a mention of the document: a name on the
phrase's head word (or, for a proper noun the model tagged as no entity, the mention whose
name holds that word), an apposed name, the organisation a spokesperson speaks for, the
author of a report or statement ("a poll by Gallup"), "he" or
"she" by gender and recency, "it" or "they" by the organisation or place named before; each
quote records the way it was found and that way's measured confidence (:data:`CONFIDENCE`).

The mentions are indexed once per document (by position, label and gender), so resolving one
speaker looks at the few mentions near it and not at every mention before it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from newsmill.tasks.models import Mention, Quote, Span
from newsmill.tasks.names import GENDERED_HONORIFICS, TITLE_WORDS
from newsmill.tasks.quotes.lexicon import (
    DOCUMENT_NOUNS,
    ORGANISATION_NOUNS,
    PRONOUN_GROUP,
    PRONOUN_PERSON,
    SPOKESPERSON_NOUNS,
    first_name_genders,
    is_speech_verb,
)
from newsmill.tasks.quotes.marks import QuotedSpan
from newsmill.tasks.quotes.pending import Pending, unbounded

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
CLAUSE_DEPS = frozenset({"ccomp", "xcomp"})
GROUP_LABELS = frozenset({"ORG", "GPE", "NORP"})
SPEAKER_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
#: Longest entity name considered when looking for the mention under a speaker phrase.
MAX_NAME_CHARS = 200
#: Words that open a person's canonical name without being the given name: titles ("Sen.
#: Tim Kaine") and "the".
NOT_GIVEN_NAMES = TITLE_WORDS | {"the"}


@dataclass(frozen=True)
class Resolution:
    """A speaker phrase, the mention it names (None when nothing fits) and how it was found
    (one of :data:`CONFIDENCE`'s keys)."""

    phrase: Span
    mention: Mention | None
    method: str


#: How often each way of finding a speaker named the right one: stored with each quote as
#: ``speaker_confidence``. Measured on 300 articles of PolNeAR's train split (every matched
#: attribution whose source has a known name; small English model): name 1355/1388,
#: apposition 23/24, previous speaker 188/218, subject 105/142. Ways seen fewer than 20
#: times there (relative 5/7, organisation noun 3/4, group pronoun 2/6, inherited 2/4, recent
#: person 3/3, spokesperson 0) get a cautious round value below their count. Added later,
#: measured on all 840 train articles (broad view): name-word 75/78, document 14/17. Nothing
#: was trained on PolNeAR; these numbers only describe how reliable each rule is.
CONFIDENCE = {
    "name": 0.98,
    "name-word": 0.95,
    "apposition": 0.95,
    "pronoun-previous-speaker": 0.86,
    "pronoun-subject": 0.74,
    "spokesperson": 0.8,
    "relative": 0.7,
    "organisation-noun": 0.7,
    "document": 0.8,
    "inherited": 0.6,
    "pronoun-recent": 0.6,
    "pronoun-group": 0.4,
    "unresolved": 0.0,
}


def entity_genders(text: str, mentions: Sequence[Mention]) -> dict[str, str]:
    """``{canonical person name: "m" or "f"}`` where the text tells: an honorific right
    before any of its mentions ("Mrs. Clinton"), else a gendered given name opening the
    canonical name ("Hillary Clinton"). A person both ways, or neither, is left out."""
    names = first_name_genders()
    seen: dict[str, set[str]] = {}
    for m in mentions:
        if m.label != "PERSON":
            continue
        before = re.search(r"(\w+)\.?\s*$", text[max(0, m.start_char - 8):m.start_char])
        title = GENDERED_HONORIFICS.get(before.group(1).lower()) if before else None
        opening = re.match(r"(\w+)\.?\s*", m.text)
        inside = GENDERED_HONORIFICS.get(opening.group(1).lower()) if opening else None
        for gender in (title, inside):
            if gender:
                seen.setdefault(m.canonical, set()).add(gender)
    for m in mentions:
        if m.label == "PERSON" and m.canonical not in seen:
            words = [w for w in re.findall(r"[\w'-]+", m.canonical)
                     if w.lower() not in NOT_GIVEN_NAMES]
            if len(words) >= 2 and words[0] in names:
                seen[m.canonical] = {names[words[0]]}
    return {name: genders.pop() for name, genders in seen.items() if len(genders) == 1}


class _Persons:
    """The person antecedents that agree with one gender, in text order, with those among
    them that are subjects: what "he" or "she" can refer to."""

    def __init__(self, persons: list[Mention], subjects: set[int],
                 blockers: set[int] | None = None) -> None:  # None: every subject blocks
        self.persons = persons
        self.person_starts = [m.start_char for m in persons]
        self.subjects = [m for m in persons if m.start_char in subjects]
        self.subject_starts = [m.start_char for m in self.subjects]
        #: The subjects that take "he" or "she" away from the previous speaker: those not
        #: inside what a speaker is reported to have said.
        self.blockers = [m for m in self.subjects if blockers is None or m.start_char in blockers]
        self.blocker_starts = [m.start_char for m in self.blockers]
        #: For each blocker, the nearest blocker before it naming someone else (-1: none).
        self.other_before: list[int] = []
        for i, m in enumerate(self.blockers):
            if i == 0:
                self.other_before.append(-1)
            elif self.blockers[i - 1].canonical != m.canonical:
                self.other_before.append(i - 1)
            else:
                self.other_before.append(self.other_before[i - 1])

    def last_person(self, position: int) -> Mention | None:
        i = bisect.bisect_left(self.person_starts, position)
        return self.persons[i - 1] if i else None

    def last_subject(self, position: int) -> Mention | None:
        i = bisect.bisect_left(self.subject_starts, position)
        return self.subjects[i - 1] if i else None

    def other_subject_between(self, after: int, position: int, canonical: str) -> bool:
        """A subject starting after ``after`` and before ``position`` names someone other
        than ``canonical``."""
        first = bisect.bisect_right(self.blocker_starts, after)
        last = bisect.bisect_left(self.blocker_starts, position) - 1
        if last < first:
            return False
        if self.blockers[last].canonical != canonical:
            return True
        return self.other_before[last] >= first


class Resolver:
    """Finds the entity a speaker phrase names, using the document's mentions and the
    speakers resolved so far (quotes are resolved in text order). ``text``: the document's
    text, if the caller has it already."""

    def __init__(self, doc: Doc, mentions: Sequence[Mention],
                 quoted: Sequence[QuotedSpan] = (), *, text: str | None = None) -> None:
        self.doc = doc
        # A pronoun never refers to someone named inside a quotation ("“Rúben is exactly the
        # profile we wanted,” he said"), so those mentions are not antecedents.
        inside = _Inside(quoted)
        self.antecedents = sorted((m for m in mentions if not inside(m.start_char)),
                                  key=lambda m: m.start_char)
        self.antecedent_starts = [m.start_char for m in self.antecedents]
        self.mentions = sorted(mentions, key=lambda m: m.start_char)
        self.starts = [m.start_char for m in self.mentions]
        self.text = doc.text if text is None else text
        self.genders = entity_genders(self.text, self.mentions)
        self.subjects = {m.start_char for m in self.antecedents if _is_subject(doc, m)}
        # Someone a speaker talks about ("Rendell said that Sanders supporters have …") does
        # not take the next "he" from the speaker: only subjects outside reported clauses
        # block the previous speaker (PolNeAR train pronouns 74.6 -> 75.2 %, dev unchanged).
        blockers = {m.start_char for m in self.antecedents
                    if m.start_char in self.subjects and not _in_reported_clause(doc, m)}
        #: (position of the cue, speaker) of every quote resolved so far, in text order:
        #: add them with :meth:`add_speaker`.
        self.speakers: list[tuple[int, Mention]] = []
        self._person_speakers: list[tuple[int, Mention]] = []
        self._person_speaker_positions: list[int] = []
        self._by_gender = {gender: _Persons(
            [m for m in self.antecedents if m.label == "PERSON" and self._agrees(m, gender)],
            self.subjects, blockers) for gender in ("m", "f")}
        self._by_labels: dict[frozenset[str], tuple[list[int], list[Mention]]] = {}
        self._by_word: dict[str, list[Mention]] | None = None

    def add_speaker(self, position: int, mention: Mention) -> None:
        """Record the speaker of the quote whose cue is at ``position`` (in text order)."""
        self.speakers.append((position, mention))
        if mention.label == "PERSON":
            self._person_speakers.append((position, mention))
            self._person_speaker_positions.append(position)

    def covering(self, start: int, end: int) -> Mention | None:
        """The mention overlapping ``[start, end)`` (the longest, if several)."""
        best = None
        # Mentions are sorted by start; one that overlaps starts before ``end`` and, names
        # being short, no more than MAX_NAME_CHARS before ``start``.
        i = bisect.bisect_left(self.starts, end) - 1
        while i >= 0 and self.mentions[i].start_char > start - MAX_NAME_CHARS:
            m = self.mentions[i]
            overlaps = m.start_char < end and start < m.end_char
            if overlaps and m.label in SPEAKER_LABELS and (
                    best is None or m.end_char - m.start_char > best.end_char - best.start_char):
                best = m
            i -= 1
        return best

    def last_before(self, position: int, labels: frozenset[str]) -> Mention | None:
        """The nearest mention with one of ``labels`` before ``position``, outside quotes."""
        if labels not in self._by_labels:
            chosen = [m for m in self.antecedents if m.label in labels]
            self._by_labels[labels] = ([m.start_char for m in chosen], chosen)
        starts, chosen = self._by_labels[labels]
        i = bisect.bisect_left(starts, position)
        return chosen[i - 1] if i else None

    def previous_subject(self, token: Token, labels: frozenset[str]) -> Mention | None:
        """The entity that is the subject of the sentence before ``token``'s."""
        sent = token.sent
        if sent.start == 0:
            return None
        previous = self.doc[sent.start - 1].sent
        for tok in previous:
            if tok.dep_ in SUBJECT_DEPS and tok.head.dep_ == "ROOT":
                found = self.covering(tok.idx, tok.idx + len(tok))
                if found and found.label in labels:
                    return found
        return None

    def _on(self, token: Token) -> Mention | None:
        return self.covering(token.idx, token.idx + len(token))

    def named_by_word(self, token: Token) -> Mention | None:
        """The mention whose canonical name holds ``token``'s word, for a proper noun the
        model tagged as no entity here ("Tester said" after "Jon Tester"): the nearest one
        before it, else the first after; a person before any other label."""
        if self._by_word is None:
            self._by_word = {}
            for m in self.mentions:
                if m.label in SPEAKER_LABELS:
                    for word in set(re.findall(r"[\w'-]+", m.canonical)):
                        self._by_word.setdefault(word, []).append(m)
        candidates = self._by_word.get(token.text, [])
        if not candidates:
            return None
        persons = [m for m in candidates if m.label == "PERSON"] or candidates
        before = [m for m in persons if m.start_char < token.idx]
        return before[-1] if before else persons[0]

    def _agrees(self, mention: Mention, gender: str) -> bool:
        return self.genders.get(mention.canonical, gender) == gender

    def person_pronoun(self, pronoun: Token) -> tuple[Mention | None, str]:
        """The person "he" or "she" names: agreeing in gender, preferring someone who is
        the subject earlier in the same sentence, then the previous quote's speaker unless
        another agreeing person has been a subject since, then the nearest agreeing subject,
        then the nearest agreeing person."""
        gender = "m" if pronoun.lower_ in {"he", "him"} else "f"
        position = pronoun.idx
        sentence_start = pronoun.sent.start_char
        agreeing = self._by_gender[gender]
        subject = agreeing.last_subject(position)
        if subject is not None and subject.start_char >= sentence_start:
            return subject, "pronoun-subject"
        i = bisect.bisect_left(self._person_speaker_positions, position)
        previous = self._person_speakers[i - 1] if i else None
        if previous is not None and self._agrees(previous[1], gender) and not \
                agreeing.other_subject_between(previous[0], position, previous[1].canonical):
            return previous[1], "pronoun-previous-speaker"
        if subject is not None:
            return subject, "pronoun-subject"
        person = agreeing.last_person(position)
        if person is not None:
            return person, "pronoun-recent"
        return None, "unresolved"

    def _author_of(self, document: Token) -> Mention | None:
        """Who a report, statement or poll is by: the name in its "by"/"from" phrase ("a
        new poll by Politico", "a statement from the ministry") or its possessor ("Trump's
        statement")."""
        for child in document.children:
            if child.dep_ == "poss" and (named := self._on(child)) is not None:
                return named
            if child.dep_ == "compound" and (named := self._on(child)) is not None \
                    and named.label in {"PERSON", "ORG"}:
                return named  # "a Politico report"
        for prep in document.rights:
            if prep.dep_ == "prep" and prep.lower_ in {"by", "from"}:
                for obj in prep.children:
                    if obj.dep_ == "pobj" and (named := self._on(obj)) is not None:
                        return named
        return None

    def resolve(self, speaker: Token) -> Resolution:
        """The speaker phrase for a subject token, and the mention it refers to.

        Only a mention on the phrase's head word names the speaker: in "Everton's director"
        the speaker is the director, not Everton. A role noun takes an apposed name
        ("Everton's director, Karl Henshall") or the organisation it speaks for ("a
        spokesperson for the ministry"); a definite organisation noun ("the company") takes
        the organisation named last; "he" or "she", a person (:meth:`person_pronoun`);
        "it" or "they", the organisation or place named last; a relative "who", the noun it
        hangs from.
        """
        phrase = _speaker_phrase(speaker)
        found = self._on(speaker)
        if found is not None:
            return Resolution(phrase, found, "name")
        word = speaker.lower_
        if speaker.pos_ == "PROPN" and speaker.text[:1].isupper() and \
                word not in PRONOUN_PERSON | PRONOUN_GROUP and \
                (named := self.named_by_word(speaker)) is not None:
            return Resolution(phrase, named, "name-word")
        if word in PRONOUN_PERSON:
            return Resolution(phrase, *self.person_pronoun(speaker))
        if word in PRONOUN_GROUP:
            group = (self.previous_subject(speaker, GROUP_LABELS)
                     or self.last_before(speaker.idx, GROUP_LABELS))
            return Resolution(phrase, group, "pronoun-group" if group else "unresolved")
        if word in {"who", "that"} and speaker.head.dep_ == "relcl" \
                and speaker.head.head.i != speaker.head.i:
            antecedent = self.resolve(speaker.head.head)
            if antecedent.mention is not None:
                return Resolution(antecedent.phrase, antecedent.mention, "relative")
        for child in speaker.rights:
            if child.dep_ == "appos" and (named := self._on(child)) is not None:
                return Resolution(phrase, named, "apposition")
        if word in SPOKESPERSON_NOUNS:
            for prep in speaker.rights:
                if prep.lower_ in {"for", "of", "at"}:
                    for obj in prep.children:
                        if obj.dep_ == "pobj" and (named := self._on(obj)) is not None:
                            return Resolution(phrase, named, "spokesperson")
        if word in DOCUMENT_NOUNS and (named := self._author_of(speaker)) is not None:
            return Resolution(phrase, named, "document")
        if word in ORGANISATION_NOUNS and any(c.lower_ == "the" for c in speaker.lefts):
            named = (self.previous_subject(speaker, frozenset({"ORG"}))
                     or self.last_before(speaker.idx, frozenset({"ORG"})))
            if named is not None:
                return Resolution(phrase, named, "organisation-noun")
        return Resolution(phrase, None, "unresolved")


def _is_subject(doc: Doc, mention: Mention) -> bool:
    span = doc.char_span(mention.start_char, mention.end_char, alignment_mode="expand")
    return span is not None and len(span) > 0 and span.root.dep_ in SUBJECT_DEPS


def _in_reported_clause(doc: Doc, mention: Mention) -> bool:
    """The mention is the subject of a clause a speech verb reports ("Rendell said that
    Sanders supporters have …"): someone spoken about, not the one speaking next."""
    span = doc.char_span(mention.start_char, mention.end_char, alignment_mode="expand")
    if span is None or len(span) == 0:
        return False
    verb = span.root.head
    while verb.dep_ == "conj" and verb.head.i != verb.i:
        verb = verb.head
    return verb.dep_ in CLAUSE_DEPS and is_speech_verb(verb.head)


def _speaker_phrase(token: Token) -> Span:
    """The words naming the speaker: the head noun with its compounds, titles and determiner,
    without appositions or relative clauses."""
    doc = token.doc
    left = token
    for child in token.lefts:
        if child.dep_ in {"compound", "det", "amod", "poss", "nmod", "flat"}:
            left = min(left, child.left_edge, key=lambda t: t.i)
    right = token
    for child in token.rights:
        if child.dep_ in {"compound", "flat"}:
            right = max(right, child.right_edge, key=lambda t: t.i)
    words = doc[left.i:right.i + 1]
    return Span(words.start_char, words.end_char, words.text)


def subject_of(verb: Token) -> Token | None:
    if is_passive(verb):
        # "X was asked …", "Asked about it, …": the subject is the one spoken to; the
        # speaker, if any, is the agent ("was told by officials").
        for child in verb.children:
            if child.dep_ == "agent":
                return next((g for g in child.children if g.dep_ == "pobj"), None)
        return None
    for child in verb.children:
        if child.dep_ in SUBJECT_DEPS:
            return child
    # "…, saying that …" and "… and added that …": the subject of the verb it hangs from.
    # When the parser hangs a coordinated speech verb under the reported clause ("X said
    # that A, and urged B"), the speaker is the subject of the speech verb above that clause.
    if verb.dep_ in {"advcl", "conj", "xcomp"} and verb.head.i != verb.i:
        head = verb.head
        while head.dep_ == "conj" and head.head.i != head.i and not is_speech_verb(head):
            head = head.head
        if (verb.dep_ == "conj" and not is_speech_verb(head) and head.dep_ in CLAUSE_DEPS
                and is_speech_verb(head.head)):
            head = head.head
        for child in head.children:
            if child.dep_ in SUBJECT_DEPS:
                return child
    # "… after saying that …", "… by announcing …": the subject of the verb the preposition
    # hangs from.
    if verb.dep_ == "pcomp" and verb.head.head.i != verb.head.i:
        governor = verb.head.head
        if governor.pos_ in {"VERB", "AUX"}:
            return subject_of(governor) if governor.i != verb.i else None
    # "a statement saying that …": the noun the participle describes.
    if verb.dep_ == "acl" and verb.head.pos_ in {"NOUN", "PROPN", "PRON"}:
        return verb.head
    return None


def is_passive(verb: Token) -> bool:
    """A passive speech verb ("was asked", "is reported") or a past participle opening a
    clause of its own ("Asked about the plan, she …")."""
    if any(c.dep_ in {"auxpass", "nsubjpass"} for c in verb.children):
        return True
    return verb.tag_ == "VBN" and verb.dep_ in {"advcl", "acl"} and not any(
        c.dep_ == "aux" for c in verb.children)


class _Inside:
    """Whether a character stands strictly between the marks of one of the quoted
    passages."""

    def __init__(self, quoted: Sequence[QuotedSpan]) -> None:
        self.quoted = sorted(quoted, key=lambda q: q.open_at)
        self.opens = [q.open_at for q in self.quoted]
        #: The furthest closing mark up to each passage.
        self.reach: list[int] = []
        for q in self.quoted:
            self.reach.append(max(q.close_at, self.reach[-1]) if self.reach else q.close_at)

    def __call__(self, char: int) -> bool:
        i = bisect.bisect_left(self.opens, char) - 1
        while i >= 0 and self.reach[i] > char:
            if self.quoted[i].close_at > char:
                return True
            i -= 1
        return False


def resolve_speakers(doc: Doc, pending: Sequence[Pending], resolver: Resolver, *,
                     check: Callable[[], None] = unbounded) -> list[Quote]:
    """The quotes with their speakers, resolved in text order; returned in ``pending``'s
    order. A floating quote takes the speaker of the quote before it when that stands in
    the same or the previous paragraph. ``check`` is called per quote."""
    text = resolver.text
    sentence_starts = ([sent.start_char for sent in doc.sents]
                       if doc.has_annotation("SENT_START") else None)
    resolved: dict[int, Quote] = {}
    previous: tuple[Quote, int] | None = None
    for index in sorted(range(len(pending)), key=lambda i: pending[i].position):
        check()
        item = pending[index]
        speaker = canonical = label = None
        method = "unresolved"
        if item.floating:
            if previous is not None and item.paragraph - previous[1] <= 1:
                canonical, label = previous[0].speaker_canonical, previous[0].speaker_label
                method = "inherited" if canonical else "unresolved"
        elif item.subject is not None:
            found = resolver.resolve(item.subject)
            speaker, method = found.phrase, found.method
            if found.mention is not None:
                canonical, label = found.mention.canonical, found.mention.label
                resolver.add_speaker(item.position, found.mention)
        sentence = (None if sentence_starts is None else
                    max(bisect.bisect_right(sentence_starts, item.start_char) - 1, 0))
        quote = Quote(start_char=item.start_char, end_char=item.end_char,
                      text=text[item.start_char:item.end_char], kind=item.kind,
                      cue=item.cue, speaker=speaker, speaker_canonical=canonical,
                      speaker_label=label, sentence_index=sentence,
                      speaker_method=method,
                      speaker_confidence=CONFIDENCE[method] if canonical else None)
        resolved[index] = quote
        previous = (quote, item.paragraph)
    return [resolved[i] for i in range(len(pending))]

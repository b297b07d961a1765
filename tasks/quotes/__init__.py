"""Who said what: direct quotes from quotation marks, indirect and mixed quotes from speech
verbs in spaCy's parse, and speakers resolved to the document's entities.

Works on a parsed ``Doc`` plus the document's consolidated mentions; tests build the ``Doc``
by hand (words, heads, deps) so no model is needed. Rules, in order:

* direct: each quoted passage (``quote_marks``; two apostrophes count as a mark) whose
  attribution is a speech verb right after the closing mark (``“…,” said X`` / ``“…,” X
  told``, the speaker phrase up to 25 words long), before the opening mark (``X said: “…”``,
  also from the end of the paragraph above), or a signature (``“…” ― Name``); a passage with
  none is *floating* and takes the previous quote's speaker when it stands in the same or the
  next paragraph; a short passage with no attribution and no closing punctuation is a scare
  quote (a term), not a statement;
* indirect: a speech verb with a clausal complement (``X said that …``), the complement being
  the content without the writer's trailing asides; a reporting verb's noun object
  (``denied any involvement``); *mixed* when the content contains a quoted fragment, the
  fragment then being no quote of its own;
* parenthetical: ``The alliance, he said, remains …`` — the whole sentence is the content;
* speakers, resolved in text order: the verb's subject (for ``…, saying that …`` or ``after
  saying …``, the subject of the verb it hangs from; for a passive, its agent or nobody);
  he/she a person agreeing in gender, preferring the previous quote's speaker; it/they the
  organisation or place named before; each with the method used and its measured confidence.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from newsmill.tasks.models import Mention, Quote, QuoteKind, Span
from newsmill.tasks.quotes.marks import (
    DOUBLE_MARKS,
    SINGLE_MARKS,
    QuotedSpan,
    find_quoted_spans,
    normalise_marks,
)

#: Tokens between a closing mark and its speech verb (``,” the union’s chair said``): the
#: longest speaker phrase in front of an inverted verb seen in news copy is about five words.
MAX_TOKENS_AFTER_CLOSE = 7
#: ... or up to this many when they all make up the verb's subject (a name with its title,
#: party and state and an apposition: "Rep. Gwen Moore (D-Wis.), who chairs the caucus,").
MAX_TOKENS_AFTER_SPEAKER = 25
#: A dash right after a closing mark, introducing a signature.
_SIGNATURE_DASH = re.compile(r"[ \t]*([―—–]|--?)[ \t]*")
#: Longest signature after the dash: a name and a short description ("Edwin G. Monroy, 27,
#: San Diego, California").
MAX_SIGNATURE_CHARS = 80
#: Fewest words a reported clause must have outside its quoted passages to be one mixed
#: quote rather than an introduction to them.
MIN_WORDS_AROUND_FRAGMENT = 3
#: Tokens between a speech verb and the opening mark it introduces (``X said on Tuesday: “``).
MAX_TOKENS_BEFORE_OPEN = 12
#: A passage of fewer words than this, with no attribution and no closing punctuation inside
#: the marks, is a quoted term ("so-called “green corridor”"), not a statement.
MIN_STATEMENT_WORDS = 6
_CLOSING_PUNCT = tuple(".,!?…—-:;")

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
CLAUSE_DEPS = frozenset({"ccomp", "xcomp"})
#: Subordinators of adverbial clauses that give circumstances, not what was said.
CIRCUMSTANCE_MARKS = frozenset({"when", "after", "before", "while", "because", "if", "as",
                                "since", "although", "though", "until", "once", "unless"})
#: Subordinators of a trailing clause that concedes or contrasts: the writer's aside.
CONCESSION_MARKS = frozenset({"although", "though", "while", "whereas"})
PRONOUN_PERSON = frozenset({"he", "she", "him", "her"})
PRONOUN_GROUP = frozenset({"it", "they", "them", "we"})
GROUP_LABELS = frozenset({"ORG", "GPE", "NORP"})
SPEAKER_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
#: Nouns that, after "the", refer back to an organisation already named ("the company said").
ORGANISATION_NOUNS = frozenset({
    "company", "firm", "operator", "union", "ministry", "department", "council", "government",
    "club", "bank", "agency", "authority", "committee", "party", "court", "police", "hospital",
    "trust", "board", "group", "survey", "association", "federation", "office", "commission",
    "organisation", "organization", "institute", "university", "museum", "charity", "regulator",
    "airline", "retailer", "insurer", "carrier", "manufacturer", "developer", "league",
    "alliance", "bloc", "coalition", "campaign", "service", "team", "network",
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
#: Prepositions that complete what a reporting verb says of its object ("described X as Y",
#: "accused X of Y", "criticised X for Y").
COMPLETING_PREPOSITIONS = frozenset({"as", "of", "for", "in", "from", "about", "on", "against"})
#: Fewest words of a noun-object content ("announced the pick"); one word ("declared
#: bankruptcy") is most often not a statement.
MIN_OBJECT_WORDS = 2
#: Longest entity name considered when looking for the mention under a speaker phrase.
MAX_NAME_CHARS = 200


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


def _is_speech_verb(token: Token) -> bool:
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


#: Honorifics that tell a person's gender when they stand right before a name.
GENDERED_TITLES = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f", "sir": "m", "lady": "f",
                   "madam": "f", "dame": "f", "lord": "m"}
#: Words that open a person's name but are titles, not given names ("Sen. Tim Kaine").
_TITLE_WORDS = frozenset({"president", "sen", "senator", "rep", "gov", "governor", "gen",
                          "general", "dr", "prof", "mayor", "judge", "justice", "chief",
                          "secretary", "minister", "prime", "former", "the", "rev", "lt",
                          "col", "capt", "sgt", "vice", "speaker", "leader", "mr", "mrs", "ms"})


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
#: person 3/3, spokesperson 0) get a cautious round value below their count. Nothing was
#: trained on PolNeAR; these numbers only describe how reliable each rule is.
CONFIDENCE = {
    "name": 0.98,
    "apposition": 0.95,
    "pronoun-previous-speaker": 0.86,
    "pronoun-subject": 0.74,
    "spokesperson": 0.8,
    "relative": 0.7,
    "organisation-noun": 0.7,
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
        title = GENDERED_TITLES.get(before.group(1).lower()) if before else None
        opening = re.match(r"(\w+)\.?\s*", m.text)
        inside = GENDERED_TITLES.get(opening.group(1).lower()) if opening else None
        for gender in (title, inside):
            if gender:
                seen.setdefault(m.canonical, set()).add(gender)
    for m in mentions:
        if m.label == "PERSON" and m.canonical not in seen:
            words = [w for w in re.findall(r"[\w'-]+", m.canonical)
                     if w.lower() not in _TITLE_WORDS]
            if len(words) >= 2 and words[0] in names:
                seen[m.canonical] = {names[words[0]]}
    return {name: genders.pop() for name, genders in seen.items() if len(genders) == 1}


class _Resolver:
    """Finds the entity a speaker phrase names, using the document's mentions and the
    speakers resolved so far (quotes are resolved in text order)."""

    def __init__(self, doc: Doc, mentions: Sequence[Mention],
                 quoted: Sequence[QuotedSpan] = ()) -> None:
        self.doc = doc
        # A pronoun never refers to someone named inside a quotation ("“Rúben is exactly the
        # profile we wanted,” he said"), so those mentions are not antecedents.
        self.antecedents = sorted(
            (m for m in mentions
             if not any(q.open_at < m.start_char < q.close_at for q in quoted)),
            key=lambda m: m.start_char)
        self.antecedent_starts = [m.start_char for m in self.antecedents]
        self.mentions = sorted(mentions, key=lambda m: m.start_char)
        self.starts = [m.start_char for m in self.mentions]
        self.genders = entity_genders(doc.text, self.mentions)
        self.subjects = {m.start_char for m in self.antecedents if _is_subject(doc, m)}
        #: (position of the cue, speaker) of every quote resolved so far, in text order.
        self.speakers: list[tuple[int, Mention]] = []

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
        i = bisect.bisect_left(self.antecedent_starts, position) - 1
        while i >= 0:
            if self.antecedents[i].label in labels:
                return self.antecedents[i]
            i -= 1
        return None

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
        persons = [m for m in self.antecedents[:bisect.bisect_left(
            self.antecedent_starts, position)] if m.label == "PERSON" and self._agrees(m, gender)]
        subjects = [m for m in persons if m.start_char in self.subjects]
        same_sentence = [m for m in subjects if m.start_char >= sentence_start]
        if same_sentence:
            return same_sentence[-1], "pronoun-subject"
        previous = next(((at, m) for at, m in reversed(self.speakers)
                         if at < position and m.label == "PERSON"), None)
        if previous is not None and self._agrees(previous[1], gender):
            since = [m for m in subjects if m.start_char > previous[0]
                     and m.canonical != previous[1].canonical]
            if not since:
                return previous[1], "pronoun-previous-speaker"
        if subjects:
            return subjects[-1], "pronoun-subject"
        if persons:
            return persons[-1], "pronoun-recent"
        return None, "unresolved"

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
        if word in ORGANISATION_NOUNS and any(c.lower_ == "the" for c in speaker.lefts):
            named = (self.previous_subject(speaker, frozenset({"ORG"}))
                     or self.last_before(speaker.idx, frozenset({"ORG"})))
            if named is not None:
                return Resolution(phrase, named, "organisation-noun")
        return Resolution(phrase, None, "unresolved")


def _is_subject(doc: Doc, mention: Mention) -> bool:
    span = doc.char_span(mention.start_char, mention.end_char, alignment_mode="expand")
    return span is not None and len(span) > 0 and span.root.dep_ in SUBJECT_DEPS


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
    start, end = doc[left.i].idx, doc[right.i].idx + len(doc[right.i])
    return Span(start, end, doc.text[start:end])


def _subject_of(verb: Token) -> Token | None:
    if _is_passive(verb):
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
        while head.dep_ == "conj" and head.head.i != head.i and not _is_speech_verb(head):
            head = head.head
        if (verb.dep_ == "conj" and not _is_speech_verb(head) and head.dep_ in CLAUSE_DEPS
                and _is_speech_verb(head.head)):
            head = head.head
        for child in head.children:
            if child.dep_ in SUBJECT_DEPS:
                return child
    # "… after saying that …", "… by announcing …": the subject of the verb the preposition
    # hangs from.
    if verb.dep_ == "pcomp" and verb.head.head.i != verb.head.i:
        governor = verb.head.head
        if governor.pos_ in {"VERB", "AUX"}:
            return _subject_of(governor) if governor.i != verb.i else None
    # "a statement saying that …": the noun the participle describes.
    if verb.dep_ == "acl" and verb.head.pos_ in {"NOUN", "PROPN", "PRON"}:
        return verb.head
    return None


def _is_passive(verb: Token) -> bool:
    """A passive speech verb ("was asked", "is reported") or a past participle opening a
    clause of its own ("Asked about the plan, she …")."""
    if any(c.dep_ in {"auxpass", "nsubjpass"} for c in verb.children):
        return True
    return verb.tag_ == "VBN" and verb.dep_ in {"advcl", "acl"} and not any(
        c.dep_ == "aux" for c in verb.children)


def _token_span(doc: Doc, start: int, end: int) -> list[Token]:
    span = doc.char_span(start, end, alignment_mode="expand")
    return list(span) if span is not None else []


def _attribution_after(doc: Doc, close_at: int, limit_char: int) -> Token | None:
    # The closing mark itself may be a token of two apostrophes starting at ``close_at``.
    after = [t for t in _token_span(doc, close_at + 1, limit_char)
             if t.idx > close_at and not (t.idx == close_at + 1 and t.text in SINGLE_MARKS)]
    after = after[:MAX_TOKENS_AFTER_SPEAKER]
    for n, tok in enumerate(after):
        if _is_mark(tok) or (tok.is_sent_start and tok.i > after[0].i):
            break
        if _is_speech_verb(tok):
            if n < MAX_TOKENS_AFTER_CLOSE or _only_subject_between(after[:n], tok):
                return tok
            break
    return None


def _only_subject_between(between: Sequence[Token], verb: Token) -> bool:
    """Every word between a closing mark and a far-off verb belongs to the verb's subject
    (“…,” Rep. Gwen Moore (D-Wis.), a member of the caucus, said)."""
    subject = next((c for c in verb.children if c.dep_ in SUBJECT_DEPS), None)
    if subject is None:
        return False
    phrase = {t.i for t in subject.subtree}
    return all(t.i in phrase or t.is_punct for t in between)


def _attribution_before(doc: Doc, open_at: int, limit_char: int) -> Token | None:
    # The opening mark may be a token of two apostrophes ending at ``open_at + 1``.
    before = [t for t in _token_span(doc, limit_char, open_at) if t.idx + len(t) <= open_at
              and not (t.idx + len(t) == open_at and t.text in SINGLE_MARKS) and not t.is_space]
    before = before[-MAX_TOKENS_BEFORE_OPEN:]
    if not before:
        return None
    # Only an introducing clause counts: it ends right before the mark, with ":" or ",".
    last = before[-1]
    if last.text not in {":", ","} and not _is_speech_verb(last):
        return None
    for tok in reversed(before):
        if tok.text in {".", "!", "?"} or _is_mark(tok):
            break
        if _is_speech_verb(tok):
            return tok
    return None


def _introducing_paragraph(text: str, passage: QuotedSpan) -> int | None:
    """Where the paragraph before starts, when the passage opens its paragraph and the
    previous (non-empty) one ends with a colon."""
    line_start = text.rfind("\n", 0, passage.open_at) + 1
    if text[line_start:passage.open_at].strip():
        return None
    before = text[:line_start].rstrip()
    if not before.endswith(":"):
        return None
    return text.rfind("\n", 0, len(before)) + 1


def _is_mark(token: Token) -> bool:
    """A double quotation mark, or two apostrophes written for one."""
    return token.text in DOUBLE_MARKS or token.text == "''"


def _ends_for_attribution(text: str, passage: QuotedSpan) -> bool:
    """A quote attributed after its closing mark ends in punctuation, inside the marks
    (“…,” she said) or right after them (“…”, she said); a quoted phrase followed by more of
    the sentence (“a decade of decline” at the council and said …) is not attributed there."""
    inside = text[passage.start_char:passage.end_char].rstrip()
    after = text[passage.close_at + 1:passage.close_at + 3].lstrip(" ")
    return inside.endswith(_CLOSING_PUNCT) or after[:1] in {",", "—", "–", ":"}


def _stands_alone(text: str, passage: QuotedSpan, content: str) -> bool:
    """An unattributed passage is a statement only when it is a sentence of its own: long
    enough, ending in punctuation, and opening a paragraph or following a finished sentence
    (not a fragment inside someone's reported speech)."""
    if _words(content) < MIN_STATEMENT_WORDS or not content.rstrip().endswith(_CLOSING_PUNCT):
        return False
    before = text[:passage.open_at].rstrip(" ")
    return not before or before[-1] in "\n.!?…" or before[-1] in DOUBLE_MARKS


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def _contains_quote_marks(text: str) -> bool:
    return any(ch in DOUBLE_MARKS for ch in text)


def _sentence_index(doc: Doc, char: int) -> int | None:
    if not doc.has_annotation("SENT_START"):
        return None
    starts = [sent.start_char for sent in doc.sents]
    return max(bisect.bisect_right(starts, char) - 1, 0)


@dataclass(frozen=True)
class _Pending:
    """A quote found but not yet given its speaker: speakers are resolved in text order, so
    that a pronoun can take the previous quote's speaker."""

    start_char: int
    end_char: int
    kind: QuoteKind
    cue: Span | None
    subject: Token | None
    #: Where the quote stands in the text's order of attribution: its cue, else its start.
    position: int
    #: A direct passage with no attribution of its own, which takes the previous speaker.
    floating: bool = False
    paragraph: int = 0


def extract_quotes(doc: Doc, mentions: Sequence[Mention]) -> list[Quote]:
    """Every quote in ``doc``, direct ones first, in text order within each kind."""
    # Apostrophe pairs read as quotation marks for every check on the text (same offsets).
    text = normalise_marks(doc.text)
    passages = find_quoted_spans(text)
    resolver = _Resolver(doc, mentions, passages)
    pending: list[_Pending] = []
    used_verbs: set[int] = set()
    paragraph_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    for n, passage in enumerate(passages):
        content = text[passage.start_char:passage.end_char]
        next_open = passages[n + 1].open_at if n + 1 < len(passages) else len(text)
        prev_close = passages[n - 1].close_at + 1 if n > 0 else 0
        paragraph = bisect.bisect_right(paragraph_starts, passage.open_at) - 1
        paragraph_end = text.find("\n", passage.close_at)
        paragraph_end = len(text) if paragraph_end < 0 else paragraph_end
        verb = None
        if _ends_for_attribution(text, passage):
            verb = _attribution_after(doc, passage.close_at, min(next_open, paragraph_end))
        if verb is None:
            verb = _attribution_before(
                doc, passage.open_at, max(prev_close, paragraph_starts[paragraph]))
        if verb is None and (intro := _introducing_paragraph(text, passage)) is not None:
            # X said:
            # “…”
            verb = _attribution_before(doc, passage.open_at, max(prev_close, intro))
        if verb is None and (signed := _signature(doc, text, passage, paragraph_end,
                                                    resolver)) is not None:
            dash, name = signed
            pending.append(_Pending(passage.start_char, passage.end_char, "direct", dash, name,
                                    dash.start_char, paragraph=paragraph))
            continue
        if verb is None and not _stands_alone(text, passage, content):
            continue  # a quoted term, or a fragment inside reported speech (found below)
        pending.append(_direct_quote(doc, passage, verb, resolver, paragraph))
        if verb is not None:
            used_verbs.add(verb.i)

    reported, absorbed = _reported_speech(doc, used_verbs, pending, paragraph_starts)
    pending = [q for i, q in enumerate(pending) if i not in absorbed] + reported
    return _resolve_speakers(doc, pending, resolver)


def _signature(doc: Doc, text: str, passage: QuotedSpan, paragraph_end: int,
               resolver: _Resolver) -> tuple[Span, Token] | None:
    """A quote signed with a dash and a name ending its paragraph (“…” ― Sonya Herridge, 34):
    the dash as the cue and the name's first word as the speaker."""
    tail = text[passage.close_at + 1:paragraph_end]
    match = _SIGNATURE_DASH.match(tail)
    if match is None or len(tail) - match.end() > MAX_SIGNATURE_CHARS:
        return None
    at = passage.close_at + 1 + match.end()
    named = resolver.covering(at, at + 1)
    if named is None or named.start_char != at or named.label != "PERSON":
        return None
    token = doc.char_span(at, named.end_char, alignment_mode="expand")
    if token is None or len(token) == 0:
        return None
    dash_at = passage.close_at + 1 + match.start(1)
    return Span(dash_at, dash_at + len(match.group(1)), match.group(1)), token.root


def _resolve_speakers(doc: Doc, pending: Sequence[_Pending], resolver: _Resolver
                      ) -> list[Quote]:
    """The quotes with their speakers, resolved in text order; returned in ``pending``'s
    order. A floating quote takes the speaker of the quote before it when that stands in
    the same or the previous paragraph."""
    resolved: dict[int, Quote] = {}
    previous: tuple[Quote, int] | None = None
    for index in sorted(range(len(pending)), key=lambda i: pending[i].position):
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
                resolver.speakers.append((item.position, found.mention))
        quote = Quote(start_char=item.start_char, end_char=item.end_char,
                      text=doc.text[item.start_char:item.end_char], kind=item.kind,
                      cue=item.cue, speaker=speaker, speaker_canonical=canonical,
                      speaker_label=label, sentence_index=_sentence_index(doc, item.start_char),
                      speaker_method=method,
                      speaker_confidence=CONFIDENCE[method] if canonical else None)
        resolved[index] = quote
        previous = (quote, item.paragraph)
    return [resolved[i] for i in range(len(pending))]


def _direct_quote(doc: Doc, passage: QuotedSpan, verb: Token | None, resolver: _Resolver,
                  paragraph: int) -> _Pending:
    start, end = passage.start_char, passage.end_char
    if verb is None:
        return _Pending(start, end, "direct", None, None, start, floating=True,
                        paragraph=paragraph)
    cue = Span(verb.idx, verb.idx + len(verb), verb.text)
    subject = _subject_of(verb)
    if subject is not None and start <= subject.idx < end:
        subject = None  # a misparse: the quote's own "I" or "we" taken for the speaker
    if subject is None and not _is_passive(verb):
        subject = _nearby_name(doc, verb, resolver)
    return _Pending(start, end, "direct", cue, subject, verb.idx, paragraph=paragraph)


def _nearby_name(doc: Doc, verb: Token, resolver: _Resolver) -> Token | None:
    """When the parse gives the verb no subject, the name or pronoun right next to it."""
    for tok in (doc[verb.i + 1:verb.i + 4]):
        if tok.lower_ in PRONOUN_PERSON | PRONOUN_GROUP or resolver.covering(
                tok.idx, tok.idx + len(tok)):
            return tok
    for tok in reversed(doc[max(verb.i - 4, 0):verb.i]):
        if tok.lower_ in PRONOUN_PERSON | PRONOUN_GROUP or resolver.covering(
                tok.idx, tok.idx + len(tok)):
            return tok
    return None


def _inside(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _reported_speech(
    doc: Doc, used_verbs: set[int], directs: Sequence[_Pending],
    paragraph_starts: Sequence[int],
) -> tuple[list[_Pending], set[int]]:
    """Indirect and mixed quotes, and the direct ones (indices into ``directs``) that turn out
    to be fragments of a mixed quote (X said the probe was “ongoing.”)."""
    quotes: list[_Pending] = []
    absorbed: set[int] = set()
    direct_spans = [(q.start_char - 1, q.end_char + 1) for q in directs]

    def add(content: Span | None, cue: Span, subject: Token | None, min_words: int = 3
            ) -> None:
        if content is None or _words(content.text) < min_words:
            return
        overlapping = [i for i, (s, e) in enumerate(direct_spans)
                       if s < content.end_char and content.start_char < e]
        if overlapping:
            fragments = _fragments_of(content, [directs[i] for i in overlapping])
            if fragments is None:
                return
            absorbed.update(overlapping[j] for j in fragments)
        marked = normalise_marks(content.text)
        kind: QuoteKind = "mixed" if _contains_quote_marks(marked) else "indirect"
        paragraph = bisect.bisect_right(paragraph_starts, content.start_char) - 1
        quotes.append(_Pending(content.start_char, content.end_char, kind, cue, subject,
                               cue.start_char, paragraph=paragraph))

    for verb in doc:
        if verb.lower_ == "according":
            found = _according_to(doc, verb)
            if found is not None:
                add(found[0], found[1], found[2])
            continue
        if not _is_speech_verb(verb):
            continue
        if _inside(direct_spans, verb.idx, verb.idx + len(verb)):
            continue
        subject = _subject_of(verb)
        if subject is None and not _is_passive(verb):
            continue  # an infinitive or imperative: nobody is reported as saying it
        cue = Span(verb.idx, verb.idx + len(verb), verb.text)
        clause = _content_clause(verb)
        if clause is not None:
            for part in _clause_parts(clause):
                add(_trim_span(doc, part[0].idx, part[-1].idx + len(part[-1])), cue, subject)
        elif verb.dep_ == "parataxis" or (verb.dep_ == "ROOT" and verb.i > verb.sent.start + 2
                                           and _has_other_clause(verb)):
            add(_trim_span(doc, verb.sent.start_char, verb.sent.end_char), cue, subject)
        elif verb.i in used_verbs:
            continue  # “…,” she said: the quote is the direct one
        elif (what := _object_content(verb)) is not None:
            add(what, cue, subject, MIN_OBJECT_WORDS)
    return quotes, absorbed


def _fragments_of(content: Span, directs: Sequence[_Pending]) -> list[int] | None:
    """When a reported clause holds quoted passages, which of them are fragments of it (the
    clause then being one mixed quote): every passage must lie inside the clause, the clause
    must say more than the passages, and a passage with its own cue inside the clause (a
    nested attribution) stays a quote of its own. None: the clause is not a quote."""
    if any(d.start_char < content.start_char or d.end_char > content.end_char
           for d in directs):
        return None
    quoted = sum(_words(d_text) for d_text in (content.text[d.start_char - content.start_char:
                                                            d.end_char - content.start_char]
                                               for d in directs))
    if _words(content.text) - quoted < MIN_WORDS_AROUND_FRAGMENT:
        return None
    return [j for j, d in enumerate(directs)
            if d.cue is None or not content.start_char <= d.cue.start_char < content.end_char]


def _object_content(verb: Token) -> Span | None:
    """What a reporting verb with a noun object reports ("announced the arrest of a man",
    "described the plan as a gamble", "accused the bank of fraud"): the object with the
    "as"/"of"/"for" phrase that completes it, for the verbs of :data:`OBJECT_CONTENT_VERBS`."""
    if verb.lower_ not in OBJECT_CONTENT_VERBS:
        return None
    obj = next((c for c in verb.rights if c.dep_ == "dobj"), None)
    if obj is None:
        return None
    last = obj.right_edge
    for child in verb.rights:
        if child.i > obj.i and child.dep_ == "prep" and child.lower_ in COMPLETING_PREPOSITIONS:
            last = max(last, child.right_edge, key=lambda t: t.i)
    if obj.pos_ == "PRON" and last.i == obj.right_edge.i:
        return None  # "explained it", "denied them": nothing said
    doc = verb.doc
    return _trim_span(doc, obj.left_edge.idx, last.idx + len(last))


def _clause_parts(clause: Token) -> list[list[Token]]:
    """The tokens of a reported clause, without its opening "that"; a coordinated clause with
    its own "that" ("… and that the government had no plans …") is a statement of its own,
    and a coordinated speech verb ("…, and urged both sides …") is not part of the content."""
    separate = [c for c in clause.rights if c.dep_ == "conj" and c.pos_ in {"VERB", "AUX"}
                and (any(g.dep_ == "mark" for g in c.children) or _is_speech_verb(c))]
    narration = [c for c in clause.rights if c.dep_ == "conj" and c not in separate
                 and _narrates(c, clause)]
    cut = {t.i for c in separate + narration for t in c.subtree}
    # The coordinator and punctuation right before each separated clause go with it.
    for c in separate + narration:
        i = c.left_edge.i - 1
        while i > clause.i and clause.doc[i].dep_ in {"cc", "punct"}:
            cut.add(i)
            i -= 1
    cut |= _trailing_comment(clause)
    main = [t for t in clause.subtree if t.i not in cut]
    parts = [_without_mark(main, clause)]
    parts += [_without_mark(list(c.subtree), c) for c in separate if not _is_speech_verb(c)]
    return [p for p in parts if p]


def _narrates(conj: Token, clause: Token) -> bool:
    """A coordinated verb phrase with no subject of its own, in the past or perfect while the
    reported clause has its own subject ("X insists the party must change, and has championed
    cuts …"): the writer goes on about the speaker; it is not part of what was said."""
    if any(c.dep_ in SUBJECT_DEPS for c in conj.children):
        return False
    if not any(c.dep_ in SUBJECT_DEPS for c in clause.children):
        return False
    finite = conj.tag_ in {"VBD", "VBZ"} or any(
        c.dep_ == "aux" and c.lower_ in {"has", "have", "had"} for c in conj.children)
    return finite and conj.tag_ != clause.tag_


def _trailing_comment(clause: Token) -> set[int]:
    """Token indices of a comma-separated clause ending the reported clause that is the
    writer's, not the speaker's: a participle ("…, arguing that …", "…, citing …") or a
    concession ("…, although he again refused …")."""
    end = clause.right_edge.i
    for tok in clause.subtree:
        if tok.i == clause.i or tok.dep_ != "advcl" or tok.right_edge.i != end:
            continue
        comma = tok.left_edge.i - 1
        if comma <= clause.i or clause.doc[comma].text not in {",", "—", "–", ";"}:
            continue
        concession = any(c.dep_ == "mark" and c.lower_ in CONCESSION_MARKS for c in tok.children)
        if (tok.tag_ == "VBG" and tok.left_edge.i == tok.i) or concession:
            return set(range(comma, end + 1))
    return set()


def _without_mark(tokens: list[Token], head: Token) -> list[Token]:
    """The clause without its opening "that" and without the sentence's full stop (some
    parses hang it on the clause; reported speech is stored without it)."""
    if tokens and tokens[0].dep_ == "mark" and tokens[0].head.i == head.i:
        tokens = tokens[1:]
    while tokens and tokens[-1].text in {".", "!", "?"} and tokens[-1].is_punct:
        tokens = tokens[:-1]
    return tokens


def _according_to(doc: Doc, according: Token) -> tuple[Span | None, Span, Token] | None:
    """``According to X, …`` or ``…, according to X.``: the content is the rest of the
    sentence, the speaker X."""
    to = next((c for c in according.rights if c.lower_ == "to"), None)
    source = next((c for c in to.children if c.dep_ == "pobj"), None) if to else None
    if to is None or source is None:
        return None
    sent = according.sent
    phrase_start = doc[according.left_edge.i].idx
    phrase_end = doc[source.right_edge.i].idx + len(doc[source.right_edge.i])
    cue = Span(according.idx, to.idx + len(to), doc.text[according.idx:to.idx + len(to)])
    if phrase_start <= sent.start_char + 1:
        end = sent.end_char
        while end > phrase_end and (doc.text[end - 1].isspace() or doc.text[end - 1] == "."):
            end -= 1  # like the other word order, without the sentence's full stop
        content = _trim_span(doc, phrase_end, end)
    else:
        content = _trim_span(doc, sent.start_char, phrase_start)
    return content, cue, source


def _content_clause(verb: Token) -> Token | None:
    """The clause a speech verb reports: its complement, or an adverbial clause with its own
    subject that is not about time, cause or condition (the parser often attaches
    ``X insisted what … is …`` that way)."""
    for child in verb.children:
        if child.dep_ in CLAUSE_DEPS:
            return child
    for child in verb.rights:
        if child.dep_ != "advcl":
            continue
        has_subject = any(c.dep_ in SUBJECT_DEPS | {"csubj"} for c in child.children)
        marked = any(c.dep_ == "mark" and c.lower_ in CIRCUMSTANCE_MARKS for c in child.children)
        if has_subject and not marked:
            return child
    return None


def _has_other_clause(verb: Token) -> bool:
    """True when the sentence carries content besides the attribution (``…, the ministry
    said.``), so that the sentence itself is the reported statement."""
    sent: SpacySpan = verb.sent
    return any(t.dep_ in {"ccomp", "parataxis"} and t.head.i == verb.i for t in sent)


def _trim_span(doc: Doc, start: int, end: int) -> Span | None:
    """``[start, end)`` without surrounding spaces and separating commas or colons."""
    text = doc.text
    while start < end and (text[start].isspace() or text[start] in ",;:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    if end <= start:
        return None
    return Span(start, end, text[start:end])

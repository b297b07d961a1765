"""The role the article gives a speaker, the organisation it ties them to, and a coarse
category of the role.

A role is found on the speaker's mentions outside quotation marks, in text order, the first
that has one:

* a **title** or descriptor before the name, in the name's noun phrase ("Prime Minister
  Nikol Pashinyan", "Council leader Ruth Abernethy", "the property data firm Hearthstone
  Data"); a courtesy title alone ("Dr", "Mr") is no role;
* an **apposition** after the name ("Hannah Greaves, a maritime economist at the University
  of Liverpool, …"), without its relative clauses ("the Swiss ambassador who is chairing the
  talks" → "Swiss ambassador"), or before it ("Everton’s director of football, Karl
  Henshall"); an age alone ("Joanne Petrakis, 64,") is no role, but tells the category:
  news copy gives ages for the people it quotes as members of the public.

The **affiliation** is the organisation (or place) named inside the role — the object of
"at", "for", "of" first, else any, organisations before places ("Kenya’s cabinet secretary
for agriculture" → Kenya) — or, for "the union’s", "the company’s" and the like, the
organisation named last before the role. The **category** comes from the lexicon of
``resources/role_categories.txt`` (:func:`categorise`); an organisation that speaks is
categorised by its own name, a place (a government speaking: "Armenia said") is government
and politics.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from newsmill.tasks.models import Mention, Span
from newsmill.tasks.names import HONORIFICS, TITLE_WORDS
from newsmill.tasks.speaker_profile.lexicon import (
    CONTEXT,
    MAX_ENTRY_WORDS,
    role_lexicon,
    words_of,
)

#: Words after which a role's head has been said ("director of football", "candidate and
#: leader"): the head is the last word before the first of them.
HEAD_ENDS = frozenset({"of", "for", "at", "in", "on", "with", "from", "to", "and", "who",
                       "which", "whose", "that"})
AFFILIATION_LABELS = ("ORG", "GPE")
#: Dependency labels of the words before a name that belong to its title or descriptor.
_TITLE_DEPS = frozenset({"compound", "amod", "nmod", "poss", "nummod", "npadvmod"})
_AGE = re.compile(r"\s*,\s*(\d{1,3})\s*,")
#: Longest role stored, in characters (a long apposition is cut at its first comma before).
MAX_ROLE_CHARS = 160


@dataclass(frozen=True)
class Role:
    """What one document says a speaker does: the role's words (None for an age alone), how
    they were found (``title``, ``apposition``, ``age``), the affiliated mention if any."""

    span: Span | None
    method: str
    affiliation: Mention | None


def _matches(words: Sequence[str]) -> list[tuple[int, int, str]]:
    """``(first, last, category)`` of the lexicon entries found in ``words``, longest first
    from left to right, each word in one entry at most; a plural not listed is read as its
    singular."""
    lexicon = role_lexicon()
    found = []
    i = 0
    while i < len(words):
        for size in range(min(MAX_ENTRY_WORDS, len(words) - i), 0, -1):
            entry = tuple(words[i:i + size])
            category = lexicon.get(entry)
            if category is None and size == 1 and entry[0].endswith("s"):
                category = lexicon.get((entry[0][:-1],))
            if category is not None:
                found.append((i, i + size - 1, category))
                i += size
                break
        else:
            i += 1
    return found


def categorise(phrase: str, context: Sequence[str] = ()) -> str:
    """The category of a role (or of an organisation's name): the category of the lexicon
    entry holding the head word (the last before :data:`HEAD_ENDS`), unless that entry is a
    context word; else the majority of the entries in ``phrase`` and in the ``context``
    phrases (the affiliation's name); no entry, or a tie, is "unknown"."""
    words = words_of(phrase)
    head = next((i - 1 for i, w in enumerate(words) if w in HEAD_ENDS and i > 0),
                len(words) - 1)
    matches = _matches(words)
    for first, last, category in matches:
        if first <= head <= last and category != CONTEXT:
            return category
    votes = Counter(category for _, _, category in matches if category != CONTEXT)
    for other in context:
        votes.update(category for _, _, category in _matches(words_of(other))
                     if category != CONTEXT)
    ranked = votes.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return "unknown"
    return ranked[0][0]


class RoleFinder:
    """Finds roles and affiliations in one parsed document (mentions indexed once)."""

    def __init__(self, doc: Doc, mentions: Sequence[Mention], *,
                 text: str | None = None) -> None:
        self.doc = doc
        self.text = doc.text if text is None else text
        self.mentions = sorted(mentions, key=lambda m: m.start_char)
        self.starts = [m.start_char for m in self.mentions]
        self.orgs = [m for m in self.mentions if m.label == "ORG"]
        self.org_starts = [m.start_char for m in self.orgs]

    def find(self, mentions: Sequence[Mention]) -> Role | None:
        """The role of the entity of ``mentions`` (its mentions outside quotation marks, in
        text order): the first mention that has one."""
        for m in mentions:
            span = self.doc.char_span(m.start_char, m.end_char, alignment_mode="expand")
            if span is None or not len(span):
                continue
            title = self._title(span)
            tokens = title or self._apposition(span)
            if tokens is not None:
                return self._role(tokens, m, "title" if title is not None else "apposition")
            if _AGE.match(self.text, m.end_char):
                return Role(None, "age", None)
        return None

    def _role(self, tokens: SpacySpan, speaker: Mention, method: str) -> Role:
        start, end = tokens.start_char, tokens.end_char
        if end - start > MAX_ROLE_CHARS:
            comma = self.text.find(",", start, end)
            end = comma if comma > start else start + MAX_ROLE_CHARS
        span = Span(start, end, self.text[start:end])
        return Role(span, method, self._affiliation(tokens, speaker))

    def _title(self, span: SpacySpan) -> SpacySpan | None:
        """The words before the name in its noun phrase, if they make a role."""
        root = span.root
        lefts = [c for c in root.lefts if c.i < span.start and c.dep_ in _TITLE_DEPS]
        if not lefts:
            return None
        first = min(c.left_edge.i for c in lefts)
        words = list(self.doc[first:span.start])
        while words and (words[0].dep_ in {"det", "punct", "case"}
                         or words[0].lower_.rstrip(".") in HONORIFICS):
            words.pop(0)
        while words and (words[-1].is_punct or words[-1].lower_.rstrip(".") in HONORIFICS):
            words.pop()
        if not words or not any(_role_word(t) for t in words) or not _role_head(words[-1]):
            return None
        return self.doc[words[0].i:words[-1].i + 1]

    def _apposition(self, span: SpacySpan) -> SpacySpan | None:
        """An apposition after the name, or the noun phrase the name is apposed to."""
        root = span.root
        for child in root.children:
            if child.dep_ == "appos" and not (span.start <= child.i < span.end) \
                    and not _is_name(child):
                return self._phrase(child, exclude=span)
        head = root.head
        if root.dep_ == "appos" and head.i < span.start and not _is_name(head):
            return self._phrase(head, exclude=span)
        return None

    def _phrase(self, head: Token, exclude: SpacySpan) -> SpacySpan | None:
        """``head``'s noun phrase without relative clauses, the excluded name, and edge
        punctuation and determiners."""
        cut = {t.i for c in head.subtree if c.i != head.i and (
               c.dep_ in {"relcl", "acl"} or (c.dep_ == "appos" and c.head.i == head.i))
               and not (exclude.start <= c.i < exclude.end) for t in c.subtree}
        cut |= set(range(exclude.start, exclude.end))
        words = [t for t in head.subtree if t.i not in cut]
        # Keep the run of words around the head that no cut interrupts.
        run = [t for t in words if t.i <= head.i]
        while len(run) > 1 and run[-1].i - run[-2].i != 1:
            run = run[-1:]
        after = [t for t in words if t.i > head.i]
        for t in after:
            if t.i - (run[-1].i) != 1 or t.text in {",", ";", "(", "—", "–"}:
                break
            run.append(t)
        while run and (run[0].dep_ in {"det", "punct", "cc"} or run[0].is_space):
            run.pop(0)
        while run and (run[-1].is_punct or run[-1].dep_ in {"cc", "case"}
                       or run[-1].lower_.rstrip(".") in HONORIFICS):
            run.pop()
        if not run or not any(_role_word(t) for t in run):
            return None
        return self.doc[run[0].i:run[-1].i + 1]

    def _affiliation(self, tokens: SpacySpan, speaker: Mention) -> Mention | None:
        start, end = tokens.start_char, tokens.end_char
        i = bisect.bisect_left(self.starts, start)
        inside = []
        while i < len(self.mentions) and self.mentions[i].start_char < end:
            m = self.mentions[i]
            if m.end_char <= end and m.label in AFFILIATION_LABELS \
                    and m.canonical != speaker.canonical:
                inside.append(m)
            i += 1
        if inside:
            after_preposition = [m for m in inside if _after_preposition(self.text, start, m)]
            pool = after_preposition or inside
            return min(pool, key=lambda m: (AFFILIATION_LABELS.index(m.label), m.start_char))
        return None


def _after_preposition(text: str, start: int, mention: Mention) -> bool:
    before = words_of(text[start:mention.start_char])
    while before and before[-1] == "the":
        before.pop()
    return bool(before) and before[-1] in {"at", "for", "of", "with", "from"}


def _is_name(token: Token) -> bool:
    return token.ent_type_ == "PERSON" or (token.pos_ == "PROPN" and token.ent_iob_ != "O")


def _role_head(token: Token) -> bool:
    """A word that can end a title before a name: a noun, or a title word ("Governor"); a
    capitalised word only when it is a title or names a category ("National Museums
    Liverpool" and "eastern Victoria" have no title)."""
    word = token.lower_.rstrip(".")
    if word in TITLE_WORDS:
        return True
    if token.pos_ not in {"NOUN", "PROPN", ""}:
        return False
    return token.text.islower() or role_lexicon().get((word,), CONTEXT) != CONTEXT


def _role_word(token: Token) -> bool:
    """A word that can make a role: a lowercase noun or adjective, a title word, or a word of
    the role lexicon."""
    word = token.lower_.rstrip(".")
    if word in HONORIFICS:
        return False
    if token.is_alpha and token.text.islower() and token.pos_ in {"NOUN", "ADJ", "PROPN", ""}:
        return True
    return word in TITLE_WORDS or (word,) in role_lexicon()

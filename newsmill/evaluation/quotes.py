"""Quote attribution scored against PolNeAR (the Political News Attribution Relations corpus,
brat standoff annotations of who said what in 2016 US election coverage).

Layout of a split folder (``data/dev`` in the PolNeAR repository)::

    text/<article>.txt                  the raw article
    attributions/<article>_<annot>.ann  brat: Source, Cue and Content spans tied by an event
    corenlp/<article>.txt.xml           CoreNLP output (tokens, NER, dcoref chains); optional

In an ``.ann`` file a ``T`` line is a span (``T5<TAB>Source 159 199<TAB>text``; a span in
pieces is ``315 448;463 553``) and an ``E`` line an attribution
(``E2<TAB>Attribution:T8 Content:T7 Cue:T6 Source:T5``; the trigger is ``Attribution`` or
``Attribution-no-source``, ``Content2`` a second content piece). Offsets are characters of the
``.txt``. An article annotated by several annotators is read once, from the lowest annotator id.
A content is ``direct`` when each piece is inside quotation marks (two apostrophes count: the
New York Times articles write ''…''), ``mixed`` when it holds some, else ``indirect``.

The pipeline runs on each file's own text (``nlp(text)``, then :func:`extract_mentions` and
:func:`extract_quotes` on that ``Doc``), so found offsets and gold offsets are the same
coordinates; newsmill's ``clean`` is not applied (it folds whitespace and would move them).

Scores, per view: ``all``, every attribution; ``speech-verb``, those whose cue holds a verb of
:func:`view_speech_verbs` (a frozen list), against found quotes with such a cue or none, a
floating quote; ``broad``, every saying cue (:func:`saying_cue`: a verb of that list or of
:func:`view_saying_verbs`, "according to", "as X put it", "in a statement", a colon or dash
alone), against found quotes with such a cue or none, speakers judged by the name the
warehouse stores (:func:`stored_name`); ``direct``, direct quotes only, against found direct
quotes:

* quote spans: precision, recall and F1 with partial match (``overlap`` ≥ ``PARTIAL_MATCH``,
  found and gold spans overlapping in the text, each used once, best first) and exact match
  (the same words, punctuation and an opening "that" aside). PolNeAR makes “A,” he said.
  “B.” one attribution in two pieces where newsmill finds two quotes, so a gold attribution
  no single found quote matches may be matched by the found quotes lying mostly inside it,
  taken together (counted apart as ``matched_in_pieces``); the speaker of such a group is
  that of its first member with a speaker. A found quote lying mostly inside a matched gold
  content (the other half of that split quote) is not a false positive, nor is one, outside
  the view, that matches an attribution of another view;
* speaker mention: the found speaker span overlaps the gold source span (matched quotes with
  a source);
* resolved speaker: the found speaker's name (its canonical entity, else the phrase) names
  the gold source (:func:`names_match`). A source holding a name (a CoreNLP NER run) is
  judged by that name; a pronoun or a description ("the bank") by the names in its CoreNLP
  coreference chain, a silver reference. A source whose chain names nobody cannot be judged
  and is counted apart;
* end to end: the quote matched and its speaker right (the resolved speaker; the mention for
  a source that cannot be judged; no speaker at all for an attribution without a source);
* indirect: the share of indirect gold attributions found, and found with the right speaker.

Run it as ``newsmill eval quotes --data FOLDER [--model NAME]``.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from spacy.language import Language

from newsmill.evaluation.measures import (
    PARTIAL_MATCH,
    Tally,
    f1_score,
    overlap,
    rate,
    tokens,
)
from newsmill.tasks.analysis import analyse_document
from newsmill.tasks.models import Quote, QuoteKind, Span
from newsmill.tasks.names import initials
from newsmill.tasks.normalise import find_dateline
from newsmill.tasks.quotes.marks import DOUBLE_MARKS

#: Views the report is broken into, in printing order.
VIEWS = ("all", "speech-verb", "broad", "direct")
#: Cue phrases of the broad view besides its verbs ("according to a spokesman", "as she put
#: it", "in a statement"), as word sequences.
SAYING_PHRASES = (("according", "to"), ("put", "it"), ("in", "a", "statement"),
                  ("in", "an", "interview"))
#: A gold source that is one of these words is a pronoun: its name is in the coreference chain.
PRONOUNS = frozenset({
    "he", "she", "it", "they", "we", "i", "you", "him", "her", "them", "us", "me",
    "his", "its", "their", "our", "my", "your", "who", "which", "that",
    "himself", "herself", "itself", "themselves",
})
#: Pronouns that name a person: their chain's names must be persons.
PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "himself", "herself"})
#: Words that do not tell one name from another: pronouns, articles, honorifics.
_NAME_STOPWORDS = PRONOUNS | {"the", "a", "an", "s", "mr", "mrs", "ms", "miss", "dr", "sir",
                              "prof", "rep", "sen", "gov", "gen", "lt", "col", "capt", "rev",
                              "jr", "sr"}
_ACRONYM = re.compile(r"^(?:[A-Z]\.?){2,6}$")
#: CoreNLP NER tags (4-class model) that mark a name.
_NAME_TAGS = frozenset({"PERSON", "ORGANIZATION", "LOCATION", "MISC"})
_PERSON_TAGS = frozenset({"PERSON"})

_T_LINE = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)(?:\t|$)")
_E_LINE = re.compile(r"^(E\d+)\t(\S.*)$")
#: CoreNLP elements the reader does not use (constituency parses, dependency graphs).
_UNREAD_CORENLP = re.compile(r"<(dependencies|parse)\b[^>]*>.*?</\1>|<dependencies\b[^>]*/>",
                             re.S)
_ANNOTATED = re.compile(r"^(?P<stem>.+)_(?P<annotator>[^_]+)\.ann$")
# "Trump's campaign manager": the possessor before the last possessive is not the speaker.
_POSSESSIVE = re.compile(r"(?:[’']s|s[’'])\s+|^(?i:his|her|their|its|our|my)\s+")
# Where the words after a noun phrase's head begin: an apposition, a parenthesis, a
# prepositional phrase or relative clause, a second person ("X and Y").
_POSTMODIFIER = re.compile(
    r",|\(|\s(?:of|for|at|in|from|with|who|which|that|whose|including|on|and|to)\s")


@cache
def view_speech_verbs() -> frozenset[str]:
    """The verbs of the speech-verb view (``resources/eval_speech_verbs.txt``): a frozen
    list, so the view does not change when the extractor's lexicon does."""
    text = resources.files(__package__).joinpath("resources", "eval_speech_verbs.txt").read_text()
    return frozenset(word.lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#") for word in line.split())


@cache
def view_saying_verbs() -> frozenset[str]:
    """The verbs of the broad view: the speech-verb view's and those of
    ``resources/eval_saying_cues.txt``, both frozen."""
    text = resources.files(__package__).joinpath("resources", "eval_saying_cues.txt").read_text()
    return view_speech_verbs() | frozenset(
        word.lower() for line in text.splitlines()
        if line.strip() and not line.startswith("#") for word in line.split())


def saying_cue(cue: str) -> bool:
    """The broad view's test of a cue: it holds a verb of :func:`view_saying_verbs`, a phrase
    of :data:`SAYING_PHRASES`, or no word at all (a colon or a dash: ``Pence: …``,
    ``“…” ― Sonya Herridge``)."""
    words = tokens(cue)
    if not words:
        return bool(cue.strip())
    if any(word in view_saying_verbs() for word in words):
        return True
    return any(tuple(words[i:i + len(phrase)]) == phrase
               for phrase in SAYING_PHRASES for i in range(len(words) - len(phrase) + 1))


# -- reading --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GoldAttribution:
    """One attribution relation; ``content``, ``cue`` and ``source`` are pieces in text order
    (``source`` is empty for an ``Attribution-no-source`` one)."""

    id: str
    content: tuple[Span, ...]
    cue: tuple[Span, ...]
    source: tuple[Span, ...]
    kind: QuoteKind

    @property
    def text(self) -> str:
        return " ".join(piece.text for piece in self.content)

    @property
    def start_char(self) -> int:
        return self.content[0].start_char

    @property
    def end_char(self) -> int:
        return self.content[-1].end_char

    @property
    def cue_text(self) -> str:
        return " ".join(piece.text for piece in self.cue)

    @property
    def source_text(self) -> str | None:
        return " ".join(piece.text for piece in self.source) if self.source else None

    @property
    def speech_verb(self) -> bool:
        """True when a word of the cue is a speech verb ("said", "told", "went on to add")."""
        return any(word in view_speech_verbs() for word in tokens(self.cue_text))

    @property
    def saying(self) -> bool:
        """True when the cue is a saying cue of the broad view (:func:`saying_cue`)."""
        return saying_cue(self.cue_text)


@dataclass(frozen=True)
class NameRun:
    """Consecutive CoreNLP tokens with one NER tag: a name."""

    start_char: int
    end_char: int
    tag: str


@dataclass(frozen=True)
class AnnotatedDocument:
    """An article's text, its gold attributions and what CoreNLP says about it (``chains``
    and ``names`` are empty when the article has no CoreNLP file)."""

    doc_id: str
    annotator: str
    text: str
    attributions: tuple[GoldAttribution, ...]
    chains: tuple[tuple[Span, ...], ...] = ()
    names: tuple[NameRun, ...] = ()
    has_corenlp: bool = False


def read_split(folder: str | Path, *, annotator: str | None = None) -> list[AnnotatedDocument]:
    """Every annotated article of a split folder (``text/``, ``attributions/``, ``corenlp/``),
    in file-name order. An article annotated several times is read from ``annotator`` when
    given and available, else from the lowest annotator id; articles with no ``.ann`` file
    are left out."""
    root = Path(folder)
    by_stem: dict[str, list[tuple[str, Path]]] = {}
    for path in sorted((root / "attributions").glob("*.ann")):
        match = _ANNOTATED.match(path.name)
        if match:
            by_stem.setdefault(match["stem"], []).append((match["annotator"], path))
    documents = []
    for text_path in sorted((root / "text").glob("*.txt")):
        stem = text_path.name[:-len(".txt")]
        versions = sorted(by_stem.get(stem, []))
        if not versions:
            continue
        chosen = next((v for v in versions if v[0] == annotator), versions[0])
        text = text_path.read_text("utf-8")
        attributions = parse_ann(chosen[1].read_text("utf-8"), text)
        xml_path = root / "corenlp" / f"{stem}.txt.xml"
        chains: tuple[tuple[Span, ...], ...] = ()
        names: tuple[NameRun, ...] = ()
        if xml_path.is_file():
            chains, names = parse_corenlp(xml_path.read_text("utf-8"), text)
        documents.append(AnnotatedDocument(stem, chosen[0], text, attributions, chains, names,
                                           has_corenlp=xml_path.is_file()))
    return documents


def _pieces(text: str, offsets: str) -> tuple[Span, ...]:
    pieces = []
    for part in offsets.split(";"):
        start, end = (int(n) for n in part.split())
        pieces.append(Span(start, end, text[start:end]))
    return tuple(sorted(pieces, key=lambda s: s.start_char))


def parse_ann(ann: str, text: str) -> tuple[GoldAttribution, ...]:
    """The attributions of a brat ``.ann`` file over ``text``, in text order of their
    content. Lines other than spans and events (notes, a span text running over a line
    break) are skipped; span texts are taken from ``text``, not from the file."""
    spans: dict[str, tuple[Span, ...]] = {}
    events: list[tuple[str, str, dict[str, list[str]]]] = []
    for line in ann.splitlines():
        if match := _T_LINE.match(line):
            spans[match[1]] = _pieces(text, match[3])
        elif match := _E_LINE.match(line):
            trigger, *args = match[2].split()
            roles: dict[str, list[str]] = {}
            for arg in args:
                role, _, ref = arg.partition(":")
                roles.setdefault(re.sub(r"\d+$", "", role), []).append(ref)
            events.append((match[1], trigger.partition(":")[0], roles))

    def collect(roles: dict[str, list[str]], role: str) -> tuple[Span, ...]:
        pieces = {p for ref in roles.get(role, []) for p in spans.get(ref, ())}
        return tuple(sorted(pieces, key=lambda s: s.start_char))

    found = []
    for event_id, trigger, roles in events:
        content = collect(roles, "Content")
        if not content:
            continue
        source = () if trigger == "Attribution-no-source" else collect(roles, "Source")
        found.append(GoldAttribution(event_id, content, collect(roles, "Cue"), source,
                                     quote_kind(text, content)))
    return tuple(sorted(found, key=lambda a: (a.start_char, a.id)))


def _is_quoted(text: str, piece: Span) -> bool:
    """The piece is a quotation: an opening mark at its start (or just before it) and a
    closing mark at its end (or just after, or the paragraph ends: the quote runs on)."""
    start, end = piece.start_char, piece.end_char
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".,;:!?…—-"):
        end -= 1
    if end <= start:
        return False
    before = text[:start].rstrip(" ")
    after = text[end:].lstrip(" .,;:!?…—-")
    opens = text[start] in DOUBLE_MARKS or (before[-1:] in DOUBLE_MARKS and before != "")
    closes = (end - start > 1 and text[end - 1] in DOUBLE_MARKS) or after[:1] in DOUBLE_MARKS \
        or after[:1] in {"\n", ""}
    return opens and closes


def quote_kind(text: str, content: Sequence[Span]) -> QuoteKind:
    """``direct`` when every piece is a quotation, ``mixed`` when quotation marks appear in
    it otherwise, else ``indirect``. Two apostrophes are a quotation mark (the New York
    Times articles write ''…'' for “…”)."""
    text = text.replace("''", '""')
    content = [Span(p.start_char, p.end_char, text[p.start_char:p.end_char]) for p in content]
    merged: list[Span] = []
    for piece in content:  # pieces split only by a space (brat's pieces around an nbsp)
        if merged and not text[merged[-1].end_char:piece.start_char].strip():
            start = merged.pop().start_char
            piece = Span(start, piece.end_char, text[start:piece.end_char])
        merged.append(piece)
    if all(_is_quoted(text, piece) for piece in merged):
        return "direct"
    if any(ch in DOUBLE_MARKS for piece in content for ch in piece.text):
        return "mixed"
    return "indirect"


def _utf16_index(text: str) -> list[int] | None:
    """Python index of each UTF-16 offset (CoreNLP counts Java chars), or None when the two
    agree (no character outside the BMP)."""
    if all(ord(ch) <= 0xFFFF for ch in text):
        return None
    index = []
    for i, ch in enumerate(text):
        index.extend([i] * (2 if ord(ch) > 0xFFFF else 1))
    index.append(len(text))
    return index


def parse_corenlp(xml: str, text: str) -> tuple[tuple[tuple[Span, ...], ...],
                                                   tuple[NameRun, ...]]:
    """Coreference chains (mentions as spans of ``text``, representative first) and the names
    (runs of tokens with one NER tag), from a CoreNLP XML file."""
    # The parse trees and dependency graphs are two thirds of a file and never read: cut
    # before parsing, the XML parse of a PolNeAR train file takes 0.07 s instead of 0.23 s.
    root = ET.fromstring(_UNREAD_CORENLP.sub("", xml))
    utf16 = _utf16_index(text)

    def char(offset: str | None) -> int:
        value = int(offset or 0)
        return utf16[value] if utf16 is not None else value

    sentences: dict[str, list[tuple[int, int]]] = {}
    names: list[NameRun] = []
    for sentence in root.iter("sentence"):
        toks = sentence.find("tokens")
        if toks is None:
            continue
        bounds = []
        previous = "O"
        for token in toks.iter("token"):
            begin = char(token.findtext("CharacterOffsetBegin"))
            end = char(token.findtext("CharacterOffsetEnd"))
            bounds.append((begin, end))
            tag = token.findtext("NER") or "O"
            if tag in _NAME_TAGS and tag == previous:
                names[-1] = NameRun(names[-1].start_char, end, tag)
            elif tag in _NAME_TAGS:
                names.append(NameRun(begin, end, tag))
            previous = tag
        sentences[sentence.get("id", "")] = bounds
    chains = []
    outer = root.find("document/coreference")
    for chain in outer.findall("coreference") if outer is not None else []:
        mentions: list[Span] = []
        for mention in chain.findall("mention"):
            bounds = sentences.get(mention.findtext("sentence") or "", [])
            first, last = int(mention.findtext("start") or 0), int(mention.findtext("end") or 0)
            if not bounds or not 1 <= first < last <= len(bounds) + 1:
                continue
            start, end = bounds[first - 1][0], bounds[last - 2][1]
            span = Span(start, end, text[start:end])
            if mention.get("representative") == "true":
                mentions.insert(0, span)
            else:
                mentions.append(span)
        if mentions:
            chains.append(tuple(mentions))
    return tuple(chains), tuple(names)


# -- speakers -------------------------------------------------------------------------------------

def _name_words(name: str) -> frozenset[str]:
    return frozenset(tokens(name)) - _NAME_STOPWORDS


def _acronym_of(short: str, long: str) -> bool:
    short = short.strip().removeprefix("the ").removeprefix("The ")
    return bool(_ACRONYM.match(short)) and initials(long) == short.replace(".", "").upper()


def names_match(found: str, gold: str) -> bool:
    """The two names share their distinctive words, one's being a subset of the other's
    ("Fred Goldberg" and "Mr. Goldberg"; "Donald Trump" and "Trump"), or one is the other's
    acronym ("IMF", "International Monetary Fund"); pronouns, articles, honorifics and
    possessive endings do not count."""
    f, g = _name_words(found), _name_words(gold)
    if f and g and (f <= g or g <= f):
        return True
    return _acronym_of(found, gold) or _acronym_of(gold, found)


def is_pronoun(source: str | None) -> bool:
    return source is not None and source.strip().casefold() in PRONOUNS


@dataclass(frozen=True)
class GoldSpeaker:
    """What a found speaker is judged against: the names that are right (empty when the
    source cannot be judged) and whether the source is a pronoun."""

    names: tuple[str, ...]
    pronoun: bool


def _sentence_initial(text: str, position: int) -> bool:
    before = text[:position].rstrip(" \t\xa0")
    return not before or before[-1] in ".!?:\n" or before[-1] in DOUBLE_MARKS


def head_segment(document: AnnotatedDocument, piece: Span) -> Span:
    """The words of a noun phrase up to its head: without edge punctuation, post-modifiers
    (cut outside NER runs: "Bank of America" stays whole) and possessors ("Trump's campaign
    manager Kellyanne Conway" → "campaign manager Kellyanne Conway"; "his aides" →
    "aides")."""
    text = document.text
    start, end = piece.start_char, piece.end_char
    runs = [r for r in document.names if start <= r.start_char and r.end_char <= end]
    for match in _POSTMODIFIER.finditer(text, start, end):
        if not any(r.start_char < match.start() < r.end_char for r in runs):
            end = match.start()
            break
    for match in _POSSESSIVE.finditer(text[start:end]):
        start = piece.start_char + match.end()
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not text[end - 1].isalnum() and text[end - 1] != ".":
        end -= 1
    return Span(start, end, text[start:end])


def _capitalised_elsewhere(text: str, word: str) -> bool:
    """The word is written capitalised inside a sentence somewhere in the text (so it is a
    name even where it opens one)."""
    return any(not _sentence_initial(text, m.start())
               for m in re.finditer(rf"(?<![\w.’'-]){re.escape(word)}(?![\w’'-])", text))


def head_name(document: AnnotatedDocument, piece: Span,
              tags: frozenset[str] = _NAME_TAGS) -> str | None:
    """The name at the head of a noun phrase, or None when its head is not a name.

    The head is the last word of :func:`head_segment`: "Clinton spokesman Nick Merrill" →
    "Nick Merrill"; "Quentin Kidd, a political scientist at Christopher Newport University"
    → "Quentin Kidd"; "The Clinton campaign" → None. A name is a CoreNLP NER run (with one of
    ``tags``) ending the head, else (any tag allowed) the capitalised words ending it ("Mr.
    Barrett"), a word that opens a sentence only when it is capitalised elsewhere too ("Critics"
    is not a name; "Ribeiro", written mid-sentence before, is)."""
    head = head_segment(document, piece)
    if not head.text:
        return None
    text = document.text
    for run in document.names:
        if run.end_char == head.end_char and run.start_char >= head.start_char \
                and run.tag in tags:
            return text[run.start_char:run.end_char]
    capitalised: list[str] = []
    for word in reversed(list(re.finditer(r"[\w.’'-]+", head.text))):
        if not word.group()[:1].isupper():
            break
        if _sentence_initial(text, head.start_char + word.start()):
            if _capitalised_elsewhere(text, word.group()):
                capitalised.insert(0, word.group())
            break
        capitalised.insert(0, word.group())
    name = " ".join(capitalised)
    return name if _name_words(name) and tags == _NAME_TAGS else None


def gold_speaker(document: AnnotatedDocument, attribution: GoldAttribution) -> GoldSpeaker:
    """The names a found speaker may have for ``attribution``.

    A source whose head is a name (:func:`head_name`) is that name. A pronoun or a
    description ("the bank", "his aides") takes the head names of the mentions of its
    CoreNLP coreference chain (persons only for he / she). No names: the source cannot be
    judged.
    """
    source = attribution.source_text
    if source is None:
        return GoldSpeaker((), False)
    pronoun = is_pronoun(source)
    if not pronoun:
        own = [head_name(document, piece) for piece in attribution.source]
        name = next((n for n in own if n), None)
        if name:
            return GoldSpeaker((name,), False)
    tags = _PERSON_TAGS if source.strip().casefold() in PERSON_PRONOUNS else _NAME_TAGS
    heads = [head_segment(document, piece) for piece in attribution.source]
    names = [head_name(document, mention, tags)
             for mention in _chain_of(document, [h for h in heads if h.text])]
    return GoldSpeaker(tuple(dict.fromkeys(n for n in names if n)), pronoun)


def _chain_of(document: AnnotatedDocument, source: Sequence[Span]) -> tuple[Span, ...]:
    """The coreference chain whose mention shares most characters with the source (the
    shorter mention on a tie)."""
    best: tuple[int, int, tuple[Span, ...]] | None = None
    for chain in document.chains:
        for mention in chain:
            shared = sum(max(0, min(mention.end_char, p.end_char)
                             - max(mention.start_char, p.start_char)) for p in source)
            if shared <= 0:
                continue
            key = (shared, -(mention.end_char - mention.start_char))
            if best is None or key > best[:2]:
                best = (key[0], key[1], chain)
    return best[2] if best else ()


# -- scoring --------------------------------------------------------------------------------------

@dataclass
class ViewScore(Tally):
    """Counts for one view; every rate is a property."""

    gold: int = 0
    found: int = 0
    matched: int = 0  # gold attributions with a partially matching found quote
    matched_in_pieces: int = 0  # of those, matched only by several found quotes together
    false_positives: int = 0  # found quotes matching nothing (see the module docstring)
    exact: int = 0  # gold attributions found with exactly the same words
    exact_found: int = 0  # found quotes making up those exact matches
    with_source: int = 0  # matched, with a gold source
    mention_right: int = 0
    judged: int = 0  # matched, with a source whose names are known
    resolved_right: int = 0
    gold_pronouns: int = 0  # gold attributions with a pronoun source
    pronouns: int = 0  # matched, pronoun source with a name in its chain
    pronouns_right: int = 0
    unjudged: int = 0  # matched, with a source that names nobody known (see gold_speaker)
    pronouns_unjudged: int = 0  # of those, pronouns
    end_to_end: int = 0
    gold_indirect: int = 0  # gold attributions of kind indirect
    indirect_matched: int = 0
    indirect_end_to_end: int = 0

    @property
    def precision(self) -> float:
        return rate(self.found - self.false_positives, self.found)

    @property
    def recall(self) -> float:
        return rate(self.matched, self.gold)

    @property
    def f1(self) -> float:
        return f1_score(self.precision, self.recall)

    @property
    def exact_precision(self) -> float:
        return rate(self.exact_found, self.found)

    @property
    def exact_recall(self) -> float:
        return rate(self.exact, self.gold)

    @property
    def exact_f1(self) -> float:
        return f1_score(self.exact_precision, self.exact_recall)

    @property
    def mention_accuracy(self) -> float:
        return rate(self.mention_right, self.with_source)

    @property
    def resolved_accuracy(self) -> float:
        return rate(self.resolved_right, self.judged)

    @property
    def pronoun_accuracy(self) -> float:
        return rate(self.pronouns_right, self.pronouns)

    @property
    def pronoun_share(self) -> float:
        """Share of gold attributions whose source is a pronoun."""
        return rate(self.gold_pronouns, self.gold)

    @property
    def end_to_end_rate(self) -> float:
        """Share of gold attributions found with the right speaker."""
        return rate(self.end_to_end, self.gold)

    @property
    def indirect_recall(self) -> float:
        """Share of indirect gold attributions found."""
        return rate(self.indirect_matched, self.gold_indirect)

    @property
    def indirect_end_to_end_rate(self) -> float:
        """Share of indirect gold attributions found with the right speaker."""
        return rate(self.indirect_end_to_end, self.gold_indirect)


@dataclass(frozen=True)
class Judgement:
    """One gold attribution and what was found for it (kept for error analysis)."""

    gold: GoldAttribution
    found: Quote | None
    exact: bool = False
    mention_right: bool | None = None  # None: no gold source, or nothing found
    resolved_right: bool | None = None  # None: cannot be judged
    speaker_names: tuple[str, ...] = ()
    pronoun: bool = False
    end_to_end: bool = False


@dataclass
class DocumentResult:
    doc_id: str
    judgements: list[Judgement]
    false_positives: list[Quote]
    found: list[Quote]


def in_view(view: str, attribution: GoldAttribution) -> bool:
    if view == "speech-verb":
        return attribution.speech_verb
    if view == "broad":
        return attribution.saying
    if view == "direct":
        return attribution.kind == "direct"
    return True


def found_in_view(view: str, quote: Quote) -> bool:
    """Found quotes of a view: for speech verbs (saying cues, in the broad view), those whose
    cue is one, or that have no cue (a floating quote continuing an attributed one)."""
    if view == "speech-verb":
        return quote.cue is None or any(
            w in view_speech_verbs() for w in tokens(quote.cue.text))
    if view == "broad":
        return quote.cue is None or saying_cue(quote.cue.text)
    if view == "direct":
        return quote.kind == "direct"
    return True


def exact_words(text: str) -> list[str]:
    """The words an exact match compares: punctuation and quotation marks do not count, nor
    does an opening "that" (PolNeAR's content keeps the complementiser, newsmill's drops
    it)."""
    words = tokens(text)
    return words[1:] if words[:1] == ["that"] else words


def _intersects(quote: Quote, gold: GoldAttribution) -> bool:
    return any(quote.start_char < p.end_char and p.start_char < quote.end_char
               for p in gold.content)


def _inside_share(quote: Quote, gold: GoldAttribution, text: str) -> float:
    """Share of the quote's words lying inside the gold content's pieces."""
    words = [m for m in re.finditer(r"\w+", text[quote.start_char:quote.end_char])]
    if not words:
        return 0.0
    inside = sum(1 for m in words if any(
        p.start_char <= quote.start_char + m.start() < p.end_char for p in gold.content))
    return inside / len(words)


def stored_name(quote: Quote, view: str = "all") -> str | None:
    """The name a speaker is judged by. In the broad view, what the warehouse stores for the
    quote: its speaker entity's name, else ``speaker_name``, both the resolved canonical name
    (None when the speaker was not resolved); in the others, that name, else the speaker
    phrase as written."""
    if view == "broad":
        return quote.speaker_canonical
    return quote.speaker_canonical or (quote.speaker.text if quote.speaker else None)


def _speaker_judgement(document: AnnotatedDocument, gold: GoldAttribution,
                       quote: Quote, view: str = "all"
                       ) -> tuple[bool | None, bool | None, GoldSpeaker]:
    """(mention right, resolved right, gold speaker) for a matched pair."""
    speaker = gold_speaker(document, gold)
    if not gold.source:
        return None, None, speaker
    mention = quote.speaker is not None and any(
        quote.speaker.start_char < p.end_char and p.start_char < quote.speaker.end_char
        for p in gold.source)
    if not speaker.names:
        return mention, None, speaker
    name = stored_name(quote, view)
    resolved = name is not None and any(names_match(name, g) for g in speaker.names)
    return mention, resolved, speaker


def score_document(document: AnnotatedDocument, found: Sequence[Quote],
                   view: str = "all") -> tuple[ViewScore, DocumentResult]:
    """Score the found quotes of one document in one view."""
    golds = [g for g in document.attributions if in_view(view, g)]
    candidates = [q for q in found if found_in_view(view, q)]
    score = ViewScore(gold=len(golds), found=len(candidates))

    pairs = sorted(((overlap(q.text, g.text), i, j) for i, q in enumerate(candidates)
                    for j, g in enumerate(golds) if _intersects(q, g)), reverse=True)
    match_of: dict[int, int] = {}  # gold index -> found index
    used: set[int] = set()
    for value, i, j in pairs:
        if value < PARTIAL_MATCH:
            break
        if i not in used and j not in match_of:
            match_of[j] = i
            used.add(i)
    # The found quotes lying mostly inside each gold content: together they may match a
    # gold in pieces (“A,” he said. “B.” is one attribution and two found quotes).
    home: dict[int, int] = {}
    for i, q in enumerate(candidates):
        shares = [(_inside_share(q, g, document.text), j) for j, g in enumerate(golds)
                  if _intersects(q, g)]
        best = max(shares, default=(0.0, -1))
        if best[0] >= PARTIAL_MATCH:
            home[i] = best[1]
    members: dict[int, list[int]] = {}
    for j, g in enumerate(golds):
        inside = [i for i in sorted(home, key=lambda i: candidates[i].start_char)
                  if home[i] == j and (i not in used or match_of.get(j) == i)]
        if j not in match_of and len(inside) > 1 and overlap(
                " ".join(candidates[i].text for i in inside), g.text) >= PARTIAL_MATCH:
            match_of[j] = inside[0]
            score.matched_in_pieces += 1
        if j in match_of:
            members[j] = sorted({match_of[j], *inside}, key=lambda i: candidates[i].start_char)
            used.update(members[j])
    exact_used: set[int] = set()
    exact_golds: set[int] = set()
    for j, g in enumerate(golds):
        words = exact_words(g.text)
        if j in members and len(members[j]) > 1 and exact_words(
                " ".join(candidates[i].text for i in members[j])) == words:
            exact_golds.add(j)
            exact_used.update(members[j])
            continue
        for i, q in enumerate(candidates):
            if i not in exact_used and _intersects(q, g) and exact_words(q.text) == words:
                exact_used.add(i)
                exact_golds.add(j)
                break
    score.exact = len(exact_golds)
    score.exact_found = len(exact_used)

    judgements = []
    for j, g in enumerate(golds):
        speaker_pronoun = is_pronoun(g.source_text)
        score.gold_pronouns += speaker_pronoun
        score.gold_indirect += g.kind == "indirect"
        if j not in match_of:
            judgements.append(Judgement(g, None, pronoun=speaker_pronoun))
            continue
        # The speaker is judged on the first piece that has one (the attributed half of a
        # split quote, not its floating continuation).
        quote = next((candidates[i] for i in members[j] if candidates[i].speaker is not None),
                     candidates[match_of[j]])
        score.matched += 1
        score.indirect_matched += g.kind == "indirect"
        mention, resolved, speaker = _speaker_judgement(document, g, quote, view)
        if g.source:
            score.with_source += 1
            score.mention_right += bool(mention)
            if resolved is not None:
                score.judged += 1
                score.resolved_right += resolved
                if speaker.pronoun:
                    score.pronouns += 1
                    score.pronouns_right += resolved
            else:
                score.unjudged += 1
                score.pronouns_unjudged += speaker.pronoun
            right = bool(resolved) if resolved is not None else bool(mention)
        else:
            right = stored_name(quote, view) is None
        score.end_to_end += right
        score.indirect_end_to_end += right and g.kind == "indirect"
        judgements.append(Judgement(g, quote, j in exact_golds, mention, resolved,
                                    speaker.names, speaker.pronoun, right))

    matched_golds = [golds[j] for j in match_of]
    everything = document.attributions
    false_positives = []
    for i, q in enumerate(candidates):
        if i in used:
            continue
        fragment = any(_inside_share(q, g, document.text) >= PARTIAL_MATCH
                       for g in matched_golds if _intersects(q, g))
        elsewhere = view != "all" and any(
            _intersects(q, g) and overlap(q.text, g.text) >= PARTIAL_MATCH
            for g in everything if not in_view(view, g))
        if not fragment and not elsewhere:
            false_positives.append(q)
    score.false_positives = len(false_positives)
    return score, DocumentResult(document.doc_id, judgements, false_positives, list(found))


@dataclass
class QuoteReport:
    views: dict[str, ViewScore] = field(default_factory=lambda: {v: ViewScore() for v in VIEWS})
    documents: int = 0
    tokens: int = 0
    seconds: float = 0.0
    model: str = ""
    results: dict[str, list[DocumentResult]] = field(
        default_factory=lambda: {v: [] for v in VIEWS})


def find_quotes(text: str, nlp: Language) -> tuple[list[Quote], int]:
    """newsmill's quotes for ``text`` (offsets into ``text`` itself) and its token count."""
    doc = nlp(text)
    return analyse_document(doc, dateline=find_dateline(text)).quotes, len(doc)


def evaluate_quotes(documents: Iterable[AnnotatedDocument], nlp: Language) -> QuoteReport:
    """Run the pipeline on each document's own text and score its quotes in every view."""
    report = QuoteReport(model=f"{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '')}")
    began = time.perf_counter()
    for document in documents:
        found, count = find_quotes(document.text, nlp)
        for view in VIEWS:
            score, result = score_document(document, found, view)
            report.views[view].add(score)
            report.results[view].append(result)
        report.documents += 1
        report.tokens += count
    report.seconds = time.perf_counter() - began
    return report


# -- printing -------------------------------------------------------------------------------------

def _pct(value: float) -> str:
    return f"{100 * value:5.1f}"


def format_report(report: QuoteReport) -> str:
    """One column per view: span scores, speaker scores and end to end, in percent."""
    rows: list[tuple[str, list[str]]] = []

    def row(label: str, values: Iterable[str]) -> None:
        rows.append((label, list(values)))

    scores = [report.views[v] for v in VIEWS]
    row("gold attributions", (str(s.gold) for s in scores))
    row("found quotes", (str(s.found) for s in scores))
    row("partial  P", (_pct(s.precision) for s in scores))
    row("partial  R", (_pct(s.recall) for s in scores))
    row("partial  F1", (_pct(s.f1) for s in scores))
    row("  matched in pieces", (str(s.matched_in_pieces) for s in scores))
    row("exact    P", (_pct(s.exact_precision) for s in scores))
    row("exact    R", (_pct(s.exact_recall) for s in scores))
    row("exact    F1", (_pct(s.exact_f1) for s in scores))
    row("speaker mention acc", (f"{_pct(s.mention_accuracy)} /{s.with_source}" for s in scores))
    row("resolved speaker acc", (f"{_pct(s.resolved_accuracy)} /{s.judged}" for s in scores))
    row("  pronoun sources acc", (f"{_pct(s.pronoun_accuracy)} /{s.pronouns}" for s in scores))
    row("unjudged sources", (f"{s.unjudged} ({s.pronouns_unjudged} pron.)" for s in scores))
    row("pronoun share (gold)", (_pct(s.pronoun_share) for s in scores))
    row("end to end", (_pct(s.end_to_end_rate) for s in scores))
    row("indirect found", (f"{_pct(s.indirect_recall)} /{s.gold_indirect}" for s in scores))
    row("  with right speaker", (_pct(s.indirect_end_to_end_rate) for s in scores))
    width = max(len(label) for label, _ in rows)
    header = f"{'':<{width}}" + "".join(f"{v:>18}" for v in VIEWS)
    lines = [
        f"PolNeAR: {report.documents} documents, {report.tokens} tokens, model "
        f"{report.model}, {report.seconds:.1f} s",
        "partial match: token overlap >= " + f"{PARTIAL_MATCH}; accuracies are over matched "
        "quotes (/n: how many)",
        "",
        header,
        "-" * len(header),
    ]
    lines += [f"{label:<{width}}" + "".join(f"{v:>18}" for v in values) for label, values in rows]
    return "\n".join(lines)

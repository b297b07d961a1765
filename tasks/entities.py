"""Entity mentions, consolidated per document.

:func:`consolidate` is pure: it takes the text, the model's raw spans and the sentence starts,
and returns one consistent set of mentions. Steps, in order:

1. keep name-like labels only (no dates, numbers, money), and spans with a letter in them;
2. trim a leading "the", a trailing possessive ("Armenia’s" → "Armenia") and, from names of
   people, organisations and places, a trailing score ("J. Crawley 106");
3. the dateline place is a GPE mention, unless it is a headline's section label
   ("SOCCER - SHEARER NAMED AS ENGLAND CAPTAIN."), which is no name at all;
4. link acronyms to their long form ("Collective Security Treaty Organization (CSTO)", or a
   later "CSTO" whose letters match an earlier long name);
5. link a one-word name to an earlier full person name ("Pashinyan" → "Nikol Pashinyan");
6. labels: a listed country or capital is a GPE, a linked person is a PERSON; otherwise a
   mention keeps the model's label unless the entity's majority label leads it by
   :data:`VOTE_MARGIN` votes (an untagged repeat takes the majority label);
7. propagate: an untagged exact repeat of a tagged person's or organisation's name becomes a
   mention;
8. a listed country or capital the model left untagged becomes a GPE mention;
9. a team: an unlisted place written before a score ("CHICAGO 72 60") is an ORG;
10. in a results table (two such teams), a name opening a line before a score, untagged or
    taken for a person, is a team too.

Each step is linear in the text and its spans: repeats are looked up in an index of where
the tagged forms' opening words stand, built in one pass, not by searching the text once per
form.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import itertools
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from spacy.tokens import Doc

from newsmill.tasks.models import Mention, Span
from newsmill.tasks.names import initials, is_title

#: Labels that name things; the others (DATE, CARDINAL, MONEY ...) are values, not entities.
KEPT_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT",
                         "WORK_OF_ART", "LAW", "LANGUAGE"})
#: When votes tie, the label listed first wins (GPE before ORG: places are the commoner error).
LABEL_PRIORITY = ("PERSON", "GPE", "ORG", "NORP", "LOC", "FAC", "EVENT", "PRODUCT",
                  "WORK_OF_ART", "LAW", "LANGUAGE")
#: The consolidation steps :func:`consolidate` can be asked to skip (``disabled``), so that
#: ``newsmill eval entities --ablation`` can measure what each one adds per label.
RULES: tuple[str, ...] = ("letters", "the", "possessive", "edges", "score", "title",
                          "dateline", "acronym", "surname", "places", "vote", "propagate",
                          "gazetteer", "team", "table")
#: Votes by which an entity's majority label must lead a mention's own label to replace it.
#: Overriding every minority label cost 0.1 F1 on CoNLL-2003 train, dev and UNER alike; with
#: a lead of two, consolidation gains 0.1 on each instead.
VOTE_MARGIN = 2
#: Shortest surface form propagated to untagged repeats; shorter ones ("EU" aside) collide
#: with ordinary words too often.
MIN_PROPAGATED_CHARS = 3
#: Most words after a section label's dash in a headline line ("PRESS DIGEST - Iraq - Aug
#: 22."); a dateline's first paragraph runs longer. 8 and 12 scored alike on CoNLL-2003 train.
HEADLINE_WORDS = 8
#: Labels whose spans lose trailing numbers, a score or a tally the model took into the name
#: ("J. Crawley 106", "Waalwijk 2"): CoNLL-2003 train F1 PER +1.6, ORG +1.2, LOC +0.3, dev
#: PER +1.2, ORG +1.1, LOC +0.5. Products and events keep theirs ("Windows 95", "Euro 96":
#: 40 of the 53 gold names on CoNLL-2003 train and UNER that end with a number), and so does
#: an organisation's name ending with a year ("Munich 1860"; "Trade Union Act 2016", which the
#: model tags ORG in the sample corpus), where a place before a year is a place ("Atlanta
#: 1996": keeping years on places too cost dev LOC 0.2).
SCORE_TRIMMED_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC"})
#: Teams found before scores that make a document a results table (one alone is as often a
#: place with a number after it: with one, train's table rows gained 94 right and 50 wrong).
TABLE_TEAMS = 2
#: Labels of places, whose untagged repeats are not propagated: in sports copy a repeated city
#: is as often a team ("KANSAS CITY", "TORONTO" in standings), and the listed countries and
#: capitals are found anyway (step 8). Propagating them cost LOC F1 0.4 on CoNLL-2003 train,
#: 0.3 on dev and 0.1 on UNER.
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
#: Nationalities, events, products and the like (CoNLL's MISC), whose untagged repeats are not
#: propagated either: an adjective repeated ("Dutch farmers") is as often no name at all, and
#: propagating them cost CoNLL-2003 dev MISC F1 0.1 (0.2 with en_core_web_md), train nothing.
MISC_LABELS = frozenset({"NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"})
#: Most words in a listed place name ("United Arab Emirates").
PLACE_WORDS = 3

_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"(?:[’']s|[’'])$")
# An acronym: capitals, with the odd lowercase letter ("BoM" for Bureau of Meteorology).
_ACRONYM = re.compile(r"^[A-Z][A-Za-z&]{0,6}[A-Z]$")
# A leading title (:func:`newsmill.tasks.names.is_title`) is trimmed from PERSON spans, so
# "Councillor Gareth Penhaligon" and "Gareth Penhaligon" are one person; it is a whole word
# followed by a space ("King" in "King-Smith" is part of a name).
_TITLE_WORD = re.compile(r"[A-Za-z.]+(?=\s)")
_WORD = re.compile(r"\w+")
# A number after a name on the same line: a score, a tally, a standing ("72 60", "4-38").
_SCORE = re.compile(r"[ \t]+(\d+(?:[-.:/]\d+)*)(?![\w.,]?\d)")
_TRAILING_SCORE = re.compile(r"(?:\s+\d+(?:[-.:/]\d+)*)+$")
# A table row that opens with a name of up to three capitalised words and a score.
_TABLE_ROW = re.compile(r"(?m)^(?P<name>[A-Z][\w.'&-]*(?: [A-Z][\w.'&-]*){0,2})[ \t]+"
                        r"(?P<score>\d+(?:[-.:/]\d+)*)(?![\w.,]?\d)")
_YEAR = re.compile(r"1[89]\d\d|20\d\d|\d{4}-\d\d-\d\d")
#: How many opening words of a tagged form index the places where its repeats may start:
#: enough that forms sharing a first name or word ("New York", "New Zealand") are told apart.
OPENING_WORDS = 3


def _unbounded() -> None:
    """The ``check`` of a consolidation with no time limit."""


@dataclass(frozen=True)
class RawSpan:
    """A span as the model returned it."""

    start_char: int
    end_char: int
    label: str


@cache
def known_places() -> frozenset[str]:
    """Casefolded country and capital names from ``resources/places.txt``."""
    text = resources.files(__package__).joinpath("resources", "places.txt").read_text("utf-8")
    return frozenset(
        line.strip().casefold() for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def _listed_places(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each listed place (:func:`known_places`) written in ``text`` as
    whole words opening with a capital ("Nepal", "NEPAL", not "nepal"), the longest at each
    word, left to right: one pass over the text's words."""
    places = known_places()
    words = [(w.start(), w.end()) for w in _WORD.finditer(text)]
    i = 0
    while i < len(words):
        start = words[i][0]
        found = 0
        if text[start].isupper():
            for count in range(min(PLACE_WORDS, len(words) - i), 0, -1):
                if text[start:words[i + count - 1][1]].casefold() in places:
                    found = count
                    break
        if found:
            yield start, words[i + found - 1][1]
            i += found
        else:
            i += 1


def spans_from_doc(doc: Doc) -> tuple[list[RawSpan], list[int]]:
    """The model's entity spans and the character offsets where sentences start."""
    spans = [RawSpan(e.start_char, e.end_char, e.label_) for e in doc.ents]
    sentence_starts = [s.start_char for s in doc.sents] if doc.has_annotation("SENT_START") \
        else [0]
    return spans, sentence_starts


def extract_mentions(doc: Doc, dateline: Span | None = None, *,
                     check: Callable[[], None] = _unbounded) -> list[Mention]:
    """Consolidated mentions of a parsed document; ``check`` as for :func:`consolidate`."""
    spans, sentence_starts = spans_from_doc(doc)
    return consolidate(doc.text, spans, sentence_starts, dateline=dateline, check=check)


def _trim(text: str, span: RawSpan, disabled: Collection[str] = ()) -> RawSpan | None:
    start, end = span.start_char, span.end_char
    surface = text[start:end]
    lead = _LEADING_THE.match(surface)
    if lead and "the" not in disabled:
        start += lead.end()
    poss = _POSSESSIVE.search(text[start:end])
    if poss and poss.start() > 0 and "possessive" not in disabled:
        end = start + poss.start()
    if "edges" not in disabled:
        opening = text.find("(", start, end)
        if opening > start and text.find(")", opening, end) < 0:
            end = opening  # "Bureau of Meteorology (BoM": the acronym is linked separately
        while end > start and not text[end - 1].isalnum() and text[end - 1] not in ").":
            end -= 1
    if "score" not in disabled and span.label in SCORE_TRIMMED_LABELS:
        score = _TRAILING_SCORE.search(text, start, end)
        if score and score.start() > start and not (
                span.label == "ORG" and _YEAR.fullmatch(score.group().strip())):
            end = score.start()
    if end <= start:
        return None
    return RawSpan(start, end, span.label)


def _headline_label(text: str, dateline: Span) -> bool:
    """The "dateline" is a headline's section label, not a place: the rest of its line is in
    capitals too ("SOCCER - SHEARER NAMED AS ENGLAND CAPTAIN."), or is a headline's few
    words (at most :data:`HEADLINE_WORDS`) with more text below ("PRESS DIGEST - Iraq - Aug
    22."), where a dateline opens the running text of a first paragraph ("YEREVAN — Officials
    said ..."). Listed places stay places. Wire copy heads stories this way: on CoNLL-2003
    dev 100 of the 159 spans consolidation added that neither the model nor the gold data has
    were such labels ("SOCCER", "CRICKET", "TENNIS")."""
    if dateline.text.casefold() in known_places():
        return False
    line_end = text.find("\n", dateline.end_char)
    rest = text[dateline.end_char:line_end if line_end >= 0 else len(text)]
    letters = [ch for ch in rest if ch.isalpha()]
    if letters and not any(ch.islower() for ch in letters):
        return True
    return line_end >= 0 and len(rest.split()) <= HEADLINE_WORDS


def _is_team(text: str, mention: Mention) -> bool:
    """A place written before a score is a team ("CHICAGO 72 60 .545", "Leicestershire 22
    points"): an unlisted place (a city, a county, a state; a listed country before a score is
    its national side, which annotation calls a place) followed by a number that is not a
    date or a year."""
    if mention.label not in PLACE_LABELS or mention.text.casefold() in known_places():
        return False
    score = _SCORE.match(text, mention.end_char)
    return score is not None and not _YEAR.fullmatch(score.group(1))


def _acronym_letters(form: str) -> str:
    """The capitals of an acronym: "BoM" stands for B… M…."""
    return "".join(ch for ch in form if ch.isupper())


def _trim_title(text: str, span: RawSpan) -> RawSpan:
    """Drop leading titles from a PERSON span ("Transport Secretary Oliver Stannard"), keeping
    at least one word."""
    start, end = span.start_char, span.end_char
    while True:
        match = _TITLE_WORD.match(text, start, end)
        rest = text[match.end():end] if match else ""
        if not match or not is_title(match.group().casefold()) or not rest.strip():
            return RawSpan(start, end, span.label)
        start = match.end() + (len(rest) - len(rest.lstrip()))


def consolidate(
    text: str,
    raw_spans: Sequence[RawSpan],
    sentence_starts: Sequence[int],
    *,
    dateline: Span | None = None,
    check: Callable[[], None] = _unbounded,
    disabled: Collection[str] = frozenset(),
) -> list[Mention]:
    """One consistent set of mentions for a document (see the module docstring). ``check``
    is called as the steps go (per span and per form): it may raise to stop them (a time
    limit). ``disabled`` names steps of :data:`RULES` to skip (for measuring them)."""
    unknown = set(disabled) - set(RULES)
    if unknown:
        raise ValueError(f"unknown consolidation rules: {', '.join(sorted(unknown))}")
    spans: list[RawSpan] = []
    for raw in raw_spans:
        check()
        if raw.label not in KEPT_LABELS:
            continue
        trimmed = _trim(text, raw, disabled)
        # A span without a letter names nothing ("3 2 1 0", ".500" in tables, which the model
        # tags NORP or PRODUCT): CoNLL-2003 train MISC F1 +1.4, dev +1.0.
        if trimmed and "letters" not in disabled and not any(
                ch.isalpha() for ch in text[trimmed.start_char:trimmed.end_char]):
            continue
        if trimmed and trimmed.label == "PERSON" and "title" not in disabled:
            trimmed = _trim_title(text, trimmed)
        if trimmed:
            spans.append(trimmed)
    if dateline is not None and "dateline" not in disabled and _headline_label(text, dateline):
        # A section label names no one: the model's spans on it go too (CoNLL-2003 train
        # ORG F1 +0.4, LOC +0.4; dev ORG +0.4, LOC +0.3).
        spans = [s for s in spans if s.end_char <= dateline.start_char
                 or s.start_char >= dateline.end_char]
        dateline = None
    if "dateline" in disabled:
        dateline = None
    if dateline is not None:
        spans = [s for s in spans if s.end_char <= dateline.start_char
                 or s.start_char >= dateline.end_char]
        spans.append(RawSpan(dateline.start_char, dateline.end_char, "GPE"))
    spans.sort(key=lambda s: (s.start_char, -s.end_char))

    surface = {id(s): text[s.start_char:s.end_char] for s in spans}
    canonical: dict[str, str] = {}  # casefolded surface -> canonical surface
    forced: dict[str, str] = {}  # canonical (casefolded) -> label it must have

    def canon(form: str) -> str:
        return canonical.get(form.casefold(), form)

    # 4. acronyms: "Long Name (ACR)" first, then bare acronyms matching an earlier long name.
    long_names: dict[str, str] = {}
    for s in spans if "acronym" not in disabled else ():
        form = surface[id(s)]
        if " " in form:
            long_names.setdefault(initials(form), form)
            after = re.match(r"\s*\(([A-Z][A-Za-z&]{0,6}[A-Z])\)",
                             text[s.end_char:s.end_char + 12])
            if after and initials(form) == _acronym_letters(after.group(1)):
                canonical[after.group(1).casefold()] = form
    for s in spans if "acronym" not in disabled else ():
        form = surface[id(s)]
        letters = _acronym_letters(form)
        if _ACRONYM.match(form) and form.casefold() not in canonical and letters in long_names:
            canonical[form.casefold()] = long_names[letters]

    # 5. person names: a later single word matching the first or last word of a full name.
    person_parts: dict[str, str] = {}
    for s in spans if "surname" not in disabled else ():
        form = surface[id(s)]
        words = form.split()
        if s.label == "PERSON" and len(words) >= 2:
            person_parts.setdefault(words[-1].casefold(), form)
            person_parts.setdefault(words[0].casefold(), form)
        elif len(words) == 1 and form.casefold() in person_parts \
                and form.casefold() not in known_places():
            full = person_parts[form.casefold()]
            canonical[form.casefold()] = full
            forced[full.casefold()] = "PERSON"

    # Dateline place: a capitalised form, linked to a mixed-case spelling if the text has one.
    if dateline is not None:
        forced[canon(dateline.text).casefold()] = "GPE"

    # 6. one label per entity.
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    display: dict[str, str] = {}
    for s in spans:
        name = canon(surface[id(s)])
        key = name.casefold()
        votes[key][s.label] += 1
        if not name.isupper() or key not in display:
            display[key] = name if not (name.isupper() and len(name) > 5) else name.title()
    label_of: dict[str, str] = {}
    ruled: set[str] = set()  # entities whose label a rule set, not the votes
    for key, counter in votes.items():
        if key in known_places() and "places" not in disabled:
            label_of[key] = "GPE"
            ruled.add(key)
        elif key in forced:
            label_of[key] = forced[key]
            ruled.add(key)
        else:
            best = max(counter.values())
            label_of[key] = next(lbl for lbl in LABEL_PRIORITY if counter.get(lbl) == best)

    mentions = [
        _mention(text, s.start_char, s.end_char, canon(surface[id(s)]), label_of, display,
                 sentence_starts, model_label=s.label,
                 own_label=_keeps_own_label(canon(surface[id(s)]).casefold(), s.label,
                                            votes, label_of, ruled, "vote" in disabled))
        for s in spans
    ]
    # 7. propagation of untagged repeats, longest forms first.
    taken = sorted((m.start_char, m.end_char) for m in mentions)
    forms = [form for form in sorted({surface[id(s)] for s in spans}, key=len, reverse=True)
             if len(form) >= MIN_PROPAGATED_CHARS and form[0].isupper()
             and "propagate" not in disabled]
    index = _opening_index(text, forms)
    for form in forms:
        check()
        if label_of.get(canon(form).casefold()) in PLACE_LABELS | MISC_LABELS:
            continue
        for start, end in _whole_word_repeats(text, form, index):
            if _overlaps(taken, start, end):
                continue
            mentions.append(_mention(text, start, end, canon(form), label_of,
                                     display, sentence_starts, model_label=None))
            bisect.insort(taken, (start, end))
    # 8. a listed country or capital the model left untagged is a place (CoNLL-2003 train
    # LOC F1 +1.9: "COLOMBO", "PAKISTAN" in datelines and headlines), unless the document
    # names a person with that word ("Michael Jordan").
    if "gazetteer" not in disabled:
        person_words = {w.casefold() for s in spans if s.label == "PERSON"
                        for w in surface[id(s)].split()}
        for start, end in _listed_places(text):
            check()
            name = text[start:end]
            if name.casefold() in person_words or _overlaps(taken, start, end):
                continue
            mentions.append(_mention(text, start, end, canon(name), label_of, display,
                                     sentence_starts, model_label=None, default_label="GPE"))
            bisect.insort(taken, (start, end))
    # 9. teams: CoNLL-2003 train ORG F1 +3.3 and LOC +1.4, dev ORG +2.8 and LOC +0.7 (of 257
    # such places on train 243 were teams, 14 places); UNER has none.
    if "team" not in disabled:
        teams = 0
        for i, m in enumerate(mentions):
            if _is_team(text, m):
                mentions[i] = dataclasses.replace(m, label="ORG")
                teams += 1
        # 10. a results table: once two places are teams, an untagged name opening a line
        # before a score is a team too ("MINNESOTA 65 70 .481 11"): CoNLL-2003 train ORG
        # +712 right, 27 wrong; dev +153, 1 wrong; UNER has none.
        if teams >= TABLE_TEAMS and "table" not in disabled:
            # A name the model took for a person opening such a row is a team too ("Wigan
            # 22 10 0 12"): train ORG +0.6, PER +0.3; dev ORG +0.3, PER +0.1. Places opening
            # a row stay places (datelines, "LONDON 1996-08-30").
            for i, m in enumerate(mentions):
                if m.label not in PLACE_LABELS and m.label != "ORG" and (
                        m.start_char == 0 or text[m.start_char - 1] == "\n"):
                    score = _SCORE.match(text, m.end_char)
                    if score is not None and not _YEAR.fullmatch(score.group(1)):
                        mentions[i] = dataclasses.replace(m, label="ORG")
            for match in _TABLE_ROW.finditer(text):
                start, end = match.span("name")
                if _YEAR.fullmatch(match.group("score")) or _overlaps(taken, start, end):
                    continue
                check()
                name = match.group("name")
                mention = _mention(text, start, end, canon(name), label_of, display,
                                   sentence_starts, model_label=None)
                mentions.append(dataclasses.replace(mention, label="ORG"))
                bisect.insort(taken, (start, end))
    mentions.sort(key=lambda m: m.start_char)
    return mentions


def _keeps_own_label(key: str, own: str, votes: dict[str, Counter[str]],
                     label_of: dict[str, str], ruled: set[str], no_vote: bool) -> bool:
    """A mention keeps the label the model gave it unless a rule set its entity's label
    (``ruled``), or the entity's majority label leads it by :data:`VOTE_MARGIN` votes
    (``no_vote``: the vote switched off, every mention keeps its own)."""
    if key in ruled:
        return False
    if no_vote:
        return True
    counter = votes[key]
    return counter[label_of[key]] - counter[own] < VOTE_MARGIN


def _opening(form: str) -> tuple[str, str, int] | None:
    """The first :data:`OPENING_WORDS` words of ``form`` as written, its first word and how
    many words that is ("Bank of England plc" → "Bank of England", "Bank", 3); None when
    ``form`` does not open with a word character."""
    words = list(itertools.islice(_WORD.finditer(form), OPENING_WORDS))
    if not words or words[0].start() != 0:
        return None
    return form[:words[-1].end()], words[0].group(), len(words)


def _opening_index(text: str, forms: Sequence[str]) -> dict[str, list[int]]:
    """Where the opening (:func:`_opening`) of each of ``forms`` stands in ``text`` at the
    start of a word (a run of word characters), found in one pass over the text's words."""
    lengths: dict[str, set[int]] = defaultdict(set)  # first word -> words in its openings
    openings = set()
    for form in forms:
        if (found := _opening(form)) is not None:
            opening, first, count = found
            openings.add(opening)
            lengths[first].add(count)
    words = [(w.start(), w.end()) for w in _WORD.finditer(text)]
    index: dict[str, list[int]] = defaultdict(list)
    for i, (start, end) in enumerate(words):
        for count in lengths.get(text[start:end], ()):
            if i + count <= len(words) and (
                    key := text[start:words[i + count - 1][1]]) in openings:
                index[key].append(start)
    return index


def _whole_word_repeats(text: str, form: str, index: dict[str, list[int]]
                        ) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each occurrence of ``form`` in ``text`` with no word character
    right before or after it, left to right and not overlapping one another, as a regular
    expression search finds them. Such an occurrence starts a word of the text with the
    opening of ``form``, so only the places ``index`` (:func:`_opening_index`) has for it
    are tried."""
    found = _opening(form)
    if found is None:  # no word character to start from: search the text
        for match in re.finditer(r"(?<!\w)" + re.escape(form) + r"(?!\w)", text):
            yield match.start(), match.end()
        return
    searched_to = 0
    for start in index.get(found[0], ()):
        end = start + len(form)
        if start < searched_to or not text.startswith(form, start):
            continue
        if end < len(text) and _WORD.match(text, end):
            continue
        searched_to = end
        yield start, end


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    i = bisect.bisect_left(taken, (start, start))
    for j in (i - 1, i):
        if 0 <= j < len(taken) and taken[j][0] < end and start < taken[j][1]:
            return True
    return False


def _mention(
    text: str, start: int, end: int, name: str, label_of: dict[str, str],
    display: dict[str, str], sentence_starts: Sequence[int], *, model_label: str | None,
    own_label: bool = False, default_label: str = "MISC",
) -> Mention:
    """A mention labelled as its entity is (``own_label``: as the model labelled this span)."""
    key = name.casefold()
    label = label_of.get(key, model_label or default_label)
    if own_label and model_label is not None:
        label = model_label
    return Mention(
        start_char=start,
        end_char=end,
        text=text[start:end],
        label=label,
        canonical=display.get(key, name),
        sentence_index=max(bisect.bisect_right(sentence_starts, start) - 1, 0),
        model_label=model_label,
    )


def normalise_name(name: str) -> str:
    """The form of a name that keys an entity across documents: NFKC, casefolded, no "the",
    no possessive, punctuation and spacing folded."""
    folded = unicodedata.normalize("NFKC", name).casefold().strip()
    folded = re.sub(r"^the\s+", "", folded)
    folded = re.sub(r"[’']s$", "", folded)
    folded = re.sub(r"[^\w\s&-]", "", folded)
    return re.sub(r"\s+", " ", folded).strip()


def entity_id(name: str, label: str) -> str:
    """Stable key of a canonical entity: the same name and label give the same id anywhere."""
    digest = hashlib.sha256(f"{label}\x1f{normalise_name(name)}".encode()).hexdigest()
    return digest[:16]


def acronym_links(mentions: Sequence[Mention]) -> list[tuple[str, str, str]]:
    """``(acronym, long name, label)`` for every acronym this document tied to its long form;
    other documents' bare uses of the acronym resolve to the same entity through them."""
    links = {(m.text, m.canonical, m.label) for m in mentions
             if _ACRONYM.match(m.text) and m.canonical != m.text}
    return sorted(links)

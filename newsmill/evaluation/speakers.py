"""Speakers' gender and role scored against a truth: the sample corpus's hand-labelled
speakers, or a silver truth derived from PolNeAR.

**The sample truth** (``samples/speakers.json``) lists every quoted speaker of each article
of ``samples/corpus`` with the gender and role the article gives them (``unknown`` when the
article does not say; organisations are ``unknown`` and ``organisation``), and the share of
quotes uses the quotes of ``samples/expected.json``.

**The silver truth** (a PolNeAR split folder, never the test split): every gold attribution
with a source is a quote; its speaker is the CoreNLP coreference chain holding the source
(the source alone when no chain does), named by :func:`~newsmill.evaluation.quotes.
gold_speaker`. The chain's gendered pronouns (he, him, his, himself / she, her, hers,
herself) and honorifics (Mr., Mrs., Ms. …) outside quotation marks give the speaker's
silver gender by the rule newsmill itself applies
(:func:`newsmill.tasks.speaker_profile.decide`); a speaker whose chain has no gendered pronoun,
or whose chain or sources name two different people (:func:`pure`), cannot be judged and is left out
of precision and coverage (but not of the count of quotes).
CoreNLP's chains are an independent system's (a statistical coreference model), not
newsmill's rules, which is what makes them a fair silver reference; they do err, so a few
disagreements are CoreNLP's.

A silver gender is also dropped when the speaker's name opens with a given name of the other
gender (``resources/first_names.txt``): CoreNLP then put someone else's pronoun into the
chain ("Elizabeth Warren" with "he"). This cleans the *truth* only; newsmill's own genders
never read the list unless its fallback is switched on, and the report says how many
speakers each filter left out.

**Matching**: a truth speaker is matched to the profile (same document) of an entity whose
name matches the speaker's longest name of two words or more, else one of its names
(:func:`~newsmill.evaluation.quotes.names_match`),
or, for a speaker the truth cannot name, that has a mention holding the head word of one
of its sources ("A Clinton campaign official" is no mention of Clinton); an entity with a
mention on a source head first, then a person before an organisation, then the
most quoted.

**Scores**, per gender value: precision (right / given, over matched speakers whose truth is
known) and coverage (right / truth speakers with that value); overall coverage is the share
of person speakers with a known gender that are given one. The share of quotes by women: the
truth's (quotes of truth-female speakers over those of speakers with a known gender) against
newsmill's estimate (its own found quotes, by its own speakers' genders), and the error in
points. Roles (sample truth only): how many labelled roles were found with the right words
(token overlap ≥ 0.5) and the category's precision and coverage.

Run it as ``newsmill eval speakers --data samples/speakers.json`` or ``--data FOLDER``.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.language import Language

from newsmill.evaluation.measures import PARTIAL_MATCH, overlap, rate
from newsmill.evaluation.quotes import (
    AnnotatedDocument,
    GoldAttribution,
    gold_speaker,
    head_name,
    head_segment,
    names_match,
    read_split,
)
from newsmill.tasks.analysis import analyse_document
from newsmill.tasks.models import Analysis, Quote, Span, SpeakerProfile
from newsmill.tasks.names import GENDERED_HONORIFICS
from newsmill.tasks.normalise import find_dateline
from newsmill.tasks.quotes.marks import find_quoted_spans
from newsmill.tasks.speaker_profile import decide, name_gender
from newsmill.tasks.speaker_profile.lexicon import GENDERED_PRONOUNS

GENDERS = ("female", "male")
_PERSON = frozenset({"PERSON"})
_HONORIFIC = re.compile(r"(?i)(" + "|".join(GENDERED_HONORIFICS) + r")\.?\s+[A-Z]")
VALUES = ("female", "male", "unknown")


@dataclass(frozen=True)
class TruthSpeaker:
    """One speaker of one document as the truth has them. ``gender`` None: cannot be judged
    (a silver speaker without gendered pronouns). ``spans``: where the text refers to them
    (the coreference chain, or the source), for matching."""

    document: str
    names: tuple[str, ...]
    gender: str | None
    person: bool
    quotes: int
    spans: tuple[Span, ...] = ()
    role: str | None = None
    role_category: str | None = None


@dataclass
class SpeakerScore:
    """Counts for the report; every rate is a property."""

    truth: Counter[str] = field(default_factory=Counter)  # judged truth speakers per value
    given: Counter[str] = field(default_factory=Counter)  # matched, judged, given the value
    right: Counter[str] = field(default_factory=Counter)
    unmatched: int = 0  # judged truth speakers with no profile
    unjudged_given: int = 0  # matched speakers the truth cannot judge, given a gender
    persons_known: int = 0  # person speakers with a known gender
    persons_matched: int = 0  # of those, matched to a profile (newsmill found them speak)
    persons_gendered: int = 0  # of those, given female or male
    wrong: list[str] = field(default_factory=list)
    truth_quotes: Counter[str] = field(default_factory=Counter)  # gold quotes per truth value
    found_quotes: Counter[str] = field(default_factory=Counter)  # found quotes per gender
    roles: int = 0  # truth speakers with a labelled role
    roles_found: int = 0  # of those, a role with the right words
    categories: int = 0  # truth speakers with a category other than unknown
    categories_given: int = 0  # matched and given a category other than unknown
    categories_right: int = 0
    documents: int = 0
    seconds: float = 0.0

    def precision(self, value: str) -> float:
        return rate(self.right[value], self.given[value])

    def coverage(self, value: str) -> float:
        return rate(self.right[value], self.truth[value])

    @property
    def person_coverage(self) -> float:
        """Share of the person speakers newsmill found (with a known gender) given one."""
        return rate(self.persons_gendered, self.persons_matched)

    @property
    def end_to_end_coverage(self) -> float:
        """Share of all person speakers with a known gender found and given one."""
        return rate(self.persons_gendered, self.persons_known)

    @property
    def truth_female_share(self) -> float:
        return rate(self.truth_quotes["female"], self.truth_quotes["female"]
                    + self.truth_quotes["male"])

    @property
    def estimated_female_share(self) -> float:
        return rate(self.found_quotes["female"], self.found_quotes["female"]
                    + self.found_quotes["male"])

    @property
    def share_error_points(self) -> float:
        return 100 * (self.estimated_female_share - self.truth_female_share)


# -- truths ---------------------------------------------------------------------------------------

def _chain_of(document: AnnotatedDocument, source: Sequence[Span]) -> tuple[Span, ...]:
    """The coreference chain with the mention sharing most characters with the source."""
    best: tuple[int, tuple[Span, ...]] | None = None
    for chain in document.chains:
        for mention in chain:
            shared = sum(max(0, min(mention.end_char, p.end_char)
                             - max(mention.start_char, p.start_char)) for p in source)
            if shared > 0 and (best is None or shared > best[0]):
                best = (shared, chain)
    return best[1] if best else ()


def chain_gender(spans: Iterable[Span], quoted: Sequence[tuple[int, int]] = ()
                 ) -> str | None:
    """The gender the gendered pronouns and honorifics among ``spans`` (a coreference chain's
    mentions: "she", "Mrs. Clinton") give by newsmill's rule, or None when there are none
    or they conflict. Mentions inside the ``quoted`` passages are left out: there the
    speaker talks about others, and CoreNLP links their pronouns to the speaker ("“If he is
    asked questions …,” she said" put "he" in the speaker's chain)."""
    counts: Counter[str | None] = Counter()
    for span in spans:
        if any(start <= span.start_char < end for start, end in quoted):
            continue
        text = span.text.strip()
        counts[GENDERED_PRONOUNS.get(text.casefold())] += 1
        honorific = _HONORIFIC.match(text)
        if honorific:
            counts["female" if GENDERED_HONORIFICS[honorific[1].lower()] == "f"
                   else "male"] += 1
    gender = decide(counts["female"], counts["male"])
    return None if gender == "unknown" else gender


def pure(document: AnnotatedDocument, chain: Sequence[Span]) -> bool:
    """No two person names in the chain are of different people (by
    :func:`~newsmill.evaluation.quotes.names_match`): a chain that merged two people
    ("Hillary Clinton" and "Bill Clinton" in one) gives pronouns of both, so it cannot tell
    a gender."""
    names = {n for n in (head_name(document, m, _PERSON) for m in chain) if n}
    return all(names_match(a, b) for a in names for b in names)


def _name_disagrees(names: Sequence[str], gender: str) -> bool:
    """A name of the speaker opens with a given name of the other gender in
    ``resources/first_names.txt``: the chain's pronouns then belong to someone else
    (CoreNLP put a nearby "he" into "Elizabeth Warren"'s chain)."""
    given = {name_gender(n) for n in names} - {None}
    return bool(given) and gender not in given


def silver_speakers(document: AnnotatedDocument) -> list[TruthSpeaker]:
    """The speakers of a PolNeAR document's gold attributions (rules: the module
    docstring), one per coreference chain (or source), with their quote counts. A speaker
    is named by its sources' own names when they have any, else by its chain's."""
    found: dict[object, tuple[list[GoldAttribution], tuple[Span, ...]]] = {}
    for attribution in document.attributions:
        if not attribution.source:
            continue
        heads = [head_segment(document, piece) for piece in attribution.source]
        chain = _chain_of(document, [h for h in heads if h.text] or attribution.source)
        key: object = chain if chain else attribution.source
        found.setdefault(key, ([], chain or attribution.source))[0].append(attribution)
    quoted = [(p.start_char, p.end_char) for p in find_quoted_spans(document.text)]
    speakers = []
    for attributions, spans in found.values():
        own: list[str] = []
        named: list[str] = []
        for attribution in attributions:
            speaker = gold_speaker(document, attribution)
            into = own if not speaker.pronoun and speaker.names else named
            into += [n for n in speaker.names if n not in into]
        names = tuple(own or named)
        gender = chain_gender(spans, quoted) if pure(document, spans) and all(
            names_match(a, b) for a in names for b in names) else None
        if gender is not None and _name_disagrees(names, gender):
            gender = None
        sources = tuple(h for a in attributions for h in (
            head_segment(document, piece) for piece in a.source) if h.text)
        speakers.append(TruthSpeaker(document.doc_id, names, gender,
                                     person=gender is not None, quotes=len(attributions),
                                     spans=sources))
    return speakers


@dataclass(frozen=True)
class SampleArticle:
    """One article of the sample corpus with its labelled speakers."""

    name: str
    path: Path
    speakers: tuple[TruthSpeaker, ...]


def read_sample_truth(path: str | Path) -> list[SampleArticle]:
    """The hand-labelled speakers of ``samples/speakers.json``, with each speaker's quote
    count from the quotes truth it names (``samples/expected.json``)."""
    path = Path(path)
    truth: dict[str, Any] = json.loads(path.read_text("utf-8"))
    corpus = path.parent / truth["corpus"]
    quotes_truth = json.loads((path.parent / truth["quotes"]).read_text("utf-8"))
    articles = []
    for name, labelled in sorted(truth["articles"].items()):
        counts = Counter(q.get("speaker") for q in quotes_truth.get(name, {}).get("quotes", [])
                         if not q.get("in_headline"))
        speakers = tuple(TruthSpeaker(
            document=name, names=(s["speaker"], *s.get("also", [])),
            gender=s["gender"], person=s["kind"] == "person",
            quotes=counts.get(s["speaker"], 0), role=s.get("role"),
            role_category=s.get("role_category")) for s in labelled)
        articles.append(SampleArticle(name, corpus / name, speakers))
    return articles


# -- matching and scoring -------------------------------------------------------------------------

def match(speaker: TruthSpeaker, analysis: Analysis) -> SpeakerProfile | None:
    """The profile the truth speaker is (rules: the module docstring), or None."""
    # A speaker the truth names in full is matched by that name: "Scott" alone would take
    # Rakeyia Scott for Keith Lamont Scott.
    full = [n for n in speaker.names if len(n.split()) >= 2]
    names = [max(full, key=len)] if full else list(speaker.names)
    candidates = []
    for profile in analysis.speakers:
        spans = [m for m in analysis.mentions if m.canonical == profile.canonical
                 and m.label == profile.label]
        overlaps = any(m.start_char < s.end_char <= m.end_char
                       for m in spans for s in speaker.spans)
        named = any(names_match(profile.canonical, n) for n in names)
        if named or (overlaps and not speaker.names):
            candidates.append((not overlaps, profile.label != "PERSON", -profile.quotes,
                               profile.canonical, profile))
    return min(candidates, key=lambda c: c[:4])[4] if candidates else None


def score_document(score: SpeakerScore, speakers: Sequence[TruthSpeaker], analysis: Analysis,
                   found: Sequence[Quote]) -> None:
    """Add one document's speakers to ``score``."""
    score.documents += 1
    for speaker in speakers:
        if speaker.gender in GENDERS:
            score.truth_quotes[speaker.gender] += speaker.quotes
        profile = match(speaker, analysis)
        if speaker.role_category and speaker.role_category != "unknown":
            score.categories += 1
            if profile is not None and profile.role_category != "unknown":
                score.categories_given += 1
                score.categories_right += profile.role_category == speaker.role_category
        if speaker.role:
            score.roles += 1
            score.roles_found += profile is not None and profile.role is not None and \
                overlap(profile.role.text, speaker.role) >= PARTIAL_MATCH
        if speaker.gender is None:
            score.unjudged_given += profile is not None and profile.gender in GENDERS
            continue
        score.truth[speaker.gender] += 1
        if speaker.person and speaker.gender in GENDERS:
            score.persons_known += 1
            score.persons_matched += profile is not None
            score.persons_gendered += profile is not None and profile.gender in GENDERS
        if profile is None:
            score.unmatched += 1
            continue
        score.given[profile.gender] += 1
        if profile.gender == speaker.gender:
            score.right[profile.gender] += 1
        elif profile.gender in GENDERS:
            score.wrong.append(f"{speaker.document}: {profile.canonical} is "
                               f"{speaker.gender}, given {profile.gender} "
                               f"({profile.gender_method}, {profile.evidence})")
    genders = {(p.canonical, p.label): p.gender for p in analysis.speakers}
    for q in found:
        gender = genders.get((q.speaker_canonical or "", q.speaker_label or ""))
        if gender in GENDERS:
            score.found_quotes[gender] += 1


def evaluate_silver(documents: Iterable[AnnotatedDocument], nlp: Language) -> SpeakerScore:
    """Score newsmill's speaker profiles against the silver truth of a PolNeAR split."""
    score = SpeakerScore()
    began = time.perf_counter()
    for document in documents:
        analysis = analyse_document(nlp(document.text), dateline=find_dateline(document.text))
        score_document(score, silver_speakers(document), analysis, analysis.quotes)
    score.seconds = time.perf_counter() - began
    return score


def evaluate_sample(articles: Iterable[SampleArticle], nlp: Language) -> SpeakerScore:
    """Score newsmill's speaker profiles against the sample corpus's labelled speakers,
    each article read, extracted and normalised as ``newsmill ingest`` would."""
    from newsmill.tasks import extract, normalise
    from newsmill.tasks.fetch import read_file
    from newsmill.tasks.models import Source

    score = SpeakerScore()
    began = time.perf_counter()
    for article in articles:
        raw = read_file(Source(str(article.path), "file"), max_bytes=10_000_000)
        clean = normalise.normalise(extract.extract(raw), min_chars=0, max_chars=10_000_000)
        analysis = analyse_document(nlp(clean.clean_text), dateline=clean.dateline)
        score_document(score, article.speakers, analysis, analysis.quotes)
    score.seconds = time.perf_counter() - began
    return score


def read_truth(path: str | Path) -> tuple[str, list[Any]]:
    """``("sample", articles)`` for a speakers JSON file, ``("silver", documents)`` for a
    PolNeAR split folder."""
    path = Path(path)
    if path.is_file():
        return "sample", list(read_sample_truth(path))
    if not (path / "attributions").is_dir():
        raise FileNotFoundError(f"{path} is neither a speakers truth file nor a PolNeAR "
                                "split folder (with attributions/)")
    return "silver", list(read_split(path))


def evaluate(kind: str, items: Sequence[Any], nlp: Language) -> SpeakerScore:
    return evaluate_sample(items, nlp) if kind == "sample" else evaluate_silver(items, nlp)


# -- printing -------------------------------------------------------------------------------------

def _pct(value: float) -> str:
    return f"{100 * value:5.1f}"


def format_report(kind: str, score: SpeakerScore) -> str:
    """Precision and coverage per value, person coverage, the share of quotes by women, and
    (sample truth) the roles."""
    truth = "sample corpus (hand-labelled)" if kind == "sample" else "PolNeAR (silver)"
    lines = [f"speakers against the {truth}: {score.documents} documents, "
             f"{score.seconds:.1f} s", "",
             f"{'value':<10}{'truth':>8}{'given':>8}{'right':>8}{'precision':>11}"
             f"{'coverage':>10}", "-" * 55]
    for value in VALUES if kind == "sample" else GENDERS:
        lines.append(f"{value:<10}{score.truth[value]:>8}{score.given[value]:>8}"
                     f"{score.right[value]:>8}{_pct(score.precision(value)):>11}"
                     f"{_pct(score.coverage(value)):>10}")
    lines += [
        "",
        f"coverage: of the person speakers with a known gender that newsmill found, "
        f"{score.persons_gendered} of {score.persons_matched} were given one "
        f"({_pct(score.person_coverage).strip()} %); end to end, with the speakers it did "
        f"not find, {_pct(score.end_to_end_coverage).strip()} % of {score.persons_known}",
        f"wrong genders: {len(score.wrong)}; truth speakers with no profile: "
        f"{score.unmatched}; gendered speakers the truth cannot judge: "
        f"{score.unjudged_given}",
        f"share of quotes by women: truth {_pct(score.truth_female_share).strip()} % "
        f"({score.truth_quotes['female']} of "
        f"{score.truth_quotes['female'] + score.truth_quotes['male']}), estimated "
        f"{_pct(score.estimated_female_share).strip()} % ({score.found_quotes['female']} of "
        f"{score.found_quotes['female'] + score.found_quotes['male']}), error "
        f"{score.share_error_points:+.1f} points",
    ]
    if kind == "sample":
        precision = _pct(rate(score.categories_right, score.categories_given)).strip()
        coverage = _pct(rate(score.categories_right, score.categories)).strip()
        lines += [
            f"roles: {score.roles_found} of {score.roles} labelled roles found with the "
            "right words",
            f"role categories: precision {precision} % ({score.categories_right} of "
            f"{score.categories_given}), coverage {coverage} % (of {score.categories})",
        ]
    lines += [f"  wrong: {w}" for w in score.wrong]
    return "\n".join(lines)

"""Scoring found quotes and entities against hand-made truth (the sample corpus's
``expected.json`` and the seed's gold file), and the arithmetic every score shares: rates
from counts, F1, and micro averages (counts summed before the rates are taken). Pure
functions; the gates in ``tests/quality`` and the ``newsmill eval`` commands use them.

Quote matching follows the usual partial-match convention: a found quote matches an expected
one when their token overlap (intersection over the longer of the two) is at least
:data:`PARTIAL_MATCH`.
"""

from __future__ import annotations

import random
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from newsmill.tasks.models import Mention, Quote

#: Token overlap at which two quote spans count as the same quote (the threshold of the
#: partial-match measure used in quote-attribution evaluations).
PARTIAL_MATCH = 0.5


# -- rates, F1 and micro averages -------------------------------------------------------------

def rate(part: float, whole: float) -> float:
    """``part / whole`` (a precision, recall or accuracy from its counts); 0.0 when ``whole``
    is 0."""
    return part / whole if whole else 0.0


def f1_score(precision: float, recall: float) -> float:
    """The harmonic mean of precision and recall; 0.0 when both are 0."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


class Tally:
    """Mixin for a dataclass whose fields are all counts: :meth:`add` sums another one into
    it, field by field, so rates taken afterwards are micro averages."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    def add(self, other: Self) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Counts(Tally):
    """Exact-match counts: gold items, predicted items, and predicted items that are right."""

    gold: int = 0
    predicted: int = 0
    correct: int = 0

    @property
    def precision(self) -> float:
        return rate(self.correct, self.predicted)

    @property
    def recall(self) -> float:
        return rate(self.correct, self.gold)

    @property
    def f1(self) -> float:
        return f1_score(self.precision, self.recall)


def micro(counts: Iterable[Counts]) -> Counts:
    """The sum of ``counts``: its rates are their micro averages."""
    total = Counts()
    for c in counts:
        total.add(c)
    return total


# -- quotes and entities against the sample corpus ----------------------------------------------

@dataclass(frozen=True)
class ExpectedQuote:
    text: str
    kind: str
    speaker: str | None


@dataclass
class QuoteScore(Tally):
    expected: int = 0
    found: int = 0
    matched: int = 0  # expected quotes with a partially matching found quote
    speaker_right: int = 0  # of those, with the right resolved speaker
    false_positives: int = 0  # found quotes matching no expected quote

    @property
    def recall(self) -> float:
        return rate(self.matched, self.expected)

    @property
    def precision(self) -> float:
        return rate(self.found - self.false_positives, self.found)

    @property
    def f1(self) -> float:
        return f1_score(self.precision, self.recall)

    @property
    def end_to_end(self) -> float:
        """Share of expected quotes found with the right speaker."""
        return rate(self.speaker_right, self.expected)


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def overlap(a: str, b: str) -> float:
    """Shared tokens (as a multiset) over the token count of the longer text."""
    ta, tb = tokens(a), tokens(b)
    if not ta or not tb:
        return 0.0
    pool: dict[str, int] = {}
    for t in tb:
        pool[t] = pool.get(t, 0) + 1
    shared = 0
    for t in ta:
        if pool.get(t, 0):
            pool[t] -= 1
            shared += 1
    return shared / max(len(ta), len(tb))


def _same_speaker(found: str | None, expected: str | None) -> bool:
    if found is None or expected is None:
        return found is None and expected is None
    f, e = found.casefold(), expected.casefold()
    return f == e or f in e.split() or e in f.split()


def score_quotes(found: Sequence[Quote], expected: Iterable[ExpectedQuote],
                 kinds: frozenset[str] | None = None) -> QuoteScore:
    """Match found quotes to expected ones (each used once, best overlap first)."""
    wanted = [e for e in expected if kinds is None or e.kind in kinds]
    candidates = [q for q in found if kinds is None or q.kind in kinds]
    score = QuoteScore(expected=len(wanted), found=len(candidates))
    pairs = sorted(
        ((overlap(q.text, e.text), i, j) for i, q in enumerate(candidates)
         for j, e in enumerate(wanted)),
        reverse=True,
    )
    used_found: set[int] = set()
    used_expected: set[int] = set()
    for value, i, j in pairs:
        if value < PARTIAL_MATCH:
            break
        if i in used_found or j in used_expected:
            continue
        used_found.add(i)
        used_expected.add(j)
        score.matched += 1
        if _same_speaker(candidates[i].speaker_canonical, wanted[j].speaker):
            score.speaker_right += 1
    # A found quote overlapping an expected one already matched (a split quote's second half,
    # say) is not a false positive.
    for i, q in enumerate(candidates):
        if i not in used_found and all(overlap(q.text, e.text) < PARTIAL_MATCH for e in wanted):
            score.false_positives += 1
    return score


def entity_recall(mentions: Sequence[Mention], expected: Iterable[dict[str, object]]) -> float:
    """Share of expected (name, label, surface form) triples found linked to that entity."""
    total = hit = 0
    for entity in expected:
        name = str(entity["name"]).casefold()
        forms = [str(f) for f in entity.get("mentions", [])]  # type: ignore[attr-defined]
        for form in forms:
            total += 1
            if any(m.text == form and (m.canonical.casefold() == name or
                                       m.canonical.casefold() in name or
                                       name in m.canonical.casefold())
                   for m in mentions):
                hit += 1
    return rate(hit, total)


# -- article extraction (the Zyte/ScrapingHub article-extraction benchmark's measure) ----------
#
# Rules, as the benchmark's evaluation defines them: tokens are \w+ runs, case kept; a text is
# compared as the multiset of its 4-token shingles (a text of fewer tokens is one shingle);
# per page, true positives, false positives and false negatives are divided by their sum so
# that long pages weigh no more than short ones; precision is averaged over pages that
# predicted something, recall over pages whose truth has something; F1 is the harmonic mean of
# the two averages; the ± is the standard deviation over bootstrap resamples of pages.

SHINGLE_SIZE = 4
_TOKEN = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE_SIZE) -> dict[tuple[str, ...], int]:
    words = _TOKEN.findall(text or "")
    counts: dict[tuple[str, ...], int] = {}
    for i in range(max(1, len(words) - size + 1)):
        key = tuple(words[i:i + size])
        if key:
            counts[key] = counts.get(key, 0) + 1
    return counts


@dataclass(frozen=True)
class PageMatch:
    """Shares of true positives, false positives and false negatives on one page."""

    tp: float
    fp: float
    fn: float

    @property
    def precision(self) -> float:
        if self.fp == 0 and self.fn == 0:
            return 1.0
        return rate(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.fp == 0 and self.fn == 0:
            return 1.0
        return rate(self.tp, self.tp + self.fn)


def match_page(truth: str, predicted: str) -> PageMatch:
    expected, found = shingles(truth), shingles(predicted)
    tp = fp = fn = 0
    for key in expected.keys() | found.keys():
        e, f = expected.get(key, 0), found.get(key, 0)
        tp += min(e, f)
        fp += max(f - e, 0)
        fn += max(e - f, 0)
    total = tp + fp + fn
    return PageMatch(tp / total, fp / total, fn / total) if total else PageMatch(0, 0, 0)


def _averages(pages: Sequence[PageMatch]) -> tuple[float, float, float]:
    precisions = [p.precision for p in pages if p.tp + p.fp > 0]
    recalls = [p.recall for p in pages if p.tp + p.fn > 0]
    precision = rate(sum(precisions), len(precisions))
    recall = rate(sum(recalls), len(recalls))
    return precision, recall, f1_score(precision, recall)


@dataclass(frozen=True)
class ExtractionScore:
    precision: float
    recall: float
    f1: float
    precision_std: float
    recall_std: float
    f1_std: float
    pages: int


def score_extraction(truth: dict[str, str], predicted: dict[str, str], *,
                     bootstrap: int = 1000, seed: int = 0) -> tuple[ExtractionScore,
                                                                    dict[str, PageMatch]]:
    """Benchmark scores over the pages of ``truth`` (a missing prediction counts as empty)."""
    per_page = {key: match_page(truth[key], predicted.get(key, "")) for key in sorted(truth)}
    pages = list(per_page.values())
    precision, recall, f1 = _averages(pages)
    rng = random.Random(seed)
    samples = [_averages([pages[rng.randrange(len(pages))] for _ in pages])
               for _ in range(bootstrap)] if pages and bootstrap > 1 else []
    stds = [statistics.stdev(s[i] for s in samples) if samples else 0.0 for i in range(3)]
    score = ExtractionScore(precision=precision, recall=recall, f1=f1, precision_std=stds[0],
                            recall_std=stds[1], f1_std=stds[2], pages=len(pages))
    return score, per_page

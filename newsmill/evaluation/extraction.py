"""Running the pipeline's extraction over an article-extraction benchmark folder.

A folder holds ``ground-truth.json`` (``{id: {"articleBody": ..., "url": ...}}``) and
``html/<id>.html.gz`` (or ``.html``), as the Zyte/ScrapingHub benchmark ships them.

Rules are chosen by cross-validation within the folder: its pages in sorted-id order, those at
even positions one half and those at odd positions the other (:func:`half`). A rule is kept
when leaving it out (:func:`ablation`) loses on both halves.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from newsmill.errors import Rejection
from newsmill.evaluation.measures import ExtractionScore, PageMatch, score_extraction
from newsmill.tasks.body import DEFAULT_RULES, RULE_NAMES, BodyRules
from newsmill.tasks.extract import extract
from newsmill.tasks.models import RawDocument
from newsmill.tasks.normalise import clean

Pages = dict[str, tuple[bytes, str | None]]
#: The page selections ``--pages`` takes.
HALVES = ("all", "even", "odd")


def load_benchmark(folder: Path) -> tuple[dict[str, str], Pages]:
    """``(truth by id, (html bytes, url) by id)``."""
    truth_file = folder / "ground-truth.json"
    if not truth_file.is_file():
        raise FileNotFoundError(f"{truth_file} not found: not a benchmark folder")
    records = json.loads(truth_file.read_text(encoding="utf-8"))
    truth: dict[str, str] = {}
    pages: Pages = {}
    for key, record in records.items():
        truth[key] = record.get("articleBody") or ""
        packed, plain = folder / "html" / f"{key}.html.gz", folder / "html" / f"{key}.html"
        if packed.is_file():
            pages[key] = (gzip.decompress(packed.read_bytes()), record.get("url"))
        elif plain.is_file():
            pages[key] = (plain.read_bytes(), record.get("url"))
    return truth, pages


def half(keys: Mapping[str, object] | list[str], which: str) -> list[str]:
    """The page ids of one half (``even`` or ``odd`` position in sorted order), or ``all``."""
    ordered = sorted(keys)
    if which == "all":
        return ordered
    if which not in HALVES:
        raise ValueError(f"no such page selection: {which!r} (one of {', '.join(HALVES)})")
    return ordered[0 if which == "even" else 1::2]


def raw_page(key: str, body: bytes, url: str | None) -> RawDocument:
    return RawDocument(source=key, body=body, format="html", final_url=url)


def extract_pages(pages: Pages, rules: BodyRules = DEFAULT_RULES
                  ) -> tuple[dict[str, str], dict[str, str]]:
    """The clean text newsmill would store for each page, and why any page gave none."""
    texts: dict[str, str] = {}
    failures: dict[str, str] = {}
    for key, (body, url) in sorted(pages.items()):
        try:
            texts[key] = clean(extract(raw_page(key, body, url), rules).text)
        except Rejection as rejection:
            failures[key] = f"{rejection.reason}: {rejection.detail}"
    return texts, failures


def evaluate_extraction(folder: Path, *, pages: str = "all", rules: BodyRules = DEFAULT_RULES,
                        ) -> tuple[ExtractionScore, dict[str, PageMatch], dict[str, str]]:
    """Scores of newsmill's extraction on ``pages`` (``all``, ``even`` or ``odd``) of a
    benchmark folder, each page's match, and why any page gave no text."""
    truth, found = load_benchmark(folder)
    keys = half(truth, pages)
    texts, failures = extract_pages({k: found[k] for k in keys if k in found}, rules)
    score, per_page = score_extraction({k: truth[k] for k in keys}, texts)
    return score, per_page, failures


@dataclass(frozen=True)
class RuleGain:
    """What one body rule adds to F1 on each half and on all pages (the score with every
    rule minus the score without this one)."""

    rule: str
    even: float
    odd: float
    all: float

    @property
    def generalises(self) -> bool:
        """Whether the rule wins on both halves."""
        return self.even > 0 and self.odd > 0


def ablation(folder: Path, rules: tuple[str, ...] = RULE_NAMES
             ) -> tuple[dict[str, float], list[RuleGain]]:
    """F1 with every rule on each half, and each rule's gain (leaving it alone out)."""
    truth, pages = load_benchmark(folder)

    def f1_by_half(texts: dict[str, str]) -> dict[str, float]:
        return {which: score_extraction({k: truth[k] for k in half(truth, which)}, texts,
                                        bootstrap=1)[0].f1 for which in HALVES}

    full = f1_by_half(extract_pages(pages)[0])
    gains = []
    for rule in rules:
        without = f1_by_half(extract_pages(pages, replace(DEFAULT_RULES, **{rule: False}))[0])
        gains.append(RuleGain(rule, *(full[w] - without[w] for w in ("even", "odd", "all"))))
    return full, gains


def format_ablation(full: dict[str, float], gains: list[RuleGain]) -> str:
    lines = [f"{'rule':<22} {'even':>8} {'odd':>8} {'all':>8}",
             f"{'F1 with every rule':<22} {full['even']:8.4f} {full['odd']:8.4f} "
             f"{full['all']:8.4f}"]
    for gain in gains:
        verdict = "" if gain.generalises else "   does not win on both halves"
        lines.append(f"{'- ' + gain.rule:<22} {gain.even:+8.4f} {gain.odd:+8.4f} "
                     f"{gain.all:+8.4f}{verdict}")
    return "\n".join(lines)

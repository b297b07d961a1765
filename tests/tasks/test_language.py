"""Language identification (the real offline model; it loads in well under a second), and the
private cache of its unpacked copy."""

from __future__ import annotations

import hashlib
import io
import lzma
import os
import stat
from pathlib import Path

import numpy as np
import pytest
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from newsmill.tasks import language
from newsmill.tasks.language import MIN_CONFIDENCE, UNDETERMINED, detect_language

TEXTS = ["The port strike entered its third week.", "Le gouvernement a annoncé lundi.",
         "Die Regierung hat am Montag entschieden."]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The harbour board met on Tuesday to discuss next year's budget and the pier.", "en"),
        ("Le conseil municipal s'est réuni mardi pour discuter du budget de l'an prochain.",
         "fr"),
        ("El ayuntamiento se reunió el martes para debatir el presupuesto del próximo año.",
         "es"),
        ("Der Stadtrat hat sich am Dienstag getroffen, um den Haushalt zu besprechen.", "de"),
    ],
)
def test_languages_are_told_apart(text: str, language: str) -> None:
    found, confidence = detect_language(text)
    assert found == language
    assert confidence >= MIN_CONFIDENCE


@pytest.mark.parametrize("text", ["", "   ", "Hello"])
def test_too_little_text_is_undetermined(text: str) -> None:
    assert detect_language(text)[0] == UNDETERMINED


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """XDG_CACHE_HOME in a temporary folder: the model cache is ``<it>/newsmill``."""
    home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


@pytest.fixture(scope="module")
def packed() -> LanguageIdentifier:
    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def _load() -> LanguageIdentifier:
    """The identifier as a new process loads it (not the one this process keeps)."""
    loaded: LanguageIdentifier = language._identifier.__wrapped__()  # type: ignore[attr-defined]
    return loaded


def _classifies_like(identifier: LanguageIdentifier, packed: LanguageIdentifier) -> bool:
    return all(identifier.classify(t) == packed.classify(t) for t in TEXTS)


def _plant(path: Path) -> None:
    """A well-formed model that calls every text 'xx': what someone else might leave there."""
    with lzma.open(MODEL_DIR / MODEL_FILE) as source:
        arrays = dict(np.load(io.BytesIO(source.read()), allow_pickle=False))
    arrays["classes"] = np.array(["xx"] * len(arrays["classes"]))
    with path.open("wb") as out:
        np.savez(out, **arrays)


def test_a_model_planted_under_a_predictable_name_in_the_temp_folder_is_not_used(
    cache_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tempfile

    shared = tmp_path / "tmp"  # stands for /tmp, which every local user can write to
    shared.mkdir(mode=0o777)
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    packed_file = (MODEL_DIR / MODEL_FILE).stat()
    for name in (f"newsmill-langid-{packed_file.st_size}-{int(packed_file.st_mtime)}.npz",
                 "newsmill-langid.npz", "langid.npz"):
        _plant(shared / name)
    assert _load().classify(TEXTS[0])[0] == "en"


def test_the_unpacked_model_is_kept_in_a_private_per_user_cache(
    cache_home: Path, packed: LanguageIdentifier, tmp_path: Path,
) -> None:
    first = language._cached_identifier()
    folder = cache_home / "newsmill"
    models = list(folder.glob("*.npz"))
    assert len(models) == 1 and not list(folder.glob("*.partial"))
    info = folder.stat()
    assert stat.S_IMODE(info.st_mode) == 0o700 and info.st_uid == os.getuid()
    assert stat.S_IMODE(models[0].stat().st_mode) & 0o077 == 0  # only its owner reads it
    assert _classifies_like(first, packed)
    written = models[0].stat().st_mtime_ns
    assert _classifies_like(language._cached_identifier(), packed)
    assert models[0].stat().st_mtime_ns == written  # unpacked once, then read


def test_a_file_with_other_content_in_the_cache_is_not_used(
    cache_home: Path, packed: LanguageIdentifier,
) -> None:
    language._cached_identifier()
    (model,) = (cache_home / "newsmill").glob("*.npz")
    _plant(model)
    assert language._cached_identifier().classify(TEXTS[0])[0] == "en"
    assert _classifies_like(language._cached_identifier(), packed)  # unpacked afresh


@pytest.mark.skipif(os.getuid() != 0, reason="giving a file to another user needs root")
def test_a_file_another_user_left_in_the_cache_is_not_used(cache_home: Path) -> None:
    language._cached_identifier()
    (model,) = (cache_home / "newsmill").glob("*.npz")
    _plant(model)
    digest = model.with_suffix(".sha256")
    digest.write_text(hashlib.sha256(model.read_bytes()).hexdigest())  # it even matches
    os.chown(model, 4242, 4242)
    os.chown(digest, 4242, 4242)
    assert language._cached_identifier().classify(TEXTS[0])[0] == "en"
    assert model.stat().st_uid == os.getuid()  # replaced by our own copy


@pytest.mark.parametrize("unsafe", ["writable by others", "another user's"])
def test_a_cache_folder_that_is_not_private_is_refused(
    cache_home: Path, packed: LanguageIdentifier, unsafe: str,
) -> None:
    language._cached_identifier()
    folder = cache_home / "newsmill"
    (model,) = folder.glob("*.npz")
    _plant(model)
    model.with_suffix(".sha256").unlink()  # whatever it says, the folder is not to be trusted
    if unsafe == "writable by others":
        folder.chmod(0o777)
    elif os.getuid() == 0:
        os.chown(folder, 4242, 4242)
    else:
        pytest.skip("giving a folder to another user needs root")
    with pytest.raises(language.UnsafeCache):
        language._cached_identifier()
    # The identifier then loads the packed model, and reads nothing from that folder.
    assert _classifies_like(_load(), packed)
    assert not list(folder.glob("*.sha256"))


def test_a_relative_xdg_cache_home_is_ignored(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert language.cache_folder() == tmp_path / ".cache" / "newsmill"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert language.cache_folder() == tmp_path / ".cache" / "newsmill"

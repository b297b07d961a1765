"""Which language a document is in, with a confidence (py3langid, offline)."""

from __future__ import annotations

import hashlib
import logging
import lzma
import os
import stat
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import BinaryIO

import numpy as np
from py3langid import modelio
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

log = logging.getLogger(__name__)

#: Characters of text the identifier reads: the opening of an article says enough, and
#: reading it all costs time on long documents for no gain.
SAMPLE_CHARS = 5000
#: Below this probability the language is "und" (undetermined). Calibrated on the sample
#: corpus and the seed article: every article scores above 0.98; a one-word text ("Hello")
#: scores 0.06.
MIN_CONFIDENCE = 0.5
UNDETERMINED = "und"


class UnsafeCache(OSError):
    """The cache folder is not private to this user: nothing in it is read or written."""


@cache
def _identifier() -> LanguageIdentifier:
    """The identifier, loaded once per process. Its model ships lzma-packed; unpacking it
    takes ~0.65 s of the ~0.8 s load, so the unpacked copy (68 MB) is kept in this user's
    cache folder, and later processes read it (checking it costs ~0.06 s)."""
    try:
        return _cached_identifier()
    except UnsafeCache as exc:
        log.warning("not using the language model cache: %s", exc)
    except (OSError, ValueError, KeyError, lzma.LZMAError) as exc:
        log.debug("language model cache unusable (%s); loading the packed model", exc)
    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def cache_folder() -> Path:
    """This user's cache folder for newsmill: ``$XDG_CACHE_HOME/newsmill`` (an absolute
    XDG_CACHE_HOME only, as the XDG spec says), else ``~/.cache/newsmill``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    return root / "newsmill"


def _private_folder() -> Path:
    """:func:`cache_folder`, made (mode 0o700) if missing; :class:`UnsafeCache` unless it is a
    real folder (not a link) of this user that no one else can write to."""
    folder = cache_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(folder)
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafeCache(f"{folder} is not a folder")
    if info.st_uid != os.getuid():
        raise UnsafeCache(f"{folder} belongs to another user")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafeCache(f"{folder} is writable by other users")
    return folder


def _open_own(path: Path) -> BinaryIO:
    """``path`` opened for reading if it is a regular file (not a link) of this user that no
    one else can write to; the checks are made on the open file, so what passed them is what
    is read."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if (not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid()
                or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)):
            raise ValueError(f"{path} is not a private file of this user")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _sha256(source: BinaryIO) -> str:
    digest = hashlib.sha256()
    while chunk := source.read(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()


def _write_atomically(folder: Path, target: Path, chunks: Iterator[bytes]) -> str:
    """Write ``chunks`` to ``target`` through a private temporary file renamed over it;
    returns the SHA-256 of what was written."""
    digest = hashlib.sha256()
    fd, partial = tempfile.mkstemp(dir=folder, prefix=".", suffix=".partial")  # mode 0o600
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                out.write(chunk)
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return digest.hexdigest()


def _unpacked(packed: Path) -> Iterator[bytes]:
    with lzma.open(packed) as source:
        while chunk := source.read(1 << 20):
            yield chunk


def _cached_identifier() -> LanguageIdentifier:
    """The identifier from the unpacked model in the private cache folder. The copy is named
    after the packed file's hash (an upgrade gets a fresh one) and read only if its content
    has the SHA-256 recorded beside it when it was unpacked; otherwise it is unpacked again
    (atomically: a reader never sees half a file)."""
    folder = _private_folder()
    packed = MODEL_DIR / MODEL_FILE
    with packed.open("rb") as source:
        name = f"langid-{_sha256(source)[:16]}"
    model, recorded = folder / f"{name}.npz", folder / f"{name}.sha256"
    try:
        with _open_own(recorded) as digest_file:
            expected = digest_file.read(200).decode("ascii").strip()
        with _open_own(model) as unpacked:
            if _sha256(unpacked) == expected:
                unpacked.seek(0)
                return _from_unpacked(unpacked)
        log.debug("%s does not have the content unpacked there; unpacking again", model)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        log.debug("no usable unpacked language model in %s (%s); unpacking it", folder, exc)
    digest = _write_atomically(folder, model, _unpacked(packed))
    _write_atomically(folder, recorded, iter([digest.encode("ascii")]))
    with _open_own(model) as unpacked:
        return _from_unpacked(unpacked)


def _from_unpacked(source: BinaryIO) -> LanguageIdentifier:
    """The identifier from an unpacked model, as py3langid's own loader builds it."""
    with np.load(source, allow_pickle=False) as data:
        return LanguageIdentifier(
            np.asarray(data["ptc"]), np.asarray(data["pc"]), data["classes"].tolist(),
            modelio._to_array(data["nextmove"]), data["out_feat"].tolist(),
            norm_probs=True, tk_row=modelio._to_array(data["nextmove_row"]))


def detect_language(text: str) -> tuple[str, float]:
    """``(ISO 639-1 code or "und", probability)`` for ``text``."""
    sample = text[:SAMPLE_CHARS]
    if not sample.strip():
        return UNDETERMINED, 0.0
    language, probability = _identifier().classify(sample)
    confidence = float(probability)
    if confidence < MIN_CONFIDENCE:
        return UNDETERMINED, confidence
    return str(language), confidence

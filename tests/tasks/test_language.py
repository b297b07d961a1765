"""Language identification (the real offline model; it loads in well under a second)."""

from __future__ import annotations

import pytest

from newsmill.tasks.language import MIN_CONFIDENCE, UNDETERMINED, detect_language


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


def test_unpacked_model_cache_classifies_like_the_packed_model(tmp_path, monkeypatch):
    import tempfile

    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    from newsmill.tasks import language

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    unpacked = language._unpacked_model()
    assert unpacked.parent == tmp_path and unpacked.exists()
    assert language._unpacked_model() == unpacked  # written once, then reused
    assert not list(tmp_path.glob("*.partial"))
    cached = language._from_unpacked(unpacked)
    packed = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    for text in ["The port strike entered its third week.", "Le gouvernement a annoncé lundi.",
                 "Die Regierung hat am Montag entschieden."]:
        assert cached.classify(text) == packed.classify(text)

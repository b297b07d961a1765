"""The cleaning steps of tasks.normalise, one at a time, and the dateline finder."""

from __future__ import annotations

import unicodedata

import pytest

from newsmill.tasks.normalise import (
    DEFAULT_STEPS,
    clean,
    find_dateline,
    normalize_unicode,
    normalize_whitespace,
    remove_invisible,
)

# Text every step must return unchanged: typography that quote extraction relies on.
UNCHANGED = [
    "“We will win,” she said.",
    "He called it ‘a fair deal’ — twice.",
    "The talks – held in Geneva – ended…",
    "Armenia’s prime minister, Nikol Pashinyan, met Emmanuel Macron.",
    "Café crème, naïve façade, Zürich, São Paulo, Łódź, Ærø.",
    "Երևան and Москва and 東京",
    "« Nous gagnerons », a-t-il dit.",
    "ﬁnal ＡＢＣ",  # compatibility characters: NFC leaves them, NFKC would not
    "First paragraph.\nSecond paragraph.",
]


@pytest.mark.parametrize("step", DEFAULT_STEPS, ids=lambda s: s.__name__)
@pytest.mark.parametrize("text", UNCHANGED)
def test_steps_leave_clean_typography_alone(step, text):
    assert step(text) == text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Cafe\u0301", "Café"),  # e + combining acute composes
        ("A\u030a", "Å"),
        ("n\u0303o", "ño"),
        ("…", "…"),  # NFC keeps the ellipsis (NFKC would make it "...")
        ("ﬁ", "ﬁ"),
    ],
)
def test_normalize_unicode(raw, expected):
    assert normalize_unicode(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("zero\u200bwidth", "zerowidth"),
        ("soft\u00adhyphen", "softhyphen"),
        ("\ufeffBOM at start", "BOM at start"),
        ("word\u2060joiner", "wordjoiner"),
        ("bidi \u202bcontrol\u202c here", "bidi control here"),
        ("isolate \u2066x\u2069", "isolate x"),
        ("bell\x07 and\x7f delete", "bell and delete"),
        ("c1\x9f control", "c1 control"),
        ("line one\r\nline two\rline three", "line one\nline two\nline three"),
        ("tab\tseparated", "tab separated"),
        ("keeps\nnewlines", "keeps\nnewlines"),
    ],
)
def test_remove_invisible(raw, expected):
    assert remove_invisible(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("two  spaces", "two spaces"),
        ("no\u00a0break\u202fnarrow\u2009thin", "no break narrow thin"),
        ("ideographic\u3000space", "ideographic space"),
        ("  trimmed line  ", "trimmed line"),
        ("para one\n\n\npara two", "para one\npara two"),
        ("\n\n lead and trail \n\n", "lead and trail"),
        ("a \n   \n b", "a\nb"),
    ],
)
def test_normalize_whitespace(raw, expected):
    assert normalize_whitespace(raw) == expected


def test_normalize_whitespace_can_keep_one_blank_line():
    assert normalize_whitespace("a\n\n\n\nb\n", max_blank_lines=1) == "a\n\nb"


def test_clean_keeps_paragraphs_as_single_newlines():
    raw = "  First  paragraph.\r\n\r\n\tSecond\u00a0paragraph,\r\nstill second?\n\n\nThird. "
    assert clean(raw) == "First paragraph.\nSecond paragraph,\nstill second?\nThird."
    assert clean(raw).count("\n") == 3


def _visible(text: str) -> str:
    """The test's own notion of invisible: format (Cf) characters and non-space controls."""
    return "".join(
        ch for ch in text
        if unicodedata.category(ch) != "Cf"
        and not (unicodedata.category(ch) == "Cc" and not ch.isspace())
    )


WORDY = [
    "“Never,” he said — and meant it… “not ever.”",
    "Zero\u200bwidth and soft\u00adhyphen words stay whole.",
    "Tabs\tand\u00a0no-break\u2003spaces\r\nand CRLF\r\n\r\nparagraphs.",
    "Cafe\u0301 au lait, naïve re\u0301sume\u0301.",
    "Ctrl\x01chars\x1b[0m vanish\x7f.",
    "« Bien sûr », dit-elle ; ‘quoted’ “again”.",
]


@pytest.mark.parametrize("raw", WORDY)
def test_clean_never_changes_the_sequence_of_words(raw):
    expected = unicodedata.normalize("NFC", _visible(raw)).split()
    assert clean(raw).split() == expected


@pytest.mark.parametrize(
    "raw", ["Word line\x0bbreak", "page one\x0cpage two", "next\x85line"],
    ids=["vertical-tab", "form-feed", "NEL"],
)
def test_clean_keeps_words_apart_across_whitespace_controls(raw):
    assert clean(raw).split() == raw.split()


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("YEREVAN — Armenia’s government said on Monday", "YEREVAN"),
        ("NEW YORK, March 3 (Reuters) - Stocks fell", "NEW YORK"),
        ("NEW YORK — The city council", "NEW YORK"),
        ("GENEVA – Talks resumed", "GENEVA"),
        ("PORT-AU-PRINCE -- Aid arrived", "PORT-AU-PRINCE"),
        ("WASHINGTON, D.C. — Lawmakers voted", "WASHINGTON"),
    ],
)
def test_find_dateline(text, place):
    span = find_dateline(text)
    assert span is not None
    assert span.text == place
    assert text[span.start_char:span.end_char] == place
    assert span.start_char == 0


@pytest.mark.parametrize(
    "text",
    [
        "A — b",
        "US - officials said",
        "The minister said on Monday that talks would resume.",
        "Yerevan — mixed case is not a dateline",
        "NEW YORK is a city — and a state",
        "",
    ],
)
def test_find_dateline_negatives(text):
    assert find_dateline(text) is None


def test_find_dateline_only_at_the_start():
    assert find_dateline("Officials said.\nGENEVA — talks") is None


# --- mapping the clean text back to the extraction ---------------------------------------------

@pytest.mark.parametrize(
    "raw",
    [
        "Plain text that does not change.",
        "Two  spaces,\ttabs\r\nand CRLF.\n\n\nParagraphs.",
        "Zero\u200bwidth and soft\u00adhyphen, e\u0301te\u0301 composed, \x0bvertical tab.",
        "  leading and trailing  \n",
    ],
)
def test_offset_map_runs_agree_and_map_back(raw: str) -> None:
    from newsmill.tasks.normalise import clean, offset_map, to_raw

    cleaned = clean(raw)
    runs = offset_map(raw, cleaned)
    assert all(cleaned[c:c + n] == raw[r:r + n] for c, r, n in runs)
    # Every word of the clean text maps back to the same word in the extraction.
    import re

    for match in re.finditer(r"\w+", cleaned):
        start, end = to_raw(match.start(), runs), to_raw(match.end(), runs)
        assert clean(raw[start:end]) == match.group()


def _offset_map_char_by_char(raw: str, cleaned: str) -> list[tuple[int, int, int]]:
    """The alignment one character at a time, as written first: the reference the stretch at
    a time alignment must equal."""
    from newsmill.tasks.normalise import _CONTROL, _INVISIBLE

    runs: list[list[int]] = []
    i = j = 0
    while i < len(cleaned) and j < len(raw):
        if cleaned[i] == raw[j]:
            if runs and runs[-1][0] + runs[-1][2] == i and runs[-1][1] + runs[-1][2] == j:
                runs[-1][2] += 1
            else:
                runs.append([i, j, 1])
            i, j = i + 1, j + 1
        elif cleaned[i] in " \n" and (raw[j].isspace() or _INVISIBLE.match(raw[j])
                                      or _CONTROL.match(raw[j])):
            i, j = i + 1, j + 1
        else:
            composed = next((k for k in (2, 3, 4) if j + k <= len(raw)
                             and unicodedata.normalize("NFC", raw[j:j + k]) == cleaned[i]), 0)
            i, j = (i + 1, j + composed) if composed else (i, j + 1)
    return [(c, r, n) for c, r, n in runs]


def test_the_alignment_equals_one_character_at_a_time_on_random_texts() -> None:
    import random

    from newsmill.tasks.normalise import clean, offset_map

    pieces = ["news", "a", " ", "\n", "\n\n\n", "\t", "\u200b", "\u00a0", "e\u0301", "\r\n",
              "   ", "\x07", "é", "“", "ﬁ"]
    generator = random.Random(2026)
    for _ in range(2000):
        raw = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 120)))
        cleaned = clean(raw)
        assert offset_map(raw, cleaned) == _offset_map_char_by_char(raw, cleaned), repr(raw)

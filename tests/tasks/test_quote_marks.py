"""Pairing quotation marks by position: newsmill.tasks.quotes.marks."""

from __future__ import annotations

import itertools
import random

import pytest

from newsmill.tasks.quotes.marks import (
    DOUBLE_MARKS,
    SINGLE_MARKS,
    find_quoted_spans,
    mark_role,
    normalise_marks,
)


def contents(text: str) -> list[str]:
    """The content of every span, checking the invariants every span must satisfy."""
    out = []
    marked = normalise_marks(text)  # apostrophe pairs as double marks, same offsets
    for span in find_quoted_spans(text):
        assert 0 <= span.open_at < span.close_at <= len(text)
        assert marked[span.open_at] in DOUBLE_MARKS
        assert mark_role(marked, span.open_at) == "open"
        inner = text[span.start_char:span.end_char]
        # The passage's own opening mark is never part of its content.
        assert not (inner and inner[0] in DOUBLE_MARKS and mark_role(marked, span.start_char)
                    == "open"), (text, span)
        out.append(inner)
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“We will win,” she said.", ["We will win,"]),
        ('He said "we will win" and left.', ["we will win"]),
        ("She said: “No.” Then she left.", ["No."]),
        ("(“Yes”) and [“no”]", ["Yes", "no"]),
        ("Il a dit « nous gagnerons » hier, et « nous verrons ».",
         [" nous gagnerons ", " nous verrons "]),
        ("Er sagte „wir kommen“ heute.", ["wir kommen"]),  # “ after a letter closes here
    ],
)
def test_simple_passages(text, expected):
    assert contents(text) == expected


def test_guillemets_with_inner_spaces_are_decided_by_glyph():
    text = "Il a dit « nous gagnerons » hier."
    assert mark_role(text, text.index("«")) == "open"
    assert mark_role(text, text.index("»")) == "close"
    assert [c.strip() for c in contents(text)] == ["nous gagnerons"]


def test_split_quote_gives_two_spans():
    text = "“We are ready,” she said, “and we will not wait.”"
    assert contents(text) == ["We are ready,", "and we will not wait."]


@pytest.mark.parametrize(
    "text",
    [
        "Armenia’s plan, the players’ union and the workers' idea: don’t ask, it’s fine.",
        "The Joneses’ house and the bosses’ cars were sold in the ’90s.",
        "Rock ’n’ roll, y’all, o’clock.",
    ],
)
def test_apostrophes_never_make_a_passage(text):
    assert find_quoted_spans(text) == []
    for i, ch in enumerate(text):
        if ch in SINGLE_MARKS and text[i - 1].isalpha() and text[i + 1].isalpha():
            assert mark_role(text, i) is None


def test_plural_possessive_inside_a_quote_does_not_end_it():
    text = "“The workers’ union will strike on Friday,” she said."
    assert contents(text) == ["The workers’ union will strike on Friday,"]


def test_elided_apostrophe_inside_a_quote_does_not_open_a_nested_one():
    text = "“We grew up in the ’90s and it shows,” she said."
    assert contents(text) == ["We grew up in the ’90s and it shows,"]


def test_mistyped_nested_quote_stays_one_top_level_span():
    # A nested quote opened with a mis-typed ” and closed with ’ inside a double quote.
    text = ("The harbour master added: “The captain radioed ”we are taking water’ and then "
            "the line went dead,” before leaving the room.")
    spans = find_quoted_spans(text)
    assert len(spans) == 1
    assert contents(text) == [
        "The captain radioed ”we are taking water’ and then the line went dead,"]
    assert text[spans[0].close_at + 1:].startswith(" before")


def test_properly_nested_single_quote():
    text = "“He told me ‘never again’ last week,” she said."
    assert contents(text) == ["He told me ‘never again’ last week,"]


def test_multi_paragraph_quote():
    text = ("“We have waited two winters for this pier.\n"
            "“Now the boats can come home,” the skipper said.\n"
            "Another paragraph.")
    spans = find_quoted_spans(text)
    assert len(spans) == 1
    span = spans[0]
    assert span.paragraphs == 2
    assert span.open_at == 0
    assert text[span.start_char:span.end_char] == (
        "We have waited two winters for this pier.\n“Now the boats can come home,")


def test_three_paragraph_quote():
    text = "“One.\n“Two.\n“Three,” he said."
    spans = find_quoted_spans(text)
    assert [(s.open_at, s.paragraphs) for s in spans] == [(0, 3)]
    assert text[spans[0].end_char - 6:spans[0].end_char] == "Three,"


def test_open_paragraph_without_continuation_is_stray():
    text = "He wrote “never and left.\nShe answered at once."
    assert find_quoted_spans(text) == []


def test_unclosed_stray_opener_does_not_swallow_the_paragraph():
    text = "The sign read “closed for repairs and nobody came. Later the mayor said “soon.” Fine."
    assert contents(text) == ["soon."]


def test_stray_opener_does_not_reach_into_the_next_paragraph():
    text = "A stray “mark here.\nThen she said “a real quote” twice."
    assert contents(text) == ["a real quote"]


@pytest.mark.parametrize(
    "text",
    ['"', "“", "”", '""', '"""', "“ ” “", "” “", "«", "»»", "’", "‘a", "\n“\n”\n", "", "a”b“c"],
)
def test_odd_counts_never_raise(text):
    contents(text)
    for i in range(len(text)):
        assert mark_role(text, i) in {"open", "close", None}


def test_random_mark_soup_never_raises():
    rng = random.Random(20240514)
    alphabet = [*"“”\"„«»‘’'", "a", "b", " ", " ", "\n", ".", ","]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 20)))
        spans = find_quoted_spans(text)
        for span in spans:
            assert 0 <= span.open_at < span.close_at <= len(text)
            assert mark_role(normalise_marks(text), span.open_at) == "open"
        for a, b in itertools.pairwise(spans):
            assert a.close_at < b.open_at


def test_mark_role_by_context():
    text = 'say "hi" now'
    assert mark_role(text, 4) == "open"
    assert mark_role(text, 7) == "close"
    assert mark_role(text, 0) is None  # not a mark at all


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He said, ''Of course, I pay taxes.'' Then he left.", ["Of course, I pay taxes."]),
        ("''We will win,'' she said.", ["We will win,"]),
        ("''Tell that to the janitor,'' he said. ''Tell that to them.''",
         ["Tell that to the janitor,", "Tell that to them."]),
        # not marks: an apostrophe pair inside a word, three apostrophes
        ("the rock''n''roll era", []),
        ("a '''bold''' claim", []),
    ],
)
def test_apostrophe_pairs_read_as_double_marks(text, expected):
    assert contents(text) == expected


@pytest.mark.parametrize("text", ["no marks at all", "it's the dockers' union", "''", "a''b"])
def test_normalise_marks_changes_nothing_but_apostrophe_pair_marks(text):
    assert normalise_marks(text) == text


def test_the_check_is_called_per_paragraph_and_per_stray_opening_mark():
    # Each stray opening mark sends the scan over the rest of its paragraph again: a long
    # paragraph full of them is slow, and a time limit must be able to stop it.
    calls: list[int] = []
    text = 'a "b c ' * 50 + "\nThe end."
    assert find_quoted_spans(text, check=lambda: calls.append(1)) == []
    assert len(calls) >= 52


def test_a_check_that_raises_stops_the_scan():
    def stop() -> None:
        raise TimeoutError

    with pytest.raises(TimeoutError):
        find_quoted_spans('a "b c ' * 50, check=stop)

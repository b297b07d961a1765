"""Finding quoted passages by their quotation marks: pure string functions.

Marks are paired by *position*, not only by glyph, because news text mis-types them (the seed
article opens a nested quote with ``”`` and closes it with ``’``): a mark after a space and
before a letter opens, a mark after a letter and before a space or punctuation closes. Single
marks (``‘ ’``) only nest inside a double-quoted passage, so apostrophes never open or close a
quote. Nothing here raises on odd or unbalanced marks.

A stray opening mark sends the scan over the rest of its paragraph again, so a long paragraph
with many of them costs their number times its length: :func:`find_quoted_spans` takes a
``check`` it calls before each such pass, which a time limit can raise from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

DOUBLE_MARKS = frozenset("“”\"„«»‟")
SINGLE_MARKS = frozenset("‘’‚‛'")
#: Glyphs whose direction is trusted when the context says nothing (a mark between spaces).
OPENING_GLYPHS = frozenset("“„«‘‚‛‟")
CLOSING_GLYPHS = frozenset("”»’")
#: Characters that may stand before an opening mark.
#: Any quotation mark, double or single: what the scan for pairs jumps between.
_ANY_MARK = re.compile("[" + re.escape("".join(sorted(DOUBLE_MARKS | SINGLE_MARKS))) + "]")
_BEFORE_OPEN = frozenset(" \n([{—–-/:;,")
#: Characters that may follow a closing mark.
_AFTER_CLOSE = frozenset(" \n)]}—–-/.,;:!?…")


#: Two apostrophes standing for a double quotation mark (''…''), as some wire and archive
#: text writes them (the New York Times copy in PolNeAR does throughout).
_APOSTROPHE_PAIR = re.compile(r"(?<!')''(?!')")


def normalise_marks(text: str) -> str:
    """``text`` with each pair of apostrophes used as a quotation mark replaced by a space and
    a double mark, same length, so offsets still hold: an opening ``''`` (after a space,
    before a word) becomes `` “`` and a closing one (after a word, before a space or
    punctuation) ``” ``. Apostrophe pairs in any other position are left alone."""
    if "''" not in text:
        return text
    chars = list(text)
    for match in _APOSTROPHE_PAIR.finditer(text):
        i = match.start()
        before = text[i - 1] if i > 0 else "\n"
        after = text[i + 2] if i + 2 < len(text) else "\n"
        if before in _BEFORE_OPEN and not after.isspace():
            chars[i], chars[i + 1] = " ", "“"
        elif not before.isspace() and (after in _AFTER_CLOSE or after.isspace()):
            chars[i], chars[i + 1] = "”", " "
    return "".join(chars)


@dataclass(frozen=True)
class QuotedSpan:
    """A top-level quoted passage: the marks at ``open_at`` and ``close_at``, the content
    between them. ``paragraphs`` > 1 for a quote that continues across paragraphs."""

    open_at: int
    close_at: int
    paragraphs: int = 1

    @property
    def start_char(self) -> int:
        return self.open_at + 1

    @property
    def end_char(self) -> int:
        return self.close_at


def mark_role(text: str, i: int) -> str | None:
    """``"open"``, ``"close"`` or None (not a quotation mark here, e.g. an apostrophe)."""
    ch = text[i]
    if ch not in DOUBLE_MARKS and ch not in SINGLE_MARKS:
        return None
    before = text[i - 1] if i > 0 else "\n"
    after = text[i + 1] if i + 1 < len(text) else "\n"
    if ch in "«»":  # French spacing puts spaces inside guillemets: the glyph decides
        return "open" if ch == "«" else "close"
    opens = before in _BEFORE_OPEN and not after.isspace()
    closes = not before.isspace() and (after in _AFTER_CLOSE or after.isspace())
    if ch in SINGLE_MARKS and ((before.isalnum() and after.isalnum()) or after.isdigit()):
        return None  # don't, Armenia’s, the ’90s
    if opens and not closes:
        return "open"
    if closes and not opens:
        return "close"
    if ch in OPENING_GLYPHS:
        return "open"
    if ch in CLOSING_GLYPHS:
        return "close"
    return None


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every non-empty line; paragraphs are lines in the clean text."""
    bounds = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            bounds.append((start, end))
        start = end + 1
    return bounds


def _starts_with_opener(text: str, start: int) -> bool:
    return text[start] in DOUBLE_MARKS and mark_role(text, start) == "open"


def _unchecked() -> None:
    """The ``check`` of a scan with no time limit."""


def _scan(
    text: str, start: int, end: int, *, allow_unclosed: bool,
    check: Callable[[], None] = _unchecked,
) -> tuple[list[tuple[int, int]], int | None]:
    """Pairs ``(open_at, close_at)`` closed within ``text[start:end]``, and the opening mark of
    a quote left open at ``end`` (only when ``allow_unclosed``; otherwise that mark is taken as
    stray and the rest of the paragraph is scanned again after it). ``check`` is called
    before each pass."""
    closed: list[tuple[int, int]] = []
    i = start
    while True:
        check()
        opened: int | None = None
        nested: list[str] = []  # glyph of each open nested quote, innermost last
        # Only the marks are looked at: jumping from one to the next saves a call per
        # character (a quarter of the quote rules' time: 0.47 -> 0.35 s per 200 PolNeAR articles).
        for match in _ANY_MARK.finditer(text, i, end):
            at = match.start()
            role = mark_role(text, at)
            ch = text[at]
            if role == "open":
                if opened is None and ch in DOUBLE_MARKS:
                    opened = at
                elif opened is not None:
                    nested.append(ch)  # a nested quote, of either glyph
            elif role == "close" and opened is not None:
                if ch in DOUBLE_MARKS:
                    # Nested quotes opened with a single mark and never closed were
                    # apostrophes ("the dockers’ union"); a double mark closes past them.
                    while nested and nested[-1] in SINGLE_MARKS:
                        nested.pop()
                if nested:
                    nested.pop()
                elif ch in DOUBLE_MARKS:
                    closed.append((opened, at))
                    opened = None
        if opened is None:
            return closed, None
        if allow_unclosed:
            return closed, opened
        i = opened + 1  # a stray opening mark: ignore it and look again after it


def find_quoted_spans(text: str, *, check: Callable[[], None] = _unchecked
                      ) -> list[QuotedSpan]:
    """Every top-level quoted passage in ``text``.

    A paragraph that leaves a quote open continues into the next paragraph when that one
    starts with an opening mark (the newspaper convention); otherwise the unclosed mark is
    taken as stray and ignored, so it never swallows the rest of the paragraph. Two
    apostrophes used as a mark count as one (:func:`normalise_marks`). ``check`` is called
    per paragraph and per pass over one (it may raise to stop the scan).
    """
    text = normalise_marks(text)
    spans: list[QuotedSpan] = []
    paragraphs = paragraph_bounds(text)
    pending: tuple[int, int] | None = None  # (opening mark, paragraphs so far) carried over
    for index, (start, end) in enumerate(paragraphs):
        continues = index + 1 < len(paragraphs) and _starts_with_opener(
            text, paragraphs[index + 1][0])
        closed, unclosed = _scan(text, start, end, allow_unclosed=continues, check=check)
        if pending is not None:
            open_at, count = pending
            pending = None
            if closed and closed[0][0] == start:
                spans.append(QuotedSpan(open_at, closed.pop(0)[1], count + 1))
            elif unclosed == start and not closed:
                pending, unclosed = (open_at, count + 1), None
            else:  # the continuation did not materialise: end the quote where it stood
                spans.append(QuotedSpan(open_at, paragraphs[index - 1][1], count))
        spans.extend(QuotedSpan(o, c) for o, c in closed)
        if unclosed is not None:
            pending = (unclosed, 1)
    if pending is not None:
        spans.append(QuotedSpan(pending[0], paragraphs[-1][1], pending[1]))
    return sorted(spans, key=lambda s: s.open_at)

"""Clean text: an explicit, ordered list of small ``str -> str`` steps.

Every step keeps the words and their order; quote marks and dashes are kept as written because
quote extraction needs them. Paragraphs are separated by a single ``\\n`` in the clean text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence

from newsmill.errors import Rejection
from newsmill.tasks.language import UNDETERMINED, detect_language
from newsmill.tasks.models import CleanDocument, Extracted, Span

Step = Callable[[str], str]

# Zero-width characters, soft hyphen, word joiner, BOM and bidirectional controls: invisible,
# they only split words for search and tokenisers.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Control characters that separate words (vertical tab — Word's manual line break — form feed,
# the information separators, NEL) and the Unicode line and paragraph separators.
_SPACING_CONTROL = re.compile("[\x0b\x0c\x1c-\x1f\x85]")
_LINE_SEPARATOR = re.compile("[\u2028\u2029]")
# The remaining C0/C1 control characters, which carry nothing.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
# Every horizontal space character Unicode knows, including no-break and narrow spaces.
_HSPACE = re.compile(r"[^\S\n]+")


def normalize_unicode(text: str, *, form: str = "NFC") -> str:
    """Compose characters to Unicode ``form`` (NFC: ``e`` + combining acute becomes ``é``).

    Compatibility characters (ligatures, full-width letters) are left alone: NFKC would also
    rewrite ``…`` as ``...``, which changes what was written.
    """
    return unicodedata.normalize(form, text)  # type: ignore[arg-type]


def remove_invisible(text: str) -> str:
    """Delete zero-width characters, soft hyphens, bidi controls and control characters.

    Controls that separate words (tab, vertical tab, form feed, NEL, the information
    separators) become spaces and U+2028/U+2029 become newlines, so words never glue together;
    carriage returns become newlines so that Windows line ends keep their lines apart.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _LINE_SEPARATOR.sub("\n", text)
    text = _SPACING_CONTROL.sub(" ", text.replace("\t", " "))
    return _CONTROL.sub("", _INVISIBLE.sub("", text))


def normalize_whitespace(text: str, *, max_blank_lines: int = 0) -> str:
    """Collapse runs of spaces (any Unicode space) to one, trim every line, drop empty lines.

    With ``max_blank_lines=0`` paragraphs are separated by exactly one newline.
    """
    lines = [_HSPACE.sub(" ", line).strip() for line in text.split("\n")]
    out: list[str] = []
    blanks = 0
    for line in lines:
        if line:
            out.append(line)
            blanks = 0
        elif out and blanks < max_blank_lines:
            out.append("")
            blanks += 1
    return "\n".join(out).strip("\n")


#: The order matters: controls go before whitespace is folded, composition goes first so
#: that later steps see one code point per letter.
DEFAULT_STEPS: tuple[Step, ...] = (normalize_unicode, remove_invisible, normalize_whitespace)


def clean(text: str, steps: Sequence[Step] = DEFAULT_STEPS) -> str:
    """Apply ``steps`` in order."""
    for step in steps:
        text = step(text)
    return text


# A dateline opens the first paragraph: a place in capitals (optionally ", Country" or a
# wire credit in parentheses) and a dash. "YEREVAN —", "NEW YORK, March 3 (Reuters) -".
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z'.\-]+(?: [A-Z][A-Z'.\-]+){0,3})"
    r"(?:, [A-Z][A-Za-z.]+(?: [A-Za-z.]+){0,2})?"
    r"(?:,? \d{1,2})?"
    r"(?: \([A-Za-z .&]+\))?"
    r"\s*(?:—|–|--|-)\s+"
)


def find_dateline(text: str) -> Span | None:
    """The place of a dateline at the start of ``text`` ("YEREVAN" in "YEREVAN — ...")."""
    match = _DATELINE.match(text)
    if not match:
        return None
    place = match.group("place")
    if len(place) < 3:  # "A -" or "US -" style openings are more often list items
        return None
    return Span(match.start("place"), match.end("place"), place)


def content_hash(text: str) -> str:
    """SHA-256 of the clean text: the identity of a document."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: Hex digits of the content hash used as ``document_id`` (64 bits: a collision needs ~4
#: billion documents).
DOCUMENT_ID_HEX = 16


def normalise(extracted: Extracted, *, min_chars: int, max_chars: int) -> CleanDocument:
    """The clean document for ``extracted``; too short or too long texts are rejected."""
    text = clean(extracted.text)
    if len(text) < min_chars:
        raise Rejection("normalise", "too_short",
                        f"{len(text)} characters of text; at least {min_chars} are needed")
    if len(text) > max_chars:
        raise Rejection("normalise", "too_long",
                        f"{len(text)} characters of text; at most {max_chars} are processed")
    digest = content_hash(text)
    title = clean(extracted.title) if extracted.title else None
    language, confidence = detect_language(text)
    if language == UNDETERMINED and extracted.language:
        language = extracted.language.split("-")[0].lower()  # what the page declares
    return CleanDocument(
        document_id=digest[:DOCUMENT_ID_HEX],
        content_hash=digest,
        source=extracted.source,
        format=extracted.format,
        clean_text=text,
        title=title or None,
        author=extracted.author,
        published_at=extracted.published_at,
        site_name=extracted.site_name,
        canonical_url=extracted.canonical_url,
        description=extracted.description,
        language=language,
        language_confidence=round(confidence, 4),
        dateline=find_dateline(text),
        raw_offsets=tuple(offset_map(extracted.text, text)),
    )


def to_raw(offset: int, runs: Sequence[tuple[int, int, int]]) -> int:
    """The position in the extracted text of ``offset`` in the clean text (for a character
    the steps rewrote, such as a folded space, the position after the run before it)."""
    best = 0
    for clean_start, raw_start, length in runs:
        if clean_start <= offset < clean_start + length:
            return raw_start + offset - clean_start
        if clean_start + length <= offset:
            best = raw_start + length + (offset - clean_start - length)
    return best


def _agreeing(a: str, i: int, b: str, j: int) -> int:
    """How many characters ``a[i:]`` and ``b[j:]`` have in common at their start: doubling
    the length compared while they agree, then halving back to where they part."""
    limit = min(len(a) - i, len(b) - j)
    if limit <= 0 or a[i] != b[j]:
        return 0
    agree, step = 1, 2
    while step <= limit and a[i:i + step] == b[j:j + step]:
        agree, step = step, step * 2
    low, high = agree, min(step, limit + 1)  # a[i:i+low] agrees; a[i:i+high] does not, or ends
    while high - low > 1:
        middle = (low + high) // 2
        if a[i:i + middle] == b[j:j + middle]:
            low = middle
        else:
            high = middle
    return low


def offset_map(raw: str, cleaned: str) -> list[tuple[int, int, int]]:
    """Where the clean text came from: runs ``(clean_start, raw_start, length)`` such that
    ``cleaned[c:c+n] == raw[r:r+n]`` for each run, aligned in one pass.

    The steps only drop characters (invisible ones, surplus spaces), turn whitespace into a
    space or newline, and compose characters (NFC); the alignment follows exactly those moves,
    so any offset in the stored text maps back into the extraction's own text.
    """
    runs: list[list[int]] = []
    i = j = 0

    def mark(ci: int, rj: int, length: int) -> None:
        if runs and runs[-1][0] + runs[-1][2] == ci and runs[-1][1] + runs[-1][2] == rj:
            runs[-1][2] += length
        else:
            runs.append([ci, rj, length])

    while i < len(cleaned) and j < len(raw):
        same = _agreeing(cleaned, i, raw, j)
        if same:
            # Whole stretches at a time (compared in C): the steps change a few characters
            # of an article, and a loop over every character was 0.12 s per 100 articles.
            mark(i, j, same)
            i += same
            j += same
        elif cleaned[i] in " \n" and (raw[j].isspace() or _INVISIBLE.match(raw[j])
                                      or _CONTROL.match(raw[j])):
            i += 1  # a space or newline standing for a run of raw whitespace: no 1:1 run
            j += 1
        else:
            composed = next((k for k in (2, 3, 4) if j + k <= len(raw)
                             and unicodedata.normalize("NFC", raw[j:j + k]) == cleaned[i]), 0)
            if composed:
                i += 1
                j += composed
            else:
                j += 1  # a raw character the steps dropped
    return [(c, r, n) for c, r, n in runs]

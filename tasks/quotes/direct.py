"""Direct quotes: quoted passages and the speech verb that attributes each, after the
closing mark, before the opening one (or ending the paragraph above), or a signature.

Every look around a passage stays within its paragraph and stops after the few tokens it can
use, so the work per passage does not grow with the length of the text."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from newsmill.tasks.models import Span
from newsmill.tasks.quotes.lexicon import PRONOUN_GROUP, PRONOUN_PERSON, is_speech_verb
from newsmill.tasks.quotes.marks import DOUBLE_MARKS, SINGLE_MARKS, QuotedSpan
from newsmill.tasks.quotes.pending import Pending, unbounded, word_count
from newsmill.tasks.quotes.speakers import SUBJECT_DEPS, Resolver, is_passive, subject_of

#: Tokens between a closing mark and its speech verb (``,” the union’s chair said``): the
#: longest speaker phrase in front of an inverted verb seen in news copy is about five words.
MAX_TOKENS_AFTER_CLOSE = 7
#: ... or up to this many when they all make up the verb's subject (a name with its title,
#: party and state and an apposition: "Rep. Gwen Moore (D-Wis.), who chairs the caucus,").
MAX_TOKENS_AFTER_SPEAKER = 25
#: A dash right after a closing mark, introducing a signature.
_SIGNATURE_DASH = re.compile(r"[ \t]*([―—–]|--?)[ \t]*")
#: Longest signature after the dash: a name and a short description ("Edwin G. Monroy, 27,
#: San Diego, California").
MAX_SIGNATURE_CHARS = 80
#: Tokens between a speech verb and the opening mark it introduces (``X said on Tuesday: “``).
MAX_TOKENS_BEFORE_OPEN = 12
#: A passage of fewer words than this, with no attribution and no closing punctuation inside
#: the marks, is a quoted term ("so-called “green corridor”"), not a statement.
MIN_STATEMENT_WORDS = 6
_CLOSING_PUNCT = tuple(".,!?…—-:;")


def _window(doc: Doc, start: int, end: int) -> SpacySpan | None:
    """The tokens at least partly inside the characters ``[start, end)``; None when there are
    none, also when the window runs backwards: a passage left open at the end of its
    paragraph ends on the line break, so the rest of its paragraph is empty."""
    if end <= start:
        return None
    return doc.char_span(start, end, alignment_mode="expand")


def _attribution_after(doc: Doc, close_at: int, limit_char: int) -> Token | None:
    window = _window(doc, close_at + 1, limit_char)
    if window is None:
        return None
    after: list[Token] = []
    for t in window:
        # The closing mark itself may be a token of two apostrophes starting at ``close_at``.
        if t.idx > close_at and not (t.idx == close_at + 1 and t.text in SINGLE_MARKS):
            after.append(t)
            if len(after) == MAX_TOKENS_AFTER_SPEAKER:
                break
    for n, tok in enumerate(after):
        if _is_mark(tok) or (tok.is_sent_start and tok.i > after[0].i):
            break
        if is_speech_verb(tok):
            if n < MAX_TOKENS_AFTER_CLOSE or _only_subject_between(after[:n], tok):
                return tok
            break
    return None


def _only_subject_between(between: Sequence[Token], verb: Token) -> bool:
    """Every word between a closing mark and a far-off verb belongs to the verb's subject
    (“…,” Rep. Gwen Moore (D-Wis.), a member of the caucus, said)."""
    subject = next((c for c in verb.children if c.dep_ in SUBJECT_DEPS), None)
    if subject is None:
        return False
    phrase = {t.i for t in subject.subtree}
    return all(t.i in phrase or t.is_punct for t in between)


def _attribution_before(doc: Doc, open_at: int, limit_char: int) -> Token | None:
    window = _window(doc, limit_char, open_at)
    if window is None:
        return None
    before: list[Token] = []  # the last words before the mark, read backwards
    for i in range(window.end - 1, window.start - 1, -1):
        t = doc[i]
        # The opening mark may be a token of two apostrophes ending at ``open_at + 1``.
        if t.idx + len(t) <= open_at and not t.is_space and not (
                t.idx + len(t) == open_at and t.text in SINGLE_MARKS):
            before.append(t)
            if len(before) == MAX_TOKENS_BEFORE_OPEN:
                break
    before.reverse()
    if not before:
        return None
    # Only an introducing clause counts: it ends right before the mark, with ":" or ",".
    last = before[-1]
    if last.text not in {":", ","} and not is_speech_verb(last):
        return None
    for tok in reversed(before):
        if tok.text in {".", "!", "?"} or _is_mark(tok):
            break
        if is_speech_verb(tok):
            return tok
    return None


def _introducing_paragraph(text: str, passage: QuotedSpan) -> int | None:
    """Where the paragraph before starts, when the passage opens its paragraph and the
    previous (non-empty) one ends with a colon."""
    i = passage.open_at - 1
    while i >= 0 and text[i] != "\n":
        if not text[i].isspace():
            return None  # words before the mark on its line
        i -= 1
    while i >= 0 and text[i].isspace():
        i -= 1
    if i < 0 or text[i] != ":":
        return None
    return text.rfind("\n", 0, i + 1) + 1


def _is_mark(token: Token) -> bool:
    """A double quotation mark, or two apostrophes written for one."""
    return token.text in DOUBLE_MARKS or token.text == "''"


def _ends_for_attribution(text: str, passage: QuotedSpan) -> bool:
    """A quote attributed after its closing mark ends in punctuation, inside the marks
    (“…,” she said) or right after them (“…”, she said); a quoted phrase followed by more of
    the sentence (“a decade of decline” at the council and said …) is not attributed there."""
    inside = text[passage.start_char:passage.end_char].rstrip()
    after = text[passage.close_at + 1:passage.close_at + 3].lstrip(" ")
    return inside.endswith(_CLOSING_PUNCT) or after[:1] in {",", "—", "–", ":"}


def _stands_alone(text: str, passage: QuotedSpan, content: str) -> bool:
    """An unattributed passage is a statement only when it is a sentence of its own: long
    enough, ending in punctuation, and opening a paragraph or following a finished sentence
    (not a fragment inside someone's reported speech)."""
    if word_count(content) < MIN_STATEMENT_WORDS or not content.rstrip().endswith(_CLOSING_PUNCT):
        return False
    i = passage.open_at - 1
    while i >= 0 and text[i] == " ":
        i -= 1
    return i < 0 or text[i] in "\n.!?…" or text[i] in DOUBLE_MARKS


def direct_quotes(doc: Doc, text: str, passages: Sequence[QuotedSpan], resolver: Resolver,
                  paragraph_starts: Sequence[int], *, check: Callable[[], None] = unbounded
                  ) -> tuple[list[Pending], set[int]]:
    """The direct quotes among ``passages`` (quoted passages of ``text``, the document's text
    with apostrophe pairs read as marks; ``paragraph_starts``, where its lines start), and the
    indices of the speech verbs that attribute them. ``check`` is called per passage."""
    pending: list[Pending] = []
    used_verbs: set[int] = set()

    for n, passage in enumerate(passages):
        check()
        content = text[passage.start_char:passage.end_char]
        next_open = passages[n + 1].open_at if n + 1 < len(passages) else len(text)
        prev_close = passages[n - 1].close_at + 1 if n > 0 else 0
        paragraph = bisect.bisect_right(paragraph_starts, passage.open_at) - 1
        # The first line break at or after the closing mark (a line starts after each).
        following = bisect.bisect_right(paragraph_starts, passage.close_at)
        paragraph_end = (paragraph_starts[following] - 1 if following < len(paragraph_starts)
                         else len(text))
        verb = None
        if _ends_for_attribution(text, passage):
            verb = _attribution_after(doc, passage.close_at, min(next_open, paragraph_end))
        if verb is None:
            verb = _attribution_before(
                doc, passage.open_at, max(prev_close, paragraph_starts[paragraph]))
        if verb is None and (intro := _introducing_paragraph(text, passage)) is not None:
            # X said:
            # “…”
            verb = _attribution_before(doc, passage.open_at, max(prev_close, intro))
        if verb is None and (signed := _signature(doc, text, passage, paragraph_end,
                                                    resolver)) is not None:
            dash, name = signed
            pending.append(Pending(passage.start_char, passage.end_char, "direct", dash, name,
                                   dash.start_char, paragraph=paragraph))
            continue
        if verb is None and not _stands_alone(text, passage, content):
            continue  # a quoted term, or a fragment inside reported speech (found below)
        pending.append(_direct_quote(doc, passage, verb, resolver, paragraph))
        if verb is not None:
            used_verbs.add(verb.i)

    return pending, used_verbs


def _signature(doc: Doc, text: str, passage: QuotedSpan, paragraph_end: int,
               resolver: Resolver) -> tuple[Span, Token] | None:
    """A quote signed with a dash and a name ending its paragraph (“…” ― Sonya Herridge, 34):
    the dash as the cue and the name's first word as the speaker."""
    match = _SIGNATURE_DASH.match(text, passage.close_at + 1, paragraph_end)
    if match is None or paragraph_end - match.end() > MAX_SIGNATURE_CHARS:
        return None
    at = match.end()
    named = resolver.covering(at, at + 1)
    if named is None or named.start_char != at or named.label != "PERSON":
        return None
    token = doc.char_span(at, named.end_char, alignment_mode="expand")
    if token is None or len(token) == 0:
        return None
    dash_at = match.start(1)
    return Span(dash_at, dash_at + len(match.group(1)), match.group(1)), token.root


def _direct_quote(doc: Doc, passage: QuotedSpan, verb: Token | None, resolver: Resolver,
                  paragraph: int) -> Pending:
    start, end = passage.start_char, passage.end_char
    if verb is None:
        return Pending(start, end, "direct", None, None, start, floating=True,
                       paragraph=paragraph)
    cue = Span(verb.idx, verb.idx + len(verb), verb.text)
    subject = subject_of(verb)
    if subject is not None and start <= subject.idx < end:
        subject = None  # a misparse: the quote's own "I" or "we" taken for the speaker
    if subject is None and not is_passive(verb):
        subject = _nearby_name(doc, verb, resolver)
    return Pending(start, end, "direct", cue, subject, verb.idx, paragraph=paragraph)


def _nearby_name(doc: Doc, verb: Token, resolver: Resolver) -> Token | None:
    """When the parse gives the verb no subject, the name or pronoun right next to it."""
    for tok in (doc[verb.i + 1:verb.i + 4]):
        if tok.lower_ in PRONOUN_PERSON | PRONOUN_GROUP or resolver.covering(
                tok.idx, tok.idx + len(tok)):
            return tok
    for tok in reversed(doc[max(verb.i - 4, 0):verb.i]):
        if tok.lower_ in PRONOUN_PERSON | PRONOUN_GROUP or resolver.covering(
                tok.idx, tok.idx + len(tok)):
            return tok
    return None

"""The order the quote rules run in: direct quotes, then reported speech (which may absorb
direct passages as the fragments of a mixed quote), then the speakers of all, in text order.

The document's text is built once here (``Doc.text`` joins every token, so building it in a
loop would make the rules quadratic in the length of the text) and handed to every rule."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from spacy.tokens import Doc

from newsmill.tasks.models import Mention, Quote
from newsmill.tasks.quotes.direct import direct_quotes
from newsmill.tasks.quotes.marks import find_quoted_spans, normalise_marks
from newsmill.tasks.quotes.pending import unbounded
from newsmill.tasks.quotes.reported import reported_speech
from newsmill.tasks.quotes.speakers import Resolver, resolve_speakers


def extract_quotes(doc: Doc, mentions: Sequence[Mention], *,
                   check: Callable[[], None] = unbounded) -> list[Quote]:
    """Every quote in ``doc``, direct ones first, in text order within each kind. ``check``
    is called as the rules go (per passage, sentence and quote): it may raise to stop them
    (a time limit)."""
    raw = doc.text
    # Apostrophe pairs read as quotation marks for every check on the text (same offsets).
    text = normalise_marks(raw)
    passages = find_quoted_spans(text, check=check)
    resolver = Resolver(doc, mentions, passages, text=raw)
    paragraph_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    pending, used_verbs = direct_quotes(doc, text, passages, resolver, paragraph_starts,
                                        check=check)
    reported, absorbed = reported_speech(doc, used_verbs, pending, paragraph_starts,
                                         text=raw, check=check)
    pending = [q for i, q in enumerate(pending) if i not in absorbed] + reported
    return resolve_speakers(doc, pending, resolver, check=check)

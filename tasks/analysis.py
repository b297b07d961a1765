"""One parsed document to its analysis: entities, then (in English) quotes.

The only place the chain "parsed ``Doc`` → mentions → quotes" is written: the batch, the
evaluations, the seed test and the sample gate all call :func:`analyse_document`, so what is
measured is what is loaded.
"""

from __future__ import annotations

from spacy.tokens import Doc

from newsmill.tasks import entities, quotes
from newsmill.tasks.models import Analysis, Span

#: Languages the quote rules are written for: they read English syntax and speech verbs.
QUOTE_LANGUAGES = frozenset({"en"})


def analyse_document(doc: Doc, document_id: str = "", *, dateline: Span | None = None,
                     language: str = "en") -> Analysis:
    """The mentions of ``doc`` and, for a language in :data:`QUOTE_LANGUAGES`, its quotes;
    offsets are into ``doc.text``. ``dateline``: the span of the place line the text opens
    with, if it has one (its place becomes a GPE)."""
    mentions = entities.extract_mentions(doc, dateline)
    if language not in QUOTE_LANGUAGES:
        return Analysis(document_id, mentions, [],
                        nlp_note="entities only: quote rules are English")
    return Analysis(document_id, mentions, quotes.extract_quotes(doc, mentions))

"""One parsed document to its analysis: entities, then (in English) quotes and the profile of
each speaker (gender and role, :mod:`newsmill.tasks.speaker_profile`).

The only place the chain "parsed ``Doc`` → mentions → quotes → speakers" is written: the batch, the
evaluations, the seed test and the sample gate all call :func:`analyse_document`, so what is
measured is what is loaded.

The rules can be given a :class:`Deadline`: they check it as they go (per span, passage,
token and quote) and stop with :class:`TooSlow`, a rejection, once it has passed, so that one
pathological text cannot hold up its batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from spacy.tokens import Doc

from newsmill.errors import Rejection
from newsmill.tasks import entities, quotes, speaker_profile
from newsmill.tasks.models import Analysis, Span

#: Languages the quote rules are written for: they read English syntax and speech verbs.
QUOTE_LANGUAGES = frozenset({"en"})


class TooSlow(Rejection):
    """The entity and quote rules of one document ran past their time limit."""

    def __init__(self, limit: float, elapsed: float) -> None:
        super().__init__("nlp", "too_slow",
                         f"the entity and quote rules were stopped after {elapsed:.1f} s, "
                         f"over the limit of {limit:g} s per document")
        self.limit = limit
        self.elapsed = elapsed


class Deadline:
    """A time limit of ``seconds`` from now, which the rule loops check cooperatively."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        if seconds <= 0:
            raise ValueError(f"a deadline must be a positive number of seconds, not {seconds}")
        self.seconds = seconds
        self.clock = clock
        self.started = clock()
        self.ends = self.started + seconds

    def check(self) -> None:
        """Raise :class:`TooSlow` once the time is up."""
        now = self.clock()
        if now > self.ends:
            raise TooSlow(self.seconds, now - self.started)


def _unbounded() -> None:
    """The check of an analysis with no deadline."""


def analyse_document(doc: Doc, document_id: str = "", *, dateline: Span | None = None,
                     language: str = "en", deadline: Deadline | None = None,
                     name_fallback: bool = False) -> Analysis:
    """The mentions of ``doc`` and, for a language in :data:`QUOTE_LANGUAGES`, its quotes
    and the profiles of their speakers; offsets are into ``doc.text``. ``dateline``: the
    span of the place line the text opens with, if it has one (its place becomes a GPE).
    ``name_fallback``: a person the text gives no gender evidence for takes their given
    name's (``NEWSMILL_SPEAKER_NAME_FALLBACK``). With a ``deadline``, raises
    :class:`TooSlow` when the rules run past it."""
    check = _unbounded if deadline is None else deadline.check
    mentions = entities.extract_mentions(doc, dateline, check=check)
    if language not in QUOTE_LANGUAGES:
        return Analysis(document_id, mentions, [],
                        nlp_note="entities only: quote rules are English")
    found = quotes.extract_quotes(doc, mentions, check=check)
    speakers = speaker_profile.profile_speakers(doc, mentions, found,
                                                name_fallback=name_fallback, check=check)
    return Analysis(document_id, mentions, found, speakers=speakers)

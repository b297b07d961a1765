"""What the two finders (direct quotes, reported speech) hand on to speaker resolution, and
the ``check`` every rule loop calls when no time limit is set."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Token

from newsmill.tasks.models import QuoteKind, Span


@dataclass(frozen=True)
class Pending:
    """A quote found but not yet given its speaker: speakers are resolved in text order, so
    that a pronoun can take the previous quote's speaker."""

    start_char: int
    end_char: int
    kind: QuoteKind
    cue: Span | None
    subject: Token | None
    #: Where the quote stands in the text's order of attribution: its cue, else its start.
    position: int
    #: A direct passage with no attribution of its own, which takes the previous speaker.
    floating: bool = False
    paragraph: int = 0


def word_count(text: str) -> int:
    """How many words (runs of word characters) ``text`` has."""
    return len(re.findall(r"\w+", text))


def unbounded() -> None:
    """The ``check`` of rules run with no time limit: never stops them."""

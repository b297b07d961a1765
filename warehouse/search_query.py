"""A search query as people type it: words, "phrases", ``OR``, ``-word``.

Parsed here, without the warehouse (the CLI checks a query before opening one, and its help
quotes :data:`SYNTAX`); ``newsmill.warehouse.search`` finds what it asks for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsmill.errors import NewsmillError

#: What a query may hold, as ``newsmill search --help`` and a refused query say it.
SYNTAX = ('Words are all required (any form: strike finds striking); "a phrase" in double '
          'quotes needs its words in that order; a OR b needs either (OR in capitals); -word '
          'or -"a phrase" leaves out documents holding it. Case, accents, punctuation and '
          'common words (the, of, …) are ignored.')


class QueryError(NewsmillError, ValueError):
    """A query that asks for nothing: empty, only exclusions, or only common words."""


@dataclass(frozen=True)
class Part:
    """One thing a query asks for: a word (``phrase`` False; a hyphenated or punctuated word
    such as ``port-strike`` is its words, all required) or a quoted phrase."""

    text: str
    phrase: bool = False


@dataclass(frozen=True)
class Query:
    """A parsed query: every clause is required, and one of its parts satisfies it (the parts
    of ``a OR b``); a document holding any ``excluded`` part is left out."""

    clauses: tuple[tuple[Part, ...], ...]
    excluded: tuple[Part, ...] = ()


#: A query's tokens: a quoted phrase (ASCII double quotes: the index keeps typographic ones as
#: part of the word they touch, as fts does), else a run of anything but spaces and quotes.
_TOKEN = re.compile(r'(?P<neg>-?)"(?P<phrase>[^"]*)(?:"|$)|(?P<word>[^\s"]+)')
def parse_query(text: str) -> Query:
    """``text`` read as :data:`SYNTAX` says; a QueryError when it asks for nothing.

    >>> parse_query('"port strike" OR lockout -Felixstowe').clauses
    ((Part(text='port strike', phrase=True), Part(text='lockout', phrase=False)),)
    """
    clauses: list[list[Part]] = []
    excluded: list[Part] = []
    join_next = False
    for match in _TOKEN.finditer(text):
        word = match["word"]
        if word == "OR":
            join_next = bool(clauses)  # a leading or doubled OR joins nothing
            continue
        if word is not None and word.startswith("-") and len(word) > 1:
            excluded.append(Part(word[1:]))
            join_next = False
            continue
        if word is not None:
            part = Part(word)
        else:
            if not match["phrase"].strip():
                continue  # "" asks for nothing
            part = Part(match["phrase"].strip(), phrase=True)
            if match["neg"]:
                excluded.append(part)
                join_next = False
                continue
        if join_next:
            clauses[-1].append(part)
        else:
            clauses.append([part])
        join_next = False
    if not clauses:
        what = "only words to leave out" if excluded else "nothing to look for"
        raise QueryError(f"the query holds {what}: {SYNTAX}")
    return Query(tuple(tuple(c) for c in clauses), tuple(excluded))

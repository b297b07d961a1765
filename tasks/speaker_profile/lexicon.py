"""The words the speaker profile reads: gendered pronouns, gendered nouns, and the lexicon of
role categories.

The long lists are resource files written for newsmill (``resources/gendered_nouns.txt``,
``resources/role_categories.txt``); the honorifics are those of :mod:`newsmill.tasks.names`,
which entity consolidation and the quote rules read too.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

#: Pronouns that refer to one person, with the gender each tells.
GENDERED_PRONOUNS: dict[str, str] = {
    "he": "male", "him": "male", "his": "male", "himself": "male",
    "she": "female", "her": "female", "hers": "female", "herself": "female",
}
#: The role categories, in the order the documentation lists them ("unknown" last).
CATEGORIES = ("government and politics", "business", "academia and experts",
              "law enforcement and courts", "civil society and unions", "sport and culture",
              "members of the public", "unknown")
#: The lexicon's section of words that decide no category themselves.
CONTEXT = "context"
#: Longest lexicon entry, in words.
MAX_ENTRY_WORDS = 4


def _read(name: str) -> str:
    return resources.files("newsmill.tasks").joinpath("resources", name).read_text("utf-8")


@cache
def gendered_nouns() -> dict[str, str]:
    """``{lowercase noun: "female" or "male"}`` from ``resources/gendered_nouns.txt``."""
    genders = {"f": "female", "m": "male"}
    found: dict[str, str] = {}
    for line in _read("gendered_nouns.txt").splitlines():
        key, sep, words = line.partition(":")
        if sep and key in genders and not line.startswith("#"):
            found.update((word, genders[key]) for word in words.split())
    return found


@cache
def role_lexicon() -> dict[tuple[str, ...], str]:
    """``{entry as lowercase words: category}`` from ``resources/role_categories.txt``
    (the :data:`CONTEXT` section's entries map to :data:`CONTEXT`). An entry listed under
    two sections keeps the first."""
    lexicon: dict[tuple[str, ...], str] = {}
    for line in _read("role_categories.txt").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        category, sep, entries = line.partition(":")
        category = category.strip()
        if not sep or (category not in CATEGORIES and category != CONTEXT):
            raise ValueError(f"role_categories.txt: unknown section {category!r}")
        for entry in entries.split(","):
            words = tuple(words_of(entry))
            if words:
                lexicon.setdefault(words, category)
    return lexicon


_WORD = re.compile(r"[\w-]+")
_POSSESSIVE = re.compile(r"[’']s?$")


def words_of(text: str) -> list[str]:
    """Lowercase words of ``text``, possessive endings dropped ("Everton’s" → "everton")."""
    return [_POSSESSIVE.sub("", w) for w in _WORD.findall(text.replace("’s", "").replace(
        "'s", "").casefold())]

"""Parts of names that several stages read: the titles written before a person's name, and
the initials an acronym is made of.

Entity consolidation trims titles from person spans ("Councillor Gareth Penhaligon" → "Gareth
Penhaligon") and links an acronym to the long name whose initials it spells; the quote rules
skip titles when looking for the given name that tells a person's gender, and read an
honorific before a name for the gender it tells ("Mrs. Clinton"); the quote evaluation
matches an acronym to a long name by the same initials.
"""

from __future__ import annotations

import re

#: Courtesy titles, lowercased, with the gender each tells before a name ("" if none).
HONORIFICS: dict[str, str] = {
    "mr": "m", "mrs": "f", "ms": "f", "miss": "f", "mx": "", "sir": "m", "dame": "f",
    "lord": "m", "lady": "f", "madam": "f", "dr": "", "prof": "", "professor": "",
}
#: The honorifics that tell a gender.
GENDERED_HONORIFICS: dict[str, str] = {
    title: gender for title, gender in HONORIFICS.items() if gender}
#: Words of the titles of office, rank and role that news copy writes before a name,
#: lowercased, abbreviations without their full stop ("Transport Secretary Oliver Stannard",
#: "Lt Col", "former Vice President", "Sen. Tim Kaine").
OFFICE_WORDS = frozenset({
    # offices and roles
    "president", "prime", "minister", "secretary", "chancellor", "mayor", "governor", "gov",
    "senator", "sen", "rep", "representative", "speaker", "leader", "councillor", "cllr",
    "commissioner", "ambassador", "judge", "justice", "chief", "inspector", "detective",
    "officer", "chairman", "chairwoman", "chair", "coach", "manager",
    # the portfolio in front of "Secretary" or "Minister"
    "transport", "health", "foreign", "home", "finance", "defence", "defense", "education",
    "interior", "economy", "business", "environment", "culture",
    # military and police ranks
    "general", "gen", "colonel", "col", "captain", "capt", "lt", "sergeant", "sgt",
    # church and crown
    "rev", "father", "sister", "bishop", "pope", "king", "queen", "prince", "princess",
    # words that qualify the title after them
    "former", "vice", "deputy",
})
#: Every word that opens a person's name as (part of) a title rather than a given name.
TITLE_WORDS = frozenset(HONORIFICS) | OFFICE_WORDS


def is_title(word: str) -> bool:
    """``word`` (lowercased) is a title word, or an honorific written with its full stop
    ("mr.", "dr."). An office abbreviated with a full stop ("sen.", "gen.") does not count:
    entity consolidation has always kept those, and trimming them too is a change to be
    measured on its own."""
    return word in TITLE_WORDS or (word.endswith(".") and word[:-1] in HONORIFICS)


#: Words an acronym leaves out ("Bank of England" → BoE, "Banque de France" → BdF).
ACRONYM_STOPWORDS = frozenset({"of", "the", "and", "for", "in", "on", "de", "du", "des", "la",
                               "le", "et", "&"})


def initials(name: str) -> str:
    """The first letters, capitalised, of a name's words split at spaces and hyphens, leaving
    out :data:`ACRONYM_STOPWORDS` and words that do not open with a letter ("Collective
    Security Treaty Organization" → "CSTO", "Coca-Cola" → "CC")."""
    words = [w for w in re.split(r"[\s\-]+", name) if w and w.lower() not in ACRONYM_STOPWORDS]
    return "".join(w[0] for w in words if w[0].isalpha()).upper()

"""Who is quoted: each speaker's gender and role, from what the article itself says.

For every entity a document's quotes resolve to, :func:`profile_speakers` builds a
:class:`~newsmill.tasks.models.SpeakerProfile`:

* **gender** from the text's own evidence (:mod:`.gender`: pronouns coreferent with the
  person, honorifics, gendered nouns), decided by :func:`.gender.decide` — one side only, or
  one side with at least 3 times the other's pieces and at least 2 of them; anything else is
  ``unknown``. Organisations, places and groups are never gendered (method
  ``not-a-person``). The method that decided it (``pronoun``, ``honorific``, ``noun``) and
  its measured confidence (:data:`GENDER_CONFIDENCE`) are kept with the counts;
* **a first-name list only as an explicit fallback** (``name_fallback``, the setting
  ``NEWSMILL_SPEAKER_NAME_FALLBACK``, off by default): a person the text gives *no* evidence
  for takes the gender of their given name in ``resources/first_names.txt``, with method
  ``first-name`` and its own confidence; conflicting text evidence is never overruled by a
  name, and the name is never counted as evidence;
* **role and affiliation** (:mod:`.roles`): the title or apposition the article gives, the
  organisation it names, and a coarse category from ``resources/role_categories.txt``.

Pure functions over a parsed ``Doc``, its mentions and its quotes; tests build the ``Doc`` by
hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from spacy.tokens import Doc

from newsmill.tasks.models import Gender, GenderEvidence, Mention, Quote, SpeakerProfile
from newsmill.tasks.names import TITLE_WORDS
from newsmill.tasks.quotes.lexicon import first_name_genders
from newsmill.tasks.quotes.marks import find_quoted_spans
from newsmill.tasks.speaker_profile.gender import (
    QuotedRegions,
    count_evidence,
    decide,
    deciding_method,
)
from newsmill.tasks.speaker_profile.lexicon import CATEGORIES
from newsmill.tasks.speaker_profile.roles import RoleFinder, categorise

__all__ = ["CATEGORIES", "GENDER_CONFIDENCE", "categorise", "decide", "name_gender",
           "profile_speakers"]

#: How often each way of deciding a speaker's gender was right, measured against the silver
#: truth of 300 articles of PolNeAR's train split (``newsmill eval speakers``, small model):
#: honorific 143/143 (stored as 0.99: no rule is certain), pronoun 264/271, noun 13/14, and
#: the first-name fallback 49/52 (against the silver truth without its name check, which
#: would favour the list). Stored with each profile as ``gender_confidence``; None: no
#: gender was given.
GENDER_CONFIDENCE: dict[str, float | None] = {
    "honorific": 0.99,
    "pronoun": 0.97,
    "noun": 0.93,
    "first-name": 0.94,
    "conflicting": None,
    "no-evidence": None,
    "not-a-person": None,
}
#: Labels of speakers that are people; every other speaker is an organisation, a place or a
#: group, and is never gendered.
PERSON = "PERSON"


def _unbounded() -> None:
    """The ``check`` of a profile built with no time limit."""


def name_gender(canonical: str) -> Gender | None:
    """The gender ``resources/first_names.txt`` gives the given name opening ``canonical``
    (titles skipped), for a name of at least two words; None when the list does not know
    it."""
    words = [w for w in re.findall(r"[\w'-]+", canonical) if w.lower() not in TITLE_WORDS]
    if len(words) < 2:
        return None
    found = first_name_genders().get(words[0])
    return None if found is None else ("female" if found == "f" else "male")


def _organisation_category(phrase: str) -> str:
    """The category an organisation's name or role phrase gives it; an organisation is never
    one of the members of the public ("United Tech Workers" is a union)."""
    category = categorise(phrase)
    return "unknown" if category == "members of the public" else category


def profile_speakers(doc: Doc, mentions: Sequence[Mention], quotes: Sequence[Quote], *,
                     name_fallback: bool = False, text: str | None = None,
                     check: Callable[[], None] = _unbounded) -> list[SpeakerProfile]:
    """One profile per speaker entity of ``quotes``, in the order they first speak.
    ``text``: the document's text, if the caller has it (``Doc.text`` joins every token)."""
    speakers: dict[tuple[str, str], int] = {}
    for q in quotes:
        if q.speaker_canonical and q.speaker_label:
            key = (q.speaker_canonical, q.speaker_label)
            speakers[key] = speakers.get(key, 0) + 1
    if not speakers:
        return []
    text = doc.text if text is None else text
    passages = [(p.start_char, p.end_char) for p in find_quoted_spans(text, check=check)]
    evidence = count_evidence(doc, text, mentions, quotes, passages, check=check)
    inside = QuotedRegions(passages)
    roles = RoleFinder(doc, mentions, text=text)
    by_entity: dict[tuple[str, str], list[Mention]] = {}
    for m in sorted(mentions, key=lambda m: m.start_char):
        if (m.canonical, m.label) in speakers and not inside(m.start_char):
            by_entity.setdefault((m.canonical, m.label), []).append(m)
    profiles = []
    for (canonical, label), count in speakers.items():
        check()
        own = by_entity.get((canonical, label), [])
        role = roles.find(own)
        if label == PERSON:
            found = evidence.get(canonical, GenderEvidence())
            gender = decide(found.female, found.male)
            method = deciding_method(found, gender)
            by_name = name_gender(canonical) if name_fallback else None
            if by_name is not None and method == "no-evidence":
                gender, method = by_name, "first-name"
        else:
            found, gender, method, by_name = GenderEvidence(), "unknown", "not-a-person", None
        affiliation = role.affiliation if role else None
        if label != PERSON:
            category = _organisation_category(canonical)
            if category == "unknown" and role is not None and role.span is not None:
                category = _organisation_category(role.span.text)
            if category == "unknown" and label == "GPE":
                category = "government and politics"
        elif role is None:
            category = "unknown"
        elif role.method == "age":
            category = "members of the public"
        else:
            assert role.span is not None
            category = categorise(role.span.text,
                                  [affiliation.canonical] if affiliation else ())
        profiles.append(SpeakerProfile(
            canonical=canonical, label=label, quotes=count, evidence=found, gender=gender,
            gender_method=method, gender_confidence=GENDER_CONFIDENCE[method],
            name_gender=by_name, role=role.span if role else None,
            role_method=role.method if role else None, role_category=category,
            affiliation_canonical=affiliation.canonical if affiliation else None,
            affiliation_label=affiliation.label if affiliation else None))
    return profiles

"""Who said what: direct quotes from quotation marks, indirect and mixed quotes from speech
verbs in spaCy's parse, and speakers resolved to the document's entities.

Works on a parsed ``Doc`` plus the document's consolidated mentions; tests build the ``Doc``
by hand (words, heads, deps) so no model is needed. Rules, in order:

* direct: each quoted passage (:mod:`.marks`; two apostrophes count as a mark) whose
  attribution is a speech verb right after the closing mark (``“…,” said X`` / ``“…,” X
  told``, the speaker phrase up to 25 words long), before the opening mark (``X said: “…”``,
  also from the end of the paragraph above), or a signature (``“…” ― Name``); a passage with
  none is *floating* and takes the previous quote's speaker when it stands in the same or the
  next paragraph; a short passage with no attribution and no closing punctuation is a scare
  quote (a term), not a statement;
* indirect: a speech verb with a clausal complement (``X said that …``), the complement being
  the content without the writer's trailing asides; a reporting verb's noun object
  (``denied any involvement``), also of "cite" and "mention"; what "call" names or asks for
  (``called the plan “a disaster”``, ``called for a recount``); ``according to X`` (in the
  middle of a sentence, the longer side); *mixed* when the content contains a quoted
  fragment, the fragment then being no quote of its own;
* parenthetical: ``The alliance, he said, remains …`` — the whole sentence is the content;
* speakers, resolved in text order: the verb's subject (for ``…, saying that …`` or ``after
  saying …``, the subject of the verb it hangs from; for a passive, its agent or nobody); a
  surname the model missed, the person named by it before; a report, its author;
  he/she a person agreeing in gender, preferring the previous quote's speaker; it/they the
  organisation or place named before; each with the method used and its measured confidence.

Modules: :mod:`.lexicon` (speech verbs, given names, pronouns and role nouns), :mod:`.marks`
(pairing quotation marks), :mod:`.direct` (direct quotes), :mod:`.reported` (reported
speech), :mod:`.speakers` (subjects and speaker resolution), :mod:`.pending` (what the finders
hand to resolution) and :mod:`.core` (:func:`extract_quotes`, the order they run in).
"""

from __future__ import annotations

from newsmill.tasks.quotes.core import extract_quotes
from newsmill.tasks.quotes.direct import MIN_STATEMENT_WORDS
from newsmill.tasks.quotes.lexicon import speech_verbs
from newsmill.tasks.quotes.speakers import CONFIDENCE, entity_genders

__all__ = ["CONFIDENCE", "MIN_STATEMENT_WORDS", "entity_genders", "extract_quotes",
           "speech_verbs"]

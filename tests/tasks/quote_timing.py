"""Seconds the quote stage takes over one long transcript (run by hand):

    .venv/bin/python tests/tasks/quote_timing.py 60000 120000 1000000

For each size it generates a hearing transcript of that many characters (speakers, direct
and reported speech, pronouns), parses it once with the configured spaCy pipeline, finds its
entity mentions, and times ``quotes.extract_quotes`` alone (the best of three runs below
200,000 characters, one run above). A 1,000,000-character parse takes about 3.8 GB.
"""

from __future__ import annotations

import random
import sys
import time

from newsmill.settings import Settings
from newsmill.tasks.entities import extract_mentions
from newsmill.tasks.nlp import load_pipeline
from newsmill.tasks.quotes import extract_quotes

NAMES = ("Amara Okafor", "Tomas Lindqvist", "Ingrid Moreau", "Kwame Haddad", "Lucia Brennan",
         "Rafael Nakamura", "Priya Kowalski", "Daniel Ferreira", "Helena Sato", "Jonas Rahman")


def transcript(chars: int, seed: int = 60) -> str:
    """A hearing transcript of about ``chars`` characters."""
    rng = random.Random(seed)
    paragraphs: list[str] = ["Transcript of the harbour committee's public hearing"]
    total = 0
    while total < chars:
        name = rng.choice(NAMES)
        surname = name.split()[-1]
        n = rng.randint(2, 90)
        paragraph = rng.choice((
            f"\u201cWe have had no answer from the council for {n} weeks,\u201d said {name}, "
            f"speaking for the residents. \u201cWe will keep asking until we get one.\u201d",
            f"{name} told the hearing that the plan was \u201cnot finished\u201d and that it "
            f"would be reviewed again in {n} days.",
            f"Asked whether the deadline would hold, {surname} said: \u201cIt will, if the "
            f"money arrives on time.\u201d She added that {n} jobs depended on it.",
            f"According to {name}, the dredging had already cost {n} million pounds.",
            f"{surname} denied any involvement in the delays, saying the contractor had "
            f"missed {n} deadlines.",
            f"The chair, {name}, asked the witnesses to keep their answers short. \u201cWe "
            f"have {n} more questions,\u201d {surname} said.",
        ))
        paragraphs.append(paragraph)
        total += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:chars]


def main(sizes: list[int]) -> None:
    nlp, info = load_pipeline(Settings.from_env().spacy_model)
    print(f"{info.name} {info.version}", flush=True)
    for chars in sizes:
        text = transcript(chars)
        nlp.max_length = max(nlp.max_length, len(text) + 1)
        started = time.perf_counter()
        doc = nlp(text)
        parsed = time.perf_counter() - started
        mentions = extract_mentions(doc, None)
        best = float("inf")
        for _ in range(3 if chars < 200_000 else 1):
            started = time.perf_counter()
            found = extract_quotes(doc, mentions)
            best = min(best, time.perf_counter() - started)
        print(f"{len(text):>9,} characters {len(doc):>8,} tokens: parse {parsed:6.1f} s, "
              f"quote stage {best:6.2f} s ({len(found):,} quotes)", flush=True)
        del doc


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [60_000, 120_000, 1_000_000])

"""Generated news articles for the crash test and the NLP measurements: plain text with
people, organisations, places and quotes, each article different, the same for one seed.
Nothing is downloaded."""

from __future__ import annotations

import random
from html import escape
from pathlib import Path

FIRST = ("Amara", "Tomas", "Ingrid", "Kwame", "Lucia", "Rafael", "Mei", "Oskar", "Priya",
         "Daniel", "Helena", "Jonas", "Fatima", "Marcus", "Elena", "Samuel", "Yusuf", "Clara")
LAST = ("Okafor", "Lindqvist", "Moreau", "Castellano", "Haddad", "Brennan", "Nakamura",
        "Van der Berg", "Achebe", "Kowalski", "Ferreira", "Sato", "Rahman", "Whitfield")
ORGS = ("the Harbour Authority", "Northgate Rail", "the Meridian Bank", "Coastal Energy",
        "the Ministry of Transport", "Arden University", "the Fishermen's Union",
        "Blackwater Logistics", "the City Council", "Solent Water")
PLACES = ("Portsmouth", "Bristol", "Leeds", "Glasgow", "Cardiff", "Belfast", "Norwich",
          "Plymouth", "Aberdeen", "Hull")
TOPICS = ("the port strike", "the new tram line", "the budget cuts", "the flood defences",
          "the hospital merger", "the bus timetable", "the housing plan", "the wind farm")
VERBS = ("said", "told reporters", "added", "warned", "explained")


def article(seed: int) -> str:
    """One article (about 1,500–2,500 characters) made from ``seed``."""
    rng = random.Random(seed)
    people = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(3)]
    org, place, topic = rng.choice(ORGS), rng.choice(PLACES), rng.choice(TOPICS)
    surname = [p.split()[-1] for p in people]
    paragraphs = [
        f"{place.upper()} — Talks over {topic} resumed on day {seed} of the dispute, "
        f"with {org} and local groups meeting at the town hall in {place}.",
        f"\u201cWe have waited {rng.randint(2, 40)} weeks for a straight answer,\u201d said "
        f"{people[0]}, who chairs the residents' group. \u201cNobody is listening to us.\u201d",
        f"{people[1]}, a spokesperson for {org}, said that the plan would cost "
        f"{rng.randint(3, 900)} million pounds and would be reviewed in the spring.",
        f"According to {people[2]}, the delays had already cost local firms "
        f"{rng.randint(10, 500)} jobs since the start of the year.",
        f"\u201cThis is not the end of it,\u201d {surname[0]} {rng.choice(VERBS)}. "
        f"\u201cWe will be back here on Monday, and the Monday after that.\u201d",
        f"{surname[1]} told the meeting that {org} had \u201cno intention of walking away\u201d "
        f"and that a decision on {topic} was expected within {rng.randint(2, 12)} weeks.",
        f"Councillor {rng.choice(FIRST)} {rng.choice(LAST)} said the town could not afford "
        f"another winter like the last. Reference {seed}-{rng.randint(1000, 9999)}.",
    ]
    rng.shuffle(paragraphs[2:])
    return f"{topic.capitalize()}: {place} waits for an answer\n\n" + "\n\n".join(paragraphs)


def as_html(text: str) -> str:
    """The article as a small web page: its first line the headline, the rest paragraphs."""
    title, *paragraphs = [p for p in text.split("\n\n") if p]
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{escape(title)}"
            f"</title></head><body><nav><a href=\"/\">Home</a></nav><article>"
            f"<h1>{escape(title)}</h1>\n{body}</article><footer>The Crash Courier</footer>"
            f"</body></html>")


#: Every this many articles, one is written as a web page (so extraction's worker runs).
HTML_EVERY = 4


def write_corpus(folder: Path, count: int, *, first_seed: int = 0) -> list[Path]:
    """``count`` articles in ``folder`` (made if missing): text files, and every
    :data:`HTML_EVERY`-th a web page."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        seed = first_seed + i
        if seed % HTML_EVERY == 0:
            path = folder / f"article-{seed:05d}.html"
            path.write_text(as_html(article(seed)), encoding="utf-8")
        else:
            path = folder / f"article-{seed:05d}.txt"
            path.write_text(article(seed), encoding="utf-8")
        paths.append(path)
    return paths


def long_text(chars: int, seed: int = 0) -> str:
    """About ``chars`` characters of articles one after another (a transcript-like text)."""
    parts: list[str] = []
    total, i = 0, 0
    while total < chars:
        parts.append(article(seed + i))
        total += len(parts[-1]) + 2
        i += 1
    return "\n\n".join(parts)[:chars]

"""Near-duplicate detection, measured on copies made from the sample corpus.

Each English sample article gets a "syndicated copy" the way wire copies differ: a new
headline line, the last two paragraphs trimmed, a credit line added. Every copy must be found
(recall) and no two different articles may be joined (precision) — including the two
independent reports of the same dock strike, the corpus's near miss.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsmill.tasks import duplicates, extract, normalise
from newsmill.tasks.duplicates import (
    NEAR_DUPLICATE_JACCARD,
    Stored,
    band_keys,
    find_near_duplicates,
    signature,
    similarity,
)
from newsmill.tasks.fetch import read_file
from newsmill.tasks.models import Source

NEAR_MISS = ("harbour-gazette-port-strike.html", "northern-ledger-dock-strike.html")
SYNDICATED = ("northern-ledger-rate-decision.html", "daily-compass-rate-cut-syndicated.html")


def _texts(corpus: Path) -> dict[str, str]:
    texts = {}
    for path in sorted(corpus.iterdir()):
        try:
            raw = read_file(Source(str(path), "file"), max_bytes=10_000_000)
            doc = normalise.normalise(extract.extract(raw), min_chars=0, max_chars=10**7)
        except Exception:  # the broken and empty fixtures
            continue
        if doc.language == "en":
            texts[path.name] = doc.clean_text
    return texts


def _wire_copy(text: str) -> str:
    paragraphs = text.split("\n")
    kept = paragraphs[:-2] if len(paragraphs) > 4 else paragraphs[:-1]
    return "\n".join(["A different headline for the wire copy", *kept,
                      "(Reporting by the wire service; editing by its desk)"])


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return _texts(Path(__file__).resolve().parents[2] / "samples" / "corpus")


def test_wire_copies_are_found_and_different_stories_are_not(texts: dict[str, str]) -> None:
    originals = {name: signature(text) for name, text in texts.items()}
    copies = {name: signature(_wire_copy(text)) for name, text in texts.items()}
    found = sum(similarity(originals[n], copies[n]) >= NEAR_DUPLICATE_JACCARD for n in texts)
    pairs = [(a, b) for a, b in itertools.combinations(sorted(originals), 2)
             if {a, b} != set(SYNDICATED)]
    joined = [(a, b) for a, b in pairs
              if similarity(originals[a], originals[b]) >= NEAR_DUPLICATE_JACCARD]
    recall, false_pairs = found / len(texts), len(joined)
    print(f"\nnear-duplicates on {len(texts)} wire copies: recall {recall:.2f}; "
          f"{false_pairs} of {len(pairs)} different-story pairs joined")
    assert recall == 1.0
    assert joined == []


def test_the_corpus_syndicated_copy_and_near_miss(texts: dict[str, str]) -> None:
    original, copy = (signature(texts[name]) for name in SYNDICATED)
    assert similarity(original, copy) >= NEAR_DUPLICATE_JACCARD
    a, b = (signature(texts[name]) for name in NEAR_MISS)
    assert similarity(a, b) < 0.1


def test_copies_share_a_band(texts: dict[str, str]) -> None:
    original, copy = (signature(texts[name]) for name in SYNDICATED)
    assert set(enumerate(band_keys(original))) & set(enumerate(band_keys(copy)))
    assert len(band_keys(original)) == duplicates.BANDS


#: Run in a fresh interpreter: the signature and band keys of the text on stdin, and what that
#: interpreter's str hash() makes of a word (to show it is not this process's).
ELSEWHERE = """
import json, sys
from newsmill.tasks.duplicates import band_keys, signature
sig = signature(sys.stdin.read())
print(json.dumps({"signature": [int(v) for v in sig], "bands": band_keys(sig),
                  "hash": hash("newsmill")}))
"""


def test_the_same_text_has_the_same_signature_in_another_process(texts: dict[str, str]
                                                                 ) -> None:
    text = texts[SYNDICATED[0]]
    seed = "1" if os.environ.get("PYTHONHASHSEED") != "1" else "2"
    done = subprocess.run(
        [sys.executable, "-c", ELSEWHERE], input=text, capture_output=True, check=True,
        encoding="utf-8", timeout=120,
        env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONIOENCODING": "utf-8"})
    there = json.loads(done.stdout)
    assert there["hash"] != hash("newsmill")  # another process, with other str hashes
    here = signature(text)
    assert there["signature"] == [int(v) for v in here]
    assert there["bands"] == band_keys(here)


def test_stories_chain_to_their_first_document() -> None:
    text = " ".join(f"word{i}" for i in range(300))
    first = signature(text)
    stored = [Stored("first", first, None)]
    verdicts = find_near_duplicates(
        [("copy", signature(text + " extra words at the end")),
         ("copy-of-copy", signature(text + " extra words at the end and more")),
         ("other", signature(" ".join(f"other{i}" for i in range(300))))],
        stored,
    )
    by_id = {v.document_id: v for v in verdicts}
    assert by_id["copy"].duplicate_of == "first"
    assert by_id["copy-of-copy"].duplicate_of == "first"  # the story's root, not the copy
    assert by_id["other"].duplicate_of is None
    assert by_id["copy"].similarity is not None and by_id["copy"].similarity > 0.9


def test_empty_text_has_a_signature() -> None:
    assert signature("").shape == (duplicates.PERMUTATIONS,)

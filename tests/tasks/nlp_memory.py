"""Peak memory of spaCy's parse against the length of the text (run by hand).

    .venv/bin/python tests/tasks/nlp_memory.py 100000 200000 400000

Each size is parsed in a fresh process; it prints the peak resident memory above the loaded
pipeline's and the bytes per character, the figure ``tasks.nlp`` estimates a text's parse
memory with.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "crash"))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(chars: int) -> dict[str, float]:
    """Parse one generated text of ``chars`` characters here; the peak above the model's."""
    from crash_corpus import long_text

    from newsmill.settings import Settings
    from newsmill.tasks.nlp import load_pipeline

    nlp, _info = load_pipeline(Settings.from_env().spacy_model)
    nlp.max_length = max(nlp.max_length, chars + 1)
    list(nlp.pipe([long_text(2000, seed=99)]))
    text = long_text(chars)
    base = _peak_mb()
    doc = next(iter(nlp.pipe([text])))
    peak = _peak_mb()
    return {"chars": chars, "tokens": len(doc), "base_mb": base, "peak_mb": peak,
            "bytes_per_char": (peak - base) * 1024 * 1024 / chars}


def main(sizes: list[int]) -> None:
    for chars in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(chars)], check=True,
                             capture_output=True, text=True).stdout
        row = json.loads(out.splitlines()[-1])
        print(f"{row['chars']:>9,} chars {row['tokens']:>8,} tokens  model {row['base_mb']:.0f} MB"
              f"  parse +{row['peak_mb'] - row['base_mb']:.0f} MB"
              f"  {row['bytes_per_char']:.0f} bytes/char", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(measure(int(sys.argv[2]))))
    else:
        main([int(a) for a in sys.argv[1:]] or [100_000, 200_000, 400_000])

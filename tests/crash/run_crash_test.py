"""The crash test at full size, by hand:

    .venv/bin/python tests/crash/run_crash_test.py --documents 300 --kills 10

Generates the documents, runs ``newsmill ingest`` once cleanly, then again into another
warehouse killed (SIGKILL to its whole process group) at ``--kills`` moments, re-runs it until
a run completes, compares the two warehouses, and prints what happened and any difference.
Exits 1 when it found a problem. ``tests/crash/test_crash.py`` runs a small one in CI.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crash_run import crash_test


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=20)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--work", type=Path, default=None,
                        help="folder to work in (emptied first); default a temporary one")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="newsmill-crash-")) / "work"
    outcome = crash_test(work, args.documents, args.kills, batch_size=args.batch_size,
                         seed=args.seed)
    phases = Counter(a.phase for a in outcome.kills)
    reruns = len(outcome.attempts) - 1
    print(f"\n{outcome.documents} documents; clean run {outcome.clean_seconds:.1f} s")
    print(f"{len(outcome.kills)} kills: " + ", ".join(f"{p} {n}" for p, n in phases.items()))
    print(f"{len(outcome.attempts)} runs after the clean one ({reruns} re-runs after the "
          f"first), {outcome.seconds:.1f} s in all; work folder {work}")
    for note in outcome.notes:
        print(f"note: {note}")
    for problem in outcome.problems:
        print(f"PROBLEM: {problem}")
    print("no difference from the clean run" if not outcome.problems
          else f"{len(outcome.problems)} problems")
    return 1 if outcome.problems else 0


if __name__ == "__main__":
    sys.exit(main())

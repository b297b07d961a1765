"""What newsmill's extract stage costs against one trafilatura pass per page.

Each way of extracting runs in a fresh Python process (so no way inherits the caches another
filled), is warmed up on one small page (imports, the worker's start), then reads every page of
a benchmark folder once; its cost is the CPU seconds of its process tree over those pages:

* ``trafilatura``: ``trafilatura.extract(html, url=url, with_metadata=True)`` per page;
* ``in-process``: newsmill's ``tasks.extract.extract`` per page (decoding, metadata, body);
* ``worker``: the same through the bounded extraction worker, the pages sent as a batch does;
* ``worker-per-page``: through the worker one page per round trip (as before chunking).

``python -m newsmill.evaluation.extraction_cost WAY FOLDER`` measures one way and prints its
seconds; :func:`measure` runs them all and :func:`format_cost` prints the table.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

WAYS = ("trafilatura", "in-process", "worker", "worker-per-page")
_WARM_UP = (b"<html><head><title>Warm-up</title></head><body><article>"
            + b"".join(b"<p>The harbour board met on Tuesday %d to discuss the budget.</p>" % i
                       for i in range(20)) + b"</article></body></html>")


def _process_cpu(pid: int) -> float:
    """User and system CPU seconds of a live process, from ``/proc``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_one(way: str, folder: Path) -> tuple[float, int]:
    """CPU seconds of ``way`` over the pages of ``folder``, and the number of pages."""
    import trafilatura

    from newsmill.errors import Rejection
    from newsmill.evaluation.extraction import load_benchmark, raw_page
    from newsmill.tasks.extract import extract
    from newsmill.tasks.isolation import BoundedExtractor
    from newsmill.tasks.models import RawDocument

    _truth, pages = load_benchmark(folder)
    raws = [raw_page(key, body, url) for key, (body, url) in sorted(pages.items())]
    warm = [raw_page("warm-up", _WARM_UP, None)]
    runner = BoundedExtractor(timeout=120, memory_mb=4096, max_html_bytes=50_000_000)

    def run(batch: list[RawDocument]) -> None:
        for raw in batch:
            if way == "trafilatura":
                trafilatura.extract(raw.body, url=raw.final_url, with_metadata=True)
            elif way == "in-process":
                with contextlib.suppress(Rejection):
                    extract(raw)
            elif way == "worker-per-page":
                with contextlib.suppress(Rejection):
                    runner.extract(raw)
        if way == "worker":
            runner.extract_many(batch)

    if way not in WAYS:
        raise ValueError(f"no such way: {way!r} (one of {', '.join(WAYS)})")
    run(warm)
    pid = runner.worker_pid()
    child_before = _process_cpu(pid) if pid else 0.0
    began = time.process_time()
    run(raws)
    spent = time.process_time() - began
    if pid is not None:
        if runner.worker_pid() != pid:
            raise RuntimeError("the extraction worker was replaced during the measurement")
        spent += _process_cpu(pid) - child_before
    runner.close()
    return spent, len(raws)


@dataclass(frozen=True)
class Cost:
    """CPU seconds of each way, one value per repetition."""

    seconds: dict[str, list[float]]
    pages: int

    def best(self, way: str) -> float:
        return min(self.seconds[way])

    def ratio(self, way: str) -> float:
        """Best seconds of ``way`` over the best of one trafilatura pass."""
        return self.best(way) / self.best("trafilatura")


def measure(folder: Path, repeat: int = 2) -> Cost:
    """Every way, ``repeat`` times, interleaved, each in a fresh process."""
    seconds: dict[str, list[float]] = {way: [] for way in WAYS}
    pages = 0
    for _ in range(repeat):
        for way in WAYS:
            done = subprocess.run(
                [sys.executable, "-m", "newsmill.evaluation.extraction_cost", way, str(folder)],
                capture_output=True, text=True, check=True)
            spent, count = done.stdout.split()[-2:]
            seconds[way].append(float(spent))
            pages = int(count)
    return Cost(seconds, pages)


def format_cost(cost: Cost) -> str:
    lines = [f"CPU seconds over {cost.pages} pages (each run in a fresh process, best of "
             f"{len(cost.seconds['trafilatura'])})",
             f"{'way':<18} {'runs':<24} {'best':>6} {'÷ trafilatura':>14}"]
    for way in WAYS:
        runs = " ".join(f"{s:.2f}" for s in cost.seconds[way])
        lines.append(f"{way:<18} {runs:<24} {cost.best(way):6.2f} {cost.ratio(way):14.3f}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    way, folder = argv
    spent, pages = measure_one(way, Path(folder))
    print(f"{spent:.4f} {pages}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""``newsmill bench speed``: what newsmill costs beyond spaCy and trafilatura, side by side.

On one set of inputs, in one run, each measured as a whole process tree (CPU seconds of every
process it started, wall seconds, and the peak of the tree's memory summed over its processes):

* newsmill end to end with the default runner (worker processes), with one process
  (``threads``), and with the default runner on the first quarter of the inputs (how memory
  grows with the number of documents);
* spaCy alone over the clean texts newsmill stored, same components, ``n_process=1`` and
  ``n_process`` = newsmill's workers;
* one ``trafilatura.extract(…, with_metadata=True)`` per HTML page;
* the per-document loop a user would write (``nlp(text)`` per article, one INSERT per row).

Every measurement is repeated ``repeat`` times and the best (least CPU) kept. The table gives
the ratios issue targets are written in, and the per-stage seconds of newsmill's own clocks
(``runs.stage_seconds``, summed over the workers).
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from newsmill.system import available_cores

#: Where ``bench speed`` keeps its inputs and warehouses unless told (gitignored ``data/``).
DEFAULT_WORK = Path("data/bench-speed")
#: Copies of the sample corpus the default input is made of (21 files, 19 of them articles:
#: 10 copies are ~200 articles, the size the issue's targets were measured on).
SAMPLE_COPIES = 10
SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "corpus"

Log = Callable[[str], None]


class SpeedBenchError(Exception):
    """A measured command failed; the message holds the end of its output."""


# The measured command is started by this launcher, a fresh interpreter without site-packages.
# It makes itself the "child subreaper" of what it starts (prctl PR_SET_CHILD_SUBREAPER), so
# that processes orphaned inside the tree (a fork server outliving its parent for a moment)
# are reaped here and their CPU counted; wait4 adds each reaped child's own children. A thread
# samples the tree's memory every 0.1 s from /proc: PSS (shared pages divided among the
# processes sharing them, so a model shared after fork is counted once) and RSS summed.
# Its walk of /proc for the tree repeats flows/processes.py's ``_descendants`` on purpose: the
# launcher runs without site-packages (``-S``), so it cannot import newsmill.
_LAUNCHER = r"""
import ctypes, json, os, sys, threading, time
job = json.loads(sys.argv[1])
ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)
sink = os.open(job["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
quiet = os.open(os.devnull, os.O_RDONLY)
actions = [(os.POSIX_SPAWN_DUP2, quiet, 0), (os.POSIX_SPAWN_DUP2, sink, 1),
           (os.POSIX_SPAWN_DUP2, sink, 2)]
env = dict(os.environ, **job["env"])
for name in job["unset"]:
    env.pop(name, None)
peak = {"pss": 0, "rss": 0}
stop = threading.Event()
def tree():
    found, todo = [], [os.getpid()]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children") as f:
                    kids = [int(k) for k in f.read().split()]
            except OSError:
                continue
            found += kids
            todo += kids
    return found
def sample():
    while not stop.wait(0.1):
        pss = rss = 0
        for pid in tree():
            try:
                with open(f"/proc/{pid}/smaps_rollup") as f:
                    for line in f:
                        if line.startswith("Pss:"):
                            pss += int(line.split()[1])
                        elif line.startswith("Rss:"):
                            rss += int(line.split()[1])
            except OSError:
                pass
        peak["pss"] = max(peak["pss"], pss)
        peak["rss"] = max(peak["rss"], rss)
threading.Thread(target=sample, daemon=True).start()
began = time.perf_counter()
main = os.posix_spawn(job["argv"][0], job["argv"], env, file_actions=actions)
cpu, wall, code, grace = 0.0, None, None, None
while True:
    try:
        pid, status, usage = os.wait4(-1, os.WNOHANG if wall is not None else 0)
    except ChildProcessError:
        break
    if pid == 0:  # the command is done; what it left behind gets 30 s to end
        if time.perf_counter() > grace:
            for left in tree():
                try:
                    os.kill(left, 9)
                except OSError:
                    pass
        time.sleep(0.05)
        continue
    cpu += usage.ru_utime + usage.ru_stime
    if pid == main:
        wall = time.perf_counter() - began
        code = os.waitstatus_to_exitcode(status)
        grace = time.perf_counter() + 30
stop.set()
print(json.dumps({"wall": wall, "cpu": cpu, "pss_kib": peak["pss"], "rss_kib": peak["rss"],
                  "exit": code}))
"""


@dataclass(frozen=True)
class Cost:
    """One measured process tree."""

    wall_s: float
    cpu_s: float
    peak_pss_mb: float
    peak_rss_mb: float

    @property
    def cores(self) -> float:
        return self.cpu_s / self.wall_s if self.wall_s else 0.0


def measure(argv: Sequence[str], output: Path, *, env: dict[str, str] | None = None
            ) -> Cost:
    """Run ``argv`` (its output to ``output``) and account for its whole process tree."""
    job = json.dumps({"argv": list(argv), "output": str(output), "env": env or {},
                      "unset": ["PREFECT_API_URL"]})  # the plain path: no Prefect server
    launched = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, job],
                              capture_output=True, text=True, check=False)
    if launched.returncode != 0:
        raise SpeedBenchError(f"could not start {argv[0]}: {launched.stderr.strip()}")
    account = json.loads(launched.stdout)
    if account["exit"] != 0:
        tail = output.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise SpeedBenchError(f"{' '.join(argv[:3])} … exited {account['exit']}:\n{tail}")
    return Cost(wall_s=account["wall"], cpu_s=account["cpu"],
                peak_pss_mb=account["pss_kib"] / 1024, peak_rss_mb=account["rss_kib"] / 1024)


def _best(costs: Sequence[Cost]) -> Cost:
    return min(costs, key=lambda c: c.cpu_s)


# -- inputs -------------------------------------------------------------------------------------

def prepare_inputs(source: Path | None, folder: Path, *, limit: int | None = None,
                   copies: int = SAMPLE_COPIES) -> list[Path]:
    """The benchmark's input files in ``folder``: the files of ``source`` (``.html.gz`` pages
    unpacked), or, with no source, ``copies`` copies of the sample corpus, each copy's articles
    given a closing line of their own so that no copy is the same text as another."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    made: list[Path] = []
    if source is None:
        for copy in range(copies):
            for path in sorted(SAMPLES.iterdir()):
                made.append(_varied(path, folder / f"{copy:03d}-{path.name}", copy))
    else:
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            if path.name.endswith(".html.gz"):
                target = folder / path.name[:-3]
                target.write_bytes(gzip.decompress(path.read_bytes()))
            elif path.suffix in {".txt", ".html", ".htm"}:
                target = folder / path.name
                shutil.copyfile(path, target)
            else:
                continue
            made.append(target)
            if limit is not None and len(made) >= limit:
                break
    if limit is not None:
        for extra in made[limit:]:
            extra.unlink()
        made = made[:limit]
    if not made:
        raise SpeedBenchError(f"no .txt, .html or .html.gz inputs in {source}")
    return made


def _varied(path: Path, target: Path, copy: int) -> Path:
    body = path.read_bytes()
    line = f"This report was filed as copy {copy + 1} of the benchmark corpus."
    if copy and path.suffix == ".txt" and body.strip():
        body = body.rstrip() + f"\n\n{line}\n".encode()
    elif copy and path.suffix == ".html" and b"</article>" in body:
        body = body.replace(b"</article>", f"<p>{line}</p></article>".encode(), 1)
    target.write_bytes(body)
    return target


# -- the runs -----------------------------------------------------------------------------------

@dataclass
class SpeedResult:
    inputs: int
    html: int
    documents: int
    workers: int
    model: str
    repeat: int
    costs: dict[str, Cost] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)


def _newsmill() -> str:
    found = shutil.which("newsmill", path=str(Path(sys.executable).parent))
    if found is None:
        raise SpeedBenchError(f"no newsmill command beside {sys.executable}")
    return found


def _ingest(folder: Path, db: Path, runner: str, model: str, output: Path) -> Cost:
    for leftover in db.parent.glob(db.name + "*"):
        leftover.unlink() if leftover.is_file() else shutil.rmtree(leftover)
    return measure([_newsmill(), "ingest", "--db", str(db), str(folder)], output,
                   env={"NEWSMILL_TASK_RUNNER": runner, "NEWSMILL_SPACY_MODEL": model})


def _probe(name: str, job: dict[str, object], work: Path, output: Path) -> Cost:
    job_file = work / f"{name}-job.json"
    job_file.write_text(json.dumps(job), encoding="utf-8")
    return measure([sys.executable, "-m", "newsmill.evaluation.speed_probes", name,
                    str(job_file)], output)


def run_speed_bench(source: Path | None, *, work: Path = DEFAULT_WORK, repeat: int = 2,
                    limit: int | None = None, model: str = "auto",
                    log: Log = lambda _line: None) -> SpeedResult:
    """Measure everything on the inputs of ``source`` (default: the sample corpus copied)."""
    from newsmill.settings import Settings

    work.mkdir(parents=True, exist_ok=True)
    folder = work / "inputs"
    files = prepare_inputs(source, folder, limit=limit)
    quarter = work / "quarter"
    if quarter.exists():
        shutil.rmtree(quarter)
    quarter.mkdir()
    for path in files[: max(1, len(files) // 4)]:
        shutil.copyfile(path, quarter / path.name)
    workers = Settings.from_env().worker_count()
    html = sum(p.suffix in {".html", ".htm"} for p in files)
    log(f"{len(files)} inputs ({html} HTML pages) in {folder}; {workers} workers")
    out = work / "output.log"
    runs: dict[str, list[Cost]] = {}

    def take(name: str, cost: Cost) -> None:
        runs.setdefault(name, []).append(cost)
        log(f"  {name}: {cost.wall_s:.1f} s wall, {cost.cpu_s:.1f} s CPU, "
            f"{cost.peak_pss_mb:.0f} MB")

    db = work / "default.duckdb"
    texts_file = work / "texts.json"
    for round_ in range(repeat):
        log(f"round {round_ + 1} of {repeat}")
        take("newsmill", _ingest(folder, db, "processes", model, out))
        if round_ == 0:
            texts, stages = _stored(db)
            texts_file.write_text(json.dumps(texts), encoding="utf-8")
        take("newsmill, one process", _ingest(folder, work / "one.duckdb", "threads", model,
                                              out))
        take("newsmill, first quarter", _ingest(quarter, work / "quarter.duckdb", "processes",
                                                model, out))
        take("spaCy alone", _probe("spacy", {"model": model, "texts": str(texts_file),
                                             "n_process": 1}, work, out))
        take(f"spaCy alone, n_process={workers}", _probe(
            "spacy", {"model": model, "texts": str(texts_file), "n_process": workers},
            work, out))
        if html:
            take("trafilatura pass", _probe("trafilatura", {
                "files": [str(p) for p in files]}, work, out))
        loop_db = work / "loop.duckdb"
        loop_db.unlink(missing_ok=True)
        take("per-document loop", _probe("loop", {
            "model": model, "db": str(loop_db), "files": [str(p) for p in files]}, work, out))
    result = SpeedResult(inputs=len(files), html=html, documents=len(texts), workers=workers,
                         model=model, repeat=repeat, stages=stages)
    result.costs = {name: _best(costs) for name, costs in runs.items()}
    return result


def _stored(db: Path) -> tuple[list[str], dict[str, float]]:
    """The clean texts of the documents a run stored, and its seconds per stage."""
    conn = duckdb.connect(str(db), read_only=True)
    try:
        texts = [r[0] for r in conn.execute(
            "select clean_text from documents order by document_id").fetchall()]
        row = conn.execute(
            "select stage_seconds from runs order by started_at desc limit 1").fetchone()
        stages = row[0] if row else None
    finally:
        conn.close()
    return texts, {k: float(v) for k, v in json.loads(stages or "{}").items()}


# -- the table ----------------------------------------------------------------------------------

def render(result: SpeedResult) -> str:
    """The measurements and the ratios, as the README shows them."""
    c = result.costs
    lines = [f"{result.inputs} inputs ({result.html} HTML pages), {result.documents} documents "
             f"stored; model {result.model}; {available_cores()} cores, {result.workers} "
             f"workers; best of {result.repeat}",
             "",
             "| measured | wall s | CPU s | cores used | peak memory (PSS) MB |",
             "|---|---|---|---|---|"]
    for name, cost in c.items():
        lines.append(f"| {name} | {cost.wall_s:.1f} | {cost.cpu_s:.1f} | {cost.cores:.2f} | "
                     f"{cost.peak_pss_mb:.0f} |")
    base = c["spaCy alone"].cpu_s + (c["trafilatura pass"].cpu_s if "trafilatura pass" in c
                                     else 0.0)
    bound = "one trafilatura pass + spaCy alone" if result.html else "spaCy alone"
    spacy_parallel = c[f"spaCy alone, n_process={result.workers}"]
    lines += ["", "| ratio | value |", "|---|---|",
              f"| newsmill CPU ÷ ({bound}) | {c['newsmill'].cpu_s / base:.2f}× |",
              f"| newsmill one process CPU ÷ ({bound}) | "
              f"{c['newsmill, one process'].cpu_s / base:.2f}× |",
              f"| speed against the per-document loop (wall) | "
              f"{c['per-document loop'].wall_s / c['newsmill'].wall_s:.2f}× |",
              f"| cores used by the default runner (CPU ÷ wall) | {c['newsmill'].cores:.2f} "
              f"of {available_cores()} |",
              f"| default runner against one process, wall | "
              f"{c['newsmill, one process'].wall_s / c['newsmill'].wall_s:.2f}× faster |",
              f"| spaCy n_process={result.workers} against n_process=1, wall | "
              f"{c['spaCy alone'].wall_s / spacy_parallel.wall_s:.2f}× faster |",
              f"| peak memory, all inputs ÷ first quarter | "
              f"{c['newsmill'].peak_pss_mb / c['newsmill, first quarter'].peak_pss_mb:.2f}× |"]
    if result.stages:
        lines += ["", "| newsmill stage (its own clocks, summed over workers) | s |",
                  "|---|---|"]
        for stage, seconds in sorted(result.stages.items(), key=lambda kv: -kv[1]):
            lines.append(f"| {stage} | {seconds:.2f} |")
    return "\n".join(lines)


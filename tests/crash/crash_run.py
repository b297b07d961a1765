"""The crash test's machinery: run ``newsmill ingest`` in a process group of its own, kill the
whole group with SIGKILL at chosen moments, run it again until a run completes, and compare the
warehouse with a clean single run of the same documents.

What "the same" means, checked by :func:`compare` on content (content hashes and offsets,
never ids a run made up): the same documents, sources, mentions, quotes, entities, input files
and search postings, none twice; every run row in a final status; the run counters adding up
to the documents stored; the readers' snapshot holding exactly what the warehouse holds; no
temporary file (``*.tmp``, a write-ahead log, a staging folder) and no process of the run left.

Used by ``run_crash_test.py`` (by hand, a few hundred documents) and ``test_crash.py`` (CI).
"""

from __future__ import annotations

import contextlib
import math
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
LAUNCHER = HERE / "launcher.py"
DATA_TESTS = HERE.parent / "warehouse" / "data_tests"

#: Environment variable every process of one attempt inherits, so that processes which left
#: the process group (or outlived it) can still be found by their environment.
TAG = "NEWSMILL_CRASH_TAG"

#: Final statuses of a run row.
FINAL = frozenset({"completed", "failed", "crashed", "cancelled"})

#: Seconds after a marker within which the kill lands, per phase: about the phase's length
#: here (creating a warehouse ≈ 0.1–0.3 s, a batch's commit ≈ 0.1–0.3 s, the next batch being
#: produced after a commit a second or two, a snapshot copy of a few hundred documents ≈ 0.2 s).
DELAYS = {
    "migrate": 0.1,
    "load_batch": 0.3,
    "load_batch done": 1.5,
    "finish_run completed": 0.01,
    "index": 0.1,
    "publish": 0.3,
}


@dataclass(frozen=True)
class Kill:
    """When to kill: ``delay`` seconds after the ``occurrence``-th ``phase`` marker, or, for
    the phase "random", ``delay`` seconds after the start."""

    phase: str
    occurrence: int
    delay: float


@dataclass
class Attempt:
    """One run of the command: whether it was killed, and in which phase."""

    aimed_at: str | None
    killed: bool
    phase: str | None
    seconds: float
    returncode: int | None
    markers: list[str] = field(default_factory=list)
    left_running: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    documents: int
    clean_seconds: float
    attempts: list[Attempt]
    problems: list[str]
    #: What is worth knowing but no defect of newsmill's (multiprocessing's own leftovers).
    notes: list[str] = field(default_factory=list)

    @property
    def kills(self) -> list[Attempt]:
        return [a for a in self.attempts if a.killed]

    @property
    def seconds(self) -> float:
        return sum(a.seconds for a in self.attempts)


def child_env(work: Path, db: Path, batch_size: int, tag: str) -> dict[str, str]:
    """The command's environment: no Prefect API (a run in this process), a private Prefect
    home and temporary folder, a snapshot published by every run that needs one."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("NEWSMILL_", "PREFECT_"))}
    (work / "tmp").mkdir(exist_ok=True)
    (work / "prefect").mkdir(exist_ok=True)
    env.update({
        "NEWSMILL_DB": str(db),
        "NEWSMILL_BATCH_SIZE": str(batch_size),
        # Any age is old enough: every run that has something new publishes the snapshot.
        "NEWSMILL_SNAPSHOT_MINUTES": "0.0001",
        "PREFECT_HOME": str(work / "prefect"),
        "TMPDIR": str(work / "tmp"),
        TAG: tag,
    })
    return env


def tagged_processes(tag: str) -> list[str]:
    """``pid command`` of every process whose environment carries ``TAG=tag``."""
    wanted = f"{TAG}={tag}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                errors="replace").strip()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if wanted in environ.split(b"\0") and state != "Z":
            found.append(f"{entry.name} {command[:120]}")
    return found


def run_once(sources: list[Path], env: dict[str, str], kill: Kill | None, *,
             log: Path, timeout: float = 1800.0) -> Attempt:
    """Run ``newsmill ingest`` (through the marking launcher) once, in a new process group;
    with ``kill``, SIGKILL the whole group at that moment."""
    read_end, write_end = os.pipe()
    env = dict(env, CRASH_MARKER_FD=str(write_end))
    command = [sys.executable, str(LAUNCHER), "ingest", *map(str, sources)]
    started = time.monotonic()
    with log.open("ab") as out:
        out.write(f"\n=== {time.strftime('%H:%M:%S')} kill={kill}\n".encode())
        out.flush()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, pass_fds=(write_end,),
                                   start_new_session=True)
    os.close(write_end)
    markers: queue.Queue[tuple[float, str] | None] = queue.Queue()

    def read_markers() -> None:
        with os.fdopen(read_end, "rb") as pipe:
            for line in pipe:
                _pid, _, label = line.decode().strip().partition(" ")
                markers.put((time.monotonic(), label))
        markers.put(None)

    threading.Thread(target=read_markers, daemon=True).start()
    seen: list[str] = []
    kill_at: float | None = None
    if kill is not None and kill.phase == "random":
        kill_at = started + kill.delay
    killed, phase, exited_at = False, None, None
    while True:
        now = time.monotonic()
        if now - started > timeout:
            os.killpg(process.pid, signal.SIGKILL)
            raise RuntimeError(f"newsmill ingest ran for more than {timeout:g} s")
        if process.poll() is not None:
            exited_at = exited_at or now
            if now - exited_at > 5.0:  # a process that outlived the command holds the pipe
                break
        if kill_at is not None and not killed and now >= kill_at:
            if process.poll() is None:
                phase = describe(seen)
                os.killpg(process.pid, signal.SIGKILL)
                killed = True
            kill_at = None
        wait = 0.05 if kill_at is None else max(0.0, min(0.05, kill_at - now))
        try:
            item = markers.get(timeout=wait)
        except queue.Empty:
            continue
        if item is None:  # every holder of the pipe's end is gone
            break
        at, label = item
        seen.append(label)
        if kill is not None and not killed and kill.phase == label and \
                seen.count(label) == kill.occurrence:
            kill_at = at + kill.delay
    returncode = process.wait()
    left = _wait_for_tree(env[TAG])
    return Attempt(aimed_at=kill.phase if kill else None, killed=killed, phase=phase,
                   seconds=time.monotonic() - started, returncode=returncode, markers=seen,
                   left_running=left)


def describe(markers: list[str]) -> str:
    """The phase the last marker says a kill landed in: "in X" while X runs, "after X" once
    it has returned (before the next marker)."""
    if not markers:
        return "start-up"
    last = markers[-1]
    return f"after {last.removesuffix(' done')}" if last.endswith(" done") else f"in {last}"


def _wait_for_tree(tag: str, patience: float = 10.0) -> list[str]:
    """The processes of an attempt still alive ``patience`` seconds after it ended (killed
    then, so the next attempt starts clean)."""
    deadline = time.monotonic() + patience
    while (left := tagged_processes(tag)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for line in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(line.split()[0]), signal.SIGKILL)
    return left


#: The kills at the end of a run, in this order: after the last batch, before the run row is
#: closed and the snapshot published (the first run given the documents held back, so it has
#: batches to commit); during the publication the next run owes the snapshot it left behind;
#: during the search index's catch-up.
TAIL = ("finish_run completed", "publish", "index")


def kill_plan(kills: int, rng: random.Random, *, batches: int, run_seconds: float
              ) -> list[Kill]:
    """``kills`` moments: the warehouse's creation first, then mid-run moments (batches being
    produced after a commit, a batch's commit, any moment at random), and last the end of a
    run (:data:`TAIL`) — each a re-run after the kill before it."""
    def at(phase: str, occurrence: int = 1) -> Kill:
        return Kill(phase, occurrence, rng.uniform(0.0, DELAYS[phase]))

    tail = [at(phase) for phase in TAIL]
    middle_phases = ("load_batch done", "load_batch", "random")
    middle: list[Kill] = []
    for i in range(max(0, kills - 1 - len(tail))):
        phase = middle_phases[i % len(middle_phases)]
        if phase == "random":
            # A mid-run attempt has about one part's work and what the one before left.
            share = run_seconds / max(1, kills - len(TAIL))
            middle.append(Kill("random", 1, rng.uniform(1.0, max(1.5, 1.5 * share))))
        else:
            middle.append(at(phase, rng.randint(1, max(1, min(2, batches // 4)))))
    plan = [at("migrate"), *middle, *tail]
    return plan[:kills]


def crash_test(work: Path, documents: int, kills: int, *, batch_size: int = 20,
               seed: int = 15, say: bool = True) -> Outcome:
    """The whole test in ``work`` (emptied first): the documents, a clean run, the runs
    killed by plan (those before the end-of-run kills given one part more of four fifths of
    the documents each), re-runs of all of them until one completes, one more re-run, and
    the comparison."""
    from crash_corpus import write_corpus

    rng = random.Random(seed)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    # A fifth of the documents is held back until the kills at the end of a run, so that the
    # run they start with has new batches whatever the runs before it got through. The rest
    # is cut into one part per kill before those (the warehouse's creation among them), and
    # each of those runs is given one part more, so every mid-run kill finds new batches.
    middle = max(1, min(kills, kills - len(TAIL)))
    held_back = max(1, documents // 5)
    parts, start = [], 0
    for i in range(middle):
        size = (documents - held_back) // middle + (i < (documents - held_back) % middle)
        parts.append(work / "corpus" / f"part-{i}")
        write_corpus(parts[-1], size, first_seed=start)
        start += size
    rest = work / "corpus" / "rest"
    write_corpus(rest, held_back, first_seed=start)
    everything = [*parts, rest]
    log = work / "newsmill.log"

    def tell(text: str) -> None:
        if say:
            print(text, flush=True)

    clean_dir, crash_dir = work / "clean", work / "crashed"
    clean_dir.mkdir()
    crash_dir.mkdir()
    clean_tag = uuid.uuid4().hex
    clean = run_once(everything, child_env(work, clean_dir / "newsmill.duckdb", batch_size,
                                         clean_tag), None, log=log)
    tell(f"clean run: {documents} documents in {clean.seconds:.1f} s (exit {clean.returncode})")
    problems: list[str] = []
    if clean.returncode != 0:
        problems.append(f"the clean run exited {clean.returncode} (see {log})")
    plan = kill_plan(kills, rng, batches=math.ceil(documents / batch_size),
                     run_seconds=clean.seconds)
    tag = uuid.uuid4().hex
    crash_db = crash_dir / "newsmill.duckdb"
    env = child_env(work, crash_db, batch_size, tag)
    attempts: list[Attempt] = []
    for i, kill in enumerate(plan):
        given = everything if kill.phase in TAIL else parts[:i + 1]
        attempt = run_once(given, env, kill, log=log)
        attempts.append(attempt)
        what = (f"killed {attempt.phase}" if attempt.killed
                else f"completed before the kill (exit {attempt.returncode})")
        tell(f"run {len(attempts)}: aimed at {kill.phase} (+{kill.delay:.2f} s): {what}, "
             f"{attempt.seconds:.1f} s")
        if attempt.left_running:
            problems.append(f"run {len(attempts)} left processes running: "
                            f"{attempt.left_running}")
        if not attempt.killed and attempt.returncode != 0:
            problems.append(f"run {len(attempts)} exited {attempt.returncode} (see {log})")
    # Re-run until one completes, then once more: nothing may change.
    for _ in range(5):
        attempt = run_once(everything, env, None, log=log)
        attempts.append(attempt)
        tell(f"run {len(attempts)}: re-run, exit {attempt.returncode}, {attempt.seconds:.1f} s")
        if attempt.left_running:
            problems.append(f"run {len(attempts)} left processes running: "
                            f"{attempt.left_running}")
        if attempt.returncode == 0:
            break
    else:
        problems.append("no re-run completed")
    attempts.append(run_once(everything, env, None, log=log))
    tell(f"run {len(attempts)}: one more re-run, exit {attempts[-1].returncode}, "
         f"{attempts[-1].seconds:.1f} s")
    problems += compare(clean_dir / "newsmill.duckdb", crash_db)
    problems += leftover_files(crash_dir)
    problems += compare_snapshot(crash_db)
    problems += run_rows(crash_db, killed=sum(a.killed for a in attempts))
    return Outcome(documents=documents, clean_seconds=clean.seconds, attempts=attempts,
                   problems=problems, notes=temporary_folder(work / "tmp"))


# What is compared, by content: each query yields rows keyed by the document's content hash.
CONTENT_QUERIES = {
    "documents": """SELECT content_hash, source, title, source_format, language, dateline,
                           length(clean_text) FROM documents""",
    "document_sources": """SELECT s.source, d.content_hash FROM document_sources s
                           JOIN documents d USING (document_id)""",
    "mentions": """SELECT d.content_hash, m.start_char, m.end_char, m.text, m.label,
                          m.entity_id FROM mentions m JOIN documents d USING (document_id)""",
    "quotes": """SELECT d.content_hash, q.start_char, q.end_char, q.kind, q.cue_start_char,
                        q.cue_end_char, q.speaker_start_char, q.speaker_end_char,
                        q.speaker_name FROM quotes q JOIN documents d USING (document_id)""",
    "entities": "SELECT entity_id, name, label FROM entities",
    "input_files": """SELECT f.path, f.raw_sha256, d.content_hash FROM input_files f
                      JOIN documents d USING (document_id)""",
    "search_documents": """SELECT d.content_hash, s.length FROM search_documents s
                           JOIN documents d USING (document_id)""",
    "search_postings": """SELECT t.term, d.content_hash, p.tf FROM search_postings p
                          JOIN search_terms t USING (term_id)
                          JOIN documents d USING (document_id)""",
}

#: Child rows that must belong to a stored document (a join above would hide them).
ORPHANS = {
    "mentions": "SELECT count(*) FROM mentions WHERE document_id NOT IN "
                "(SELECT document_id FROM documents)",
    "quotes": "SELECT count(*) FROM quotes WHERE document_id NOT IN "
              "(SELECT document_id FROM documents)",
    "search_postings": "SELECT count(*) FROM search_postings WHERE document_id NOT IN "
                       "(SELECT document_id FROM documents)",
}


def _content(db: Path) -> dict[str, Counter[tuple[object, ...]]]:
    conn = duckdb.connect(str(db), read_only=True)
    try:
        out = {name: Counter(tuple(r) for r in conn.execute(query).fetchall())
               for name, query in CONTENT_QUERIES.items()}
        for name, query in ORPHANS.items():
            row = conn.execute(query).fetchone()
            out[f"{name} without a document"] = Counter({("rows",): row[0]} if row and row[0]
                                                        else {})
    finally:
        conn.close()
    return out


def compare(expected_db: Path, db: Path, *, what: str = "the crashed warehouse") -> list[str]:
    """How ``db`` differs in content from ``expected_db``; empty when it does not."""
    if not db.exists():
        return [f"{what} does not exist"]
    expected, found = _content(expected_db), _content(db)
    problems = []
    for name in expected:
        want, got = expected[name], found[name]
        twice = sum(n - 1 for n in got.values() if n > 1)
        if twice:
            problems.append(f"{what}: {twice} {name} rows twice")
        missing, extra = want - got, got - want
        if missing or extra:
            problems.append(f"{what}: {name} differ: {sum(missing.values())} missing, "
                            f"{sum(extra.values())} extra (e.g. {next(iter(missing or extra))})")
    problems += [f"{what}: data test {name} fails" for name in data_tests(db)]
    return problems


def data_tests(db: Path) -> list[str]:
    """The SQL data tests (tests/warehouse/data_tests) that find offending rows in ``db``."""
    conn = duckdb.connect(str(db), read_only=True)
    try:
        return [path.stem for path in sorted(DATA_TESTS.glob("*.sql"))
                if conn.execute(path.read_text()).fetchall()]
    finally:
        conn.close()


def compare_snapshot(db: Path) -> list[str]:
    """The readers' snapshot must be there, open, and hold what the warehouse holds."""
    snapshot = db.with_name(db.name.removesuffix(".duckdb") + ".snapshot.duckdb")
    if not snapshot.exists():
        return [f"no snapshot at {snapshot}"]
    try:
        return compare(db, snapshot, what="the snapshot")
    except duckdb.Error as exc:
        return [f"the snapshot cannot be read: {exc}"]


def leftover_files(folder: Path) -> list[str]:
    """Temporary files left in ``folder``: ``*.tmp``, write-ahead logs, a staging folder that
    is not empty."""
    if not folder.exists():
        return []
    left = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.name.endswith((".tmp", ".wal")) or
                  (p.is_dir() and p.name == "staging" and any(p.iterdir())))
    return [f"left beside the warehouse: {left}"] if left else []


def temporary_folder(folder: Path) -> list[str]:
    """What the runs left in their private temporary folder. A killed process's fork server
    leaves its ``pymp-*`` folder with its listening socket (Python's multiprocessing removes
    it at a normal exit only); anything else there would be newsmill's."""
    if not folder.exists():
        return []
    entries = sorted(p.name for p in folder.iterdir())
    forkservers = [name for name in entries if name.startswith("pymp-")]
    notes = [f"{len(forkservers)} multiprocessing folders (pymp-*, a fork server's socket) "
             f"left in {folder} by killed processes"] if forkservers else []
    others = [name for name in entries if not name.startswith("pymp-")]
    return notes + ([f"left in the temporary folder {folder}: {others}"] if others else [])


def run_rows(db: Path, *, killed: int) -> list[str]:
    """Every run row final; the killed ones marked crashed; counters adding up."""
    conn = duckdb.connect(str(db), read_only=True)
    try:
        statuses = Counter(s for (s,) in conn.execute("SELECT status FROM runs").fetchall())
        loaded_row = conn.execute("SELECT sum(docs_loaded) FROM runs").fetchone()
        stored_row = conn.execute("SELECT count(*) FROM documents").fetchone()
        last_row = conn.execute("SELECT status FROM runs ORDER BY started_at DESC LIMIT 1"
                                ).fetchone()
    finally:
        conn.close()
    problems = []
    if set(statuses) - FINAL:
        problems.append(f"run rows not in a final status: {dict(statuses)}")
    if statuses.get("crashed", 0) > killed:
        problems.append(f"{statuses['crashed']} runs marked crashed, {killed} killed")
    if not last_row or last_row[0] != "completed":
        problems.append(f"the last run is {last_row}, not completed")
    loaded = loaded_row[0] if loaded_row else None
    stored = stored_row[0] if stored_row else None
    if loaded != stored:
        problems.append(f"the runs say {loaded} documents loaded, the warehouse holds {stored}")
    return problems

"""Extraction with a time and memory bound.

trafilatura has no timeout and parses whole pages in memory (a 25 MB page took 50 s and
1.5 GB here), so HTML extraction runs in a worker process: one per process that extracts,
started from a fork server (cheap after the first), with an address-space limit. Pages go to
it several at a time over a pipe, and it answers page by page, so each page still has its own
bound: a page that runs past the timeout has its worker killed, a page that runs out of memory
ends its worker, and either way that page becomes a rejection with the reason while the pages
after it go to a fresh worker.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import resource
import threading
from collections.abc import Sequence
from functools import cache
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import TracebackType

from newsmill.errors import Rejection
from newsmill.tasks.extract import extract
from newsmill.tasks.models import Extracted, RawDocument

log = logging.getLogger(__name__)

#: Pages sent to the worker in one message, at most: one round trip per page cost 2.4 ms
#: (0.21 s per 88 benchmark pages) of pickling, queue threads and wake-ups; per 16 pages
#: it is within the measurement's noise.
CHUNK_PAGES = 16
#: ... and at most this many bytes of HTML in one message (a page larger than this goes
#: alone), so the pages waiting in the worker add little to the memory one page may use.
CHUNK_BYTES = 2_000_000
#: Seconds a closing worker is given to exit before it is killed.
CLOSE_GRACE = 5.0
#: Seconds a new worker may take to start (importing trafilatura: about 1 s, several on a
#: loaded machine); a page's timeout starts only once its worker is ready.
START_TIMEOUT = 120.0


def _limit_memory(max_bytes: int) -> None:
    """Cap the worker's address space, so a runaway parse raises MemoryError."""
    if max_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


#: A failure while the worker's peak address space is this close to its limit is taken as
#: running out of memory (libxml2 then reports failed allocations as odd XPath errors).
NEAR_LIMIT_SHARE = 0.9


def _near_memory_limit() -> bool:
    limit, _hard = resource.getrlimit(resource.RLIMIT_AS)
    if limit == resource.RLIM_INFINITY:
        return False
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024 >= NEAR_LIMIT_SHARE * limit
    except OSError:
        pass
    return False


def _extract_in_worker(raw: RawDocument) -> Extracted:
    try:
        return extract(raw)
    except MemoryError as exc:
        raise _out_of_memory() from exc
    except Rejection as rejection:
        if rejection.reason == "extractor_error" and _near_memory_limit():
            raise _out_of_memory() from rejection
        raise


def _out_of_memory() -> Rejection:
    return Rejection("extract", "too_much_memory",
                     "extraction needed more memory than NEWSMILL_EXTRACT_MEMORY_MB allows")


def _serve(conn: Connection, max_bytes: int) -> None:
    """The worker: extract each page of each chunk received, answering page by page, until
    told to stop (``None``) or a page has filled its memory (its heap is then at the limit)."""
    _limit_memory(max_bytes)
    conn.send("ready")
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, MemoryError):
            return
        if chunk is None:
            return
        for raw in chunk:
            outcome: Extracted | Rejection
            try:
                outcome = _extract_in_worker(raw)
            except Rejection as rejection:
                outcome = rejection  # pickled as its three fields
            except Exception as exc:  # unexpected: the page says what, the worker goes on
                outcome = Rejection("extract", "internal_error", f"{type(exc).__name__}: {exc}")
            conn.send(outcome)
            if isinstance(outcome, Rejection) and outcome.reason == "too_much_memory":
                return


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, memory_bytes: int) -> None:
        # A fork server: workers start from a small clean process, not from this one with
        # its threads and loaded model (forking that is unsafe), and start fast.
        context = multiprocessing.get_context("forkserver")
        self.conn, child = context.Pipe()
        self.process: BaseProcess = context.Process(target=_serve, args=(child, memory_bytes),
                                                    name="newsmill-extract", daemon=True)
        self.process.start()
        child.close()
        try:
            ready = self.conn.poll(START_TIMEOUT) and self.conn.recv() == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.kill()
            raise OSError("the extraction worker did not start")

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(CLOSE_GRACE)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def chunks(raws: Sequence[RawDocument], *, pages: int = CHUNK_PAGES,
           max_bytes: int = CHUNK_BYTES) -> list[list[int]]:
    """Positions of ``raws`` in consecutive chunks of at most ``pages`` pages and, unless a
    chunk is one page, ``max_bytes`` bytes."""
    out: list[list[int]] = []
    size = 0
    for i, raw in enumerate(raws):
        if not out or len(out[-1]) >= pages or size + len(raw.body) > max_bytes:
            out.append([])
            size = 0
        out[-1].append(i)
        size += len(raw.body)
    return out


class BoundedExtractor:
    """``extract`` in a worker process, at most ``timeout`` seconds and ``memory_mb`` MB a
    page."""

    def __init__(self, *, timeout: float, memory_mb: int, max_html_bytes: int) -> None:
        self.timeout = timeout
        self.memory_bytes = memory_mb * 1024 * 1024
        self.max_html_bytes = max_html_bytes
        self._worker: _Worker | None = None
        self._lock = threading.Lock()  # one pipe: one caller at a time

    def _started(self) -> _Worker:
        if self._worker is None:
            self._worker = _Worker(self.memory_bytes)
        return self._worker

    def _kill(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._worker = None

    def worker_pid(self) -> int | None:
        """The process id of the running worker (None before the first page)."""
        return self._worker.process.pid if self._worker is not None else None

    def extract(self, raw: RawDocument) -> Extracted:
        """One page's extraction; a :class:`Rejection` says why there is none."""
        outcome = self.extract_many([raw])[0]
        if isinstance(outcome, Rejection):
            raise outcome
        return outcome

    def extract_many(self, raws: Sequence[RawDocument]) -> list[Extracted | Rejection]:
        """Each page's extraction or the rejection saying why there is none, in order."""
        outcomes: list[Extracted | Rejection | None] = [None] * len(raws)
        bounded: list[int] = []
        for i, raw in enumerate(raws):
            if raw.format != "html":
                try:
                    outcomes[i] = extract(raw)  # plain text needs no parser: nothing to bound
                except Rejection as rejection:
                    outcomes[i] = rejection
            elif len(raw.body) > self.max_html_bytes:
                outcomes[i] = Rejection("extract", "too_large",
                                        f"{len(raw.body)} bytes of HTML; extraction takes at "
                                        f"most {self.max_html_bytes}")
            else:
                bounded.append(i)
        with self._lock:
            for chunk in chunks([raws[i] for i in bounded]):
                positions = [bounded[j] for j in chunk]
                while positions:
                    done = self._run_chunk([raws[i] for i in positions])
                    for i, outcome in zip(positions, done, strict=False):
                        outcomes[i] = outcome
                    positions = positions[len(done):]
        return [o if o is not None else Rejection("extract", "internal_error", "no outcome")
                for o in outcomes]

    def _run_chunk(self, pages: list[RawDocument]) -> list[Extracted | Rejection]:
        """The outcomes of ``pages`` in order, up to and including the first page that ended
        its worker (the caller sends the rest again, to a fresh one)."""
        try:
            worker = self._started()
        except OSError as exc:
            return [Rejection("extract", "crashed", str(exc))]
        try:
            worker.conn.send(pages)
        except OSError:
            # The worker died taking the chunk (a page too large for its memory, or it had
            # died since the last chunk): the first page goes alone to a fresh worker, and if
            # that fails too, the page is what killed it.
            self._kill()
            if len(pages) > 1:
                return self._run_chunk(pages[:1])
            return [Rejection("extract", "crashed",
                              "the extraction worker died receiving the page (out of memory?)")]
        done: list[Extracted | Rejection] = []
        for _page in pages:
            if not worker.conn.poll(self.timeout):
                self._kill()
                done.append(Rejection("extract", "timeout",
                                      f"extraction took longer than {self.timeout:g}s"))
                return done
            try:
                outcome: Extracted | Rejection = worker.conn.recv()
            except (EOFError, OSError):
                self._kill()
                done.append(Rejection("extract", "crashed",
                                      "the extraction worker died (out of memory?)"))
                return done
            done.append(outcome)
            if isinstance(outcome, Rejection) and outcome.reason == "too_much_memory":
                self._kill()  # it has exited: its heap was at the limit
                return done
        return done

    def close(self) -> None:
        with self._lock:
            if self._worker is not None:
                self._worker.stop()
                self._worker = None

    def __enter__(self) -> BoundedExtractor:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


@cache
def shared_extractor(timeout: float, memory_mb: int, max_html_bytes: int) -> BoundedExtractor:
    """The process's extractor for these limits, created once and reused by every batch
    (its worker process is started on first use and replaced only after a timeout, a page
    that filled its memory or a crash; a daemon, it ends when this process exits)."""
    return BoundedExtractor(timeout=timeout, memory_mb=memory_mb, max_html_bytes=max_html_bytes)

"""Extraction with a time and memory bound.

trafilatura has no timeout and parses whole pages in memory (a 25 MB page took 50 s and
1.5 GB here), so HTML extraction runs in a worker process: one per batch, started from a
fork server (cheap after the first), with an address-space limit; a page that runs past the
timeout has its worker killed and replaced. Either way the page becomes a rejection with the
reason, and the batch goes on.
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from types import TracebackType

from newsmill.errors import Rejection
from newsmill.tasks.extract import extract
from newsmill.tasks.models import Extracted, RawDocument

log = logging.getLogger(__name__)


def _limit_memory(max_bytes: int) -> None:
    """Worker initialiser: cap the address space, so a runaway parse raises MemoryError."""
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


class BoundedExtractor:
    """``extract`` in a worker process, at most ``timeout`` seconds and ``memory_mb`` MB."""

    def __init__(self, *, timeout: float, memory_mb: int, max_html_bytes: int) -> None:
        self.timeout = timeout
        self.memory_bytes = memory_mb * 1024 * 1024
        self.max_html_bytes = max_html_bytes
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # A fork server: workers start from a small clean process, not from this one with
            # its threads and loaded model (forking that is unsafe), and start fast.
            context = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context,
                                             initializer=_limit_memory,
                                             initargs=(self.memory_bytes,))
        return self._pool

    def _kill(self) -> None:
        if self._pool is not None:
            for process in list(getattr(self._pool, "_processes", {}).values()):
                process.kill()
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def extract(self, raw: RawDocument) -> Extracted:
        if raw.format != "html":
            return extract(raw)  # plain text needs no parser: nothing to bound
        if len(raw.body) > self.max_html_bytes:
            raise Rejection("extract", "too_large",
                            f"{len(raw.body)} bytes of HTML; extraction takes at most "
                            f"{self.max_html_bytes}")
        future = self._executor().submit(_extract_in_worker, raw)
        try:
            return future.result(timeout=self.timeout)
        except FutureTimeout as exc:
            self._kill()
            raise Rejection("extract", "timeout",
                            f"extraction took longer than {self.timeout:g}s") from exc
        except BrokenProcessPool as exc:
            self._kill()
            raise Rejection("extract", "crashed",
                            "the extraction worker died (out of memory?)") from exc
        except Rejection as rejection:
            if rejection.reason == "too_much_memory":
                self._kill()  # a fresh worker: this one's heap is at its limit
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> BoundedExtractor:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


@cache
def shared_extractor(timeout: float, memory_mb: int, max_html_bytes: int) -> BoundedExtractor:
    """The process's extractor for these limits, created once and reused by every batch
    (its worker process is started on first use and replaced only after a timeout or crash;
    ``concurrent.futures`` shuts it down when the process exits)."""
    return BoundedExtractor(timeout=timeout, memory_mb=memory_mb, max_html_bytes=max_html_bytes)

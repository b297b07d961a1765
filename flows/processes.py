"""The default runner: batches produced in worker processes on this machine, committed here.

Every core works: ``NEWSMILL_WORKERS`` processes (by default one per core available) — the
run's process and a pool of the others — each take a batch and do the half of it that needs no
warehouse (:func:`newsmill.tasks.batch.produce_batch`: read, extract, normalise, spaCy,
entities, quotes, MinHash); the run's process, the warehouse's one writer, also commits every
produced batch in batch order (``flows.pipeline``), so the warehouse ends up as a single
process leaves it. It is the Dask
runner's design (``flows.scaleout``) without a cluster: no scheduler to start, and the result
travels back through the pool's pipe instead of a staging file.

Workers are spawned (fresh interpreters, not forks of this process with its threads and open
warehouse), load the spaCy model once each and keep one bounded extraction process for all
their batches. At most ``workers + 1`` batches are in flight, so a long run holds a bounded
number of produced batches in memory. newsmill's log records from the workers are forwarded to
this process's loggers, so they reach the terminal and a Prefect run's log view alike.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import multiprocessing
import multiprocessing.util
import os
import queue
import signal
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from newsmill.flows.robots import robots_by_batch
from newsmill.settings import Settings
from newsmill.tasks.batch import ProducedBatch, produce_batch
from newsmill.tasks.models import Source

log = logging.getLogger(__name__)

#: A batch whose worker died (killed, out of memory) is tried once more in a fresh pool before
#: it is recorded as failed: the death may have been another batch's doing.
ATTEMPTS = 2


def _start_worker(records: Any, level: int, limits: tuple[float, int, int]) -> None:
    """Pool initializer: Ctrl-C and SIGTERM are the run's process to handle (it stops the
    pool: a cancelled Prefect flow run's SIGTERM reaches the whole process group, and workers
    dying of it first would read as a broken pool rather than a cancelled run), newsmill's log
    records go to the run's process, and the worker's extraction process is shut down when the
    worker exits."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    root = logging.getLogger("newsmill")
    root.handlers[:] = [logging.handlers.QueueHandler(records)]
    root.setLevel(level)
    root.propagate = False
    # A pool worker ends through multiprocessing's exit function, which waits for the
    # process's children before running atexit hooks: without this finalizer (priority >= 0
    # runs first) the worker would wait forever for its idle extraction process.
    multiprocessing.util.Finalize(None, _close_extractor, args=(limits,), exitpriority=10)


def _close_extractor(limits: tuple[float, int, int]) -> None:
    from newsmill.tasks.isolation import shared_extractor

    if shared_extractor.cache_info().currsize:
        shared_extractor(*limits).close()


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (Linux ``/proc``; empty elsewhere), deepest last."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{parent}/task/{task}/children", encoding="ascii") as f:
                    children = [int(c) for c in f.read().split()]
            except OSError:
                continue
            found.extend(children)
            todo.extend(children)
    return found


def _produce(sources: Sequence[Source], settings: Settings, run_id: str,
             robots: Mapping[str, tuple[datetime, int, str]]) -> ProducedBatch:
    """In a worker: the first half of one batch (workers never open the warehouse)."""
    return produce_batch(sources, settings, run_id, use_warehouse=False, robots=robots)


class _LogForwarder:
    """Re-emits the workers' log records through this process's loggers of the same name.

    Drained by the thread that runs the pipeline, between its waits for the next batch, and
    not by a thread of its own: a Prefect flow run's log handler finds the run it logs to in
    the context of that thread (a record handled elsewhere would be dropped).
    """

    def __init__(self, context: Any) -> None:
        self.queue = context.Queue()

    def drain(self, wait: float = 0.0) -> None:
        """Handle every record waiting, after waiting up to ``wait`` seconds for the first."""
        timeout: float | None = wait
        while True:
            try:
                record = self.queue.get(timeout=timeout) if timeout else self.queue.get_nowait()
            except (queue.Empty, EOFError, OSError):
                return
            timeout = None
            logger = logging.getLogger(record.name)
            if logger.isEnabledFor(record.levelno):
                logger.handle(record)

    def close(self) -> None:
        self.drain()
        self.queue.close()
        self.queue.join_thread()


class _Pool:
    """A process pool that can be replaced when a worker dies, and stopped at once."""

    def __init__(self, workers: int, context: Any, forwarder: _LogForwarder,
                 limits: tuple[float, int, int]) -> None:
        self.workers = workers
        self.limits = limits
        self.context = context
        self.forwarder = forwarder
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        level = logging.getLogger("newsmill").getEffectiveLevel()
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=self.context,
                                   initializer=_start_worker,
                                   initargs=(self.forwarder.queue, level, self.limits))

    def renew(self) -> None:
        self.stop()
        self.executor = self._new()

    def stop(self, *, wait: bool = False) -> None:
        """End the workers: at once (``wait`` False: a cancelled or failed run does not wait
        for batches nobody will commit), or after their current batch."""
        if not wait:
            # The workers and what they started (their extraction processes), so that a
            # stopped run leaves no process behind.
            for process in list(getattr(self.executor, "_processes", {}).values()):
                for pid in [*_descendants(process.pid), process.pid]:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
        self.executor.shutdown(wait=True, cancel_futures=True)


def _in_order(pool: _Pool, batches: Sequence[Sequence[Source]], settings: Settings,
              run_id: str, robots: Sequence[Mapping[str, tuple[datetime, int, str]]],
              *, here: Callable[[int], bool]) -> Iterator[ProducedBatch | Exception]:
    """Each batch's produced result in batch order, or the exception that failed it.

    Batches for which ``here`` is true are produced in this process, the others in the pool,
    at most ``workers + 1`` of them submitted ahead of the one being committed. While the pool's
    next batch is not ready, this process produces its own next batch rather than wait (and
    holds at most that one)."""
    ahead = pool.workers + 1
    attempts = [0] * len(batches)
    pending: deque[tuple[int, Future[ProducedBatch]]] = deque()
    held: dict[int, ProducedBatch | Exception] = {}
    ours = [i for i in range(len(batches)) if here(i)]
    next_submit = 0

    def submit(index: int) -> None:
        attempts[index] += 1
        pending.append((index, pool.executor.submit(
            _produce, batches[index], settings, run_id, robots[index])))

    def produce_here(index: int) -> ProducedBatch | Exception:
        try:
            return _produce(batches[index], settings, run_id, robots[index])
        except Exception as exc:  # recorded as a failed batch by the pipeline
            return exc

    for index in range(len(batches)):
        while next_submit < len(batches) and len(pending) < ahead:
            if not here(next_submit):
                submit(next_submit)
            next_submit += 1
        if here(index):
            yield held.pop(index) if index in held else produce_here(index)
            continue
        upcoming = next((i for i in ours if i > index), None)
        while True:
            pending_index, future = pending[0]
            assert pending_index == index, (pending_index, index)
            if not future.done() and upcoming is not None and upcoming not in held:
                held[upcoming] = produce_here(upcoming)
            while not future.done():
                pool.forwarder.drain(wait=0.1)
            pool.forwarder.drain()
            pending.popleft()
            try:
                outcome: ProducedBatch | Exception = future.result()
            except BrokenProcessPool as exc:
                # A worker died: every batch in flight is lost with the pool. Start a new pool
                # and submit them again (this one first), unless this one has had its tries.
                lost = [index] + [i for i, _ in pending]
                pending.clear()
                pool.renew()
                spent = attempts[index] >= ATTEMPTS
                log.warning("a worker process died (%s): %d batch(es) submitted again", exc,
                            len(lost) - spent)
                for i in lost[1:] if spent else lost:
                    submit(i)
                if not spent:
                    continue
                outcome = RuntimeError(f"the worker process producing this batch died twice: "
                                       f"{exc}")
            except Exception as exc:  # recorded as a failed batch by the pipeline
                outcome = exc
            break
        yield outcome


@contextmanager
def produce_in_processes(batches: Sequence[Sequence[Source]], settings: Settings, run_id: str,
                         *, here_too: bool = True
                         ) -> Iterator[Iterator[ProducedBatch | Exception]]:
    """Produce ``batches`` in ``settings.worker_count()`` processes (never more than there are
    batches, and at least two) — this one and a pool of the others — and yield their outcomes
    in batch order; the pool stops when the context exits (at once if it exits with an
    exception: Ctrl-C, a cancelled flow run).

    This process is one of the workers: it takes every ``workers``-th batch and commits all of
    them. A pool of ``workers`` processes beside it would leave it waiting most of the time and
    cost one more process's start-up (imports, the model, the language identifier, an
    extraction process: 3.5–4 s of CPU and ~400 MB measured on 2 cores). Unless ``here_too``
    is false: in a Prefect flow run this process must stay free to answer the runner (a
    cancel is acknowledged by one of its threads within 1 s, or Prefect takes the run for
    crashed), and a parse here holds the interpreter for seconds at a time."""
    robots = robots_by_batch(batches, settings)
    # Spawned, not forked from a fork server: a cancelled Prefect flow run's SIGTERM goes to the
    # whole process group, and the fork server, which does not ignore it, dies of it; the pool
    # then takes every worker it forked for dead ("a child process terminated abruptly") and
    # the run ends failed instead of cancelled. Workers spawned as children of this process
    # ignore it (``_start_worker``). A fork server would also only save the ~50 ms of a fresh
    # interpreter: preloading spaCy into it would put a few hundred MB into the address-space
    # limit of the extraction processes forked from the same server.
    context = multiprocessing.get_context("spawn")
    workers = max(2, min(settings.worker_count(), len(batches)))
    pooled = workers - 1 if here_too else workers
    forwarder = _LogForwarder(context)
    pool = _Pool(pooled, context, forwarder, (settings.extract_timeout,
                                               settings.extract_memory_mb,
                                               settings.max_html_bytes))
    log.info("producing %d batches in %d worker process(es)%s", len(batches), pooled,
             " and this one" if here_too else "")
    finished = False
    try:
        yield _in_order(pool, batches, settings, run_id, robots,
                        here=lambda index: here_too and index % workers == workers - 1)
        finished = True
    finally:
        pool.stop(wait=finished)
        forwarder.close()

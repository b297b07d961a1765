"""Opening the warehouse, migrating it, running statements, and mapping DuckDB errors.

Every statement of this package runs through :func:`execute` (or :func:`fetch_all`,
:func:`fetch_dicts`, which call it), and every DuckDB exception passes through
:func:`map_error`, the one place that decides whether a database failure is transient (retry
the batch) or terminal.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from newsmill.errors import Interrupted, NewsmillError, TransientError, WarehouseError
from newsmill.warehouse import sql

log = logging.getLogger(__name__)

# Messages DuckDB gives when another process holds the file or a write conflicts; retrying
# later can succeed. Matched case-insensitively against the exception text.
_TRANSIENT_MARKERS = ("could not set lock", "conflicting lock", "database is locked",
                      "write-write conflict", "transaction conflict")


# I/O failures that no retry can mend, matched like the markers above, with what they mean
# for the person who named the file.
_TERMINAL_IO_MARKERS = (
    ("is a directory", "it is a folder, not a DuckDB file"),
    ("not a valid duckdb database", "the file exists but is not a DuckDB database"),
    ("permission denied", "permission denied: this place cannot be written (or read) here"),
    ("read-only file system", "the file system there is read-only"),
    ("no such file or directory", "its folder does not exist, or cannot hold files"),
)


def map_error(exc: BaseException) -> NewsmillError:
    """Translate a DuckDB exception into a :class:`TransientError` or :class:`WarehouseError`.

    Only a lock held by another process, a transaction conflict, and I/O or memory failures
    that may pass are transient; a file that is a folder, is not a DuckDB database, or sits
    where nothing can be written is terminal, whatever DuckDB's class for it."""
    if isinstance(exc, NewsmillError):
        return exc
    text = str(exc)
    lowered = text.lower()
    if isinstance(exc, duckdb.TransactionException) or any(
        marker in lowered for marker in _TRANSIENT_MARKERS
    ):
        return TransientError(f"warehouse busy: {text}")
    for marker, meaning in _TERMINAL_IO_MARKERS:
        if marker in lowered:
            return WarehouseError(f"{meaning} ({text})")
    if isinstance(exc, duckdb.IOException | duckdb.OutOfMemoryException):
        # Disk full, file vanished, memory: may pass, but only a retry can tell.
        return TransientError(f"warehouse I/O: {text}")
    return WarehouseError(f"{type(exc).__name__}: {text}")


Params = Mapping[str, Any] | Sequence[Any] | None


def is_interruption(exc: BaseException) -> bool:
    """Whether DuckDB stopped a statement because a signal arrived (it checks for signals
    while it runs, and reports one as ``InterruptException`` or "Query interrupted")."""
    return isinstance(exc, duckdb.InterruptException) or (
        isinstance(exc, RuntimeError) and "interrupted" in str(exc).lower())


def interruption(exc: BaseException, what: str) -> BaseException:
    """What to raise for a statement a signal stopped: the signal's own exception when DuckDB
    kept it as the cause (Prefect's TerminationSignal must reach Prefect as itself, or a
    cancelled flow run is taken for crashed), else :class:`Interrupted`."""
    for behind in (exc.__cause__, exc.__context__):
        if behind is not None and not isinstance(behind, Exception):
            return behind
    return Interrupted(f"{what}: {exc}")


def execute(conn: duckdb.DuckDBPyConnection, name: str, params: Params = None, *,
            text: str | None = None) -> duckdb.DuckDBPyConnection:
    """Run ``queries/<name>.sql`` (or ``text``, a statement built here; ``name`` then labels
    it in errors) with bound ``params``; a DuckDB error comes out mapped, and a statement a
    signal stopped as :class:`Interrupted`."""
    try:
        return conn.execute(text if text is not None else sql.query(name), params)
    except (duckdb.Error, RuntimeError) as exc:
        if is_interruption(exc):
            raise interruption(exc, name) from None  # its message says what DuckDB said
        if not isinstance(exc, duckdb.Error):
            raise
        raise map_error(exc) from exc


def fetch_all(conn: duckdb.DuckDBPyConnection, name: str, params: Params = None
              ) -> list[tuple[Any, ...]]:
    """Every row of the named query, as tuples."""
    cursor = execute(conn, name, params)
    try:
        return [tuple(row) for row in cursor.fetchall()]
    except duckdb.Error as exc:
        raise map_error(exc) from exc


def fetch_dicts(conn: duckdb.DuckDBPyConnection, name: str, params: Params = None
                ) -> list[dict[str, Any]]:
    """Every row of the named query, as ``{column: value}``."""
    cursor = execute(conn, name, params)
    try:
        columns = [d[0] for d in cursor.description or []]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    except duckdb.Error as exc:
        raise map_error(exc) from exc


#: First wait after finding the file locked by another process; doubled up to LOCK_POLL_MAX.
LOCK_POLL_FIRST = 0.05
LOCK_POLL_MAX = 2.0


def connect(path: Path | str, *, read_only: bool = False, wait: float = 0.0,
            on_wait: Callable[[str], None] | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file. A writer creates the file and its folder; a reader never does.

    A path that cannot be a warehouse (a folder, a file that is not a DuckDB database, a place
    where nothing can be written, a folder that cannot be made) fails at once with a
    :class:`WarehouseError` naming the path and what is wrong. Only a lock held by another
    process is waited for: up to ``wait`` seconds, announced at once — through ``on_wait``,
    given the message, or else as a warning of this module's logger — before giving up with
    a TransientError.
    """
    target = Path(path)
    if target.is_dir():
        raise WarehouseError(f"cannot open the warehouse {target}: it is a folder, not a "
                             f"DuckDB file (did you mean {target / 'newsmill.duckdb'}?)")
    if read_only and not target.exists():
        raise WarehouseError(f"no warehouse at {target}: run `newsmill ingest` first")
    if not read_only:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(f"cannot create the folder {target.parent} for the warehouse "
                                 f"{target}: {exc.strerror or exc}") from exc
    deadline = time.monotonic() + wait
    pause = LOCK_POLL_FIRST
    told = False
    while True:
        try:
            # Replacement scans would let a table name resolve to a Python variable of the
            # same name in the calling frame (a missing table "schema_version" found a
            # function).
            return duckdb.connect(str(target), read_only=read_only,
                                  config={"python_enable_replacements": False})
        except duckdb.Error as exc:
            error = map_error(exc)
            if not isinstance(error, TransientError):
                raise WarehouseError(f"cannot open the warehouse {target}: {error}") from exc
            if time.monotonic() + pause > deadline:
                waited = f" after waiting {wait:g}s" if wait else ""
                raise TransientError(f"warehouse busy: {target} is held by another "
                                     f"process{_holder(exc)}{waited}") from exc
            if not told:
                message = (f"waiting for {target}, held by another process{_holder(exc)} "
                           f"(at most {wait:g}s)")
                if on_wait is not None:
                    on_wait(message)
                else:
                    log.warning("%s", message)
                told = True
        time.sleep(pause)
        pause = min(pause * 2, LOCK_POLL_MAX)


def _holder(exc: BaseException) -> str:
    """`` (PID 123)`` from DuckDB's lock message, or nothing when it does not say."""
    text = str(exc)
    start = text.find("(PID ")
    end = text.find(")", start)
    return f" {text[start:end + 1]}" if start >= 0 and end > start else ""


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run the block in one transaction: all of it commits, or none of it does."""
    try:
        conn.execute("BEGIN TRANSACTION")
        yield conn
        conn.execute("COMMIT")
    except BaseException as exc:
        try:
            conn.execute("ROLLBACK")
        except duckdb.Error:
            log.debug("rollback after failure also failed", exc_info=True)
        if is_interruption(exc) and not isinstance(exc, Interrupted):
            raise interruption(exc, "the transaction") from None
        if isinstance(exc, duckdb.Error):
            raise map_error(exc) from exc
        raise


def migrate(conn: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration not yet recorded in ``schema_version``, then recreate the views
    if the warehouse holds another set of them than this code defines.

    Each migration runs in its own transaction together with its ``schema_version`` row. On a
    warehouse that is up to date this costs two small reads, whatever its size. Returns the
    versions applied now.
    """
    execute(conn, "schema_version_create")
    applied = {row[0] for row in fetch_all(conn, "schema_version_applied")}
    done = []
    for version, name, text in sql.migrations():
        if version in applied:
            continue
        with transaction(conn):
            conn.execute(text)
            execute(conn, "schema_version_record",
                    {"version": version, "name": name, "applied_at": utcnow()})
        log.info("applied warehouse migration %03d_%s", version, name)
        done.append(version)
    fingerprint = sql.views_fingerprint()
    stored = fetch_all(conn, "view_state_get")
    if done or not stored or stored[0][0] != fingerprint:
        with transaction(conn):
            for _name, text in sql.views():
                conn.execute(text)
            execute(conn, "view_state_set", {"fingerprint": fingerprint, "applied_at": utcnow()})
    return done


def schema_version(conn: duckdb.DuckDBPyConnection) -> int:
    """The newest migration applied to this warehouse (0 for an empty file)."""
    if not fetch_all(conn, "table_exists", {"table": "schema_version"})[0][0]:
        return 0
    return max((r[0] for r in fetch_all(conn, "schema_version_applied")), default=0)


def utcnow() -> datetime:
    """Now in UTC, as the naive timestamp the warehouse stores."""
    return datetime.now(UTC).replace(tzinfo=None)


#: How long a writer waits for other processes (an analyst's query, another run's batch)
#: to let go of the file: a batch commit takes well under a second, a query a few.
WRITER_LOCK_WAIT = 60.0


#: The least memory a writer is given per core DuckDB runs it on: each thread keeps buffers of
#: its own, so a fixed cap that suits 2 cores (256 MB, measured) would starve 64.
WRITER_MEMORY_PER_CORE_MB = 64


def writer_memory_mb() -> int:
    """The writer's memory cap: ``NEWSMILL_WRITER_MEMORY_MB``, but at least
    :data:`WRITER_MEMORY_PER_CORE_MB` per core (0: DuckDB's own default)."""
    from newsmill.settings import Settings

    wanted = Settings.from_env().writer_memory_mb
    return max(wanted, WRITER_MEMORY_PER_CORE_MB * (os.cpu_count() or 1)) if wanted > 0 else 0


@contextmanager
def open_writer(path: Path | str, *, wait: float = WRITER_LOCK_WAIT,
                memory_mb: int | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A migrated read-write connection, closed on exit.

    Writers hold the file only for as long as the block runs (one batch), so that readers
    and other runs get their turn between batches; a writer finding the file held waits for
    up to ``wait`` seconds (then the batch fails as transient, and orchestration retries it).
    Its memory is capped at ``memory_mb`` (default ``NEWSMILL_WRITER_MEMORY_MB``): DuckDB
    keeps the blocks it scans cached up to its limit, 80 % of the machine by default, so a
    writer's memory would grow with the warehouse it looks things up in.
    """
    conn = connect(path, wait=wait)
    limit = writer_memory_mb() if memory_mb is None else memory_mb
    try:
        if limit > 0:
            execute(conn, "set_memory_limit", text=f"SET memory_limit = '{int(limit)}MiB'")
        migrate(conn)
        yield conn
    finally:
        conn.close()

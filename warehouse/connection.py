"""Opening the warehouse, migrating it, running statements, and mapping DuckDB errors.

Every statement of this package runs through :func:`execute` (or :func:`fetch_all`,
:func:`fetch_dicts`, which call it), and every DuckDB exception passes through
:func:`map_error`, the one place that decides whether a database failure is transient (retry
the batch) or terminal.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from newsmill.errors import NewsmillError, TransientError, WarehouseError
from newsmill.warehouse import sql

log = logging.getLogger(__name__)

# Messages DuckDB gives when another process holds the file or a write conflicts; retrying
# later can succeed. Matched case-insensitively against the exception text.
_TRANSIENT_MARKERS = ("could not set lock", "conflicting lock", "database is locked",
                      "write-write conflict", "transaction conflict")


def map_error(exc: BaseException) -> NewsmillError:
    """Translate a DuckDB exception into a :class:`TransientError` or :class:`WarehouseError`."""
    if isinstance(exc, NewsmillError):
        return exc
    text = str(exc)
    lowered = text.lower()
    if isinstance(exc, duckdb.TransactionException) or any(
        marker in lowered for marker in _TRANSIENT_MARKERS
    ):
        return TransientError(f"warehouse busy: {text}")
    if isinstance(exc, duckdb.IOException | duckdb.OutOfMemoryException):
        # Disk full, file vanished, memory: may pass, but only a retry can tell.
        return TransientError(f"warehouse I/O: {text}")
    return WarehouseError(f"{type(exc).__name__}: {text}")


Params = Mapping[str, Any] | Sequence[Any] | None


def execute(conn: duckdb.DuckDBPyConnection, name: str, params: Params = None, *,
            text: str | None = None) -> duckdb.DuckDBPyConnection:
    """Run ``queries/<name>.sql`` (or ``text``, a statement built here; ``name`` then labels
    it in errors) with bound ``params``; a DuckDB error comes out mapped."""
    try:
        return conn.execute(text if text is not None else sql.query(name), params)
    except duckdb.Error as exc:
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
            on_wait: Callable[[], None] | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file. A writer creates the file and its folder; a reader never does.

    DuckDB lets one process write a file while no other process has it open. When another
    process holds it, try again for up to ``wait`` seconds (calling ``on_wait`` once, so a
    command can say it is waiting) before giving up with a TransientError.
    """
    target = Path(path)
    if read_only and not target.exists():
        raise WarehouseError(f"no warehouse at {target}: run `newsmill ingest` first")
    if not read_only:
        target.parent.mkdir(parents=True, exist_ok=True)
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
            if not isinstance(error, TransientError) or time.monotonic() + pause > deadline:
                raise error from exc
        if on_wait is not None and not told:
            on_wait()
            told = True
        time.sleep(pause)
        pause = min(pause * 2, LOCK_POLL_MAX)


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


@contextmanager
def open_writer(path: Path | str, *, wait: float = WRITER_LOCK_WAIT
                ) -> Iterator[duckdb.DuckDBPyConnection]:
    """A migrated read-write connection, closed on exit.

    Writers hold the file only for as long as the block runs (one batch), so that readers
    and other runs get their turn between batches; a writer finding the file held waits for
    up to ``wait`` seconds (then the batch fails as transient, and orchestration retries it).
    """
    conn = connect(path, wait=wait)
    try:
        migrate(conn)
        yield conn
    finally:
        conn.close()

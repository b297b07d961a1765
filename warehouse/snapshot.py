"""A read-only copy of the warehouse for long-lived readers (a DuckDB shell left open, a
dashboard polling), published on request or at most every ``NEWSMILL_SNAPSHOT_MINUTES``.

DuckDB lets one process write a file while no other process has it open, so a reader that
keeps the warehouse open would hold up every scheduled run. Analysts who keep a connection
open use the snapshot instead: it is copied under the writer's lock (so it holds whole runs
only) into a temporary file, then swapped in with an atomic rename — a reader that has the
old snapshot open keeps reading it, and the next connection sees the new one. A publication
killed half-way leaves its temporary file (and its write-ahead log); the next publication, and
the start of every run, remove them.

A copy costs the whole warehouse in time and disk (at 95k documents 327 MB and most of a
100 s run), so it is not made after every run: a scheduled deployment that wants one sets
the interval, and everyone else asks for it when they need it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb

from newsmill.warehouse.connection import fetch_all, map_error, open_writer

#: Name of the snapshot beside the warehouse: data/newsmill.duckdb → data/newsmill.snapshot.duckdb
SNAPSHOT_SUFFIX = ".snapshot.duckdb"


def snapshot_path(db: Path) -> Path:
    return db.with_name(db.name.removesuffix(".duckdb") + SNAPSHOT_SUFFIX)


def snapshot_age(db: Path) -> float | None:
    """Seconds since the snapshot was published, or None when there is none."""
    try:
        return max(0.0, time.time() - snapshot_path(db).stat().st_mtime)
    except OSError:
        return None


def snapshot_due(db: Path, every_minutes: float, *, loaded: bool = True) -> bool:
    """True when automatic publication is on and the snapshot is missing, or older than the
    interval and behind the warehouse: the run ``loaded`` documents, or the snapshot lacks
    documents the warehouse holds (a run killed after its last batch, before or while it
    published, left it behind: the re-run, loading nothing, must still publish)."""
    if every_minutes <= 0:
        return False
    age = snapshot_age(db)
    if age is None:
        return True
    return age >= every_minutes * 60 and (loaded or snapshot_behind(db))


def snapshot_behind(db: Path) -> bool:
    """Whether the warehouse holds documents its snapshot does not (or the snapshot cannot be
    read). Documents are only ever added, so their number tells."""
    try:
        reader = duckdb.connect(str(snapshot_path(db)), read_only=True)
        try:
            published = reader.execute("SELECT count(*) FROM documents").fetchone()
        finally:
            reader.close()
    except duckdb.Error:
        return True
    with open_writer(db) as conn:
        stored = fetch_all(conn, "index_coverage")[0][0]  # (documents, indexed)
    return not published or published[0] < stored


def leftovers(db: Path) -> list[Path]:
    """The temporary files a publication killed half-way left beside ``db``: the copy under
    way and DuckDB's write-ahead log of it."""
    temporary = _temporary(db)
    return [p for p in (temporary, temporary.with_name(temporary.name + ".wal")) if p.exists()]


def remove_leftovers(db: Path) -> list[Path]:
    """Delete what a killed publication left (see :func:`leftovers`); returns what went.

    Call it holding the warehouse's writer lock: a publication writes its temporary file only
    while it holds that lock, so none can be under way then."""
    gone = leftovers(db)
    for path in gone:
        path.unlink(missing_ok=True)
    return gone


def _temporary(db: Path) -> Path:
    target = snapshot_path(db)
    return target.with_name(target.name + ".tmp")


def publish_snapshot(db: Path) -> Path:
    """Copy the warehouse to its snapshot file, atomically; returns the snapshot's path.

    The temporary copy lives only while the writer's lock is held (made, filled and renamed
    under it), so whatever is found of it at the start is a killed publication's, and goes."""
    target = snapshot_path(db)
    temporary = _temporary(db)
    with open_writer(db) as conn:
        remove_leftovers(db)
        try:
            # ATTACH takes a literal path (no parameters); it is ours, quotes doubled.
            conn.execute(f"ATTACH '{str(temporary).replace(chr(39), chr(39) * 2)}' AS snapshot")
            catalog = conn.execute("SELECT current_database()").fetchone()
            conn.execute(f'COPY FROM DATABASE "{catalog[0] if catalog else "main"}" TO snapshot')
            conn.execute("DETACH snapshot")
        except duckdb.Error as exc:
            raise map_error(exc) from exc
        os.replace(temporary, target)
    return target

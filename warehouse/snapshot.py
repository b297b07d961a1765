"""A read-only copy of the warehouse for long-lived readers (a DuckDB shell left open, a
dashboard polling), published after each run.

DuckDB lets one process write a file while no other process has it open, so a reader that
keeps the warehouse open would hold up every scheduled run. Analysts who keep a connection
open use the snapshot instead: it is copied under the writer's lock (so it holds whole runs
only) into a temporary file, then swapped in with an atomic rename — a reader that has the
old snapshot open keeps reading it, and the next connection sees the new one.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from newsmill.warehouse.connection import map_error, open_writer

#: Name of the snapshot beside the warehouse: data/newsmill.duckdb → data/newsmill.snapshot.duckdb
SNAPSHOT_SUFFIX = ".snapshot.duckdb"


def snapshot_path(db: Path) -> Path:
    return db.with_name(db.name.removesuffix(".duckdb") + SNAPSHOT_SUFFIX)


def publish_snapshot(db: Path) -> Path:
    """Copy the warehouse to its snapshot file, atomically; returns the snapshot's path."""
    target = snapshot_path(db)
    temporary = target.with_name(target.name + ".tmp")
    temporary.unlink(missing_ok=True)
    with open_writer(db) as conn:
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

"""What the warehouse remembers of input files (``input_files``, migration 011)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import duckdb

from newsmill.warehouse.connection import fetch_all

#: ``(size_bytes, mtime_ns, raw_sha256, document_id)`` of a file as last read.
KnownFile = tuple[int, int, str, str]


def known_files(conn: duckdb.DuckDBPyConnection, paths: Iterable[str]) -> dict[str, KnownFile]:
    """``{path: (size_bytes, mtime_ns, raw_sha256, document_id)}`` for the paths known."""
    wanted = sorted(set(paths))
    if not wanted:
        return {}
    return {r[0]: (r[1], r[2], r[3], r[4])
            for r in fetch_all(conn, "input_files_by_path", {"paths": wanted})}


def documents_for_raw(conn: duckdb.DuckDBPyConnection, hashes: Iterable[str]) -> dict[str, Any]:
    """``{raw_sha256: document_id}`` for raw-bytes hashes that gave a stored document."""
    wanted = sorted(set(hashes))
    if not wanted:
        return {}
    return {r[0]: r[1] for r in fetch_all(conn, "input_files_by_raw", {"hashes": wanted})}

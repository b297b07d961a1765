"""Warehouse contents without what differs between two runs of the same input (run ids,
timestamps), to compare how two runners filled a warehouse; and the processes a runner left."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb
import psutil

#: Tables compared between the two runs; run ids and timestamps differ by nature.
TABLES = ("documents", "document_sources", "rejections", "entities", "mentions", "quotes",
          "document_minhash", "document_bands", "entity_links")
IGNORED = {"run_id", "detail"}  # a rejection's detail may name a worker's temporary path


def warehouse_contents(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of ``TABLES`` without run ids and ``*_at`` timestamps, sorted, and the run's
    counts."""
    conn = duckdb.connect(str(db), read_only=True)
    try:
        out: dict[str, list[tuple[Any, ...]]] = {}
        for table in TABLES:
            columns = [r[0] for r in conn.execute(f"describe {table}").fetchall()]
            kept = [c for c in columns if c not in IGNORED and not c.endswith("_at")]
            query = f"select {', '.join(kept)} from {table}"  # noqa: S608 - our table names
            rows = conn.execute(query).fetchall()
            out[table] = sorted(rows, key=repr)
        out["runs"] = conn.execute(
            "select flow, status, error, docs_seen, docs_loaded, docs_unchanged, "
            "docs_rejected, batches_committed from runs").fetchall()
        return out
    finally:
        conn.close()


def child_processes() -> set[int]:
    """This process's descendants, but for multiprocessing's resource tracker (started with
    the first process spawned, it lives as long as this process)."""
    found = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if "resource_tracker" not in " ".join(child.cmdline()):
                found.add(child.pid)
        except psutil.Error:  # gone meanwhile
            continue
    return found


def wait_for_no_new_children(before: set[int], seconds: float = 30.0) -> set[int]:
    """The descendants started since ``before`` still running after up to ``seconds``."""
    deadline = time.monotonic() + seconds
    while (left := child_processes() - before) and time.monotonic() < deadline:
        time.sleep(0.5)
    return left

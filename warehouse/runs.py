"""The ``runs`` table: one row per flow run, with its settings, versions and outcome."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from newsmill.warehouse.connection import execute, fetch_all, transaction, utcnow

RUNNING, COMPLETED, FAILED = "running", "completed", "failed"
CRASHED, CANCELLED = "crashed", "cancelled"


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    flow: str
    status: str
    docs_seen: int
    docs_loaded: int
    docs_unchanged: int
    docs_rejected: int
    batches_committed: int
    error: str | None


def start_run(
    conn: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    flow: str,
    settings: dict[str, Any],
    code_version: str,
    spacy_model: str | None,
    spacy_model_version: str | None,
    sources_given: int,
) -> None:
    """Record that a run has started, by this process on this host: the row and its process
    in one transaction, so that a run killed as it starts never leaves a running row without
    the process that would tell a later run it is gone."""
    with transaction(conn):
        execute(conn, "run_start", {
            "run_id": run_id, "flow": flow, "started_at": utcnow(),
            "settings": json.dumps(settings, sort_keys=True), "code_version": code_version,
            "spacy_model": spacy_model, "spacy_model_version": spacy_model_version,
            "sources_given": sources_given,
        })
        # The process columns come with migration 013; a warehouse not migrated that far (a
        # test of an older migration writing a run row) gets its run row without them.
        columns = {name for name, _type in fetch_all(conn, "table_columns", {"table": "runs"})}
        if {"pid", "host"} <= columns:
            execute(conn, "run_set_process", {"run_id": run_id, "pid": os.getpid(),
                                              "host": socket.gethostname()})


def finish_run(
    conn: duckdb.DuckDBPyConnection,
    *,
    run_id: str,
    status: str,
    stage_seconds: dict[str, float] | None = None,
    error: str | None = None,
) -> None:
    """Record how a run ended."""
    execute(conn, "run_finish", {
        "run_id": run_id, "finished_at": utcnow(), "status": status,
        "stage_seconds": json.dumps(stage_seconds or {}, sort_keys=True), "error": error,
    })


def get_run(conn: duckdb.DuckDBPyConnection, run_id: str) -> RunSummary | None:
    """The run's outcome, or None if no such run was recorded."""
    rows = fetch_all(conn, "run_get", {"run_id": run_id})
    row = rows[0] if rows else None
    if row is None:
        return None
    return RunSummary(
        run_id=row[0], flow=row[1], status=row[4], docs_seen=row[5], docs_loaded=row[6],
        docs_unchanged=row[7], docs_rejected=row[8], batches_committed=row[9], error=row[10],
    )


def rejections_for_run(conn: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple[str, ...]]:
    """``(source, stage, reason, detail)`` for every rejection of the run."""
    return fetch_all(conn, "rejections_for_run", {"run_id": run_id})


def set_prefect_flow_run(conn: duckdb.DuckDBPyConnection, run_id: str, flow_run_id: str) -> None:
    """Record the Prefect flow run that carries a newsmill run."""
    execute(conn, "run_set_prefect", {"run_id": run_id, "flow_run_id": flow_run_id})


def mark_ended_by_prefect(conn: duckdb.DuckDBPyConnection, flow_run_id: str, status: str,
                          error: str) -> None:
    """Mark the run of a crashed or cancelled flow run (unless it finished on its own)."""
    execute(conn, "run_mark_ended_by_prefect", {
        "flow_run_id": flow_run_id, "status": status, "finished_at": utcnow(), "error": error})


#: A process that started this much after the run it is taken for is another process that got
#: the same pid (pids are reused); the clocks of /proc and of the run row differ by far less.
PID_REUSE_SLACK = timedelta(seconds=5)


def process_started_at(pid: int) -> datetime | None:
    """When the process ``pid`` started, in UTC (naive), from /proc; None when unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        with open("/proc/stat", encoding="ascii") as handle:
            boot = next(int(line.split()[1]) for line in handle if line.startswith("btime "))
        ticks = int(fields[19])  # field 22 of the line; the fields here start at field 3
    except (OSError, ValueError, IndexError, StopIteration):
        return None
    seconds = boot + ticks / os.sysconf("SC_CLK_TCK")
    return datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None) if seconds > 0 else None


def process_alive(pid: int, since: datetime | None = None) -> bool:
    """Whether the process ``pid`` of this host is still there (and, given ``since``, the
    same process: one that started no later than ``since``, not a later one with its pid)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process: it exists
    except OSError:
        return False
    if since is not None:
        started = process_started_at(pid)
        if started is not None and started > since + PID_REUSE_SLACK:
            return False
    return True


def mark_abandoned_runs(conn: duckdb.DuckDBPyConnection, *, host: str | None = None,
                        alive: Callable[[int, datetime | None], bool] = process_alive
                        ) -> list[str]:
    """Mark ``crashed`` the runs still marked running whose process, on this host, is gone
    (killed, out of memory, the machine restarted); returns their ids. Runs of live processes
    and of other hosts are left alone: this host cannot tell whether those are under way."""
    here = host or socket.gethostname()
    gone = [(run_id, pid) for run_id, pid, started_at
            in fetch_all(conn, "run_running_on_host", {"host": here})
            if not alive(int(pid), started_at)]
    for run_id, pid in gone:
        execute(conn, "run_mark_abandoned", {
            "run_id": run_id, "status": CRASHED, "finished_at": utcnow(),
            "error": f"abandoned: its process (pid {pid} on {here}) is gone and never "
                     "finished it; batches committed before then are kept"})
    return [run_id for run_id, _pid in gone]

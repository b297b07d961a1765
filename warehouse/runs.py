"""The ``runs`` table: one row per flow run, with its settings, versions and outcome."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import duckdb

from newsmill.warehouse.connection import execute, fetch_all, utcnow

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
    """Record that a run has started."""
    execute(conn, "run_start", {
        "run_id": run_id, "flow": flow, "started_at": utcnow(),
        "settings": json.dumps(settings, sort_keys=True), "code_version": code_version,
        "spacy_model": spacy_model, "spacy_model_version": spacy_model_version,
        "sources_given": sources_given,
    })


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

"""What a run found, for its summary: top entities, speakers, quotes, rejections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb

from newsmill.warehouse.connection import fetch_all

#: Rows per list in a run summary: enough to see what a run was about, short enough to read.
SUMMARY_ROWS = 5


@dataclass(frozen=True)
class RunFindings:
    top_entities: list[tuple[Any, ...]]
    top_speakers: list[tuple[Any, ...]]
    sample_quotes: list[tuple[Any, ...]]
    rejections: list[tuple[Any, ...]]


def run_findings(conn: duckdb.DuckDBPyConnection, run_id: str,
                 limit: int = SUMMARY_ROWS) -> RunFindings:
    def rows(name: str, **params: Any) -> list[tuple[Any, ...]]:
        return fetch_all(conn, name, params)

    return RunFindings(
        top_entities=rows("run_top_entities", run_id=run_id, limit=limit),
        top_speakers=rows("run_top_speakers", run_id=run_id, limit=limit),
        sample_quotes=rows("run_sample_quotes", run_id=run_id, limit=limit),
        rejections=rows("rejections_for_run", run_id=run_id),
    )

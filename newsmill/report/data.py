"""What a report shows, read from the warehouse's marts through ``warehouse/queries/report_*``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from newsmill.warehouse.connection import fetch_all, fetch_dicts

#: Entities drawn as lines over time (more lines cannot be told apart) and listed in the table.
ENTITY_LINES = 8
ENTITY_ROWS = 12
#: Speakers drawn and listed.
SPEAKER_ROWS = 12


@dataclass(frozen=True)
class Scope:
    """What a report covers: publication days from ``since`` to ``until`` (inclusive; None
    means unbounded) and sites whose name matches ``site`` (an ILIKE pattern)."""

    since: date | None = None
    until: date | None = None
    site: str | None = None

    def params(self) -> dict[str, Any]:
        return {"since": self.since, "until": self.until, "site": self.site}


@dataclass(frozen=True)
class Period:
    documents: int
    undated: int
    first_day: date | None
    last_day: date | None


@dataclass(frozen=True)
class ReportData:
    scope: Scope
    period: Period
    documents_daily: list[dict[str, Any]]
    top_entities: list[dict[str, Any]]
    entities_daily: list[dict[str, Any]]
    speakers: list[dict[str, Any]]
    quote_kinds: list[dict[str, Any]]
    rejections: list[dict[str, Any]]
    feeds: list[dict[str, Any]]


def load(conn: duckdb.DuckDBPyConnection, scope: Scope) -> ReportData:
    """Every row the report draws, in the order of its sections."""
    params = scope.params()
    ((documents, undated, first_day, last_day),) = fetch_all(conn, "report_period", params)
    top_entities = fetch_dicts(conn, "report_entities_top", {**params, "limit": ENTITY_ROWS})
    lines = [row["entity_id"] for row in top_entities[:ENTITY_LINES]]
    return ReportData(
        scope=scope,
        period=Period(int(documents), int(undated), first_day, last_day),
        documents_daily=fetch_dicts(conn, "report_documents_daily", params),
        top_entities=top_entities,
        entities_daily=fetch_dicts(conn, "report_entities_daily",
                                   {**params, "entity_ids": lines}) if lines else [],
        speakers=fetch_dicts(conn, "report_speakers_top", {**params, "limit": SPEAKER_ROWS}),
        quote_kinds=fetch_dicts(conn, "report_quote_kinds", params),
        rejections=fetch_dicts(conn, "report_rejections_daily",
                               {"since": scope.since, "until": scope.until}),
        feeds=fetch_dicts(conn, "report_feed_health"),
    )

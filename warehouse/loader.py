"""Loading one batch into the warehouse atomically.

The loader takes plain row dicts (built by ``tasks.load``) so that this layer knows nothing of
the pipeline's dataclasses. A batch is written in one transaction: after a crash it is either
wholly in the warehouse or not at all. Inserts skip rows whose keys exist, so loading the same
batch twice changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

from newsmill.warehouse import sql
from newsmill.warehouse.connection import map_error, transaction

Row = dict[str, Any]


@dataclass
class BatchRows:
    """Everything one batch adds, as rows keyed by column name."""

    run_id: str
    documents: list[Row] = field(default_factory=list)
    document_sources: list[Row] = field(default_factory=list)
    rejections: list[Row] = field(default_factory=list)
    entities: list[Row] = field(default_factory=list)
    mentions: list[Row] = field(default_factory=list)
    quotes: list[Row] = field(default_factory=list)
    fetches: list[Row] = field(default_factory=list)
    robots: list[Row] = field(default_factory=list)
    feeds: list[Row] = field(default_factory=list)
    document_minhash: list[Row] = field(default_factory=list)
    document_bands: list[Row] = field(default_factory=list)
    entity_links: list[Row] = field(default_factory=list)
    seen: int = 0
    unchanged: int = 0

    @property
    def loaded(self) -> int:
        return len(self.documents)


# Tables in insert order; the statement for each is queries/insert_<table>.sql.
_TABLES = ("documents", "document_sources", "rejections", "entities", "mentions", "quotes",
           "fetches", "robots", "feeds", "document_minhash", "document_bands",
           "entity_links")


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    raise TypeError(f"cannot store {type(value).__name__} in the warehouse")


def rows_json(rows: Sequence[Row]) -> str:
    """Rows as the JSON array the bulk insert statements unnest."""
    return json.dumps(list(rows), default=_json_default, ensure_ascii=False)


def load_batch(conn: duckdb.DuckDBPyConnection, batch: BatchRows) -> None:
    """Write ``batch`` and add its counts to its run row, in one transaction."""
    with transaction(conn):
        for table in _TABLES:
            rows: list[Row] = getattr(batch, table)
            if rows:
                conn.execute(sql.query(f"insert_{table}"), {"rows": rows_json(rows)})
        conn.execute(
            sql.query("run_add_batch"),
            {
                "run_id": batch.run_id,
                "seen": batch.seen,
                "loaded": batch.loaded,
                "unchanged": batch.unchanged,
                "rejected": len(batch.rejections),
            },
        )


def existing_documents(
    conn: duckdb.DuckDBPyConnection, content_hashes: Iterable[str]
) -> dict[str, str]:
    """``{content_hash: document_id}`` for the hashes already stored."""
    hashes = sorted(set(content_hashes))
    if not hashes:
        return {}
    try:
        rows = conn.execute(sql.query("documents_existing"), {"hashes": hashes}).fetchall()
    except duckdb.Error as exc:
        raise map_error(exc) from exc
    return {row[0]: row[1] for row in rows}


def near_duplicate_candidates(
    conn: duckdb.DuckDBPyConnection, bands: Iterable[tuple[int, int]]
) -> list[tuple[str, list[int], str | None]]:
    """``(document_id, signature, duplicate_of)`` of stored documents sharing a band key."""
    wanted = [{"band": band, "band_key": key} for band, key in set(bands)]
    if not wanted:
        return []
    try:
        rows = conn.execute(sql.query("near_duplicate_candidates"),
                            {"bands": json.dumps(wanted)}).fetchall()
    except duckdb.Error as exc:
        raise map_error(exc) from exc
    return [(r[0], list(r[1]), r[2]) for r in rows]


def stored_documents(conn: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> list[Row]:
    """The stored fields of the given documents, as row dicts."""
    try:
        cursor = conn.execute(sql.query("documents_by_ids"), {"ids": list(ids)})
        columns = [d[0] for d in cursor.description or []]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    except duckdb.Error as exc:
        raise map_error(exc) from exc


def all_document_ids(conn: duckdb.DuckDBPyConnection, language: str | None = None) -> list[str]:
    try:
        return [r[0] for r in conn.execute(sql.query("documents_all_ids"),
                                           {"language": language}).fetchall()]
    except duckdb.Error as exc:
        raise map_error(exc) from exc


def replace_analysis(conn: duckdb.DuckDBPyConnection, batch: BatchRows,
                     document_ids: Sequence[str], nlp_rows: Sequence[Row]) -> None:
    """Swap the analysis (mentions, quotes, NLP status) of stored documents for a new one, in
    one transaction: readers see the old analysis or the new, never a mix."""
    with transaction(conn):
        ids = {"ids": list(document_ids)}
        conn.execute(sql.query("delete_mentions_for"), ids)
        conn.execute(sql.query("delete_quotes_for"), ids)
        for table in ("entities", "mentions", "quotes", "entity_links"):
            rows: list[Row] = getattr(batch, table)
            if rows:
                conn.execute(sql.query(f"insert_{table}"), {"rows": rows_json(rows)})
        if nlp_rows:
            conn.execute(sql.query("update_documents_nlp"), {"rows": rows_json(nlp_rows)})
        conn.execute(sql.query("run_add_batch"), {
            "run_id": batch.run_id, "seen": batch.seen, "loaded": len(document_ids),
            "unchanged": 0, "rejected": len(batch.rejections)})

"""Loading one batch into the warehouse atomically.

The loader takes plain row dicts (built by ``newsmill.tasks.rows``) so that this layer knows
nothing of the pipeline's dataclasses. A batch is written in one transaction: after a crash it is
either wholly in the warehouse or not at all. Inserts skip rows whose keys exist, so loading the
same batch twice changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

import duckdb

from newsmill.errors import WarehouseError
from newsmill.warehouse import sql
from newsmill.warehouse.connection import execute, fetch_all, fetch_dicts, transaction, utcnow
from newsmill.warehouse.search import index_batch

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
    input_files: list[Row] = field(default_factory=list)
    #: One row per (document, speaker entity): what the document says of the speaker.
    speaker_evidence: list[Row] = field(default_factory=list)
    #: One row per speaker entity: what the batch adds to its stored sums (merged, not
    #: inserted: :func:`merge_speakers`).
    speaker_deltas: list[Row] = field(default_factory=list)
    #: The gender rule's numbers for the merge: ``dominance``, ``min_pieces`` and
    #: ``confidence`` (by method), as the pipeline defines them, and ``now``, the batch's time.
    speaker_rule: Row = field(default_factory=dict)
    seen: int = 0
    unchanged: int = 0

    @property
    def loaded(self) -> int:
        return len(self.documents)


# Tables in insert order. Their columns are stated once, in the migrations: the insert of a
# table is built from its catalog entry (:func:`insert_rows`).
_TABLES = ("documents", "document_sources", "rejections", "entities", "mentions", "quotes",
           "fetches", "robots", "feeds", "document_minhash", "document_bands",
           "entity_links", "input_files", "speaker_evidence")


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    raise TypeError(f"cannot store {type(value).__name__} in the warehouse")


def rows_json(rows: Sequence[Row]) -> str:
    """Rows as the JSON array the bulk insert statements unnest."""
    return json.dumps(list(rows), default=_json_default, ensure_ascii=False)


#: Tables whose stored row is updated by a new one with its key (the statement's ON CONFLICT
#: clause is ``queries/on_conflict_<table>.sql``); rows of the others are kept as first stored.
_UPSERTS = frozenset({"feeds", "robots"})
#: The keys the loader keeps unique itself, for tables that grow with every document and so
#: declare none (migrations 012 and 014: DuckDB rewrites a declared key's index at every
#: checkpoint). Within a batch, the first row of each key is kept.
LOADER_KEYS: dict[str, tuple[str, ...]] = {
    "documents": ("document_id",),
    "entities": ("entity_id",),
    "document_sources": ("source", "document_id"),
    "input_files": ("path",),
    "mentions": ("document_id", "start_char", "end_char"),
    "quotes": ("quote_id",),
    "document_bands": ("band", "band_key", "document_id"),
    "speaker_evidence": ("document_id", "entity_id"),
}
#: Of those, the tables whose rows may already be stored: an insert skips the rows whose key
#: is, found by a semi-join that scans only the key columns. The others' rows only ever come
#: with a document new in this transaction, so they need no such check.
_CHECKED = frozenset({"documents", "entities", "document_sources"})
#: Of those, the tables where a new row replaces the stored one with its key.
_REPLACED = frozenset({"input_files"})


@cache
def _insert_statement(columns: tuple[tuple[str, str], ...], table: str, keyed: bool) -> str:
    type_map = json.dumps([dict(columns)]).replace("'", "''")
    new = f"(SELECT unnest(from_json($rows::JSON, '{type_map}')) AS r)"
    # The table name is one of _TABLES, the columns come from the catalog: no user text.
    if table in _CHECKED and not keyed:
        key = LOADER_KEYS[table]
        matched = " AND ".join(f"s.{k} = m.r.{k}" for k in key)
        unmatched = " AND ".join(f"k.{k} = n.r.{k}" for k in key)
        stored = (f"(SELECT {', '.join(f's.{k}' for k in key)} FROM {table} AS s "  # noqa: S608
                  f"SEMI JOIN {new} AS m ON {matched})")
        return (f"INSERT INTO {table} BY NAME SELECT unnest(n.r) FROM {new} AS n "  # noqa: S608
                f"ANTI JOIN {stored} AS k ON {unmatched}")
    if table in _UPSERTS:
        conflict = sql.query(f"on_conflict_{table}")
    else:
        conflict = "ON CONFLICT DO NOTHING" if keyed else ""
    return (f"INSERT INTO {table} BY NAME SELECT unnest(r) FROM "  # noqa: S608
            f"{new} {conflict}")


def has_key(conn: duckdb.DuckDBPyConnection, table: str) -> bool:
    """True when the table declares a primary key or unique constraint (its inserts then skip
    rows whose key is stored; tables without one, such as mentions since migration 012, get
    only rows the loader knows to be new)."""
    return bool(fetch_all(conn, "table_has_key", {"table": table})[0][0])


def column_types(conn: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """``{column: DuckDB type}`` of a warehouse table, as its migrations made it."""
    return {name: kind for name, kind in fetch_all(conn, "table_columns", {"table": table})}


def insert_rows(conn: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Row]) -> None:
    """Insert ``rows`` (dicts with the same keys, a subset of the table's columns) into
    ``table`` in one bulk statement: the rows travel as one JSON array, which DuckDB unnests
    with the column types read from the catalog (binding 50k rows this way took 0.5 s,
    against 40 s with executemany)."""
    if not rows:
        return
    types = column_types(conn, table)
    unknown = [key for key in rows[0] if key not in types]
    if unknown:
        raise WarehouseError(f"{table} has no column(s) {', '.join(unknown)}")
    key = LOADER_KEYS.get(table)
    if key is not None:  # one row per key within the batch too, the first kept
        first: dict[tuple[object, ...], Row] = {}
        for row in rows:
            first.setdefault(tuple(row[k] for k in key), row)
        rows = list(first.values())
        if table in _REPLACED:
            execute(conn, f"forget_{table}", {"keys": [row[key[0]] for row in rows]})
    statement = _insert_statement(tuple((key, types[key]) for key in rows[0]), table,
                                  has_key(conn, table))
    execute(conn, f"insert_{table}", {"rows": rows_json(rows)}, text=statement)


def load_batch(conn: duckdb.DuckDBPyConnection, batch: BatchRows) -> None:
    """Write ``batch`` and add its counts to its run row, in one transaction."""
    with transaction(conn):
        for table in _TABLES:
            rows: list[Row] = getattr(batch, table)
            if rows:
                insert_rows(conn, table, rows)
        merge_speakers(conn, batch)
        # The search postings of this batch's new documents (those stored before are skipped).
        index_batch(conn, [row["document_id"] for row in batch.documents])
        execute(conn, "run_add_batch", {
                "run_id": batch.run_id,
                "seen": batch.seen,
                "loaded": batch.loaded,
                "unchanged": batch.unchanged,
                "rejected": len(batch.rejections),
            },
        )


#: The gender rule's numbers for a batch that brings none (one built without the pipeline's
#: rows, which always set them: ``tasks.rows.speaker_rule``): the pipeline's own 3:1 and 2
#: pieces, no confidences.
DEFAULT_SPEAKER_RULE: Row = {"dominance": 3, "min_pieces": 2, "confidence": {}}


def merge_speakers(conn: duckdb.DuckDBPyConnection, batch: BatchRows,
                   reprocessed: Sequence[str] = ()) -> None:
    """Add the batch's speaker deltas to the stored ``speaker_attributes`` of those speakers
    and decide their gender again (``queries/speaker_attributes_merge.sql``), inside the
    caller's transaction. Only the rows of the batch's speakers are read, so the cost is the
    batch's. ``reprocessed``: documents whose old evidence is being replaced (their old
    sums are taken away first, by :func:`replace_analysis`)."""
    if not batch.speaker_deltas and not reprocessed:
        return
    _stage_speaker_deltas(conn, batch)
    _merge_staged_speakers(conn, batch, reprocessed)


def _stage_speaker_deltas(conn: duckdb.DuckDBPyConnection, batch: BatchRows) -> None:
    execute(conn, "speaker_delta_stage", {"rows": rows_json(batch.speaker_deltas)})


def _merge_staged_speakers(conn: duckdb.DuckDBPyConnection, batch: BatchRows,
                           reprocessed: Sequence[str]) -> None:
    rule = {**DEFAULT_SPEAKER_RULE, **batch.speaker_rule}
    execute(conn, "speaker_attributes_merge", {
        "dominance": rule["dominance"], "min_pieces": rule["min_pieces"],
        "confidence": json.dumps(rule["confidence"]), "reprocessed": list(reprocessed),
        "run_id": batch.run_id, "now": rule.get("now") or utcnow()})
    execute(conn, "speaker_attributes_forget")
    execute(conn, "speaker_attributes_insert")
    execute(conn, "speaker_delta_drop")
    execute(conn, "speaker_merged_drop")


def existing_documents(
    conn: duckdb.DuckDBPyConnection, content_hashes: Iterable[str]
) -> dict[str, str]:
    """``{content_hash: document_id}`` for the hashes already stored."""
    hashes = sorted(set(content_hashes))
    if not hashes:
        return {}
    return {row[0]: row[1] for row in fetch_all(conn, "documents_existing", {"hashes": hashes})}


def near_duplicate_candidates(
    conn: duckdb.DuckDBPyConnection, bands: Iterable[tuple[int, int]]
) -> list[tuple[str, list[int], str | None]]:
    """``(document_id, signature, duplicate_of)`` of stored documents sharing a band key."""
    wanted = [{"band": band, "band_key": key} for band, key in set(bands)]
    if not wanted:
        return []
    rows = fetch_all(conn, "near_duplicate_candidates", {"bands": json.dumps(wanted)})
    return [(r[0], list(r[1]), r[2]) for r in rows]


def stored_documents(conn: duckdb.DuckDBPyConnection, ids: Sequence[str]) -> list[Row]:
    """The stored fields of the given documents, as row dicts."""
    return fetch_dicts(conn, "documents_by_ids", {"ids": list(ids)})


def all_document_ids(conn: duckdb.DuckDBPyConnection, language: str | None = None) -> list[str]:
    return [r[0] for r in fetch_all(conn, "documents_all_ids", {"language": language})]


def replace_analysis(conn: duckdb.DuckDBPyConnection, batch: BatchRows,
                     document_ids: Sequence[str], nlp_rows: Sequence[Row]) -> None:
    """Swap the analysis (mentions, quotes, entity links, speaker evidence and the speakers'
    sums, NLP status) of stored documents for a new one, in one transaction: readers see the
    old analysis or the new, never a mix. A link goes with the old analysis unless another
    document or the new analysis makes it too; the batch's rejections (documents whose new
    analysis failed keep the old) are stored."""
    with transaction(conn):
        ids = {"ids": list(document_ids)}
        links = [{"alias_entity_id": r["alias_entity_id"], "entity_id": r["entity_id"]}
                 for r in batch.entity_links]
        execute(conn, "delete_entity_links_for", {**ids, "links": rows_json(links)})
        execute(conn, "delete_mentions_for", ids)
        execute(conn, "delete_quotes_for", ids)
        # The speakers' sums lose what the old evidence added before it goes.
        _stage_speaker_deltas(conn, batch)
        execute(conn, "speaker_delta_subtract", ids)
        execute(conn, "delete_speaker_evidence_for", ids)
        for table in ("rejections", "entities", "mentions", "quotes", "entity_links",
                      "speaker_evidence"):
            rows: list[Row] = getattr(batch, table)
            if rows:
                insert_rows(conn, table, rows)
        _merge_staged_speakers(conn, batch, document_ids)
        if nlp_rows:
            execute(conn, "update_documents_nlp", {"rows": rows_json(nlp_rows)})
        execute(conn, "run_add_batch", {
            "run_id": batch.run_id, "seen": batch.seen, "loaded": len(document_ids),
            "unchanged": 0, "rejected": len(batch.rejections)})

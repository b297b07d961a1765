"""Full-text search over titles and clean text.

BM25 ranking needs DuckDB's ``fts`` extension, for its ``stem()`` function: offline it comes
from PyPI as ``duckdb-extension-fts`` (Linux x86_64 wheels, matching DuckDB 1.5.x), or from
DuckDB's own extension cache. The index is not the extension's (which can only be rebuilt
whole) but tables of the warehouse (migration 009): ``search_documents`` (one row per indexed
document, with its length), ``search_terms`` (one row per stemmed term, keyed by a hash of it),
``search_postings`` (one row per term and document, with the term's count) and
``search_stopwords``. Each batch indexes its own new documents in its own transaction
(:func:`index_batch`, called by ``loader.load_batch``), so indexing costs the batch's
documents, not the warehouse's; :func:`index_documents` indexes whatever is not indexed yet (a
warehouse made by older code, or documents loaded where the extension could not be loaded).
Words, stopwords and stems are those the extension's index used, and the scores
(``queries/search_bm25.sql``) equal its ``match_bm25`` with every term required.

Where the extension cannot be loaded, or the index does not hold every document yet, a plain
search: documents containing every term, ranked by term frequency with title matches
weighted.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from importlib.util import find_spec

import duckdb

from newsmill.warehouse import sql
from newsmill.warehouse.connection import execute, fetch_all, transaction

log = logging.getLogger(__name__)

#: Characters of context shown around the first match in a result.
SNIPPET_CHARS = 220


def load_fts(conn: duckdb.DuckDBPyConnection) -> bool:
    """Load the fts extension if it can be had offline; True when it is loaded."""
    if find_spec("duckdb_extension_fts") is not None:
        version = duckdb.__version__
        candidate = resources.files("duckdb_extension_fts").joinpath(
            "extensions", f"v{version}", "fts.duckdb_extension")
        if candidate.is_file():
            try:
                conn.execute(f"LOAD '{_quoted(str(candidate))}'")
                return True
            except duckdb.Error:
                log.debug("packaged fts extension did not load", exc_info=True)
    try:
        conn.execute("LOAD fts")  # already installed in DuckDB's extension folder
        return True
    except duckdb.Error:
        return False


def _quoted(path: str) -> str:
    # LOAD takes a literal path (no parameters); the path is our package's, quotes doubled.
    return path.replace("'", "''")


#: Documents per transaction when indexing what is not indexed yet (:func:`index_documents`).
INDEX_CHUNK = 1000
#: Ids per staging statement: DuckDB looks a constant IN list up in the key's index only up
#: to its ``index_scan_max_count`` (2048 by default); a longer one would scan every document.
_LOOKUP_MAX = 2000


def _prepare(conn: duckdb.DuckDBPyConnection) -> bool:
    """Load the extension and make the index's macros; False without the extension."""
    if not load_fts(conn):
        return False
    execute(conn, "index_macros")
    return True


def index_batch(conn: duckdb.DuckDBPyConnection, document_ids: Sequence[str]) -> int:
    """Index those of ``document_ids`` that are stored and not indexed yet, inside the caller's
    transaction (the batch's own): their postings and lengths are computed in SQL from their
    title and clean text. Returns how many were indexed (0 without the fts extension: they
    stay unindexed, and search uses its plain fallback until :func:`index_documents` runs
    where the extension loads)."""
    if not document_ids or not _prepare(conn):
        return 0
    wanted = sorted(set(document_ids))
    added = 0
    for start in range(0, len(wanted), _LOOKUP_MAX):
        # The ids as constants, which DuckDB looks up in the key's index (index_stage.sql).
        ids = ", ".join("'" + i.replace("'", "''") + "'"
                        for i in wanted[start:start + _LOOKUP_MAX])
        # On failure the caller's transaction rolls back, and the staging table with it.
        execute(conn, "index_stage", text=sql.query("index_stage").replace("__IDS__", ids))
        execute(conn, "index_add_terms")
        execute(conn, "index_add_postings")
        added += len(fetch_all(conn, "index_add_documents"))
        execute(conn, "index_drop_stage")
    return added


def index_documents(conn: duckdb.DuckDBPyConnection, document_ids: Sequence[str] | None = None,
                    *, chunk: int = INDEX_CHUNK) -> int | None:
    """Index every stored document not indexed yet (or only those among ``document_ids``),
    ``chunk`` documents per transaction, oldest first. Returns how many were indexed, None
    without the fts extension. On a warehouse whose index is complete this costs one query."""
    if not _prepare(conn):
        return None
    if document_ids is None and index_complete(conn):
        return 0  # two counts, whatever the size (the search for unindexed ones scans: O(N))
    ids = None if document_ids is None else list(document_ids)
    done = 0
    while True:
        pending = [r[0] for r in fetch_all(conn, "index_unindexed_ids",
                                           {"ids": ids, "limit": chunk})]
        if not pending:
            break
        with transaction(conn):
            added = index_batch(conn, pending)
        if not added:  # cannot happen (they are stored and unindexed); never loop on it
            break
        done += added
        log.info("search index: %d documents indexed", done)
    return done


def index_complete(conn: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse has the search index and it holds every stored document."""
    if not fetch_all(conn, "table_exists", {"table": "search_documents"})[0][0]:
        return False  # a warehouse not migrated to 009 yet (readers do not migrate)
    documents, indexed = fetch_all(conn, "index_coverage")[0]
    return bool(documents == indexed)


@dataclass(frozen=True)
class Hit:
    document_id: str
    title: str | None
    site_name: str | None
    published_at: datetime | None
    source: str
    score: float
    snippet: str


def snippet(text: str, terms: list[str]) -> str:
    """The stretch of ``text`` around the first term found, on one line."""
    lowered = text.lower()
    positions = [p for p in (lowered.find(t) for t in terms) if p >= 0]
    start = max(min(positions, default=0) - SNIPPET_CHARS // 3, 0)
    piece = text[start:start + SNIPPET_CHARS].replace("\n", " ")
    return ("…" if start else "") + piece + ("…" if start + SNIPPET_CHARS < len(text) else "")


def search(conn: duckdb.DuckDBPyConnection, query: str, *, since: date | None = None,
           until: date | None = None, site: str | None = None, entity: str | None = None,
           limit: int = 10) -> tuple[list[Hit], str]:
    """Ranked documents for ``query`` and the method used (``bm25`` or ``plain``)."""
    terms = [t.lower() for t in re.findall(r"\w+", query)]
    if not terms:
        return [], "none"
    filters = {"since": since, "until": until, "site": site, "entity": entity, "limit": limit}
    method = "bm25" if index_complete(conn) and _prepare(conn) else "plain"
    if method == "bm25":
        rows = fetch_all(conn, "search_bm25", {"query": query, **filters})
    else:
        rows = fetch_all(conn, "search_plain", {"terms": terms, **filters})
    return [Hit(r[0], r[1], r[2], r[3], r[4], float(r[6]), snippet(r[5], terms))
            for r in rows], method

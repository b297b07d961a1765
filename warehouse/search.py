"""Full-text search over titles and clean text.

With DuckDB's ``fts`` extension (BM25 ranking) where it can be loaded: offline it comes from
PyPI as ``duckdb-extension-fts`` (Linux x86_64 wheels, matching DuckDB 1.5.x), or from
DuckDB's own extension cache. Elsewhere a plain search: documents containing every term,
ranked by term frequency with title matches weighted. The index is rebuilt after each run
that loaded documents (``refresh_index``); from SQL::

    SELECT document_id, title, fts_main_documents.match_bm25(document_id, 'port strike') AS s
    FROM documents WHERE s IS NOT NULL ORDER BY s DESC;
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from importlib.util import find_spec

import duckdb

from newsmill.warehouse import sql
from newsmill.warehouse.connection import map_error

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


def refresh_index(conn: duckdb.DuckDBPyConnection) -> bool:
    """Rebuild the BM25 index over documents (title and clean text); False without fts."""
    if not load_fts(conn):
        return False
    try:
        conn.execute("PRAGMA create_fts_index('documents', 'document_id', 'title', "
                     "'clean_text', overwrite = 1)")
    except duckdb.Error as exc:
        raise map_error(exc) from exc
    return True


def index_exists(conn: duckdb.DuckDBPyConnection) -> bool:
    rows = conn.execute("SELECT 1 FROM duckdb_schemas() WHERE schema_name = "
                        "'fts_main_documents'").fetchall()
    return bool(rows)


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
    method = "bm25" if load_fts(conn) and index_exists(conn) else "plain"
    try:
        if method == "bm25":
            rows = conn.execute(sql.query("search_bm25"), {"query": query, **filters}).fetchall()
        else:
            rows = conn.execute(sql.query("search_plain"), {"terms": terms, **filters}).fetchall()
    except duckdb.Error as exc:
        raise map_error(exc) from exc
    return [Hit(r[0], r[1], r[2], r[3], r[4], float(r[6]), snippet(r[5], terms))
            for r in rows], method

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
Words, stopwords and stems are those the extension's index used, and for a query of plain
words the scores (``queries/search_bm25.sql``) equal its ``match_bm25`` with every term
required.

A query is read as people type it (:func:`parse_query`, :data:`SYNTAX`): every word is
required, ``"a phrase"`` requires its words in that order, ``a OR b`` either, ``-word`` or
``-"a phrase"`` none; stopwords and punctuation are not words. The index finds the candidate
documents by their terms; a phrase is then checked against the stored title and text. Each
hit's snippet starts and ends at word boundaries around its first match, with the matched
words marked (:attr:`Hit.marks`).

Where the extension cannot be loaded, or the index does not hold every document yet, a plain
search with the same syntax: documents containing every word, ranked by how often they occur
with title matches weighted.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from importlib.util import find_spec

import duckdb

from newsmill.warehouse import sql
from newsmill.warehouse.connection import execute, fetch_all, transaction
from newsmill.warehouse.search_query import SYNTAX, Part, Query, QueryError, parse_query

log = logging.getLogger(__name__)

__all__ = ["SYNTAX", "Hit", "Part", "Query", "QueryError", "index_batch", "index_documents",
           "parse_query", "search", "snippet"]

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
    #: ``(start, end)`` of each matched word or phrase in ``snippet``.
    marks: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class _Planned:
    """The query's parts as the SQL takes them: clause (-1: excluded), words, phrase text."""

    clause: list[int]
    words: list[list[str]]
    phrase: list[str | None]


def _plan(conn: duckdb.DuckDBPyConnection, query: Query, stopwords: bool) -> _Planned:
    parts = [(i, p) for i, c in enumerate(query.clauses) for p in c] + \
        [(-1, p) for p in query.excluded]
    text = sql.query("search_query_words")
    if not stopwords:
        text = text.replace("AND words.word NOT IN (SELECT word FROM search_stopwords)", "")
    rows = execute(conn, "search_query_words", {"texts": [p.text for _, p in parts]},
                   text=text).fetchall()
    planned = _Planned([], [], [])
    for (clause, part), (_, words, phrase) in zip(parts, rows, strict=True):
        if not words:  # only stopwords or punctuation: nothing the index can find
            continue
        planned.clause.append(clause)
        planned.words.append(list(words))
        planned.phrase.append(phrase if part.phrase else None)
    if not any(c >= 0 for c in planned.clause):
        raise QueryError("every word of the query is too common or not a word to search for "
                         f"(the, of, punctuation): {SYNTAX}")
    # A clause whose every part was dropped no longer counts; the rest still apply.
    return planned


def _stems(conn: duckdb.DuckDBPyConnection, words: Sequence[str]) -> dict[str, str]:
    if not words:
        return {}
    return dict(fetch_all(conn, "search_stems", {"words": list(words)}))


#: A word as the index splits text: runs of anything but white space, ASCII digits and ASCII
#: punctuation (search_words in index_macros.sql).
_INDEX_WORD = re.compile(r"[^\s!-@\[-`{-~]+")
#: A word as a phrase is matched: letters and digits (search_phrase_text).
_PHRASE_WORD = re.compile(r"[^\W_]+")


def _folded(word: str) -> str:
    """Lower case, accents stripped (as DuckDB's strip_accents)."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _word_marks(conn: duckdb.DuckDBPyConnection, text: str, words: set[str], stemmed: bool
                ) -> list[tuple[int, int]]:
    """Where ``text`` holds one of ``words``: by stem with the index, else as the plain search
    matches (the word inside a longer one)."""
    tokens = [(m.start(), m.end(), _folded(m.group())) for m in _INDEX_WORD.finditer(text)]
    if not stemmed:
        return [(a, b) for a, b, t in tokens if any(w in t for w in words)]
    query_stems = set(_stems(conn, sorted(words)).values())
    # Porter stems are prefixes of their words, but for a few endings (ponies -> poni):
    # only words starting with a query stem's first three letters are stemmed to check.
    heads = {s[:3] for s in query_stems}
    candidates = sorted({t for _, _, t in tokens if t[:3] in heads})
    stems = _stems(conn, candidates)
    return [(a, b) for a, b, t in tokens if stems.get(t) in query_stems]


def _phrase_marks(text: str, phrases: set[str]) -> list[tuple[int, int]]:
    """Where ``text`` holds one of ``phrases`` (search_phrase_text form) as whole words."""
    tokens = [(m.start(), m.end(), _folded(m.group())) for m in _PHRASE_WORD.finditer(text)]
    marks = []
    for phrase in phrases:
        wanted = phrase.split()
        for i in range(len(tokens) - len(wanted) + 1):
            if [t for _, _, t in tokens[i:i + len(wanted)]] == wanted:
                marks.append((tokens[i][0], tokens[i + len(wanted) - 1][1]))
    return marks


Marks = tuple[tuple[int, int], ...]


def snippet(text: str, marks: Sequence[tuple[int, int]] = ()) -> tuple[str, Marks]:
    """The stretch of ``text`` around its first mark, on one line, starting and ending at
    word boundaries (an ellipsis where text was cut), and the marks inside it, relative to
    the snippet."""
    first = min((a for a, _ in marks), default=0)
    # From the start when the first match is in its first two thirds anyway.
    start = 0 if first < SNIPPET_CHARS * 2 // 3 else first - SNIPPET_CHARS // 3
    if start > 0:  # forward to the next word's start (never past the first match)
        space = re.compile(r"\s").search(text, start, first)
        start = space.end() if space else first
    end = start + SNIPPET_CHARS
    if end < len(text):  # back to the end of the last whole word
        cut = max(text.rfind(" ", start, end), text.rfind("\n", start, end))
        end = cut if cut > first else end
    else:
        end = len(text)
    prefix = "…" if start else ""
    piece = prefix + text[start:end].replace("\n", " ").rstrip() + ("…" if end < len(text) else "")
    shift = len(prefix) - start
    inside = tuple(sorted((a + shift, min(b, end) + shift) for a, b in _merged(marks)
                          if a >= start and a < end))
    return piece, inside


def _merged(marks: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(marks):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def search(conn: duckdb.DuckDBPyConnection, query: str, *, since: date | None = None,
           until: date | None = None, site: str | None = None, entity: str | None = None,
           limit: int = 10) -> tuple[list[Hit], str]:
    """Ranked documents for ``query`` (read by :func:`parse_query`; a QueryError when it asks
    for nothing) and the method used (``bm25`` or ``plain``)."""
    parsed = parse_query(query)
    has_tables = bool(fetch_all(conn, "table_exists", {"table": "search_stopwords"})[0][0])
    method = "bm25" if has_tables and index_complete(conn) and _prepare(conn) else "plain"
    if method == "plain":
        execute(conn, "index_macros")  # search_words needs no extension
    execute(conn, "search_macros")
    planned = _plan(conn, parsed, stopwords=has_tables)
    filters = {"since": since, "until": until, "site": site, "entity": entity, "limit": limit}
    shape = {"part_clause": planned.clause, "part_phrase": planned.phrase}
    if method == "bm25":
        stems = _stems(conn, sorted({w for ws in planned.words for w in ws}))
        terms = [sorted({stems[w] for w in ws}) for ws in planned.words]
        rows = fetch_all(conn, "search_bm25", {**shape, "part_terms": terms, **filters})
    else:
        rows = fetch_all(conn, "search_plain", {**shape, "part_words": planned.words, **filters})
    words = {w for c, ws, p in zip(planned.clause, planned.words, planned.phrase, strict=True)
             if c >= 0 and p is None for w in ws}
    # A phrase found only in the title leaves the text unmarked: its words are marked instead.
    phrases = {p.strip(): set(ws) for c, ws, p in zip(planned.clause, planned.words,
                                                      planned.phrase, strict=True)
               if c >= 0 and p is not None}
    hits = []
    for r in rows:
        text = r[5]
        marks, missing = [], set(words)
        for phrase, phrase_words in phrases.items():
            found = _phrase_marks(text, {phrase})
            marks += found
            if not found:
                missing |= phrase_words
        marks += _word_marks(conn, text, missing, method == "bm25")
        piece, inside = snippet(text, marks)
        hits.append(Hit(r[0], r[1], r[2], r[3], r[4], float(r[6]), piece, inside))
    return hits, method

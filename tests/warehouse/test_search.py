"""Full-text search: the batch-extended BM25 index against a full rebuild with the fts
extension, its behaviour across batches and reloads, and the plain fallback."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from newsmill.flows.pipeline import Steps, ingest_run
from newsmill.settings import Settings
from newsmill.warehouse.connection import connect, open_writer, transaction
from newsmill.warehouse.loader import BatchRows, insert_rows, load_batch
from newsmill.warehouse.runs import start_run
from newsmill.warehouse.search import (
    Part,
    QueryError,
    index_complete,
    index_documents,
    load_fts,
    parse_query,
    search,
    snippet,
)

DOCS = [
    ("d1", "Dockers strike at the port", "Harbour Gazette", datetime(2026, 3, 9),
     "Dockers walked out at the port on Monday. The strike closed the container terminal."),
    ("d2", "Bank trims rates", "Northern Ledger", datetime(2026, 3, 12),
     "The bank cut its main rate. Dockers' mortgages will cost less, economists said."),
    ("d3", "Museum reopens", "Northern Ledger", datetime(2026, 3, 13),
     "The maritime museum reopened with a gallery about the port and its history."),
]

# Words of the synthetic corpus: stems shared by several forms, accents, case, hyphens, digits,
# curly quotes, stopwords, so that the index meets what the fts tokeniser does with them.
WORDS = (
    "port", "ports", "Port", "PORT", "strike", "strikes", "striking", "struck", "dockers",
    "docker", "dock", "harbour", "container", "containers", "terminal", "terminals", "union",
    "unions", "wage", "wages", "pay", "paid", "council", "budget", "budgets", "tax", "taxes",
    "rate", "rates", "bank", "banks", "banking", "mortgage", "inflation", "café", "Café", "naïve",
    "Zürich", "zurich", "résumé", "minister", "ministers", "ministry", "election", "elections",
    "vote", "voted", "voting", "court", "courts", "judge", "ruling", "appeal", "appeals", "flood",
    "floods", "flooding", "drought", "herders", "cattle", "rain", "glacier", "glaciers", "climate",
    "talks", "Geneva", "wildfire", "evacuation", "evacuate", "port-strike", "high-court", "2026",
    "42", "3.5%", "“quoted”", "‘single’", "it’s", "don't", "can't", "e-mail", "the", "a", "of",
    "and", "to", "in", "is", "was", "said", "says", "that", "it", "on", "for", "with", "as", "by",
    "at", "from", "this", "be", "NEWS", "News", "news", "lorry", "lorries", "shelves", "shelf",
    "empty", "supermarket", "supermarkets"
)
SITES = ("Harbour Gazette", "Northern Ledger", "Atlas Courier")
PUNCTUATION = (" ", " ", " ", " ", ", ", ". ", "; ", " - ", " (", ") ", "! ", "? ", ": ", "\n")

QUERIES = (
    "port", "strike", "striking dockers", "port strike", "Port Strike Dockers", "café",
    "CAFE naive", "zurich", "port-strike", "high court ruling", "budget taxes", "wage union",
    "glacier climate", "lorries shelves", "“quoted”", "it’s", "port port", "news",
    "flooding rain", "mortgage", "no-such-word", "election vote",
)
#: Queries whose stopwords or trailing punctuation fts would look for (and find nowhere),
#: with the query fts ranks as search does: those are not words.
IGNORED_WORDS = {"the port": "port", "port!": "port", "the strike of the dockers":
                 "strike dockers", "port, strike": "port strike"}


def _document(doc_id: str, title: str | None, site: str, published: datetime, text: str
              ) -> dict[str, object]:
    return {"document_id": doc_id, "source": f"{doc_id}.html", "canonical_url": None,
            "content_hash": "h" + doc_id, "title": title, "author": None,
            "published_at": published, "site_name": site, "language": "en",
            "description": None, "dateline": None, "dateline_start_char": None,
            "dateline_end_char": None, "source_format": "html", "clean_text": text,
            "run_id": "r", "loaded_at": published}


def _phrase(rng: random.Random, n: int) -> str:
    # Zipf-like: in a shuffled order of the vocabulary, the k-th word is picked with weight 1/k.
    order = list(WORDS)
    random.Random(0).shuffle(order)
    words = rng.choices(order, weights=[1 / k for k in range(1, len(order) + 1)], k=n)
    return "".join(w + rng.choice(PUNCTUATION) for w in words).strip()


def synthetic_corpus(n: int = 300, seed: int = 7) -> list[dict[str, object]]:
    """``n`` documents with overlapping vocabulary; one with no title, one with nothing but
    stopwords and punctuation (an indexed document of length 0)."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1)
    docs = []
    for i in range(n):
        title = None if i % 37 == 5 else _phrase(rng, rng.randint(2, 8))
        text = _phrase(rng, rng.randint(5, 160))
        if i == 11:
            title, text = None, "The, and -- of: it's 42!"
        docs.append(_document(f"s{i:04d}", title, SITES[i % len(SITES)],
                              start + timedelta(hours=7 * i), text))
    return docs


def _start(conn: duckdb.DuckDBPyConnection, run_id: str = "r") -> None:
    start_run(conn, run_id=run_id, flow="t", settings={}, code_version="t", spacy_model=None,
              spacy_model_version=None, sources_given=0)


def _load(path: Path, docs: list[dict[str, object]], batches: int = 1, run_id: str = "r"
          ) -> None:
    """Load ``docs`` as ``batches`` batches of one run, each in its own connection."""
    with open_writer(path) as conn:
        _start(conn, run_id)
    size = -(-len(docs) // batches)
    for i in range(0, len(docs), size):
        with open_writer(path) as conn:
            load_batch(conn, BatchRows(run_id=run_id, documents=docs[i:i + size]))


def _rows(conn: duckdb.DuckDBPyConnection, query: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in conn.execute(query).fetchall()]


def _index_rows(conn: duckdb.DuckDBPyConnection) -> tuple[list[tuple[object, ...]], ...]:
    return (_rows(conn, "SELECT * FROM search_documents ORDER BY ALL"),
            _rows(conn, "SELECT term, document_id, tf FROM search_postings "
                        "JOIN search_terms USING (term_id) ORDER BY ALL"))


def _ranking(hits: list[tuple[str, float, datetime | None]]) -> list[str]:
    # Score order, ties (equal to 1e-9) broken as search_bm25 does: newest first, then by id
    # (sorted by id first: the sort is stable, reverse included).
    by_id = sorted(hits, key=lambda h: h[0])
    ordered = sorted(by_id, key=lambda h: (round(h[1], 9), h[2] or datetime.min), reverse=True)
    return [h[0] for h in ordered]


def _fts_hits(conn: duckdb.DuckDBPyConnection, query: str, site: str | None = None
              ) -> list[tuple[str, float, datetime | None]]:
    """What the fts extension's index (built in the test) ranks for ``query``."""
    rows = conn.execute(
        "SELECT document_id, fts_main_documents.match_bm25(document_id, $q, conjunctive := 1) "
        "AS score, published_at FROM documents "
        "WHERE score IS NOT NULL AND ($site IS NULL OR site_name ILIKE $site)",
        {"q": query, "site": site}).fetchall()
    return [(r[0], float(r[1]), r[2]) for r in rows]


def _our_hits(conn: duckdb.DuckDBPyConnection, query: str, site: str | None = None
              ) -> list[tuple[str, float, datetime | None]]:
    hits, method = search(conn, query, site=site, limit=10_000)
    assert method == "bm25" or not hits
    return [(h.document_id, h.score, h.published_at) for h in hits]


@pytest.fixture(scope="module")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    """The synthetic corpus loaded in five batches, with the fts extension's index of the same
    documents beside ours (the full rebuild the old code made after every run)."""
    path = tmp_path_factory.mktemp("search") / "w.duckdb"
    _load(path, synthetic_corpus(), batches=5)
    with open_writer(path) as conn:
        assert load_fts(conn)  # this machine has the packaged extension
        conn.execute("PRAGMA create_fts_index('documents', 'document_id', 'title', "
                     "'clean_text', overwrite = 1)")
    conn = connect(path, read_only=True)
    assert load_fts(conn)
    yield conn
    conn.close()


def test_index_statistics_equal_the_fts_index(corpus_db: duckdb.DuckDBPyConnection) -> None:
    ours = _rows(corpus_db, "SELECT count(*), avg(length) FROM search_documents")
    theirs = _rows(corpus_db, "SELECT num_docs, avgdl FROM fts_main_documents.stats")
    assert ours[0][0] == theirs[0][0] == 300
    assert ours[0][1] == pytest.approx(theirs[0][1], abs=1e-9)
    assert _rows(corpus_db, "SELECT document_id, length FROM search_documents ORDER BY 1") == \
        _rows(corpus_db, "SELECT name, len FROM fts_main_documents.docs ORDER BY 1")
    assert _rows(corpus_db, "SELECT term, count(*) FROM search_postings "
                            "JOIN search_terms USING (term_id) GROUP BY 1 ORDER BY 1") \
        == _rows(corpus_db, "SELECT term, df FROM fts_main_documents.dict ORDER BY 1")
    assert _rows(corpus_db, "SELECT count(*), count(DISTINCT term) FROM search_terms") == \
        _rows(corpus_db, "SELECT count(*), count(*) FROM fts_main_documents.dict")
    assert _rows(corpus_db, "SELECT length FROM search_documents WHERE document_id = 's0011'") \
        == [(0,)]


@pytest.mark.parametrize("query", QUERIES)
def test_ranking_equals_a_full_fts_rebuild(corpus_db: duckdb.DuckDBPyConnection, query: str
                                           ) -> None:
    expected = _fts_hits(corpus_db, query)
    got = _our_hits(corpus_db, query)
    assert [h[0] for h in got] == _ranking(expected)  # search's own order
    scores = {doc_id: score for doc_id, score, _ in expected}
    for doc_id, score, _ in got:
        assert score == pytest.approx(scores[doc_id], abs=1e-6)


def test_filtered_ranking_equals_fts(corpus_db: duckdb.DuckDBPyConnection) -> None:
    for query in ("port", "strike dockers", "café"):
        expected = _fts_hits(corpus_db, query, site="%ledger%")
        got = _our_hits(corpus_db, query, site="%ledger%")
        assert got and [h[0] for h in got] == _ranking(expected)


def test_stopwords_and_punctuation_in_a_query_are_not_words(
        corpus_db: duckdb.DuckDBPyConnection) -> None:
    # fts would look for "the" (a stopword, never indexed) or the empty word after "!" and
    # find nothing; people typing them mean the other words.
    for query, meant in IGNORED_WORDS.items():
        expected = _fts_hits(corpus_db, meant)
        assert expected
        assert [h[0] for h in _our_hits(corpus_db, query)] == _ranking(expected), query
    with pytest.raises(QueryError, match="too common"):
        search(corpus_db, "the of and")


def _ids(conn: duckdb.DuckDBPyConnection, query: str) -> set[str]:
    return {h[0] for h in _fts_hits(conn, query)}


def _words_in_order(text: str | None) -> str:
    # A phrase's words as the test reads them: letters and digits, lower case, no accents.
    import re
    import unicodedata

    folded = "".join(c for c in unicodedata.normalize("NFKD", (text or "").lower())
                     if not unicodedata.combining(c))
    return " " + " ".join(re.findall(r"[^\W_]+", folded)) + " "


def test_or_finds_either_and_scores_what_each_document_holds(
        corpus_db: duckdb.DuckDBPyConnection) -> None:
    port, strike = _ids(corpus_db, "port"), _ids(corpus_db, "strike")
    both = {h[0]: h[1] for h in _fts_hits(corpus_db, "port strike")}
    alone = {h[0]: h[1] for h in _fts_hits(corpus_db, "port") + _fts_hits(corpus_db, "strike")}
    got = _our_hits(corpus_db, "port OR strike")
    assert {h[0] for h in got} == port | strike and port - strike and strike - port
    for doc_id, score, _ in got:
        assert score == pytest.approx(both.get(doc_id, alone[doc_id]), abs=1e-6)
    # OR binds the words beside it; the other words stay required.
    assert {h[0] for h in _our_hits(corpus_db, "port OR strike union")} == \
        (port | strike) & _ids(corpus_db, "union")
    assert _our_hits(corpus_db, "port or strike") == _our_hits(corpus_db, "port strike")


def test_a_minus_word_leaves_out_the_documents_holding_it(
        corpus_db: duckdb.DuckDBPyConnection) -> None:
    expected = [h for h in _fts_hits(corpus_db, "port") if h[0] not in _ids(corpus_db, "strike")]
    got = _our_hits(corpus_db, "port -strike")
    assert expected and [h[0] for h in got] == _ranking(expected)
    assert [h[1] for h in got] == pytest.approx(
        [s for _, s, _ in sorted(expected, key=lambda h: -h[1])], abs=1e-6)
    with pytest.raises(QueryError, match="only words to leave out"):
        search(corpus_db, "-strike")


def test_a_phrase_needs_its_words_in_order(corpus_db: duckdb.DuckDBPyConnection) -> None:
    rows = corpus_db.execute("SELECT document_id, title, clean_text FROM documents").fetchall()

    def holding(phrase: str) -> set[str]:
        wanted = f" {phrase} "
        return {r[0] for r in rows
                if wanted in _words_in_order(r[1]) or wanted in _words_in_order(r[2])}

    for phrase in ("port strike", "strike port", "container terminal", "zurich cafe"):
        got = _our_hits(corpus_db, f'"{phrase}"')
        words = _fts_hits(corpus_db, phrase)
        assert {h[0] for h in got} == holding(phrase) < {h[0] for h in words}, phrase
        scores = {h[0]: h[1] for h in words}  # the same terms: the same scores
        for doc_id, score, _ in got:
            assert score == pytest.approx(scores[doc_id], abs=1e-6)
    assert {h[0] for h in _our_hits(corpus_db, 'port -"port strike"')} == \
        _ids(corpus_db, "port") - holding("port strike")
    assert {h[0] for h in _our_hits(corpus_db, '"port strike" OR "strike port"')} == \
        holding("port strike") | holding("strike port")


def test_queries_are_parsed_as_typed() -> None:
    query = parse_query('"port strike" OR lockout -Felixstowe -"night shift" dockers')
    assert query.clauses == ((Part("port strike", phrase=True), Part("lockout")),
                             (Part("dockers"),))
    assert query.excluded == (Part("Felixstowe"), Part("night shift", phrase=True))
    assert parse_query("OR port OR").clauses == ((Part("port"),),)  # a dangling OR joins nothing
    assert parse_query('"left open').clauses == ((Part("left open", phrase=True),),)
    assert parse_query("port-strike").clauses == ((Part("port-strike"),),)  # not an exclusion
    for empty in ("", "   ", '""', "OR"):
        with pytest.raises(QueryError, match="nothing to look for"):
            parse_query(empty)


def test_batches_build_the_index_one_batch_would(tmp_path: Path) -> None:
    docs = synthetic_corpus(120, seed=3)
    _load(tmp_path / "one.duckdb", docs, batches=1)
    _load(tmp_path / "many.duckdb", docs, batches=7)
    one = connect(tmp_path / "one.duckdb", read_only=True)
    many = connect(tmp_path / "many.duckdb", read_only=True)
    try:
        assert _index_rows(one) == _index_rows(many)
        for query in QUERIES:
            got, expected = _our_hits(many, query), _our_hits(one, query)
            assert _ranking(got) == _ranking(expected)
            assert [h[1] for h in got] == pytest.approx([h[1] for h in expected], abs=1e-12)
    finally:
        one.close()
        many.close()


def test_reloading_a_batch_adds_nothing(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    docs = synthetic_corpus(60, seed=5)
    _load(path, docs)
    with open_writer(path) as conn:
        before = _index_rows(conn)
        load_batch(conn, BatchRows(run_id="r", documents=docs))
        load_batch(conn, BatchRows(run_id="r", documents=docs[10:20]))
        assert _index_rows(conn) == before
        assert index_documents(conn) == 0  # the end-of-run catch-up finds nothing to do


def test_a_run_indexes_only_the_documents_it_loads(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    docs = synthetic_corpus(90, seed=9)
    old, new = docs[:60], docs[60:]
    _load(path, old, batches=2, run_id="r1")
    with open_writer(path) as conn:
        old_index = _index_rows(conn)
    _load(path, new + old[:5], batches=3, run_id="r2")  # five stored documents come again
    with open_writer(path) as conn:
        old_ids = {d["document_id"] for d in old}
        assert _rows(conn, "SELECT count(*) FROM search_documents") == [(90,)]
        docs_after, postings_after = _index_rows(conn)
        assert [r for r in docs_after if r[0] in old_ids] == old_index[0]
        assert [r for r in postings_after if r[1] in old_ids] == old_index[1]
        assert len(postings_after) == len(old_index[1]) + len(
            [r for r in postings_after if r[1] not in old_ids])


def test_an_old_warehouse_is_backfilled_in_chunks(tmp_path: Path) -> None:
    """A warehouse made before migration 009: documents, the fts schema, no postings."""
    path = tmp_path / "w.duckdb"
    docs = synthetic_corpus(50, seed=11)
    with open_writer(path) as conn:
        _start(conn)
        insert_rows(conn, "documents", docs)  # as old code loaded them: no postings
        assert load_fts(conn)
        conn.execute("PRAGMA create_fts_index('documents', 'document_id', 'title', "
                     "'clean_text', overwrite = 1)")
        expected = {q: _fts_hits(conn, q) for q in QUERIES}
        with transaction(conn):  # back to schema 8, as the old code left it
            conn.execute("DROP TABLE search_documents; DROP TABLE search_postings; "
                         "DROP TABLE search_stopwords; DROP TABLE search_terms; "
                         "DELETE FROM schema_version "
                         "WHERE version = 9")
    with open_writer(path) as conn:  # migrates: 009 drops the old index, makes empty tables
        assert _rows(conn, "SELECT count(*) FROM duckdb_schemas() "
                           "WHERE schema_name = 'fts_main_documents'") == [(0,)]
        assert not index_complete(conn)
        assert search(conn, "port")[1] == "plain"  # until the backfill has run
        assert index_documents(conn, chunk=7) == 50
        assert index_complete(conn)
        assert index_documents(conn) == 0
        for query, hits in expected.items():
            got = _our_hits(conn, query)
            assert _ranking(got) == _ranking(hits), query


def test_backfill_of_chosen_documents(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with open_writer(path) as conn:
        _start(conn)
        insert_rows(conn, "documents", synthetic_corpus(20, seed=2))
        assert index_documents(conn, ["s0003", "s0004", "nope"]) == 2
        assert index_documents(conn, ["s0003"]) == 0
        assert _rows(conn, "SELECT document_id FROM search_documents ORDER BY 1") == \
            [("s0003",), ("s0004",)]


def test_a_chunk_longer_than_one_lookup_is_indexed_whole(tmp_path: Path) -> None:
    docs = synthetic_corpus(2050, seed=4)  # index_batch stages 2000 ids at a time
    with open_writer(tmp_path / "big.duckdb") as conn:
        _start(conn)
        insert_rows(conn, "documents", docs)
        assert index_documents(conn, chunk=5000) == 2050
        big = _index_rows(conn)
    _load(tmp_path / "small.duckdb", docs, batches=9)
    with open_writer(tmp_path / "small.duckdb") as conn:
        assert _index_rows(conn) == big


@pytest.mark.model
def test_ingest_runs_index_the_sample_corpus(three_files: Path, corpus: Path,
                                             settings: Settings) -> None:
    """Two real runs: each indexes what it loads, leaves the other's postings alone, and the
    ranking equals the fts index rebuilt over the ingested corpus."""
    ingest_run([str(three_files)], settings, Steps())
    with open_writer(settings.db) as conn:
        first = _index_rows(conn)
        assert index_complete(conn) and len(first[0]) == 3
    ingest_run([str(corpus)], settings, Steps())  # the three again, and the rest
    with open_writer(settings.db) as conn:
        assert index_complete(conn)
        first_ids = {r[0] for r in first[0]}
        docs, postings = _index_rows(conn)
        assert len(docs) > 10
        assert [r for r in docs if r[0] in first_ids] == first[0]
        assert [r for r in postings if r[1] in first_ids] == first[1]
        assert load_fts(conn)
        conn.execute("PRAGMA create_fts_index('documents', 'document_id', 'title', "
                     "'clean_text', overwrite = 1)")
        for query in ("port strike", "Corvane", "drought herders", "glaciers", "council",
                      "Liverpool shelves", "climate talks Geneva", "rate cut", "strike"):
            expected = _fts_hits(conn, query)
            got = _our_hits(conn, query)
            assert [h[0] for h in got] == _ranking(expected), query
            assert [h[1] for h in got] == pytest.approx(
                [s for _, s, _ in sorted(expected, key=lambda h: -h[1])], abs=1e-6)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    _load(path, [_document(*doc[:4], doc[4]) for doc in DOCS])
    return path


@pytest.fixture
def unindexed_db(tmp_path: Path) -> Path:
    """The same documents stored without postings: search takes its plain fallback."""
    path = tmp_path / "plain.duckdb"
    with open_writer(path) as conn:
        _start(conn)
        insert_rows(conn, "documents", [_document(*doc[:4], doc[4]) for doc in DOCS])
    return path


@pytest.mark.parametrize("method", ["bm25", "plain"])
def test_search_ranks_and_filters(db: Path, unindexed_db: Path, method: str) -> None:
    conn = connect(db if method == "bm25" else unindexed_db, read_only=True)
    try:
        hits, used = search(conn, "dockers strike")
        assert used == method
        assert [h.document_id for h in hits] == ["d1"]  # every term is required
        hits, _ = search(conn, "port")
        assert {h.document_id for h in hits} == {"d1", "d3"}
        assert hits[0].document_id == "d1"  # in the title as well as the text
        hits, _ = search(conn, "port", site="%Ledger%")
        assert [h.document_id for h in hits] == ["d3"]
        hits, _ = search(conn, "port", since=date(2026, 3, 10))
        assert [h.document_id for h in hits] == ["d3"]
        assert search(conn, "zqxv-wobblegong") == ([], used)
        hits, _ = search(conn, '"the strike closed"')
        assert [h.document_id for h in hits] == ["d1"]
        assert search(conn, '"strike the closed"')[0] == []  # the words, not their order
        hits, _ = search(conn, "port -museum")
        assert [h.document_id for h in hits] == ["d1"]
        hits, _ = search(conn, "museum OR bank")
        assert {h.document_id for h in hits} == {"d2", "d3"}
        with pytest.raises(QueryError):
            search(conn, "   ")
    finally:
        conn.close()


def test_snippet_starts_and_ends_at_word_boundaries() -> None:
    text = "alpha " * 80 + "the strike began " + "omega " * 80
    start = text.index("strike")
    piece, marks = snippet(text, [(start, start + 6)])
    assert piece.startswith("…alpha ") and piece.endswith(" omega…")
    assert [piece[a:b] for a, b in marks] == ["strike"]
    early = "Ships waited in the bay as the strike began. " + "omega " * 80
    piece, marks = snippet(early, [(early.index("strike"), early.index("strike") + 6)])
    assert piece.startswith("Ships waited")  # a match near the start: the text's start
    assert snippet("A short text.", [(2, 7)]) == ("A short text.", ((2, 7),))


@pytest.mark.parametrize("method", ["bm25", "plain"])
def test_snippets_mark_the_matched_words(db: Path, unindexed_db: Path, method: str) -> None:
    conn = connect(db if method == "bm25" else unindexed_db, read_only=True)
    try:
        # By stem with the index ("strikes" finds "strike"); the plain search finds the words
        # it looked for inside the text's words ("docker" in "Dockers").
        hit = search(conn, "strikes dockers" if method == "bm25" else "strike docker")[0][0]
        assert [hit.snippet[a:b] for a, b in hit.marks] == ["Dockers", "strike"]
        hit = search(conn, '"the container terminal" walked')[0][0]
        assert [hit.snippet[a:b] for a, b in hit.marks] == ["walked", "the container terminal"]
        # A phrase only in the title ("Dockers strike at the port"): its words are marked.
        hit = search(conn, '"strike at the port"')[0][0]
        assert hit.document_id == "d1"
        assert [hit.snippet[a:b] for a, b in hit.marks] == ["port", "strike"]
    finally:
        conn.close()

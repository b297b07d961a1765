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
    JOIN stg_documents AS d USING (document_id)
    WHERE hits.score IS NOT NULL
      AND ($since IS NULL OR d.published_date >= $since)
      AND ($until IS NULL OR d.published_date <= $until)
      AND ($site IS NULL OR d.site_name ILIKE $site)
      AND ($entity IS NULL OR d.document_id IN (
              SELECT m.document_id FROM mentions_resolved AS m
              JOIN stg_entities AS e USING (entity_id)
              WHERE e.entity_name ILIKE $entity))
)
SELECT document_id, title, site_name, published_at, source, clean_text, score
FROM ranked
ORDER BY score DESC, published_at DESC NULLS LAST
LIMIT $limit;

-- Grain: one row per document (distinct clean text). Renames and casts only.
CREATE OR REPLACE VIEW stg_documents AS
SELECT
    document_id,
    source                       AS first_source,
    canonical_url,
    title,
    author,
    published_at,
    CAST(published_at AS DATE)   AS published_date,
    site_name,
    language,
    language_confidence,
    nlp_status,
    nlp_note,
    duplicate_of,
    duplicate_similarity,
    coalesce(duplicate_of, document_id) AS story_id,
    dateline,
    source_format,
    clean_text,
    length(clean_text)           AS char_count,
    run_id                       AS loaded_by_run_id,
    loaded_at
FROM documents;

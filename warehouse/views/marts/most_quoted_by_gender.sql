-- Grain: one row per person speaker with a known gender (female or male): how often they
-- are quoted, in how many documents and on how many sites, their role, and their rank
-- among the speakers of their gender (1: the most quoted woman, or man).
CREATE OR REPLACE VIEW most_quoted_by_gender AS
WITH per_speaker AS (
    SELECT
        speaker_entity_id, speaker, gender,
        any_value(gender_method)              AS gender_method,
        any_value(role)                       AS role,
        any_value(role_category)              AS role_category,
        count(*)                              AS quotes,
        count(DISTINCT document_id)           AS documents,
        count(DISTINCT site_name)             AS sites
    FROM speaker_quotes
    WHERE gender IN ('female', 'male')
    GROUP BY speaker_entity_id, speaker, gender
)
SELECT
    gender,
    rank() OVER (PARTITION BY gender ORDER BY quotes DESC, documents DESC) AS rank_in_gender,
    speaker, quotes, documents, sites, role, role_category, gender_method, speaker_entity_id
FROM per_speaker
ORDER BY gender, rank_in_gender, speaker;

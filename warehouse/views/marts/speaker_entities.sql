-- Grain: one row per (speaker entity, entity mentioned inside that speaker's quotes):
-- who is quoted about what.
CREATE OR REPLACE VIEW speaker_entities AS
WITH quotes AS (
    SELECT * FROM quotes_resolved WHERE speaker_entity_id IS NOT NULL
),
mentions AS (
    SELECT * FROM mentions_resolved
),
entities AS (
    SELECT * FROM stg_entities
),
mentioned_in_quote AS (
    SELECT
        quotes.speaker_entity_id,
        mentions.entity_id        AS mentioned_entity_id,
        quotes.quote_id
    FROM quotes
    JOIN mentions
      ON mentions.document_id = quotes.document_id
     AND mentions.start_char >= quotes.start_char
     AND mentions.end_char <= quotes.end_char
    WHERE mentions.entity_id <> quotes.speaker_entity_id
),
counted AS (
    SELECT speaker_entity_id, mentioned_entity_id,
           count(DISTINCT quote_id) AS quotes
    FROM mentioned_in_quote
    GROUP BY ALL
)
SELECT
    speaker.entity_name    AS speaker,
    mentioned.entity_name  AS mentioned_entity,
    mentioned.entity_label AS mentioned_label,
    counted.quotes,
    counted.speaker_entity_id,
    counted.mentioned_entity_id
FROM counted
JOIN entities AS speaker   ON speaker.entity_id = counted.speaker_entity_id
JOIN entities AS mentioned ON mentioned.entity_id = counted.mentioned_entity_id
ORDER BY counted.quotes DESC, speaker, mentioned_entity;

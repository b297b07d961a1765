-- Grain: one row per (site, publication month, speaker gender): the quotes with a resolved
-- speaker of that gender and the distinct speakers, with their shares of the site-month's
-- quotes and speakers, of all of them and of those with a known gender (female or male;
-- NULL on the 'unknown' row). month is NULL for articles without a publication date.
CREATE OR REPLACE VIEW speaker_gender_monthly AS
WITH quotes AS (
    SELECT * FROM speaker_quotes
),
per_gender AS (
    SELECT site_name, month, gender,
           count(*)                          AS quotes,
           count(DISTINCT speaker_entity_id) AS speakers
    FROM quotes
    GROUP BY ALL
)
SELECT
    site_name, month, gender, quotes, speakers,
    round(quotes / sum(quotes) OVER (PARTITION BY site_name, month), 4) AS quote_share,
    CASE WHEN gender <> 'unknown' THEN round(quotes / nullif(sum(quotes) FILTER (
        WHERE gender <> 'unknown') OVER (PARTITION BY site_name, month), 0), 4)
    END                                                                   AS gendered_quote_share,
    round(speakers / sum(speakers) OVER (PARTITION BY site_name, month), 4) AS speaker_share,
    CASE WHEN gender <> 'unknown' THEN round(speakers / nullif(sum(speakers) FILTER (
        WHERE gender <> 'unknown') OVER (PARTITION BY site_name, month), 0), 4)
    END                                                                   AS gendered_speaker_share
FROM per_gender
ORDER BY site_name, month, gender;

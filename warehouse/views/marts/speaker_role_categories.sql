-- Grain: one row per (site, role category): how many quotes and distinct speakers of that
-- category a site carries, by gender, and the share of the category's gendered quotes
-- (speakers female or male) that are women's.
CREATE OR REPLACE VIEW speaker_role_categories AS
SELECT
    site_name,
    role_category,
    count(*)                                                   AS quotes,
    count(DISTINCT speaker_entity_id)                          AS speakers,
    count(*) FILTER (WHERE gender = 'female')                  AS female_quotes,
    count(*) FILTER (WHERE gender = 'male')                    AS male_quotes,
    count(*) FILTER (WHERE gender = 'unknown')                 AS unknown_gender_quotes,
    round(count(*) FILTER (WHERE gender = 'female')
          / nullif(count(*) FILTER (WHERE gender IN ('female', 'male')), 0), 4)
                                                               AS female_share_of_gendered
FROM speaker_quotes
GROUP BY ALL
ORDER BY site_name, quotes DESC, role_category;

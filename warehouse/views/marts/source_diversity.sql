-- Grain: one row per site: who its quotes come from. Quotes and distinct speakers; women,
-- men, persons of unknown gender and organisations among the speakers; the share of
-- gendered quotes (speaker female or male) that are women's; how many role categories its
-- quotes reach (unknown left out) and their Gini-Simpson diversity (1 - sum of squared
-- shares: 0 when one category gives every quote, nearer 1 the more evenly they spread);
-- the share of quotes given by the site's five most quoted speakers.
CREATE OR REPLACE VIEW source_diversity AS
WITH quotes AS (
    SELECT * FROM speaker_quotes
),
speakers AS (
    SELECT site_name, speaker_entity_id, any_value(gender) AS gender,
           bool_or(is_person) AS is_person, count(*) AS quotes,
           row_number() OVER (PARTITION BY site_name ORDER BY count(*) DESC,
                              any_value(speaker)) AS place
    FROM quotes
    GROUP BY site_name, speaker_entity_id
),
per_site AS (
    SELECT site_name,
           count(*)                                                   AS speakers,
           count(*) FILTER (WHERE gender = 'female')                  AS female_speakers,
           count(*) FILTER (WHERE gender = 'male')                    AS male_speakers,
           count(*) FILTER (WHERE is_person AND gender = 'unknown')   AS unknown_gender_persons,
           count(*) FILTER (WHERE NOT is_person)                      AS organisations,
           sum(quotes) FILTER (WHERE place <= 5)                      AS top5_quotes
    FROM speakers
    GROUP BY site_name
),
categories AS (
    SELECT site_name, role_category, count(*) AS quotes
    FROM quotes
    WHERE role_category <> 'unknown'
    GROUP BY ALL
),
shares AS (
    SELECT site_name, quotes / sum(quotes) OVER (PARTITION BY site_name) AS share
    FROM categories
),
spread AS (
    SELECT site_name, count(*) AS role_categories, 1 - sum(share ^ 2) AS diversity
    FROM shares
    GROUP BY site_name
),
totals AS (
    SELECT site_name, count(*) AS quotes,
           count(*) FILTER (WHERE gender = 'female') AS female_quotes,
           count(*) FILTER (WHERE gender IN ('female', 'male')) AS gendered_quotes
    FROM quotes
    GROUP BY site_name
)
SELECT
    totals.site_name,
    totals.quotes,
    per_site.speakers,
    per_site.female_speakers,
    per_site.male_speakers,
    per_site.unknown_gender_persons,
    per_site.organisations,
    round(totals.female_quotes / nullif(totals.gendered_quotes, 0), 4) AS female_quote_share,
    coalesce(spread.role_categories, 0)                                 AS role_categories,
    round(spread.diversity, 4)                                          AS role_diversity,
    round(per_site.top5_quotes / totals.quotes, 4)                      AS top5_quote_share
FROM totals
JOIN per_site USING (site_name)
LEFT JOIN spread USING (site_name)
ORDER BY totals.quotes DESC, totals.site_name;

-- The entities mentioned in most stories in the report's scope. A story's syndicated copies
-- count once: its mentions are the largest count among its copies in scope. The link is the
-- article that mentions the entity most.
WITH scoped AS (
    SELECT * FROM report_document_entities
    WHERE ($since IS NULL OR day >= $since)
      AND ($until IS NULL OR day <= $until)
      AND ($site IS NULL OR site_name ILIKE $site)
),
per_story AS (
    SELECT entity_id, story_id, max(mentions) AS mentions
    FROM scoped
    GROUP BY ALL
),
per_entity AS (
    SELECT entity_id, count(*) AS stories, sum(mentions) AS mentions
    FROM per_story
    GROUP BY ALL
),
examples AS (
    SELECT entity_id, entity_name, entity_label,
           first(article_url ORDER BY mentions DESC, day, document_id) AS article_url,
           first(title ORDER BY mentions DESC, day, document_id)       AS title
    FROM scoped
    GROUP BY ALL
)
SELECT examples.entity_id, examples.entity_name, examples.entity_label,
       per_entity.stories, per_entity.mentions, examples.article_url, examples.title
FROM per_entity
JOIN examples USING (entity_id)
ORDER BY per_entity.stories DESC, per_entity.mentions DESC, examples.entity_name
LIMIT $limit;

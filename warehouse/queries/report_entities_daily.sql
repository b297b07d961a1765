-- Mentions per publication day of the entities in $entity_ids, in the report's scope. A
-- story's syndicated copies count once: its largest count among its copies, on its first day
-- in scope. Undated documents left out.
WITH scoped AS (
    SELECT * FROM report_document_entities
    WHERE day IS NOT NULL
      AND list_contains($entity_ids, entity_id)
      AND ($since IS NULL OR day >= $since)
      AND ($until IS NULL OR day <= $until)
      AND ($site IS NULL OR site_name ILIKE $site)
),
per_story AS (
    SELECT entity_id, story_id, max(mentions) AS mentions, min(day) AS day
    FROM scoped
    GROUP BY ALL
)
SELECT entity_id, day, sum(mentions) AS mentions, count(*) AS stories
FROM per_story
GROUP BY ALL
ORDER BY entity_id, day;

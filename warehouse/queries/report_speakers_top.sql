-- The resolved speakers quoted most in the report's scope. A story's syndicated copies count
-- once: its quotes by the speaker are the largest count among its copies in scope. The link is
-- the article that quotes the speaker most.
WITH scoped AS (
    SELECT * FROM report_document_quotes
    WHERE speaker_entity_id IS NOT NULL
      AND ($since IS NULL OR day >= $since)
      AND ($until IS NULL OR day <= $until)
      AND ($site IS NULL OR site_name ILIKE $site)
),
per_document AS (
    SELECT speaker_entity_id, speaker, document_id, story_id, day, article_url, title,
           sum(quotes) AS quotes,
           sum(quotes) FILTER (WHERE quote_kind = 'direct') AS direct_quotes
    FROM scoped
    GROUP BY ALL
),
per_story AS (
    SELECT speaker_entity_id, story_id, max(quotes) AS quotes,
           max(coalesce(direct_quotes, 0)) AS direct_quotes
    FROM per_document
    GROUP BY ALL
),
per_speaker AS (
    SELECT speaker_entity_id, count(*) AS stories, sum(quotes) AS quotes,
           sum(direct_quotes) AS direct_quotes
    FROM per_story
    GROUP BY ALL
),
examples AS (
    SELECT speaker_entity_id, speaker,
           first(article_url ORDER BY quotes DESC, day, document_id) AS article_url,
           first(title ORDER BY quotes DESC, day, document_id)       AS title
    FROM per_document
    GROUP BY ALL
)
SELECT examples.speaker_entity_id, examples.speaker, per_speaker.quotes,
       per_speaker.direct_quotes, per_speaker.stories, examples.article_url, examples.title
FROM per_speaker
JOIN examples USING (speaker_entity_id)
ORDER BY per_speaker.quotes DESC, per_speaker.stories DESC, examples.speaker
LIMIT $limit;

-- Each speaker entity the batch touches: its stored sums plus the batch's delta, and the
-- gender the new sums give, by the rule of newsmill.tasks.speaker_profile.gender.decide
-- (one side only; or one side with at least $dominance times the other's pieces and at
-- least $min_pieces; else unknown), the method that decided it (the winning side's kind
-- with most pieces: honorific, then noun, then pronoun on a tie) and that method's
-- confidence ($confidence, a JSON object by method). A person with no evidence at all
-- takes the batch's given-name gender when the fallback set one ('first-name'). The role
-- (words, category, affiliation) is the batch's when a document of it gives one, else the
-- stored one unless it came from a document reprocessed now ($reprocessed). Only the
-- stored rows of these entities are read.
CREATE OR REPLACE TEMP TABLE speaker_merged AS
WITH delta AS (
    SELECT
        entity_id,
        bool_or(person)              AS person,
        sum(documents)               AS documents,
        sum(quotes)                  AS quotes,
        sum(pronoun_female)          AS pronoun_female,
        sum(pronoun_male)            AS pronoun_male,
        sum(honorific_female)        AS honorific_female,
        sum(honorific_male)          AS honorific_male,
        sum(noun_female)             AS noun_female,
        sum(noun_male)               AS noun_male,
        any_value(name_gender)       AS name_gender,
        any_value(role) FILTER (WHERE role_document_id IS NOT NULL)      AS role,
        any_value(role_category) FILTER (WHERE role_document_id IS NOT NULL) AS role_category,
        any_value(affiliation_entity_id) FILTER (WHERE role_document_id IS NOT NULL)
                                     AS affiliation_entity_id,
        any_value(role_document_id) FILTER (WHERE role_document_id IS NOT NULL)
                                     AS role_document_id
    FROM speaker_delta
    GROUP BY entity_id
),
stored AS (
    SELECT * FROM speaker_attributes
    WHERE entity_id IN (SELECT entity_id FROM speaker_delta)
),
summed AS (
    SELECT
        delta.entity_id,
        coalesce(delta.person, stored.person, false)                         AS person,
        (coalesce(stored.documents, 0) + delta.documents)::INTEGER            AS documents,
        (coalesce(stored.quotes, 0) + delta.quotes)::INTEGER                  AS quotes,
        (coalesce(stored.pronoun_female, 0) + delta.pronoun_female)::INTEGER  AS pronoun_female,
        (coalesce(stored.pronoun_male, 0) + delta.pronoun_male)::INTEGER      AS pronoun_male,
        (coalesce(stored.honorific_female, 0) + delta.honorific_female)::INTEGER
                                                                              AS honorific_female,
        (coalesce(stored.honorific_male, 0) + delta.honorific_male)::INTEGER  AS honorific_male,
        (coalesce(stored.noun_female, 0) + delta.noun_female)::INTEGER        AS noun_female,
        (coalesce(stored.noun_male, 0) + delta.noun_male)::INTEGER            AS noun_male,
        delta.name_gender,
        CASE WHEN delta.role_document_id IS NOT NULL THEN delta.role
             WHEN stored.role_document_id IN (SELECT unnest($reprocessed::VARCHAR[]))
             THEN NULL ELSE stored.role END                                   AS role,
        CASE WHEN delta.role_document_id IS NOT NULL THEN delta.role_category
             WHEN stored.role_document_id IN (SELECT unnest($reprocessed::VARCHAR[]))
             THEN 'unknown' ELSE coalesce(stored.role_category, 'unknown') END AS role_category,
        CASE WHEN delta.role_document_id IS NOT NULL THEN delta.affiliation_entity_id
             WHEN stored.role_document_id IN (SELECT unnest($reprocessed::VARCHAR[]))
             THEN NULL ELSE stored.affiliation_entity_id END                  AS affiliation_entity_id,
        CASE WHEN delta.role_document_id IS NOT NULL THEN delta.role_document_id
             WHEN stored.role_document_id IN (SELECT unnest($reprocessed::VARCHAR[]))
             THEN NULL ELSE stored.role_document_id END                       AS role_document_id
    FROM delta
    LEFT JOIN stored USING (entity_id)
),
sides AS (
    SELECT *,
           pronoun_female + honorific_female + noun_female AS female,
           pronoun_male + honorific_male + noun_male       AS male
    FROM summed
),
decided AS (
    SELECT *,
        CASE
            WHEN NOT person THEN 'unknown'
            WHEN female > 0 AND male = 0 THEN 'female'
            WHEN male > 0 AND female = 0 THEN 'male'
            WHEN male > 0 AND female >= $dominance * male AND female >= $min_pieces
                THEN 'female'
            WHEN female > 0 AND male >= $dominance * female AND male >= $min_pieces
                THEN 'male'
            WHEN female = 0 AND male = 0 AND name_gender IS NOT NULL THEN name_gender
            ELSE 'unknown'
        END AS decided_gender
    FROM sides
),
methods AS (
    SELECT *,
        CASE
            WHEN NOT person THEN 'not-a-person'
            WHEN female = 0 AND male = 0 AND decided_gender <> 'unknown' THEN 'first-name'
            WHEN decided_gender = 'unknown' AND female + male > 0 THEN 'conflicting'
            WHEN decided_gender = 'unknown' THEN 'no-evidence'
            WHEN decided_gender = 'female' THEN
                CASE WHEN honorific_female >= noun_female AND honorific_female >= pronoun_female
                         THEN 'honorific'
                     WHEN noun_female >= pronoun_female THEN 'noun' ELSE 'pronoun' END
            ELSE
                CASE WHEN honorific_male >= noun_male AND honorific_male >= pronoun_male
                         THEN 'honorific'
                     WHEN noun_male >= pronoun_male THEN 'noun' ELSE 'pronoun' END
        END AS method
    FROM decided
)
SELECT
    entity_id, person, documents, quotes, pronoun_female, pronoun_male, honorific_female,
    honorific_male, noun_female, noun_male,
    decided_gender                                       AS gender,
    method                                               AS gender_method,
    TRY_CAST($confidence::JSON ->> method AS DOUBLE)     AS gender_confidence,
    name_gender, role, role_category, affiliation_entity_id, role_document_id,
    $run_id::VARCHAR                                     AS run_id,
    $now::TIMESTAMP                                      AS updated_at
FROM methods;

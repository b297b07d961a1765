UPDATE runs SET
    finished_at = $finished_at,
    status = $status,
    stage_seconds = $stage_seconds,
    error = $error,
    spacy_model = coalesce($spacy_model, spacy_model),
    spacy_model_version = coalesce($spacy_model_version, spacy_model_version)
WHERE run_id = $run_id;

INSERT INTO runs (run_id, flow, started_at, status, settings, code_version, spacy_model,
                  spacy_model_version, sources_given)
VALUES ($run_id, $flow, $started_at, 'running', $settings, $code_version, $spacy_model,
        $spacy_model_version, $sources_given);

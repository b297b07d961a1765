"""The pipeline's stages as plain, typed functions over plain data.

One module per stage: ``sources`` (what to read), ``fetch`` (bytes in), ``extract`` (article text
and metadata), ``normalise`` (clean text), ``nlp`` (the spaCy pipeline), ``entities``, ``quotes``,
``load`` (rows for the warehouse). ``batch`` runs them over one batch and holds the thin Prefect
task wrapper. Tests call the plain functions directly.
"""

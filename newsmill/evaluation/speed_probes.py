"""The programs ``newsmill bench speed`` measures newsmill against, one per process.

``python -m newsmill.evaluation.speed_probes PROBE JOB.json`` runs one of them on the job's
inputs and prints nothing the benchmark needs (it measures the process from outside):

* ``spacy``: spaCy alone, ``nlp.pipe`` over the clean texts newsmill stored, with the
  components newsmill runs (``n_process`` from the job: 1, or as many as newsmill's workers);
* ``trafilatura``: one ``trafilatura.extract(html, with_metadata=True)`` per HTML page;
* ``loop``: the per-document loop a user would write first — read a file, ``trafilatura``
  for a page, ``nlp(text)``, one ``INSERT`` per document and per entity into DuckDB.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def spacy_alone(job: dict[str, Any]) -> None:
    import spacy

    from newsmill.tasks.nlp import EXCLUDED_COMPONENTS, resolve_model

    nlp = spacy.load(resolve_model(job["model"]), exclude=list(EXCLUDED_COMPONENTS))
    texts = json.loads(Path(job["texts"]).read_text(encoding="utf-8"))
    for _doc in nlp.pipe(texts, batch_size=32, n_process=job.get("n_process", 1)):
        pass


def trafilatura_pass(job: dict[str, Any]) -> None:
    import trafilatura

    for name in job["files"]:
        if name.endswith((".html", ".htm")):
            trafilatura.extract(Path(name).read_bytes(), with_metadata=True)


def user_loop(job: dict[str, Any]) -> None:
    import duckdb
    import spacy
    import trafilatura

    from newsmill.tasks.nlp import resolve_model

    nlp = spacy.load(resolve_model(job["model"]))
    conn = duckdb.connect(job["db"])
    conn.execute("create table documents (id integer, path varchar, text varchar)")
    conn.execute("create table entities (document_id integer, text varchar, label varchar, "
                 "start_char integer, end_char integer)")
    for i, name in enumerate(job["files"]):
        body = Path(name).read_bytes()
        if name.endswith((".html", ".htm")):
            text = trafilatura.extract(body)
        else:
            text = body.decode("utf-8", errors="replace")
        if not text:
            continue
        doc = nlp(text)
        conn.execute("insert into documents values (?, ?, ?)", [i, name, text])
        for ent in doc.ents:
            conn.execute("insert into entities values (?, ?, ?, ?, ?)",
                         [i, ent.text, ent.label_, ent.start_char, ent.end_char])
    conn.close()


PROBES = {"spacy": spacy_alone, "trafilatura": trafilatura_pass, "loop": user_loop}


def main(argv: list[str]) -> int:
    probe, job_file = argv
    PROBES[probe](json.loads(Path(job_file).read_text(encoding="utf-8")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Reprocessing stored documents with the current NLP settings (a new model, new rules),
without fetching or extracting anything: their mentions, quotes and speaker evidence are
replaced, batch by batch, each batch in one transaction, and their speakers' attributes
(gender, role) re-derived from the sums (``replace_analysis``)."""

from __future__ import annotations

from collections.abc import Sequence

from newsmill.errors import Rejection
from newsmill.settings import Settings
from newsmill.tasks.batch import BatchReport, analyse
from newsmill.tasks.models import CleanDocument, Source, Span
from newsmill.tasks.rows import build_rows
from newsmill.warehouse.connection import open_writer, utcnow
from newsmill.warehouse.loader import Row, replace_analysis, stored_documents


def _document(row: Row) -> CleanDocument:
    dateline = None
    if row.get("dateline") and row.get("dateline_start_char") is not None:
        dateline = Span(row["dateline_start_char"], row["dateline_end_char"], row["dateline"])
    return CleanDocument(
        document_id=row["document_id"], content_hash=row["content_hash"], source=row["source"],
        format=row["source_format"], clean_text=row["clean_text"], title=row["title"],
        author=row["author"], published_at=row["published_at"], site_name=row["site_name"],
        canonical_url=row["canonical_url"], description=row["description"],
        language=row["language"], dateline=dateline,
        language_confidence=row["language_confidence"],
    )


def reprocess_batch(sources: Sequence[Source], settings: Settings, run_id: str) -> BatchReport:
    """Analyse the stored documents named by ``sources`` (kind ``stored``, location = the
    document id) again and replace their analysis."""
    report = BatchReport(seen=len(sources))
    ids = [s.location for s in sources]
    with open_writer(settings.db) as conn:
        documents = [_document(row) for row in stored_documents(conn, ids)]
    failures: list[tuple[str, Rejection]] = []
    analysed = analyse(documents, settings, report,
                       lambda doc, rejection: failures.append((doc.source, rejection)))
    rows = build_rows(run_id=run_id, now=utcnow(), new_documents=analysed, seen_sources=[],
                      rejections=failures, seen=len(sources), unchanged=0)
    nlp_rows = [{"document_id": d.document_id, "nlp_status": a.nlp_status,
                 "nlp_note": a.nlp_note} for d, a in analysed]
    with open_writer(settings.db) as conn:
        replace_analysis(conn, rows, [d.document_id for d, _ in analysed], nlp_rows)
    report.loaded = len(analysed)
    report.rejected = len(failures)
    return report

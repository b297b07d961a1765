"""Stage outputs as warehouse rows. The warehouse layer knows nothing of these dataclasses;
this module is the one place that maps them onto columns."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime

from newsmill.errors import Rejection
from newsmill.tasks.duplicates import Fingerprint, Verdict
from newsmill.tasks.models import Analysis, CleanDocument
from newsmill.warehouse.loader import BatchRows, Row


def quote_id(document_id: str, start: int, end: int, kind: str) -> str:
    """Stable key of a quote: the same span of the same document keeps its id."""
    return hashlib.sha256(f"{document_id}:{start}:{end}:{kind}".encode()).hexdigest()[:16]


def rejection_row(run_id: str, source: str, rejection: Rejection, now: datetime) -> Row:
    return {"run_id": run_id, "source": source, "stage": rejection.stage,
            "reason": rejection.reason, "detail": rejection.detail, "rejected_at": now}


def document_row(doc: CleanDocument, run_id: str, now: datetime,
                 analysis: Analysis | None = None, duplicate: Verdict | None = None) -> Row:
    return {
        "language_confidence": doc.language_confidence,
        "nlp_status": analysis.nlp_status if analysis else None,
        "nlp_note": analysis.nlp_note if analysis else None,
        "duplicate_of": duplicate.duplicate_of if duplicate else None,
        "duplicate_similarity": duplicate.similarity if duplicate else None,
        "raw_offsets": [list(run) for run in doc.raw_offsets],
        "document_id": doc.document_id, "source": doc.source,
        "canonical_url": doc.canonical_url, "content_hash": doc.content_hash,
        "title": doc.title, "author": doc.author, "published_at": doc.published_at,
        "site_name": doc.site_name, "language": doc.language, "description": doc.description,
        "dateline": doc.dateline.text if doc.dateline else None,
        "dateline_start_char": doc.dateline.start_char if doc.dateline else None,
        "dateline_end_char": doc.dateline.end_char if doc.dateline else None,
        "source_format": doc.format, "clean_text": doc.clean_text, "run_id": run_id,
        "loaded_at": now,
    }


def build_rows(
    *,
    run_id: str,
    now: datetime,
    new_documents: Iterable[tuple[CleanDocument, Analysis]],
    seen_sources: Iterable[tuple[str, str]],
    rejections: Iterable[tuple[str, Rejection]],
    seen: int,
    unchanged: int,
    duplicates: dict[str, Verdict] | None = None,
    fingerprints: Mapping[str, Fingerprint] | None = None,
) -> BatchRows:
    """Rows for one batch: new documents with their mentions and quotes, every
    ``(source, document_id)`` pair seen, and the rejections."""
    # Imported here: the entities module brings spaCy, which a run rejecting or skipping
    # everything (rejection_row only) never needs.
    from newsmill.tasks.entities import acronym_links, entity_id

    batch = BatchRows(run_id=run_id, seen=seen, unchanged=unchanged)
    entities: dict[str, Row] = {}
    duplicates = duplicates or {}
    for doc, analysis in new_documents:
        batch.documents.append(document_row(doc, run_id, now, analysis,
                                            duplicates.get(doc.document_id)))
        printed = (fingerprints or {}).get(doc.document_id)
        if printed is not None:
            batch.document_minhash.append({"document_id": doc.document_id,
                                           "signature": printed.signature, "run_id": run_id})
            batch.document_bands += [
                {"band": band, "band_key": key, "document_id": doc.document_id}
                for band, key in enumerate(printed.band_keys)
            ]
        for m in analysis.mentions:
            eid = entity_id(m.canonical, m.label)
            entities.setdefault(eid, {"entity_id": eid, "name": m.canonical, "label": m.label,
                                      "run_id": run_id})
            batch.mentions.append({
                "document_id": doc.document_id, "entity_id": eid, "start_char": m.start_char,
                "end_char": m.end_char, "text": m.text, "label": m.label,
                "sentence_index": m.sentence_index, "model_label": m.model_label,
                "run_id": run_id,
            })
        for q in analysis.quotes:
            speaker_eid = (entity_id(q.speaker_canonical, q.speaker_label)
                           if q.speaker_canonical and q.speaker_label else None)
            batch.quotes.append({
                "quote_id": quote_id(doc.document_id, q.start_char, q.end_char, q.kind),
                "document_id": doc.document_id, "start_char": q.start_char,
                "end_char": q.end_char, "text": q.text, "kind": q.kind,
                "cue": q.cue.text if q.cue else None,
                "cue_start_char": q.cue.start_char if q.cue else None,
                "cue_end_char": q.cue.end_char if q.cue else None,
                "speaker_text": q.speaker.text if q.speaker else None,
                "speaker_start_char": q.speaker.start_char if q.speaker else None,
                "speaker_end_char": q.speaker.end_char if q.speaker else None,
                "speaker_entity_id": speaker_eid, "speaker_name": q.speaker_canonical,
                "sentence_index": q.sentence_index, "speaker_method": q.speaker_method,
                "speaker_confidence": q.speaker_confidence, "run_id": run_id,
            })
        for alias, name, label in acronym_links(analysis.mentions):
            alias_id = entity_id(alias, label)
            entities.setdefault(alias_id, {"entity_id": alias_id, "name": alias,
                                           "label": label, "run_id": run_id})
            batch.entity_links.append({"alias_entity_id": alias_id,
                                       "entity_id": entity_id(name, label), "alias": alias,
                                       "label": label, "run_id": run_id})
    batch.entities = list(entities.values())
    batch.document_sources = [
        {"source": source, "document_id": document_id, "run_id": run_id, "seen_at": now}
        for source, document_id in seen_sources
    ]
    batch.rejections = [rejection_row(run_id, source, r, now) for source, r in rejections]
    return batch

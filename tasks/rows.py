"""Stage outputs as warehouse rows. The warehouse layer knows nothing of these dataclasses;
this module is the one place that maps them onto columns."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime

from newsmill.errors import Rejection
from newsmill.tasks.duplicates import Fingerprint, Verdict
from newsmill.tasks.models import Analysis, CleanDocument, SpeakerProfile
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


#: The counts of gender evidence, summed per speaker across documents.
EVIDENCE_COUNTS = ("pronoun_female", "pronoun_male", "honorific_female", "honorific_male",
                   "noun_female", "noun_male")


def speaker_row(document_id: str, speaker_id: str, profile: SpeakerProfile,
                affiliation_id: str | None, run_id: str) -> Row:
    """One ``speaker_evidence`` row: what one document says of one speaker."""
    return {
        "document_id": document_id, "entity_id": speaker_id, "quotes": profile.quotes,
        **{name: getattr(profile.evidence, name) for name in EVIDENCE_COUNTS},
        "gender": profile.gender, "gender_method": profile.gender_method,
        "gender_confidence": profile.gender_confidence, "name_gender": profile.name_gender,
        "role": profile.role.text if profile.role else None,
        "role_start_char": profile.role.start_char if profile.role else None,
        "role_end_char": profile.role.end_char if profile.role else None,
        "role_method": profile.role_method, "role_category": profile.role_category,
        "affiliation_entity_id": affiliation_id, "run_id": run_id,
    }


def speaker_deltas(evidence: Iterable[tuple[Row, bool]]) -> list[Row]:
    """What a batch adds to each speaker's stored sums (``speaker_attributes``): per speaker
    entity, its documents, quotes and evidence counts summed over ``evidence`` (rows with
    whether the speaker is a person), the given-name gender if the fallback set one, and
    the role of the last document (in batch order) that gives it one (words or a
    category)."""
    deltas: dict[str, Row] = {}
    for row, person in evidence:
        delta = deltas.setdefault(row["entity_id"], {
            "entity_id": row["entity_id"], "person": person, "documents": 0, "quotes": 0,
            **dict.fromkeys(EVIDENCE_COUNTS, 0), "name_gender": None, "role": None,
            "role_category": None, "affiliation_entity_id": None, "role_document_id": None})
        delta["documents"] += 1
        delta["quotes"] += row["quotes"]
        for name in EVIDENCE_COUNTS:
            delta[name] += row[name]
        delta["name_gender"] = row["name_gender"] or delta["name_gender"]
        if row["role"] is not None or row["role_category"] != "unknown":
            delta.update(role=row["role"], role_category=row["role_category"],
                         affiliation_entity_id=row["affiliation_entity_id"],
                         role_document_id=row["document_id"])
    return list(deltas.values())


def speaker_rule(now: datetime) -> Row:
    """The numbers of the gender rule, for the warehouse's merge of summed evidence."""
    from newsmill.tasks.speaker_profile import GENDER_CONFIDENCE
    from newsmill.tasks.speaker_profile.gender import DOMINANCE, MIN_DOMINANT_PIECES

    return {"dominance": DOMINANCE, "min_pieces": MIN_DOMINANT_PIECES,
            "confidence": GENDER_CONFIDENCE, "now": now}


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
    """Rows for one batch: new documents with their mentions, quotes and speakers' evidence
    (and what it adds to each speaker's sums), every ``(source, document_id)`` pair seen,
    and the rejections."""
    # Imported here: the entities module brings spaCy, which a run rejecting or skipping
    # everything (rejection_row only) never needs.
    from newsmill.tasks.entities import acronym_links, entity_id

    batch = BatchRows(run_id=run_id, seen=seen, unchanged=unchanged,
                      speaker_rule=speaker_rule(now))
    entities: dict[str, Row] = {}
    evidence: list[tuple[Row, bool]] = []
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
        for profile in analysis.speakers:
            affiliation = (entity_id(profile.affiliation_canonical, profile.affiliation_label)
                           if profile.affiliation_canonical and profile.affiliation_label
                           else None)
            row = speaker_row(doc.document_id, entity_id(profile.canonical, profile.label),
                              profile, affiliation, run_id)
            evidence.append((row, profile.label == "PERSON"))
        for alias, name, label in acronym_links(analysis.mentions):
            alias_id = entity_id(alias, label)
            entities.setdefault(alias_id, {"entity_id": alias_id, "name": alias,
                                           "label": label, "run_id": run_id})
            batch.entity_links.append({"alias_entity_id": alias_id,
                                       "entity_id": entity_id(name, label), "alias": alias,
                                       "label": label, "run_id": run_id})
    batch.entities = list(entities.values())
    batch.speaker_evidence = [row for row, _person in evidence]
    batch.speaker_deltas = speaker_deltas(evidence)
    batch.document_sources = [
        {"source": source, "document_id": document_id, "run_id": run_id, "seen_at": now}
        for source, document_id in seen_sources
    ]
    batch.rejections = [rejection_row(run_id, source, r, now) for source, r in rejections]
    return batch

"""Plain data passed between stages. Offsets are 0-based indices into the clean text, end
exclusive, so ``clean_text[start_char:end_char]`` is always the stored text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

SourceKind = Literal["file", "url", "feed", "sitemap", "homepage", "archive", "stored",
                     "invalid"]
SourceFormat = Literal["html", "text"]
QuoteKind = Literal["direct", "indirect", "mixed"]
#: A speaker's gender as the text tells it ("unknown": no evidence, conflicting evidence, or
#: not a person). Room is left for self-described values later: the warehouse stores text.
Gender = Literal["female", "male", "unknown"]


@dataclass(frozen=True)
class Source:
    """One input to read: a file, an article URL, a listing to discover articles from
    (``feed``, ``sitemap``, ``homepage``), or a response kept in the archive.

    ``kind == "invalid"`` carries a refusal decided at discovery time (a missing file, an
    unsupported scheme), so that it flows through the batch and is recorded like any other.
    ``etag`` / ``last_modified`` make a refetch conditional; ``archive_*`` locate a stored
    response for re-extraction. ``captured_at`` is set for a record of a WARC file given as
    input (a backfill from a web archive): its WARC-Date, which decides between two captures
    of one URL; such a record gets its ``fetches`` row as a fetched page does.
    """

    location: str
    kind: SourceKind
    reason: str | None = None
    detail: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    archive_path: str | None = None
    archive_offset: int | None = None
    captured_at: datetime | None = None


@dataclass(frozen=True)
class RawDocument:
    """Bytes as read from disk or the network, before any decoding."""

    source: str
    body: bytes
    format: SourceFormat
    content_type: str | None = None
    charset: str | None = None
    final_url: str | None = None


@dataclass(frozen=True)
class Extracted:
    """Article text and metadata, as the extractor returned them (not yet normalised)."""

    source: str
    format: SourceFormat
    text: str
    title: str | None = None
    author: str | None = None
    published_at: datetime | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    description: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Span:
    """A stretch of the clean text."""

    start_char: int
    end_char: int
    text: str


@dataclass(frozen=True)
class CleanDocument:
    """A normalised document, identified by the hash of its clean text."""

    document_id: str
    content_hash: str
    source: str
    format: SourceFormat
    clean_text: str
    title: str | None
    author: str | None
    published_at: datetime | None
    site_name: str | None
    canonical_url: str | None
    description: str | None
    language: str | None
    dateline: Span | None
    language_confidence: float | None = None
    #: Runs (clean_start, raw_start, length) mapping the clean text back to the extraction.
    raw_offsets: tuple[tuple[int, int, int], ...] = ()


@dataclass(frozen=True)
class Mention:
    """An entity mention after document-level consolidation.

    ``canonical`` is the document's fullest name for the entity ("Nikol Pashinyan" for a later
    "Pashinyan"); together with ``label`` it keys the entity across documents.
    """

    start_char: int
    end_char: int
    text: str
    label: str
    canonical: str
    sentence_index: int
    model_label: str | None = None


@dataclass(frozen=True)
class Quote:
    """Who said what: the content span, the cue and the speaker, with the resolved speaker."""

    start_char: int
    end_char: int
    text: str
    kind: QuoteKind
    cue: Span | None = None
    speaker: Span | None = None
    speaker_canonical: str | None = None
    speaker_label: str | None = None
    sentence_index: int | None = None
    #: How the speaker was found: "name", "apposition", "pronoun-previous-speaker",
    #: "inherited" (a floating quote) ... (``tasks.quotes.CONFIDENCE`` lists them all).
    speaker_method: str | None = None
    #: How often that way of finding a speaker was right when measured (None: no speaker).
    speaker_confidence: float | None = None


@dataclass(frozen=True)
class GenderEvidence:
    """What one text says about one person's gender, counted by kind: pronouns coreferent
    with the person, honorifics before their name, gendered nouns used for them."""

    pronoun_female: int = 0
    pronoun_male: int = 0
    honorific_female: int = 0
    honorific_male: int = 0
    noun_female: int = 0
    noun_male: int = 0

    @property
    def female(self) -> int:
        return self.pronoun_female + self.honorific_female + self.noun_female

    @property
    def male(self) -> int:
        return self.pronoun_male + self.honorific_male + self.noun_male


@dataclass(frozen=True)
class SpeakerProfile:
    """Who one speaker of a document is, as that document says: gender with the method that
    decided it and its evidence, and the role and affiliation the article gives them.

    ``canonical`` and ``label`` key the entity as for :class:`Mention`; ``gender_method`` is
    one of ``tasks.speaker_profile.GENDER_CONFIDENCE``'s keys. ``name_gender`` is the given
    name's gender from the first-name list, set only when that fallback is switched on, and
    never counted in ``evidence``."""

    canonical: str
    label: str
    quotes: int
    evidence: GenderEvidence
    gender: Gender
    gender_method: str
    gender_confidence: float | None = None
    name_gender: Gender | None = None
    role: Span | None = None
    role_method: str | None = None
    role_category: str = "unknown"
    affiliation_canonical: str | None = None
    affiliation_label: str | None = None


@dataclass
class Analysis:
    """What the NLP stages found in one document (``skipped``, with the reason, when the
    document's language has no pipeline)."""

    document_id: str
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    nlp_status: str = "analysed"
    nlp_note: str | None = None
    #: One profile per speaker entity of the quotes (``tasks.speaker_profile``).
    speakers: list[SpeakerProfile] = field(default_factory=list)

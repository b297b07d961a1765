"""Entity recognition scored against CoNLL-style gold data (UniversalNER's ``.iob2`` files,
CoNLL-2003 with its ``-DOCSTART-`` documents and POS and chunk columns, two-column
``token tag`` files).

Each gold document is turned into the text a user's article would be (:func:`article_text`:
a sentence's own written text where the file gives it, else its tokens detokenised, with every
token's character offsets kept), the model reads that text as the pipeline does, and found
spans are compared with the gold spans by exact character span and label, per label and
micro-averaged (the CoNLL measure). Two sets of found spans are scored: the model's
``doc.ents`` read naively, labels mapped and nothing else (**raw**), and the mentions
:func:`newsmill.tasks.entities.consolidate` makes of them, the dateline found as ingestion
finds it (**consolidated**). With ``ablation`` each consolidation rule is also switched off in
turn, so what every rule adds or costs per label can be read off.

spaCy's OntoNotes labels are mapped onto the evaluation's PER / ORG / LOC / MISC the same way
for raw and consolidated spans (:data:`LABEL_MAP`); MISC is scored only when the gold data
uses it (UNER English-PUD does not).

Run it as ``newsmill eval entities --data FILE [--model NAME] [--ablation]``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from newsmill.evaluation.measures import Counts, micro
from newsmill.tasks.entities import RULES, consolidate, spans_from_doc
from newsmill.tasks.normalise import find_dateline

#: spaCy (OntoNotes) label → evaluation label; labels not listed are not scored.
LABEL_MAP: dict[str, str] = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
    "NORP": "MISC", "EVENT": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC",
    "LANGUAGE": "MISC",
}
#: Labels always scored; MISC and any other label join them when the gold data has them.
CORE_LABELS = ("PER", "ORG", "LOC")
#: The token a CoNLL-2003 document opens with.
DOCSTART = "-DOCSTART-"

_TAG = re.compile(r"^(?:O|[BIES]-\S+)$")
_TOKEN_ID = re.compile(r"^\d+(?:[-.]\d+)?$")
_NEWDOC = re.compile(r"^#\s*newdoc\b(?:\s+id\s*=\s*(?P<id>.*\S))?")
_SENT_ID = re.compile(r"^#\s*sent_id\s*=\s*(?P<id>.*\S)")
_SENT_TEXT = re.compile(r"^#\s*text\s*=\s?(?P<text>.*)$")


def map_label(label: str) -> str | None:
    """The evaluation label of a spaCy label, or None when it is not scored."""
    return LABEL_MAP.get(label)


@dataclass(frozen=True, order=True)
class EntitySpan:
    """Tokens ``start`` to ``end`` (exclusive) of a sentence or document, with a label."""

    start: int
    end: int
    label: str


def bio_spans(tags: Sequence[str]) -> list[EntitySpan]:
    """Entity spans of a sentence's tags (BIO / IOB2, tolerant of IOB1 and BIOES).

    B- (and S-) always opens an entity, so two adjacent B-PER are two people; an I- (or E-)
    continues the open entity of the same label and otherwise opens one.
    """
    spans: list[EntitySpan] = []
    start: int | None = None
    label = ""
    for i, tag in enumerate(tags):
        prefix, _, name = tag.partition("-")
        if tag == "O" or not name:
            if start is not None:
                spans.append(EntitySpan(start, i, label))
            start = None
            continue
        if prefix in ("B", "S") or start is None or name != label:
            if start is not None:
                spans.append(EntitySpan(start, i, label))
            start, label = i, name
        if prefix in ("E", "S"):
            spans.append(EntitySpan(start, i + 1, label))
            start = None
    if start is not None:
        spans.append(EntitySpan(start, len(tags), label))
    return spans


@dataclass(frozen=True)
class ConllSentence:
    tokens: tuple[str, ...]
    tags: tuple[str, ...]
    sent_id: str | None = None
    #: The sentence as written (a ``# text =`` comment), when the file gives it.
    text: str | None = None

    @property
    def spans(self) -> list[EntitySpan]:
        return bio_spans(self.tags)


@dataclass(frozen=True)
class ConllDocument:
    doc_id: str
    sentences: tuple[ConllSentence, ...]

    @property
    def tokens(self) -> list[str]:
        return [t for s in self.sentences for t in s.tokens]

    @property
    def sentence_starts(self) -> list[int]:
        """Token index at which each sentence starts."""
        starts, at = [], 0
        for s in self.sentences:
            starts.append(at)
            at += len(s.tokens)
        return starts

    @property
    def spans(self) -> list[EntitySpan]:
        """Gold spans in document token indices."""
        return [EntitySpan(offset + sp.start, offset + sp.end, sp.label)
                for offset, s in zip(self.sentence_starts, self.sentences, strict=True)
                for sp in s.spans]


# -- reading ------------------------------------------------------------------------------------

@dataclass
class _Row:
    line: int
    fields: list[str]


@dataclass
class _PendingSentence:
    rows: list[_Row] = field(default_factory=list)
    sent_id: str | None = None
    text: str | None = None


def _split(line: str) -> list[str]:
    return line.split("\t") if "\t" in line else line.split()


def _is_comment(line: str) -> bool:
    """``#`` lines are comments, unless they are a ``#`` token's row (``#  O`` in a
    token-first file)."""
    if not line.startswith("#"):
        return False
    fields = _split(line)
    return "=" in fields or not any(_TAG.match(f) for f in fields[1:])


def _columns(rows: Sequence[_Row], path: Path) -> tuple[int, int, bool]:
    """(token column, tag column, whether column 0 is a CoNLL-U token id)."""
    width = min(len(r.fields) for r in rows)
    if width < 2:
        line = next(r.line for r in rows if len(r.fields) < 2)
        raise ValueError(f"{path}:{line}: a token line needs a token and a tag")
    has_ids = width >= 3 and all(_TOKEN_ID.match(r.fields[0]) for r in rows)
    token_col = 1 if has_ids else 0
    # The tag is the rightmost column that holds tags on every line: UNER's .iob2 files have
    # an annotator column after it, CoNLL-2003 has POS and chunk tags before it.
    for col in range(width - 1, token_col, -1):
        if all(_TAG.match(r.fields[col]) for r in rows):
            return token_col, col, has_ids
    raise ValueError(f"{path}: no column holds BIO tags on every line")


def read_conll(path: str | Path) -> list[ConllDocument]:
    """The documents of a CoNLL-style file.

    A token line holds the token (first column, or second after a CoNLL-U id) and a BIO tag
    (the rightmost column with a tag on every line); blank lines end sentences; ``# newdoc``
    and ``-DOCSTART-`` start documents (sentences before any marker form one document); other
    ``#`` lines are comments, ``# sent_id`` kept. CoNLL-U multiword-token and empty-node lines
    (``1-2``, ``3.1``) are skipped.
    """
    path = Path(path)
    # (document id or None, sentences) in file order; None marks "no marker seen yet".
    groups: list[tuple[str | None, list[_PendingSentence]]] = [(None, [])]
    current = _PendingSentence()

    def end_sentence() -> None:
        nonlocal current
        if current.rows:
            groups[-1][1].append(current)
        current = _PendingSentence()

    def new_document(doc_id: str | None) -> None:
        end_sentence()
        groups.append((doc_id or f"{path.stem}-{len(groups)}", []))

    text = path.read_text(encoding="utf-8-sig")
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            end_sentence()
        elif _is_comment(line):
            if newdoc := _NEWDOC.match(line):
                new_document(newdoc.group("id"))
            elif sent_id := _SENT_ID.match(line):
                end_sentence()
                current.sent_id = sent_id.group("id")
            elif written := _SENT_TEXT.match(line):
                current.text = written.group("text").strip()
        elif DOCSTART in _split(line)[:2]:
            new_document(None)
        else:
            current.rows.append(_Row(number, _split(line)))
    end_sentence()

    rows = [r for _, sentences in groups for s in sentences for r in s.rows]
    if not rows:
        return []
    token_col, tag_col, has_ids = _columns(rows, path)
    documents = []
    for index, (doc_id, pending) in enumerate(groups):
        sentences = []
        for p in pending:
            kept = [r for r in p.rows if not (has_ids and not r.fields[0].isdigit())]
            if kept:
                sentences.append(ConllSentence(
                    tokens=tuple(r.fields[token_col] for r in kept),
                    tags=tuple(r.fields[tag_col] for r in kept),
                    sent_id=p.sent_id,
                    text=p.text,
                ))
        if sentences:
            documents.append(ConllDocument(doc_id or f"{path.stem}-{index}", tuple(sentences)))
    return documents


# -- scoring ------------------------------------------------------------------------------------

@dataclass
class SpanScores:
    """Exact-match counts per label; :attr:`micro` sums them."""

    labels: tuple[str, ...]
    per_label: dict[str, Counts]

    @classmethod
    def empty(cls, labels: Iterable[str]) -> SpanScores:
        kept = tuple(sorted(set(labels)))
        return cls(kept, {label: Counts() for label in kept})

    @property
    def micro(self) -> Counts:
        return micro(self.per_label.values())

    def add(self, other: SpanScores) -> None:
        for label, counts in other.per_label.items():
            self.per_label.setdefault(label, Counts()).add(counts)
        self.labels = tuple(sorted(self.per_label))


def score_spans(gold: Iterable[EntitySpan], predicted: Iterable[EntitySpan],
                labels: Iterable[str]) -> SpanScores:
    """Entity-level exact match of one document's spans; spans with other labels are ignored
    on both sides, and a span given twice counts once."""
    scores = SpanScores.empty(labels)
    wanted = {s for s in gold if s.label in scores.per_label}
    found = {s for s in predicted if s.label in scores.per_label}
    for s in wanted:
        scores.per_label[s.label].gold += 1
    for s in found:
        scores.per_label[s.label].predicted += 1
        if s in wanted:
            scores.per_label[s.label].correct += 1
    return scores


def scored_labels(documents: Iterable[ConllDocument]) -> tuple[str, ...]:
    """PER, ORG and LOC, plus every label the gold data uses (MISC only if it is there)."""
    gold = {s.label for d in documents for s in d.spans}
    return tuple(sorted(gold | set(CORE_LABELS)))


# -- the article text ---------------------------------------------------------------------------

#: Tokens written against the word before them ("said ,", "Reuters 's", "50 %").
_NO_SPACE_BEFORE = frozenset({",", ".", ";", ":", "!", "?", ")", "]", "}", "%", "'s", "'S",
                              "n't", "N'T", "'re", "'ve", "'ll", "'d", "'m", "...", "'"})
#: Tokens written against the word after them ("( Reuters", "$ 5").
_NO_SPACE_AFTER = frozenset({"(", "[", "{", "$", "US$", "#"})


@dataclass(frozen=True)
class ArticleText:
    """A gold document as a user's article would be: its text, and where each of its tokens
    stands in it (``(start, end)`` character offsets, in token order)."""

    text: str
    offsets: tuple[tuple[int, int], ...]


def detokenise(tokens: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """The tokens of one sentence written as running text (no space before a comma or a
    closing bracket, none after an opening one, straight double quotes closed against the
    word they quote), with each token's character offsets."""
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    at = 0
    glue_next = False
    open_quote = False
    for token in tokens:
        glue = glue_next or not parts or token in _NO_SPACE_BEFORE
        if token == '"':
            glue = glue or open_quote  # a closing quote sits against the word before it
        if not glue:
            parts.append(" ")
            at += 1
        offsets.append((at, at + len(token)))
        parts.append(token)
        at += len(token)
        glue_next = token in _NO_SPACE_AFTER
        if token == '"':
            glue_next = not open_quote  # an opening quote sits against the word after it
            open_quote = not open_quote
    return "".join(parts), offsets


def _aligned(sentence_text: str, tokens: Sequence[str]) -> list[tuple[int, int]] | None:
    """Each token's offsets in the sentence's own text, or None when they are not all there
    in order (the text was not written from these tokens)."""
    offsets, at = [], 0
    for token in tokens:
        found = sentence_text.find(token, at)
        if found < 0 or sentence_text[at:found].strip():
            return None
        offsets.append((found, found + len(token)))
        at = found + len(token)
    return offsets


def article_text(document: ConllDocument) -> ArticleText:
    """The document's text as an article: a sentence with its original text (UNER's
    ``# text``) keeps it and the sentences run on in one paragraph; CoNLL-2003's tokens are
    detokenised (:func:`detokenise`) with a line per sentence, as Reuters wrote headlines,
    datelines, table rows and paragraphs on lines of their own."""
    running = all(s.text is not None for s in document.sentences)
    separator = " " if running else "\n"
    pieces: list[str] = []
    offsets: list[tuple[int, int]] = []
    at = 0
    for sentence in document.sentences:
        aligned = _aligned(sentence.text, sentence.tokens) if sentence.text else None
        if aligned is not None and sentence.text is not None:
            written, local = sentence.text, aligned
        else:
            written, local = detokenise(sentence.tokens)
        if pieces:
            pieces.append(separator)
            at += len(separator)
        pieces.append(written)
        offsets.extend((at + start, at + end) for start, end in local)
        at += len(written)
    return ArticleText("".join(pieces), tuple(offsets))


def gold_char_spans(document: ConllDocument, article: ArticleText) -> list[EntitySpan]:
    """The document's gold spans as character spans of its article text."""
    return [EntitySpan(article.offsets[s.start][0], article.offsets[s.end - 1][1], s.label)
            for s in document.spans]


# -- running the model --------------------------------------------------------------------------

def to_char_spans(spans: Iterable[tuple[int, int, str]]) -> list[EntitySpan]:
    """Character spans with spaCy labels as spans with evaluation labels (:data:`LABEL_MAP`,
    the same for raw and consolidated spans); unmapped labels are dropped."""
    return [EntitySpan(start, end, mapped) for start, end, label in spans
            if (mapped := map_label(label)) is not None]


@dataclass(frozen=True)
class DocumentResult:
    """One document's spans (character offsets into ``text``), kept for error analysis."""

    doc_id: str
    text: str
    gold: tuple[EntitySpan, ...]
    raw: tuple[EntitySpan, ...]
    consolidated: tuple[EntitySpan, ...]


@dataclass
class EntityReport:
    labels: tuple[str, ...]
    raw: SpanScores
    consolidated: SpanScores
    documents: int = 0
    sentences: int = 0
    tokens: int = 0
    seconds: float = 0.0
    results: list[DocumentResult] = field(default_factory=list)
    #: Consolidated scores with one rule of :data:`RULES` switched off, by rule.
    ablation: dict[str, SpanScores] = field(default_factory=dict)


def consolidated_spans(doc: Doc, *, disabled: Collection[str] = frozenset()
                       ) -> list[EntitySpan]:
    """newsmill's consolidated entities of a parsed article, as the pipeline makes them (the
    dateline found in the text as ingestion finds it), with evaluation labels."""
    raw_spans, sentence_starts = spans_from_doc(doc)
    mentions = consolidate(doc.text, raw_spans, sentence_starts,
                           dateline=find_dateline(doc.text), disabled=disabled)
    return to_char_spans((m.start_char, m.end_char, m.label) for m in mentions)


def evaluate_entities(documents: Sequence[ConllDocument], nlp: Language, *,
                      labels: Iterable[str] | None = None,
                      ablation: bool = False) -> EntityReport:
    """Run ``nlp`` over each document's article text (:func:`article_text`) and score its raw
    entities (``doc.ents``, labels mapped, nothing else) and newsmill's consolidated ones,
    by exact character span and label. ``ablation``: also score the consolidation with each
    of :data:`RULES` switched off in turn."""
    scored = tuple(sorted(labels)) if labels is not None else scored_labels(documents)
    report = EntityReport(scored, SpanScores.empty(scored), SpanScores.empty(scored))
    if ablation:
        report.ablation = {rule: SpanScores.empty(scored) for rule in RULES}
    began = time.perf_counter()
    kept = [d for d in documents if d.tokens]
    articles = [article_text(d) for d in kept]
    docs = nlp.pipe(a.text for a in articles)
    for document, article, doc in zip(kept, articles, docs, strict=True):
        gold = gold_char_spans(document, article)
        raw = to_char_spans((e.start_char, e.end_char, e.label_) for e in doc.ents)
        consolidated = consolidated_spans(doc)
        report.raw.add(score_spans(gold, raw, scored))
        report.consolidated.add(score_spans(gold, consolidated, scored))
        for rule, scores in report.ablation.items():
            scores.add(score_spans(gold, consolidated_spans(doc, disabled={rule}), scored))
        report.documents += 1
        report.sentences += len(document.sentences)
        report.tokens += len(doc)
        report.results.append(DocumentResult(document.doc_id, article.text, tuple(gold),
                                             tuple(raw), tuple(consolidated)))
    report.seconds = time.perf_counter() - began
    return report


# -- printing -----------------------------------------------------------------------------------

def _pct(value: float) -> str:
    return f"{100 * value:5.1f}"


def _delta(after: float, before: float) -> str:
    return f"{100 * (after - before):+5.1f}"


def format_report(report: EntityReport) -> str:
    """Raw and consolidated scores per label and micro-averaged, with the change in points."""
    dropped = sorted(set(LABEL_MAP.values()) - set(report.labels))
    lines = [
        f"{report.documents} documents, {report.sentences} sentences, {report.tokens} tokens "
        f"in {report.seconds:.1f} s",
        "scored labels: " + ", ".join(report.labels)
        + (f" (not in the gold data, dropped on both sides: {', '.join(dropped)})"
           if dropped else ""),
        "",
        f"{'label':<8}{'gold':>6} | {'raw: found':>10}{'P':>7}{'R':>7}{'F1':>7} | "
        f"{'cons: found':>11}{'P':>7}{'R':>7}{'F1':>7} | {'ΔP':>6}{'ΔR':>6}{'ΔF1':>6}",
    ]
    rows = [(label, report.raw.per_label[label], report.consolidated.per_label[label])
            for label in report.labels]
    rows.append(("micro", report.raw.micro, report.consolidated.micro))
    for label, raw, cons in rows:
        if label == "micro":
            lines.append("-" * len(lines[-1]))
        lines.append(
            f"{label:<8}{raw.gold:>6} | {raw.predicted:>10}{_pct(raw.precision):>7}"
            f"{_pct(raw.recall):>7}{_pct(raw.f1):>7} | {cons.predicted:>11}"
            f"{_pct(cons.precision):>7}{_pct(cons.recall):>7}{_pct(cons.f1):>7} | "
            f"{_delta(cons.precision, raw.precision):>6}{_delta(cons.recall, raw.recall):>6}"
            f"{_delta(cons.f1, raw.f1):>6}"
        )
    if report.ablation:
        lines += ["", *format_ablation(report)]
    return "\n".join(lines)


def format_ablation(report: EntityReport) -> list[str]:
    """What each consolidation rule adds: consolidated F1 with every rule, minus F1 with
    that rule switched off, per label and micro-averaged (points; negative: the rule costs)."""
    header = f"{'rule adds (ΔF1)':<18}" + "".join(f"{label:>7}" for label in report.labels) \
        + f"{'micro':>7}{'ΔP':>7}{'ΔR':>7}"
    lines = [header]
    full = report.consolidated
    for rule, off in report.ablation.items():
        cells = [_delta(full.per_label[label].f1, off.per_label[label].f1)
                 for label in report.labels]
        cells += [_delta(full.micro.f1, off.micro.f1),
                  _delta(full.micro.precision, off.micro.precision),
                  _delta(full.micro.recall, off.micro.recall)]
        lines.append(f"{rule:<18}" + "".join(f"{cell:>7}" for cell in cells))
    return lines

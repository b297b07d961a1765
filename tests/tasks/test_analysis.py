"""One document's analysis and its time limit: newsmill.tasks.analysis (no spaCy model), and
the batch's rejection of a document whose rules run past it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from newsmill.errors import Rejection
from newsmill.settings import Settings
from newsmill.tasks import batch, nlp
from newsmill.tasks.analysis import Deadline, TooSlow, analyse_document
from newsmill.tasks.models import Analysis, CleanDocument

BLANK = spacy.blank("en")
PARAGRAPH = "“We will rebuild the pier before the winter,” said Ana Petrosyan."


def paragraphs(count: int) -> Doc:
    """``count`` paragraphs, each a direct quote with a speech verb; no parse beyond the
    tokens and a sentence start per paragraph."""
    text = "\n".join([PARAGRAPH] * count)
    doc = BLANK.make_doc(text)
    for token in doc:
        token.is_sent_start = token.i == 0 or doc[token.i - 1].text == "\n"
    return doc


def clock(*readings: float) -> Callable[[], float]:
    """A clock that reads ``readings`` in turn, then stays at the last one."""
    values: Iterator[float] = iter(readings)
    last = [readings[0]]

    def now() -> float:
        last[0] = next(values, last[0])
        return last[0]

    return now


class CountingClock:
    """A clock that stands still and counts how often it is read."""

    def __init__(self) -> None:
        self.reads = 0

    def __call__(self) -> float:
        self.reads += 1
        return 0.0


def test_rules_past_their_time_limit_raise_too_slow_with_the_seconds() -> None:
    deadline = Deadline(5.0, clock=clock(100.0, 100.0, 107.3))
    with pytest.raises(TooSlow) as raised:
        analyse_document(paragraphs(3), deadline=deadline)
    slow = raised.value
    assert isinstance(slow, Rejection)
    assert (slow.stage, slow.reason) == ("nlp", "too_slow")
    assert "5 s" in slow.detail and "7.3 s" in slow.detail


def test_a_deadline_not_reached_changes_nothing() -> None:
    doc = paragraphs(4)
    unbounded = analyse_document(doc, "d")
    bounded = analyse_document(doc, "d", deadline=Deadline(60.0))
    assert bounded == unbounded
    assert len(unbounded.quotes) == 4


def test_the_deadline_is_checked_as_the_rules_go_not_only_between_stages() -> None:
    reads = []
    for count in (1, 10):
        counting = CountingClock()
        analyse_document(paragraphs(count), deadline=Deadline(60.0, clock=counting))
        reads.append(counting.reads)
    assert reads[1] > reads[0] + 9


def test_a_deadline_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Deadline(0.0)


def test_the_time_limit_is_a_positive_setting() -> None:
    assert Settings.from_env({}).nlp_seconds_per_document == 60.0
    assert Settings.from_env({"NEWSMILL_NLP_SECONDS_PER_DOCUMENT": "2.5"}
                             ).nlp_seconds_per_document == 2.5
    for bad in ("0", "-1"):
        with pytest.raises(ValueError, match="NEWSMILL_NLP_SECONDS_PER_DOCUMENT"):
            Settings.from_env({"NEWSMILL_NLP_SECONDS_PER_DOCUMENT": bad})


def _document(document_id: str, text: str) -> CleanDocument:
    return CleanDocument(document_id=document_id, content_hash=document_id,
                         source=f"/in/{document_id}", format="text", clean_text=text,
                         title=None, author=None, published_at=None, site_name=None,
                         canonical_url=None, description=None, language="en", dateline=None)


def test_the_batch_rejects_a_document_past_the_limit_and_goes_on(
        monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    settings = settings.replace(nlp_seconds_per_document=7.5)
    seen: list[float] = []

    def fake_pipeline(name: str) -> tuple[Language, None]:
        return BLANK, None

    def analyse(doc: Doc, document_id: str = "", *, deadline: Deadline | None = None,
                **_: object) -> Analysis:
        assert deadline is not None
        seen.append(deadline.seconds)
        if "slow" in doc.text:
            raise TooSlow(deadline.seconds, 9.0)
        return Analysis(document_id)

    monkeypatch.setattr(nlp, "load_pipeline", fake_pipeline)
    monkeypatch.setattr("newsmill.tasks.analysis.analyse_document", analyse)
    refused: list[tuple[str, Rejection]] = []
    out = batch.analyse([_document("a", "A slow text."), _document("b", "A quick text.")],
                        settings, batch.BatchReport(),
                        lambda document, rejection: refused.append((document.document_id,
                                                                    rejection)))
    assert [d.document_id for d, _ in out] == ["b"]
    [(document_id, rejection)] = refused
    assert (document_id, rejection.stage, rejection.reason) == ("a", "nlp", "too_slow")
    assert "7.5 s" in rejection.detail and "9.0 s" in rejection.detail
    assert seen == [7.5, 7.5]

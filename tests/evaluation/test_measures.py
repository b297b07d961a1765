"""The scoring functions, on texts small enough to count by hand."""

from __future__ import annotations

import pytest

from newsmill.evaluation.measures import (
    Counts,
    ExpectedQuote,
    QuoteScore,
    f1_score,
    match_page,
    micro,
    overlap,
    rate,
    score_extraction,
    score_quotes,
    shingles,
)
from newsmill.tasks.models import Quote

BODY = "one two three four five six"


def test_shingles_of_short_and_long_texts() -> None:
    assert shingles("a b") == {("a", "b"): 1}
    assert shingles("") == {}
    assert list(shingles(BODY)) == [("one", "two", "three", "four"),
                                    ("two", "three", "four", "five"),
                                    ("three", "four", "five", "six")]


@pytest.mark.parametrize(
    ("predicted", "precision", "recall"),
    [
        (BODY, 1.0, 1.0),
        ("", 0.0, 0.0),  # nothing predicted: no precision, zero recall
        ("one two three four five", 1.0, 2 / 3),  # 2 of 3 shingles found, none extra
        (BODY + " seven", 3 / 4, 1.0),  # one extra shingle
    ],
)
def test_match_page(predicted: str, precision: float, recall: float) -> None:
    page = match_page(BODY, predicted)
    assert page.precision == pytest.approx(precision)
    assert page.recall == pytest.approx(recall)


def test_case_matters() -> None:
    assert match_page(BODY, BODY.upper()).recall == 0.0


def test_empty_prediction_is_left_out_of_precision() -> None:
    score, _ = score_extraction({"a": BODY, "b": BODY}, {"a": BODY, "b": ""}, bootstrap=0)
    assert score.precision == 1.0  # page b predicted nothing: no precision to average
    assert score.recall == pytest.approx(0.5)
    assert score.f1 == pytest.approx(2 * 0.5 / 1.5)


def test_bootstrap_gives_a_spread() -> None:
    truth = {str(i): BODY for i in range(10)}
    predicted = {str(i): BODY if i % 2 else "one two three" for i in range(10)}
    score, _ = score_extraction(truth, predicted, bootstrap=200)
    assert 0 < score.recall_std < 0.5


def _quote(text: str, speaker: str | None, kind: str = "direct") -> Quote:
    return Quote(0, len(text), text, kind, speaker_canonical=speaker)  # type: ignore[arg-type]


def test_overlap_is_over_the_longer_text() -> None:
    assert overlap("a b c d", "a b") == 0.5
    assert overlap("a b", "") == 0.0


def test_quote_scores() -> None:
    expected = [ExpectedQuote("we will win the vote", "direct", "Ana Ruiz"),
                ExpectedQuote("taxes will rise next year", "indirect", "Bo Lind")]
    found = [_quote("we will win the vote", "Ana Ruiz"),
             _quote("taxes will rise next year", "Someone Else", "indirect"),
             _quote("an unrelated passage", None)]
    score = score_quotes(found, expected)
    assert (score.expected, score.found, score.matched, score.speaker_right,
            score.false_positives) == (2, 3, 2, 1, 1)
    assert score.recall == 1.0 and score.end_to_end == 0.5
    assert score.precision == pytest.approx(2 / 3)
    direct = score_quotes(found, expected, frozenset({"direct"}))
    assert (direct.expected, direct.matched) == (1, 1)


def test_rate_and_f1_score() -> None:
    assert rate(3, 4) == 0.75
    assert rate(0, 0) == 0.0  # nothing to divide by: no credit
    assert f1_score(0.5, 1.0) == pytest.approx(2 / 3)
    assert f1_score(0.0, 0.0) == 0.0


def test_micro_average_sums_counts_before_dividing() -> None:
    per_label = [Counts(gold=10, predicted=4, correct=4), Counts(gold=2, predicted=8, correct=1)]
    total = micro(per_label)
    assert (total.gold, total.predicted, total.correct) == (12, 12, 5)
    assert total.precision == total.recall == pytest.approx(5 / 12)
    assert total.f1 == pytest.approx(5 / 12)
    # not the mean of the per-label precisions (1.0 and 0.125)
    assert total.precision != pytest.approx((1.0 + 0.125) / 2)
    assert (per_label[0].gold, per_label[0].correct) == (10, 4)  # the parts are left alone


def test_quote_scores_add_up_field_by_field() -> None:
    total = QuoteScore(expected=1, found=2, matched=1, speaker_right=0, false_positives=1)
    total.add(QuoteScore(expected=4, found=3, matched=3, speaker_right=2, false_positives=0))
    assert (total.expected, total.found, total.matched, total.speaker_right,
            total.false_positives) == (5, 5, 4, 2, 1)
    assert total.precision == pytest.approx(4 / 5) and total.end_to_end == pytest.approx(2 / 5)

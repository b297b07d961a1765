"""Choosing the article body: tasks.body (one trafilatura pass, rules chosen by halves)."""

from __future__ import annotations

from dataclasses import replace

import pytest
import trafilatura
from lxml import etree

from newsmill.tasks import body
from newsmill.tasks.body import (
    DEFAULT_RULES,
    SECOND_OPINION_MIN_CHARS,
    article_body,
    drop_boilerplate_lines,
    drop_leading_headline,
    headlines,
    needs_second_opinion,
    paragraph_chars,
    shorter_unless_halved,
)

STORY = ("The harbour board met again on Tuesday {n} and agreed to rebuild the old ferry pier "
         "before the summer season, its chair said. ")


def _page(paragraphs: int = 6, extra: str = "") -> str:
    text = "".join(f"<p>{STORY.format(n=i) * 3}</p>" for i in range(paragraphs))
    return ("<html><head><title>Harbour board agrees to rebuild pier</title></head><body>"
            "<article><h1>Harbour board agrees to rebuild pier</h1>"
            f"{text}{extra}</article></body></html>")


def _tree(html: str) -> etree._Element:
    tree = trafilatura.load_html(html)
    assert tree is not None
    return tree


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The trafilatura passes article_body makes (precision mode or not), still run for real."""
    made: list[bool] = []
    real = trafilatura.extract

    def counted(*args: object, **kwargs: object) -> str | None:
        made.append(bool(kwargs.get("favor_precision")))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(body.trafilatura, "extract", counted)
    return made


def test_an_ordinary_article_takes_one_precision_pass(passes: list[bool]) -> None:
    text = article_body(_tree(_page()))
    assert passes == [True]
    assert text.count("harbour board met again") == 18
    assert "Harbour board agrees" not in text  # the headline copy is dropped


def test_a_short_output_gets_the_default_mode_as_a_second_opinion(passes: list[bool]) -> None:
    text = article_body(_tree(_page(paragraphs=1)))
    assert len(text) < SECOND_OPINION_MIN_CHARS
    assert passes == [True, False]


def test_without_precision_first_the_default_mode_alone(passes: list[bool]) -> None:
    article_body(_tree(_page()), rules=replace(DEFAULT_RULES, precision_first=False))
    assert passes == [False]


def test_second_opinion_when_precision_kept_under_half_the_paragraph_text() -> None:
    tree = _tree(_page(paragraphs=10))
    chars = paragraph_chars(tree)
    assert chars == 10 * len((STORY.format(n=0) * 3).strip())  # n=0..9: one digit each
    long_enough = "x" * (chars // 2)
    assert not needs_second_opinion(long_enough, tree)
    assert needs_second_opinion(long_enough[:-1], tree)
    no_paragraphs = _tree("<html><body><div>A line.</div></body></html>")
    assert needs_second_opinion("x" * (SECOND_OPINION_MIN_CHARS - 1), no_paragraphs)
    assert not needs_second_opinion("x" * SECOND_OPINION_MIN_CHARS, no_paragraphs)


def test_the_shorter_text_unless_it_lost_half() -> None:
    assert shorter_unless_halved("a" * 60, "a" * 100) == "a" * 60
    assert shorter_unless_halved("a" * 100, "a" * 50) == "a" * 50
    assert shorter_unless_halved("a" * 49, "a" * 100) == "a" * 100
    assert shorter_unless_halved("", "") == ""


def test_kept_boilerplate_lines_are_dropped_and_dropped_rules_no_longer_apply() -> None:
    text = "\n".join(["Body one.", "12 Comments", "Read more: Pier plans", "See also: Ferries",
                      "Related: Ferry times", "Sign up for our newsletter",
                      "All rights reserved", "Body two."])
    assert drop_boilerplate_lines(text).split("\n") == [
        "Body one.", "Related: Ferry times", "Sign up for our newsletter",
        "All rights reserved", "Body two."]


def test_a_long_line_is_never_boilerplate() -> None:
    line = "Read more: " + "the board said the pier would reopen in spring " * 3
    assert drop_boilerplate_lines(line) == line


def test_leading_headline_dropped_only_at_the_top() -> None:
    titles = headlines(_tree(_page()))
    assert titles == {"harbour board agrees to rebuild pier"}
    assert drop_leading_headline("Harbour board agrees to rebuild pier\nBody.", titles) == (
        "Body.")
    assert drop_leading_headline("Harbour board agrees\nBody.", titles) == "Body."  # cut title
    assert drop_leading_headline("Body.\nHarbour board agrees to rebuild pier", titles) == (
        "Body.\nHarbour board agrees to rebuild pier")


# As sites embed them: a wrapper whose class trafilatura discards ("embed"), the widget, its
# script.
TWEET = ('<div class="embed-twitter"><blockquote class="twitter-tweet"><p>The pier will be '
         'ready by June, we promise every ferry passenger.</p>&mdash; Harbour Board (@harbour) '
         '<a href="https://twitter.com/harbour/status/1">May 1, 2019</a></blockquote>'
         '<script async src="https://platform.twitter.com/widgets.js"></script></div>')


def test_embedded_posts_are_kept_as_quotations_and_the_rule_can_be_left_out() -> None:
    with_posts = article_body(_tree(_page(extra=TWEET)))
    assert "The pier will be ready by June" in with_posts
    without = article_body(_tree(_page(extra=TWEET)),
                           rules=replace(DEFAULT_RULES, embedded_posts=False))
    assert "The pier will be ready by June" not in without


def test_leaving_the_headline_rule_out_keeps_the_headline() -> None:
    text = article_body(_tree(_page()), rules=replace(DEFAULT_RULES, leading_headline=False))
    assert text.startswith("Harbour board agrees to rebuild pier")


def test_rule_names_are_the_fields() -> None:
    assert body.RULE_NAMES == ("comments_left_out", "precision_first", "embedded_posts",
                               "leading_headline", "boilerplate_lines")

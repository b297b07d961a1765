"""Extraction bounded in time and memory, in a real worker process."""

from __future__ import annotations

import pytest

from newsmill.errors import Rejection
from newsmill.tasks.isolation import BoundedExtractor
from newsmill.tasks.models import RawDocument

SENTENCE = "The harbour board met again on Tuesday {n} to discuss the budget. "


def _page(paragraphs: int) -> RawDocument:
    # Every paragraph differs: trafilatura drops repeated paragraphs.
    body = "".join("<p>" + SENTENCE.format(n=i) * 8 + "</p>" for i in range(paragraphs))
    html = f"<html><head><title>T</title></head><body><article>{body}</article></body></html>"
    return RawDocument(source="page.html", body=html.encode(), format="html")


def test_small_page_extracts_in_the_worker() -> None:
    with BoundedExtractor(timeout=60, memory_mb=2048, max_html_bytes=10_000_000) as runner:
        first = runner.extract(_page(5))
        second = runner.extract(_page(6))  # the same worker serves the next page
    assert first.text.count("harbour board") == 40
    assert second.text.count("harbour board") == 48


def test_rejections_from_the_worker_keep_their_reason() -> None:
    broken = RawDocument(source="x.html", body=b"\x00\x01binary" * 100, format="html")
    with BoundedExtractor(timeout=60, memory_mb=2048, max_html_bytes=10_000_000) as runner, \
            pytest.raises(Rejection) as caught:
        runner.extract(broken)
    assert caught.value.reason == "binary"


def test_slow_page_times_out_and_the_next_page_still_works() -> None:
    with BoundedExtractor(timeout=0.2, memory_mb=2048, max_html_bytes=50_000_000) as runner:
        with pytest.raises(Rejection) as caught:
            runner.extract(_page(6000))  # about 3 MB: seconds of parsing
        assert caught.value.reason == "timeout"
        runner.timeout = 60
        assert "harbour board" in runner.extract(_page(3)).text


def test_memory_cap_rejects_the_page() -> None:
    with BoundedExtractor(timeout=120, memory_mb=150, max_html_bytes=100_000_000) as runner:
        with pytest.raises(Rejection) as caught:
            runner.extract(_page(20000))  # about 10 MB of HTML: needs some 250 MB to parse
        assert caught.value.reason in {"too_much_memory", "crashed"}


def test_oversized_html_is_refused_before_parsing() -> None:
    with BoundedExtractor(timeout=60, memory_mb=2048, max_html_bytes=1000) as runner, \
            pytest.raises(Rejection) as caught:
        runner.extract(_page(10))
    assert caught.value.reason == "too_large"


def test_plain_text_does_not_need_the_worker() -> None:
    runner = BoundedExtractor(timeout=60, memory_mb=2048, max_html_bytes=1000)
    text = RawDocument(source="a.txt", body=b"Headline\n\nA paragraph of text.", format="text")
    assert runner.extract(text).text == "A paragraph of text."
    assert runner._pool is None

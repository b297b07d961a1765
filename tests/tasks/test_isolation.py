"""Extraction bounded in time and memory, in a real worker process."""

from __future__ import annotations

import pytest

from newsmill.errors import Rejection
from newsmill.tasks.isolation import BoundedExtractor, chunks
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
    assert runner.worker_pid() is None


def test_many_pages_go_in_one_chunk_to_one_worker() -> None:
    pages = [_page(3 + i) for i in range(5)]
    with BoundedExtractor(timeout=60, memory_mb=2048, max_html_bytes=10_000_000) as runner:
        outcomes = runner.extract_many(pages)
        worker = runner.worker_pid()
        again = runner.extract_many(pages[:2])
        assert runner.worker_pid() == worker  # no page ended the worker: it is kept
    assert [o.text.count("harbour board") for o in outcomes] == [24, 32, 40, 48, 56]
    assert [o.text for o in again] == [o.text for o in outcomes[:2]]


def test_a_slow_page_inside_a_chunk_is_its_own_timeout() -> None:
    pages = [_page(3), _page(6000), _page(4), _page(5)]  # the second takes seconds
    with BoundedExtractor(timeout=0.5, memory_mb=2048, max_html_bytes=50_000_000) as runner:
        first_worker = runner._started().process.pid
        outcomes = runner.extract_many(pages)
        assert runner.worker_pid() not in {None, first_worker}  # killed and replaced
    assert isinstance(outcomes[1], Rejection) and outcomes[1].reason == "timeout"
    assert [o.text.count("harbour board") for o in (outcomes[0], *outcomes[2:])] == [24, 32, 40]


def test_a_page_that_fills_the_memory_inside_a_chunk_is_its_own_rejection() -> None:
    pages = [_page(3), _page(20000), _page(4)]  # the second needs some 250 MB to parse
    with BoundedExtractor(timeout=120, memory_mb=150, max_html_bytes=100_000_000) as runner:
        outcomes = runner.extract_many(pages)
    assert isinstance(outcomes[1], Rejection)
    assert outcomes[1].reason in {"too_much_memory", "crashed"}
    assert outcomes[0].text.count("harbour board") == 24
    assert outcomes[2].text.count("harbour board") == 32


def test_rejections_and_pages_keep_their_order_and_reasons() -> None:
    pages = [RawDocument(source="a.txt", body=b"Headline\n\nA paragraph.", format="text"),
             RawDocument(source="x.html", body=b"\x00\x01binary" * 100, format="html"),
             _page(3),
             RawDocument(source="big.html", body=b"<p>" + b"x" * 6000, format="html")]
    with BoundedExtractor(timeout=60, memory_mb=2048, max_html_bytes=5000) as runner:
        outcomes = runner.extract_many(pages)
    assert [getattr(o, "reason", "ok") for o in outcomes] == ["ok", "binary", "ok", "too_large"]
    assert outcomes[0].text == "A paragraph."


def test_chunks_are_bounded_in_pages_and_bytes() -> None:
    def doc(size: int) -> RawDocument:
        return RawDocument(source="p.html", body=b"x" * size, format="html")

    assert chunks([doc(10)] * 5, pages=2, max_bytes=100) == [[0, 1], [2, 3], [4]]
    assert chunks([doc(60), doc(60), doc(500), doc(10)], pages=9, max_bytes=100) == [
        [0], [1], [2], [3]]  # a page larger than the byte bound goes alone
    assert chunks([], pages=2, max_bytes=100) == []

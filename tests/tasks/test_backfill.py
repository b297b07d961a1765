"""tasks.backfill: the pages of WARC files a backfill takes, by site and capture day."""

from __future__ import annotations

from datetime import date, datetime

from newsmill.tasks.backfill import CaptureFilter, select_captures
from newsmill.tasks.models import Source


def _page(url: str, day: int) -> Source:
    return Source(url, "archive", archive_path="/a.warc.gz", archive_offset=day,
                  captured_at=datetime(2026, 3, day, 23, 59))


PAGES = [_page("https://www.bbc.co.uk/news/a", 2), _page("https://news.bbc.co.uk/b", 5),
         _page("https://notbbc.co.uk/c", 5), _page("https://example.org/d", 9)]
OTHER = Source("/in/local.txt", "file")


def test_no_filter_keeps_everything() -> None:
    assert select_captures([*PAGES, OTHER], CaptureFilter()) == ([*PAGES, OTHER], 0)


def test_a_site_is_a_host_suffix() -> None:
    kept, left_out = select_captures([*PAGES, OTHER], CaptureFilter(sites=("bbc.co.uk",)))
    assert [s.location for s in kept] == [PAGES[0].location, PAGES[1].location, OTHER.location]
    assert left_out == 2


def test_capture_days_include_both_ends() -> None:
    kept, left_out = select_captures(PAGES, CaptureFilter(since=date(2026, 3, 5),
                                                          until=date(2026, 3, 5)))
    assert [s.archive_offset for s in kept] == [5, 5] and left_out == 2


def test_sources_that_are_not_warc_pages_always_pass() -> None:
    stored = Source("https://example.org/x", "archive", archive_path="/w", archive_offset=1)
    assert select_captures([OTHER, stored], CaptureFilter(sites=("bbc.co.uk",),
                                                          since=date(2030, 1, 1)))[0] == \
        [OTHER, stored]

"""Which captures of a web archive a backfill takes: by site and by capture date.

A researcher backfilling from CC-NEWS wants one outlet's coverage of one period, not the
whole file. These filters apply to the pages of WARC files given as sources (their
``captured_at``); every other source passes untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from newsmill.tasks.fetch.urls import host_of
from newsmill.tasks.models import Source


@dataclass(frozen=True)
class CaptureFilter:
    """``sites``: host suffixes (``bbc.co.uk`` takes ``www.bbc.co.uk`` and ``news.bbc.co.uk``,
    not ``notbbc.co.uk``); ``since`` / ``until``: capture days, both included."""

    sites: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None

    @property
    def active(self) -> bool:
        return bool(self.sites) or self.since is not None or self.until is not None

    def takes(self, source: Source) -> bool:
        """Whether the filter keeps ``source`` (always, unless it is a WARC page)."""
        if source.kind != "archive" or source.captured_at is None:
            return True
        if self.sites and not any(_on_site(host_of(source.location), s) for s in self.sites):
            return False
        if self.since is not None and source.captured_at < datetime.combine(self.since, time()):
            return False
        return self.until is None or source.captured_at.date() <= self.until


def _on_site(host: str, suffix: str) -> bool:
    wanted = suffix.lower().strip().strip(".")
    return bool(wanted) and (host == wanted or host.endswith("." + wanted))


def select_captures(sources: Sequence[Source], wanted: CaptureFilter
                    ) -> tuple[list[Source], int]:
    """The sources the filter keeps, in order, and how many WARC pages it left out."""
    if not wanted.active:
        return list(sources), 0
    kept = [s for s in sources if wanted.takes(s)]
    return kept, len(sources) - len(kept)

"""Reading what fetching remembers: robots.txt, feed health, known URLs, archived pages."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import duckdb

from newsmill.warehouse.connection import fetch_all


def robots_for_origins(conn: duckdb.DuckDBPyConnection, origins: Iterable[str]
                       ) -> dict[str, tuple[datetime, int, str]]:
    """``{origin: (fetched_at, status, body)}`` for the origins already known."""
    wanted = sorted(set(origins))
    if not wanted:
        return {}
    return {r[0]: (r[1], r[2], r[3]) for r in fetch_all(conn, "robots_for_origins",
                                                     {"origins": wanted})}


def feed_states(conn: duckdb.DuckDBPyConnection, urls: Iterable[str]
                ) -> dict[str, tuple[int, datetime | None]]:
    """``{feed_url: (consecutive_failures, last_attempt_at)}``."""
    wanted = sorted(set(urls))
    if not wanted:
        return {}
    return {r[0]: (r[1], r[2]) for r in fetch_all(conn, "feed_states", {"urls": wanted})}


def known_urls(conn: duckdb.DuckDBPyConnection, canonical_urls: Iterable[str]
               ) -> dict[str, tuple[str | None, str | None]]:
    """``{canonical_url: (etag, last_modified)}`` for URLs fetched successfully before."""
    wanted = sorted(set(canonical_urls))
    if not wanted:
        return {}
    return {r[0]: (r[1], r[2]) for r in fetch_all(conn, "known_urls", {"urls": wanted})}


def archived_responses(conn: duckdb.DuckDBPyConnection, run_id: str | None = None
                       ) -> list[tuple[str, str, str, int]]:
    """``(url, canonical_url, warc_path, warc_offset)`` per page: with ``run_id``, the response
    that run archived (the page's newest of that run); without, the newest archived one."""
    return [tuple(r) for r in fetch_all(conn, "archived_responses", {"run_id": run_id})]

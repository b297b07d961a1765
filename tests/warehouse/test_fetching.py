"""What fetching remembers, read back from a real warehouse file: the archived responses a
reextract starts from."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from newsmill.warehouse.connection import open_writer
from newsmill.warehouse.fetching import archived_responses
from newsmill.warehouse.loader import BatchRows, Row, load_batch

PAGE = "http://127.0.0.1/news/story"
OTHER = "http://127.0.0.1/news/other"


def _fetch(run_id: str, url: str, fetched_at: datetime, offset: int, status: int = 200) -> Row:
    archived = status == 200
    return {"fetch_id": f"{run_id}-{offset}", "url": url, "canonical_url": url,
            "final_url": url, "status": status, "fetched_at": fetched_at,
            "content_type": "text/html", "etag": None, "last_modified": None,
            "body_bytes": 10, "body_sha256": "0" * 64,
            "warc_path": f"/warc/{run_id}.warc.gz" if archived else None,
            "warc_offset": offset if archived else None,
            "warc_length": 100 if archived else None, "run_id": run_id}


def _load(db: Path, run_id: str, fetches: list[Row]) -> None:
    with open_writer(db) as conn:
        load_batch(conn, BatchRows(run_id=run_id, fetches=fetches))


def test_a_runs_own_response_is_taken_though_a_later_run_fetched_the_page_again(
    tmp_path: Path,
) -> None:
    db = tmp_path / "w.duckdb"
    _load(db, "run-x", [_fetch("run-x", PAGE, datetime(2026, 3, 1, 8), 0),
                        _fetch("run-x", OTHER, datetime(2026, 3, 1, 8, 1), 100)])
    _load(db, "run-y", [_fetch("run-y", PAGE, datetime(2026, 3, 2, 8), 0)])
    with open_writer(db) as conn:
        of_x = archived_responses(conn, "run-x")
        of_y = archived_responses(conn, "run-y")
        newest = archived_responses(conn)
    assert of_x == [(OTHER, OTHER, "/warc/run-x.warc.gz", 100),
                    (PAGE, PAGE, "/warc/run-x.warc.gz", 0)]
    assert of_y == [(PAGE, PAGE, "/warc/run-y.warc.gz", 0)]
    # Without a run: the newest archived copy of every page.
    assert newest == [(OTHER, OTHER, "/warc/run-x.warc.gz", 100),
                      (PAGE, PAGE, "/warc/run-y.warc.gz", 0)]


def test_a_not_modified_answer_leaves_the_archived_copy_in_use(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    _load(db, "run-x", [_fetch("run-x", PAGE, datetime(2026, 3, 1, 8), 0)])
    _load(db, "run-y", [_fetch("run-y", PAGE, datetime(2026, 3, 2, 8), 0, status=304)])
    with open_writer(db) as conn:
        assert archived_responses(conn) == [(PAGE, PAGE, "/warc/run-x.warc.gz", 0)]
        assert archived_responses(conn, "run-y") == []  # it archived nothing of its own

"""Small helpers several test modules share (importable: pytest puts tests/ on the path for
its conftest)."""

from __future__ import annotations

from pathlib import Path

import duckdb

#: Three short text articles of the sample corpus, for runs that need a few documents.
THREE_FILES = ("kenya-drought-herders.txt", "liverpool-port-strike-empty-shelves.txt",
               "corvane-staff-react-manchester.txt")


def query_rows(db: Path, query: str) -> list[tuple[object, ...]]:
    """The rows of ``query`` on the warehouse file ``db``, read-only, connection closed."""
    conn = duckdb.connect(str(db), read_only=True)
    try:
        return conn.execute(query).fetchall()
    finally:
        conn.close()

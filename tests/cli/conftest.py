"""Fixtures the CLI tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmill.warehouse.connection import open_writer


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """An empty, migrated warehouse."""
    db = tmp_path / "w.duckdb"
    with open_writer(db):
        pass
    return db

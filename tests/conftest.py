"""Shared fixtures. Tests build settings the same way the CLI and flows do."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newsmill.flows.runtime import apply_prefect_defaults
from newsmill.settings import Settings

apply_prefect_defaults()
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "samples" / "corpus"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings from an empty environment, with the warehouse in a temporary folder."""
    return Settings.from_env(env={}, db=tmp_path / "warehouse.duckdb")


@pytest.fixture
def corpus() -> Path:
    return CORPUS


@pytest.fixture
def three_files(tmp_path: Path) -> Path:
    """A folder holding three short articles of the sample corpus."""
    from helpers import THREE_FILES

    folder = tmp_path / "in"
    folder.mkdir()
    for name in THREE_FILES:
        shutil.copy(CORPUS / name, folder / name)
    return folder


@pytest.fixture
def shared() -> Path:
    """The read-only ../shared folder; tests that need it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present (only developers' checkouts have it)")
    return SHARED


DATA_TESTS = Path(__file__).resolve().parent / "warehouse" / "data_tests"


def _run_data_tests(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Run every SQL data test against ``db``; returns the offending rows per failing test."""
    import duckdb

    failures: dict[str, list[tuple[object, ...]]] = {}
    conn = duckdb.connect(str(db), read_only=True)
    try:
        for path in sorted(DATA_TESTS.glob("*.sql")):
            rows = conn.execute(path.read_text()).fetchall()
            if rows:
                failures[path.stem] = rows[:5]
    finally:
        conn.close()
    return failures


@pytest.fixture
def run_data_tests() -> Callable[[Path], dict[str, list[tuple[object, ...]]]]:
    """``run_data_tests(db)`` runs every SQL data test; ``{}`` means the warehouse is sound."""
    return _run_data_tests


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--lower-floors", action="store_true", default=False,
        help="let quality gates lower their pinned floors to what was measured (explicit only)",
    )


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test server for every flow test (its start-up takes 10–25 s here)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield

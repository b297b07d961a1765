"""docs/warehouse.md cannot rot: it documents every table and view the warehouse has, and each
worked question's SQL runs and answers on a warehouse of the sample corpus."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from newsmill.flows.pipeline import Steps, ingest_run
from newsmill.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "warehouse.md").read_text(encoding="utf-8")
QUESTIONS = re.findall(r"```sql\n(.*?)```", DOC.split("## Worked questions", 1)[1], re.S)

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    db = tmp_path_factory.mktemp("docs") / "sample.duckdb"
    ingest_run([str(ROOT / "samples" / "corpus")], Settings.from_env(env={}, db=db), Steps())
    conn = duckdb.connect(str(db), read_only=True)
    yield conn
    conn.close()


def test_every_table_and_view_is_documented(warehouse: duckdb.DuckDBPyConnection) -> None:
    names = {r[0] for r in warehouse.execute(
        "select table_name from information_schema.tables where table_schema = 'main'"
    ).fetchall()}
    missing = sorted(n for n in names if f"### `{n}`" not in DOC)
    assert not missing, f"not in docs/warehouse.md: {missing}"


def test_there_are_eight_worked_questions() -> None:
    assert len(QUESTIONS) >= 8


@pytest.mark.parametrize("query", QUESTIONS, ids=[f"q{i + 1}" for i in range(len(QUESTIONS))])
def test_worked_question_answers(warehouse: duckdb.DuckDBPyConnection, query: str) -> None:
    rows = warehouse.execute(query).fetchall()
    assert rows, "the worked question gives no answer on the sample corpus"

"""The CLI and the ingest flow, run for real under one Prefect test server."""

from __future__ import annotations

import io
import json
import shutil
from argparse import Namespace
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from newsmill.cli.main import build_parser, main
from newsmill.cli.read import run_sql as _sql

DataTests = Callable[[Path], dict[str, list[tuple[object, ...]]]]

pytestmark = [pytest.mark.model, pytest.mark.slow]

SMALL = ["harbour-gazette-port-strike.html", "kenya-drought-herders.txt", "broken.html"]


@pytest.fixture
def small_corpus(tmp_path: Path, corpus: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in SMALL:
        shutil.copy(corpus / name, folder / name)
    return folder


def _sql_out(db: Path, query: str, fmt: str = "json") -> tuple[int, str]:
    out = io.StringIO()
    code = _sql(Namespace(db=str(db), query=query, format=fmt), out)
    return code, out.getvalue()


def test_ingest_then_query(prefect_harness: None, small_corpus: Path, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str], run_data_tests: DataTests) -> None:
    db = tmp_path / "w.duckdb"
    assert main(["ingest", "--db", str(db), "--no-progress", str(small_corpus)]) == 0
    printed = capsys.readouterr().out
    assert "seen 3   loaded 2   unchanged 0   rejected 1" in printed
    assert "broken.html: extract/binary" in printed
    # A flow run on the configured API (here the test server): its page in the UI.
    (address,) = [line.split("flow run: ", 1)[1] for line in printed.splitlines()
                  if "flow run: " in line]
    assert address.startswith("http") and "/runs/flow-run/" in address

    code, out = _sql_out(db, "select status, docs_loaded, code_version, spacy_model from runs")
    assert code == 0
    (run,) = json.loads(out)
    assert run["status"] == "completed" and run["docs_loaded"] == 2
    assert run["spacy_model"].startswith("en_core_web_")
    assert run_data_tests(db) == {}

    # Ingesting again adds a run row and nothing else.
    assert main(["ingest", "--db", str(db), "--no-progress", str(small_corpus)]) == 0
    assert "loaded 0   unchanged 2   rejected 1" in capsys.readouterr().out
    conn = duckdb.connect(str(db), read_only=True)
    try:
        assert conn.execute("select count(*) from runs").fetchone() == (2,)
        assert conn.execute("select count(*) from documents").fetchone() == (2,)
    finally:
        conn.close()

    code, out = _sql_out(db, "select kind, count(*) as n from quotes group by kind order by 1",
                         "csv")
    assert code == 0 and out.splitlines()[0] == "kind,n"


def test_sql_refuses_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    for statement in ("delete from runs", "create table x(a int)",
                      "select 1; drop table runs", f"copy (select 1) to '{tmp_path}/x.csv'"):
        assert main(["sql", "--db", str(db), statement]) == 2
        assert "only reads" in capsys.readouterr().err


def test_sql_on_missing_warehouse_says_so(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "--db", str(tmp_path / "none.duckdb"), "select 1"]) == 1
    assert "newsmill ingest" in capsys.readouterr().err


def test_parser_requires_a_source() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["ingest"])


def test_ingest_can_write_the_report_at_its_end(small_corpus: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    db, page = tmp_path / "w.duckdb", tmp_path / "out" / "report.html"
    assert main(["ingest", "--db", str(db), "--no-progress", str(small_corpus),
                 "--report", str(page)]) == 0
    assert "<svg" in page.read_text(encoding="utf-8")
    assert str(page) in capsys.readouterr().out

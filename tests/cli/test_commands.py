"""The parser's shared flags and the read commands' output, on real warehouse files (no model,
no Prefect: fast)."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from newsmill.cli.main import build_parser, main
from newsmill.cli.read import run_search, run_sql

RUN_COMMANDS = {"ingest": ["x.txt"], "reextract": [], "reprocess": []}



@pytest.mark.parametrize("command", sorted(RUN_COMMANDS))
def test_run_commands_share_their_flags(command: str) -> None:
    args = build_parser().parse_args([command, *RUN_COMMANDS[command], "--db", "w.duckdb",
                                      "--model", "m", "--prefect", "--no-progress", "-v"])
    assert (args.db, args.model, args.prefect, args.no_progress, args.verbose) == (
        "w.duckdb", "m", True, True, True)
    defaults = build_parser().parse_args([command, *RUN_COMMANDS[command]])
    assert (defaults.db, defaults.model, defaults.prefect, defaults.no_progress,
            defaults.verbose) == (None, None, False, False, False)


def test_each_run_command_keeps_its_own_flags() -> None:
    parser = build_parser()
    ingest = parser.parse_args(["ingest", "--feed", "--max-articles", "5", "--refresh",
                                "--batch-size", "7", "https://example.org/feed"])
    assert (ingest.urls_are, ingest.max_articles, ingest.refresh, ingest.batch_size) == (
        "feed", 5, True, 7)
    assert parser.parse_args(["reextract", "--run", "r1"]).run == "r1"
    assert parser.parse_args(["reprocess", "--language", "fr"]).language == "fr"
    with pytest.raises(SystemExit):
        parser.parse_args(["ingest", "--feed", "--sitemap", "https://example.org/"])
    with pytest.raises(SystemExit):  # a read command has no run flags
        parser.parse_args(["sql", "--prefect", "select 1"])


def test_every_command_has_a_handler() -> None:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    samples = {"ingest": ["x"], "sql": ["select 1"], "search": ["port"], "export": ["out"],
               "eval": ["quotes", "--data", "d"], "bench": ["growth"]}
    for command in action.choices:
        args = parser.parse_args([command, *samples.get(command, [])])
        assert callable(args.handler), command


def test_sql_formats(warehouse: Path) -> None:
    query = ("select 1 as n, NULL as missing, DATE '2026-03-09' as day, 2.50::DECIMAL(4,2) as x, "
             "'a long value that goes on' as words")

    def run(fmt: str) -> str:
        out = io.StringIO()
        code = run_sql(argparse.Namespace(db=str(warehouse), query=query, format=fmt), out)
        assert code == 0
        return out.getvalue()

    assert json.loads(run("json")) == [{"n": 1, "missing": None, "day": "2026-03-09", "x": 2.5,
                                        "words": "a long value that goes on"}]
    assert run("csv").splitlines() == ["n,missing,day,x,words",
                                       "1,,2026-03-09,2.5,a long value that goes on"]
    assert run("table").splitlines() == [
        "n  missing  day         x    words                    ",
        "-  -------  ----------  ---  -------------------------",
        "1  NULL     2026-03-09  2.5  a long value that goes on",
        "(1 row)",
    ]


def test_sql_cuts_long_values_in_a_table(warehouse: Path) -> None:
    out = io.StringIO()
    args = argparse.Namespace(db=str(warehouse), format="table",
                              query="select repeat('ab', 40) as v from range(2)")
    assert run_sql(args, out) == 0
    lines = out.getvalue().splitlines()
    assert lines[2] == "ab" * 29 + "a…" and len(lines[2]) == 60
    assert lines[-1] == "(2 rows)"


def test_search_on_an_empty_warehouse(warehouse: Path) -> None:
    out = io.StringIO()
    args = build_parser().parse_args(["search", "--db", str(warehouse), "port strike"])
    assert run_search(args, out) == 0
    assert out.getvalue().startswith("(0 results, ")


def test_read_commands_through_main(warehouse: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "--db", str(warehouse), "--format", "csv", "select 42 as answer"]) == 0
    assert capsys.readouterr().out.splitlines() == ["answer", "42"]
    assert main(["export", "--db", str(warehouse), str(tmp_path / "lake")]) == 0
    assert capsys.readouterr().out.startswith("nothing new to export")
    assert main(["settings"]) == 0
    assert "NEWSMILL_DB  (default: data/newsmill.duckdb)" in capsys.readouterr().out
    assert main(["search", "--db", str(tmp_path / "none.duckdb"), "port"]) == 1
    assert "newsmill ingest" in capsys.readouterr().err


@pytest.mark.parametrize(("text", "sizes"), [("10000,100000", (10_000, 100_000)),
                                             ("10k, 1M", (10_000, 1_000_000)),
                                             ("50", (50,))])
def test_bench_sizes(text: str, sizes: tuple[int, ...]) -> None:
    assert build_parser().parse_args(["bench", "growth", "--sizes", text]).sizes == sizes


@pytest.mark.parametrize("text", ["", "ten", "0", "-5", "10,,20"])
def test_bench_refuses_bad_sizes(text: str) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", "growth", "--sizes", text])

"""The parser's shared flags and the read commands' output, on real warehouse files (no model,
no Prefect: fast)."""

from __future__ import annotations

import argparse
import io
import json
import os
from datetime import datetime
from pathlib import Path

import pytest

from newsmill.cli.main import build_parser, main
from newsmill.cli.output import fit_widths, progress_bar, write_rows
from newsmill.cli.read import run_search, run_sql, settings_in_force
from newsmill.warehouse.connection import open_writer

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


def test_sql_json_columns_come_out_as_json(warehouse: Path) -> None:
    query = ("select [1, 2] as list, {'a': 1, 'b': [DATE '2026-03-09']} as struct, "
             "'{\"k\": [1, null]}'::JSON as doc, MAP {'x': 1.5} as map, 'plain' as text")

    def run(fmt: str) -> str:
        out = io.StringIO()
        assert run_sql(argparse.Namespace(db=str(warehouse), query=query, format=fmt), out) == 0
        return out.getvalue()

    assert json.loads(run("json")) == [{"list": [1, 2], "struct": {"a": 1, "b": ["2026-03-09"]},
                                        "doc": {"k": [1, None]}, "map": {"x": 1.5},
                                        "text": "plain"}]
    # CSV and the table show nested values as JSON text, not Python's spelling.
    assert run("csv").splitlines()[1] == \
        '"[1, 2]","{""a"": 1, ""b"": [""2026-03-09""]}","{""k"": [1, null]}","{""x"": 1.5}",plain'
    assert '{"a": 1, "b": ["2026-03-09"]}' in run("table")


def test_sql_refusals_read_well(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "--db", str(warehouse), "insert into runs (run_id) values ('x')"]) == 2
    assert capsys.readouterr().err == ("newsmill: `newsmill sql` only reads (SELECT, EXPLAIN, "
                                       "PRAGMA); refused: INSERT\n")
    assert main(["sql", "--db", str(warehouse), " ; "]) == 2
    assert "needs a query" in capsys.readouterr().err


def test_a_table_fits_the_terminal() -> None:
    rows = [("x" * 50, "y" * 50, 7)]
    out = io.StringIO()
    write_rows(out, "table", ["first", "second", "n"], rows, width=60)
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines[:3]) == 60
    assert lines[2] == "x" * 26 + "…  " + "y" * 27 + "…  7"
    assert fit_widths([50, 50, 1], None) == [50, 50, 1]  # a pipe: whole values (up to 60)
    assert fit_widths([5, 40], 30) == [5, 23]  # the widest gives way first
    assert fit_widths([30, 30, 30], 10) == [10, 10, 10]  # never below ten: the terminal wraps


def test_settings_show_the_values_in_force_and_where_they_came_from() -> None:
    shown = {v: (value, origin) for v, value, origin, _ in settings_in_force(
        {"NEWSMILL_BATCH_SIZE": "500", "NEWSMILL_FETCH_TIMEOUT": "soon", "NEWSMILL_DB": ""})}
    assert shown["NEWSMILL_BATCH_SIZE"] == ("500", "from the environment; default 200")
    assert shown["NEWSMILL_DB"] == ("data/newsmill.duckdb", "default")  # empty: not set
    value, origin = shown["NEWSMILL_FETCH_TIMEOUT"]
    assert value == "soon" and origin.startswith("from the environment, NOT USABLE: ")
    assert "NEWSMILL_FETCH_TIMEOUT" in origin


def test_settings_through_main(monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NEWSMILL_BATCH_SIZE", "50")
    assert main(["settings"]) == 0
    out = capsys.readouterr().out
    assert "NEWSMILL_BATCH_SIZE = 50  (from the environment; default 200)\n    Documents" in out


def test_the_progress_bar_counts_documents_and_their_rate() -> None:
    from rich.console import Console

    bar = progress_bar()
    task = bar.add_task("ingesting", total=400)
    bar.update(task, completed=0)
    bar.update(task, completed=200)
    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(bar.make_tasks_table(bar.tasks))
    line = console.file.getvalue()  # type: ignore[attr-defined]
    assert "200/400 documents" in line and "50%" in line and "docs/s" in line


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
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("(0 results, ")
    assert "`a OR b` finds either" in lines[1]  # what else the query could have said


@pytest.mark.parametrize("query", ["", "   ", '""', "-strike", "OR"])
def test_a_search_for_nothing_is_a_usage_error(warehouse: Path, query: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--db", str(warehouse), "--", query]) == 2
    err = capsys.readouterr().err
    assert err.startswith("newsmill search: the query holds ")
    assert '"a phrase" in double quotes' in err and "usage: newsmill search" in err


def test_search_marks_the_matched_words(tmp_path: Path) -> None:
    from newsmill.warehouse.loader import BatchRows, load_batch
    from newsmill.warehouse.runs import start_run

    db = tmp_path / "w.duckdb"
    text = ("Dockers walked out at the port on Monday. The port strike closed the container "
            "terminal for a week, and the union said a second strike was likely.")
    with open_writer(db) as conn:
        start_run(conn, run_id="r", flow="t", settings={}, code_version="t", spacy_model=None,
                  spacy_model_version=None, sources_given=1)
        load_batch(conn, BatchRows(run_id="r", documents=[{
            "document_id": "d1", "source": "d1.html", "canonical_url": None,
            "content_hash": "h", "title": "Dockers strike", "author": None,
            "published_at": None, "site_name": "Gazette", "language": "en",
            "description": None, "dateline": None, "dateline_start_char": None,
            "dateline_end_char": None, "source_format": "html", "clean_text": text,
            "run_id": "r", "loaded_at": datetime(2026, 3, 9)}]))
    out = io.StringIO()
    args = build_parser().parse_args(["search", "--db", str(db), '"port strike" OR lockout'])
    assert run_search(args, out) == 0
    snippet = out.getvalue().splitlines()[1]
    assert "The **port strike** closed" in snippet and snippet.count("**") == 2
    out = io.StringIO()
    assert run_search(build_parser().parse_args(["search", "--db", str(db), "striking"]),
                      out) == 0
    assert out.getvalue().splitlines()[1].count("**strike**") == 2  # by stem, both of them


def test_a_query_may_start_with_an_exclusion() -> None:
    # argparse takes a lone "-strike" for an option, but not a query with a space in it.
    assert build_parser().parse_args(["search", "-Felixstowe strike"]).query == \
        "-Felixstowe strike"


def test_search_help_says_what_a_query_may_hold(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["search", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for told in ('"a phrase" in double quotes', "a OR b", "-word", 'newsmill search \'"port'):
        assert told in text, told


def test_every_option_has_help() -> None:
    def missing(parser: argparse.ArgumentParser, path: str) -> list[str]:
        found = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    found += missing(child, f"{path} {name}")
            elif not action.help:
                found.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
        return found

    assert missing(build_parser(), "newsmill") == []


def test_read_commands_through_main(warehouse: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sql", "--db", str(warehouse), "--format", "csv", "select 42 as answer"]) == 0
    assert capsys.readouterr().out.splitlines() == ["answer", "42"]
    assert main(["export", "--db", str(warehouse), str(tmp_path / "lake")]) == 0
    assert capsys.readouterr().out.startswith("nothing new to export")
    assert main(["settings"]) == 0
    assert "NEWSMILL_DB = data/newsmill.duckdb  (default)" in capsys.readouterr().out
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


def test_export_onto_a_file_says_so(warehouse: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "lake.parquet"
    target.write_text("not a folder")
    assert main(["export", "--db", str(warehouse), str(target)]) == 2
    assert capsys.readouterr().err.startswith(f"newsmill: cannot export to {target}: it is a file")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if not os.access(locked, os.W_OK):  # root writes anywhere: nothing to see then
            assert main(["export", "--db", str(warehouse), str(locked / "lake")]) == 1
            assert "cannot export to" in capsys.readouterr().err
    finally:
        locked.chmod(0o700)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_matches_are_bold_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsmill.cli.output import TERMINAL_MARK, TEXT_MARK, marked
    from newsmill.cli.read import highlight

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert highlight(_Terminal()) == TERMINAL_MARK == ("\x1b[1m", "\x1b[0m")
    assert highlight(io.StringIO()) == TEXT_MARK  # a file or a pipe
    monkeypatch.setenv("NO_COLOR", "1")
    assert highlight(_Terminal()) == TEXT_MARK
    assert marked("the port strike", [(4, 8), (9, 15)], TEXT_MARK) == "the **port** **strike**"


def test_sql_on_a_terminal_fits_its_width(warehouse: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    out = _Terminal()
    args = argparse.Namespace(db=str(warehouse), format="table",
                              query="select repeat('ab', 40) as a, repeat('cd', 40) as b")
    assert run_sql(args, out) == 0
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines[:3]) == 40 and lines[2].endswith("…")
    piped = io.StringIO()
    assert run_sql(args, piped) == 0  # not a terminal: cut only at 60
    assert len(piped.getvalue().splitlines()[2]) == 60 + 2 + 60

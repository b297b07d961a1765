"""The command line as a person at a terminal meets it: a bad --db fails at once and says
what is wrong with it, only a real lock is waited for (and the wait is announced at once),
commands that work on a warehouse do not make an empty one, a reader that goes away is no
error, a malformed setting is one line, and runs that do nothing say why. Real files, real
child processes where timing or a pipe is the point; no model and no Prefect."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsmill.cli.main import main

NEWSMILL = str(Path(sys.executable).with_name("newsmill"))
#: A command that fails at once finishes well inside this, the imports included (the old
#: code waited 60 s for a writer, 30 s for `sql`).
PROMPT = 25.0


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """This environment without a Prefect API (runs go straight to the pipeline)."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("PREFECT_", "NEWSMILL_"))}
    clean["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    return clean


def _newsmill(env: dict[str, str], *args: str, timeout: float = PROMPT
              ) -> tuple[subprocess.CompletedProcess[str], float]:
    began = time.monotonic()
    done = subprocess.run([NEWSMILL, *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    return done, time.monotonic() - began



def _bad_paths(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Paths that can never be a warehouse, with the words the error must use."""
    folder = tmp_path / "a-folder"
    folder.mkdir()
    not_duckdb = tmp_path / "notes.duckdb"
    not_duckdb.write_text("these are my notes, not a database\n")
    a_file = tmp_path / "plain.txt"
    a_file.write_text("x")
    return {
        "folder": (folder, "folder"),
        "not duckdb": (not_duckdb, "not a DuckDB database"),
        "read-only place": (Path("/sys/newsmill-test.duckdb"), "permission denied"),
        "uncreatable parent": (a_file / "sub" / "w.duckdb", "cannot create the folder"),
    }


@pytest.mark.parametrize("case", ["folder", "not duckdb", "read-only place",
                                  "uncreatable parent"])
def test_ingest_with_a_bad_db_fails_at_once_naming_it(case: str, tmp_path: Path,
                                                      env: dict[str, str]) -> None:
    db, words = _bad_paths(tmp_path)[case]
    article = tmp_path / "a.txt"
    article.write_text("Some words.\n")
    done, took = _newsmill(env, "ingest", "--no-progress", "--db", str(db), str(article))
    assert done.returncode == 1, done
    assert str(db) in done.stderr and words in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert took < PROMPT


@pytest.mark.parametrize("case", ["folder", "not duckdb"])
def test_sql_with_a_bad_db_fails_at_once_naming_it(case: str, tmp_path: Path,
                                                   env: dict[str, str]) -> None:
    db, words = _bad_paths(tmp_path)[case]
    done, took = _newsmill(env, "sql", "--db", str(db), "select 1")
    assert done.returncode == 1, done
    assert str(db) in done.stderr and words in done.stderr, done.stderr
    assert "a run is writing" not in done.stderr and "waiting" not in done.stderr
    assert took < PROMPT


@pytest.fixture
def held(warehouse: Path) -> Iterator[Path]:
    """The warehouse held by another process (as a run's writer holds it) for 4 s."""
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, time
        conn = duckdb.connect({str(warehouse)!r})
        print("ready", flush=True)
        time.sleep(4)
        conn.close()
    """)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
    try:
        yield warehouse
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_a_real_lock_is_waited_for_and_the_wait_announced_at_once(
        held: Path, env: dict[str, str]) -> None:
    process = subprocess.Popen([NEWSMILL, "sql", "--db", str(held), "select 42 as n"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    first = process.stderr.readline()  # before the holder lets go, not after
    still_held = process.poll() is None
    out, rest = process.communicate(timeout=60)
    assert f"waiting for {held}, held by another process" in first, first + rest
    assert still_held
    assert process.returncode == 0 and "42" in out


@pytest.mark.parametrize("command", ["reprocess", "reextract"])
def test_a_missing_warehouse_is_an_error_not_a_new_one(
        command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    typo = tmp_path / "typo.duckdb"
    assert main([command, "--no-progress", "--db", str(typo)]) == 1
    err = capsys.readouterr().err
    assert str(typo) in err and "no warehouse" in err
    assert not typo.exists()


def test_read_commands_refuse_a_missing_warehouse(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    typo = tmp_path / "typo.duckdb"
    for args in (["sql", "select 1"], ["search", "port"], ["export", str(tmp_path / "lake")],
                 ["snapshot"]):
        assert main([args[0], "--db", str(typo), *args[1:]]) == 1, args
        assert "no warehouse" in capsys.readouterr().err, args
    assert not typo.exists()


def test_snapshot_prints_where_it_is(warehouse: Path, capsys: pytest.CaptureFixture[str]
                                     ) -> None:
    assert main(["snapshot", "--db", str(warehouse)]) == 0
    printed = Path(capsys.readouterr().out.strip())
    assert printed == warehouse.with_name("w.snapshot.duckdb") and printed.is_file()


def test_sql_into_a_closed_pipe_ends_quietly(warehouse: Path, env: dict[str, str]) -> None:
    # newsmill sql --db w.duckdb --format csv 'select * from range(300000)' | head -2
    producer = subprocess.Popen(
        [NEWSMILL, "sql", "--db", str(warehouse), "--format", "csv",
         "select * from range(300000)"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert producer.stdout is not None and producer.stderr is not None
    head = subprocess.run(["head", "-2"], stdin=producer.stdout, capture_output=True,
                          text=True, timeout=60, check=False)
    producer.stdout.close()  # only head reads it
    err = producer.stderr.read()
    producer.wait(timeout=60)
    assert head.stdout.splitlines() == ["range", "0"]
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_a_malformed_setting_is_one_line(warehouse: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("NEWSMILL_BATCH_SIZE", "lots")
    assert main(["sql", "--db", str(warehouse), "select 1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "NEWSMILL_BATCH_SIZE" in err and "'lots'" in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("newsmill 0")


def test_an_empty_source_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "w.duckdb"
    assert main(["ingest", "--no-progress", "--db", str(db), ""]) == 2
    assert "nothing to ingest" in capsys.readouterr().err
    assert not db.exists()


def test_a_run_that_sees_nothing_says_why(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text("# my feeds, to be filled in\n\n")
    assert main(["ingest", "--no-progress", "--db", str(tmp_path / "w.duckdb"),
                 f"@{listing}"]) == 0
    out = capsys.readouterr().out
    assert "seen 0" in out and "nothing done: the sources given named no file or URL" in out


@pytest.mark.parametrize("what", ["quotes", "entities"])
def test_an_evaluation_of_nothing_is_an_error(what: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    # An all-zero report would read as a score of zero.
    assert main(["eval", what, "--data", str(tmp_path / "nonexistent")]) == 2
    assert "nonexistent" in capsys.readouterr().err
    if what == "quotes":
        (tmp_path / "split").mkdir()
        assert main(["eval", what, "--data", str(tmp_path / "split")]) == 2
        assert "holds no annotated document" in capsys.readouterr().err

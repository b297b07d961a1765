"""Unchanged input files are decided before extraction: by stamp, then by raw-bytes hash."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import query_rows

from newsmill.flows.pipeline import Steps, ingest_run
from newsmill.settings import Settings
from newsmill.tasks.models import Source
from newsmill.tasks.unchanged import split_unchanged, stamp_of
from newsmill.warehouse.connection import open_writer, utcnow

pytestmark = pytest.mark.model


def _split(settings: Settings, folder: Path) -> tuple[list[str], int, list[str]]:
    sources = [Source(str(p), "file") for p in sorted(folder.iterdir())]
    with open_writer(settings.db) as conn:
        out = split_unchanged(conn, sources, run_id="check", now=utcnow(),
                              max_bytes=settings.max_input_bytes)
    return ([Path(s.location).name for s in out.todo], out.unchanged,
            [Path(r["path"]).name for r in out.refreshed])


def test_each_kind_of_change_is_told_apart(three_files: Path, tmp_path: Path) -> None:
    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb")
    first = ingest_run([str(three_files)], settings, Steps())
    assert first.report.loaded == 3
    assert query_rows(settings.db, "select count(*) from input_files") == [(3,)]
    # Untouched: all three by their stamps alone, nothing to refresh.
    assert _split(settings, three_files) == ([], 3, [])

    kenya, liverpool, corvane = (three_files / n for n in (
        "kenya-drought-herders.txt", "liverpool-port-strike-empty-shelves.txt",
        "corvane-staff-react-manchester.txt"))
    stat = kenya.stat()
    os.utime(kenya, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))  # touched only
    liverpool.write_text(liverpool.read_text() + "\nA line added later.\n")  # really changed
    shutil.copy(corvane, three_files / "corvane-copy.txt")  # same bytes, a new path
    todo, unchanged, refreshed = _split(settings, three_files)
    assert todo == ["liverpool-port-strike-empty-shelves.txt"]
    assert unchanged == 3
    assert sorted(refreshed) == ["corvane-copy.txt", "kenya-drought-herders.txt"]


def test_rerun_counts_unchanged_and_adds_no_rows(three_files: Path, tmp_path: Path) -> None:
    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb")
    ingest_run([str(three_files)], settings, Steps())
    counts = "select (select count(*) from documents), (select count(*) from mentions), " \
             "(select count(*) from document_sources), (select count(*) from input_files)"
    before = query_rows(settings.db, counts)
    again = ingest_run([str(three_files)], settings, Steps())
    assert (again.report.seen, again.report.loaded, again.report.unchanged) == (3, 0, 3)
    assert query_rows(settings.db, counts) == before
    assert query_rows(settings.db, "select docs_seen, docs_unchanged from runs "
                                   "order by started_at desc limit 1") == [(3, 3)]


def test_a_rerun_with_nothing_new_loads_no_model_and_no_extractor(three_files: Path,
                                                                  tmp_path: Path) -> None:
    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb")
    ingest_run([str(three_files)], settings, Steps())
    code = (
        "import sys; from pathlib import Path\n"
        "from newsmill.flows.pipeline import Steps, ingest_run\n"
        "from newsmill.settings import Settings\n"
        "from newsmill.tasks.isolation import shared_extractor\n"
        "from newsmill.tasks.nlp import load_pipeline\n"
        "r = ingest_run([sys.argv[1]], Settings.from_env(env={}, db=Path(sys.argv[2])), Steps())\n"
        "print(r.report.unchanged, load_pipeline.cache_info().currsize,"
        " shared_extractor.cache_info().currsize)\n")
    done = subprocess.run([sys.executable, "-c", code, str(three_files), str(settings.db)],
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["3", "0", "0"]


def test_stamp_of_a_missing_file_is_none(tmp_path: Path) -> None:
    assert stamp_of(str(tmp_path / "nothing-here.txt")) is None
    (tmp_path / "a.txt").write_text("x")
    stamp = stamp_of(str(tmp_path / "a.txt"))
    assert stamp is not None and stamp.size_bytes == 1 and Path(stamp.path).is_absolute()


def test_stamp_of_what_cannot_be_a_file_is_none(tmp_path: Path) -> None:
    assert stamp_of(str(tmp_path / "nul\x00byte.txt")) is None
    assert stamp_of(str(tmp_path / ("n" * 300 + ".txt"))) is None
    os.mkfifo(tmp_path / "pipe.txt")
    assert stamp_of(str(tmp_path / "pipe.txt")) is None  # reading it to hash it would block


def test_a_file_whose_name_is_not_utf8_is_stamped_with_a_utf8_path(tmp_path: Path) -> None:
    real = os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt")
    with open(real, "wb") as handle:
        handle.write(b"some text")
    stamp = stamp_of(os.fsdecode(real))
    assert stamp is not None and stamp.path.endswith("caf\\xe9.txt")
    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb")
    with open_writer(settings.db) as conn:  # DuckDB refused the name before
        out = split_unchanged(conn, [Source(os.fsdecode(real), "file")], run_id="check",
                              now=utcnow(), max_bytes=settings.max_input_bytes)
    assert len(out.todo) == 1

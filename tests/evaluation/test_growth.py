"""The growth benchmark on tiny warehouses: what it builds is a sound warehouse of the size
asked for, real ingests run into it, and its table has a row per size and operation."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from newsmill.cli.main import main
from newsmill.evaluation import growth

DataTests = Callable[[Path], dict[str, list[tuple[object, ...]]]]


def _english(n: int) -> int:
    return sum(1 for d in range(n) if d % growth.FOREIGN_EVERY != 0)


@pytest.mark.parametrize("n", [50, 200])
def test_built_warehouse_has_its_rows_and_passes_the_data_tests(
        n: int, tmp_path: Path, run_data_tests: DataTests) -> None:
    db = tmp_path / "w.duckdb"
    counts = growth.build_warehouse(db, n)
    english = _english(n)
    assert counts["documents"] == n
    assert counts["runs"] == -(-n // growth.DOCUMENTS_PER_RUN)
    assert counts["document_sources"] == n + sum(
        1 for d in range(n) if d % growth.SECOND_SOURCE_EVERY == 3)
    assert counts["document_minhash"] == n
    assert counts["document_bands"] == 32 * n
    assert counts["mentions"] == 2 * growth.PARAGRAPHS * english
    assert counts["quotes"] == growth.PARAGRAPHS * english
    assert counts["entities"] == max(200, 20 * (n // 40))
    assert counts["rejections"] == 2 * counts["runs"]
    for table in ("entity_links", "fetches", "robots", "feeds"):
        assert counts[table] > 0, table
    if "input_files" in counts:
        assert counts["input_files"] == sum(1 for d in range(n) if d % 10 >= 7)
    if "search_documents" in counts:  # the postings index (migration 009)
        assert counts["search_documents"] == n
    assert run_data_tests(db) == {}

    conn = duckdb.connect(str(db), read_only=True)
    try:
        chars, distinct, copies = conn.execute(
            "SELECT avg(length(clean_text)), count(DISTINCT content_hash), "
            "count(duplicate_of) FROM documents").fetchone() or (0, 0, 0)
        # The speaker and quote views see the synthetic rows as the pipeline's own.
        speakers = conn.execute("SELECT count(*) FROM speaker_quote_counts").fetchone()
    finally:
        conn.close()
    assert 2_500 < chars < 5_000  # a few KB of clean text per document
    assert distinct == n and copies > 0
    assert speakers and speakers[0] > 0


def test_dates_hold_for_a_million_documents() -> None:
    """The generator's arithmetic does not overflow at the sizes a test cannot build."""
    conn = duckdb.connect()
    try:
        growth._set_constants(conn, 2_000_000, vocabulary=10)
        conn.execute(growth._MACROS)
        day, run = conn.execute("SELECT stamp($d)::DATE, run_of($d)",
                                {"d": 1_999_999}).fetchone() or (None, None)
    finally:
        conn.close()
    days = 1_999_999 // growth.DOCUMENTS_PER_DAY
    assert str(day) == str(date(2024, 1, 1) + timedelta(days=days))
    assert run is not None and len(run) == 32


def test_builds_are_repeatable(tmp_path: Path) -> None:
    hashes = []
    for name in ("a.duckdb", "b.duckdb"):
        growth.build_warehouse(tmp_path / name, 60)
        conn = duckdb.connect(str(tmp_path / name), read_only=True)
        try:
            hashes.append(conn.execute(
                "SELECT list(content_hash ORDER BY content_hash) FROM documents").fetchone())
        finally:
            conn.close()
    assert hashes[0] == hashes[1]


def test_kept_warehouses_are_reused_until_stale(tmp_path: Path) -> None:
    path, _seconds, built = growth.ensure_warehouse(tmp_path, 40)
    assert built and path.exists()
    assert growth.ensure_warehouse(tmp_path, 40)[2] is False
    assert growth.ensure_warehouse(tmp_path, 40, rebuild=True)[2] is True
    manifest = path.parent / "manifest.json"
    record = json.loads(manifest.read_text())
    record["generator"] = -1  # as if an older generator had made it
    manifest.write_text(json.dumps(record))
    assert growth.ensure_warehouse(tmp_path, 40)[2] is True


def test_measure_takes_the_childs_time_and_memory(tmp_path: Path) -> None:
    busy = ("import time\nheld = bytearray(150_000_000)\nheld[::4096] = b'x' * len(held[::4096])"
            "\nstart = time.process_time()\nwhile time.process_time() - start < 0.3:\n    pass")
    m = growth.measure([sys.executable, "-c", busy], output=tmp_path / "out.log")
    assert m.exit_code == 0
    assert m.cpu_s >= 0.3 and m.wall_s >= m.cpu_s * 0.5
    assert m.peak_rss_bytes >= 150_000_000
    failed = growth.measure([sys.executable, "-c", "print('no'); raise SystemExit(3)"],
                            output=tmp_path / "out.log")
    assert failed.exit_code == 3 and failed.output.strip() == "no"


def test_measure_does_not_count_the_benchmarks_own_memory(tmp_path: Path) -> None:
    # A child forked from a large process reports that process's RSS as its own peak; the
    # benchmark holds a built warehouse's worth of memory when it measures.
    held = bytearray(400_000_000)
    held[::4096] = b"x" * len(held[::4096])
    m = growth.measure([sys.executable, "-S", "-c", "pass"], output=tmp_path / "out.log")
    assert m.exit_code == 0 and m.peak_rss_bytes < 100_000_000
    assert len(held) == 400_000_000


def test_articles_are_new_texts(tmp_path: Path) -> None:
    paths = growth.write_articles(tmp_path / "a", 5, first=7)
    texts = [p.read_text(encoding="utf-8") for p in paths]
    assert len(set(texts)) == 5
    assert all("dispatch number" in t and len(t) > 1_500 for t in texts)


def _size(n: int, wall: float, cpu: float, rss: int) -> growth.SizeResult:
    m = growth.Measurement(wall_s=wall, cpu_s=cpu, peak_rss_bytes=rss, exit_code=0, output="")
    return growth.SizeResult(documents=n, build_seconds=1.0, built_now=True, built_bytes=1,
                             warehouse_bytes=4_000_000, beside_bytes=1_000_000,
                             operations=dict.fromkeys(growth.OPERATIONS, m))


def test_table_ratios_are_to_the_empty_warehouse() -> None:
    result = growth.BenchResult(sizes=[_size(0, 2.0, 1.0, 100_000_000),
                                       _size(10_000, 5.0, 3.0, 250_000_000)],
                                batch_articles=200, repeat=1, environment={})
    lines = growth.render_table(result).splitlines()
    assert lines[0].split()[:3] == ["documents", "operation", "wall"]
    first_big = next(line for line in lines if line.startswith("10,000"))
    assert first_big.split() == ["10,000", "ingest", "1", "5.00", "2.50", "3.00", "3.00",
                                 "250", "2.50", "4.0", "1.0", "0.25"]
    numbers = growth.as_json(result)["sizes"][1]["operations"]["search"]
    assert numbers["wall_s_ratio"] == 2.5 and numbers["peak_rss_bytes_ratio"] == 2.5


@pytest.mark.model  # the measured commands load the spaCy pipeline in their own processes
def test_benchmark_runs_real_commands(tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    work, numbers = tmp_path / "work", tmp_path / "growth.json"
    assert main(["bench", "growth", "--sizes", "50", "--articles", "3", "--work", str(work),
                 "--json", str(numbers)]) == 0
    table = capsys.readouterr().out
    rows = [line.split("  ")[0] for line in table.splitlines()[2:12]]
    assert rows == ["0", "", "", "", "", "50", "", "", "", ""]
    for operation in ("ingest 1", "ingest 3", "re-run 3", "search", "mart query"):
        assert table.count(f" {operation} ") == 2, operation

    saved = json.loads(numbers.read_text())
    assert [s["documents"] for s in saved["sizes"]] == [0, 50]
    for size in saved["sizes"]:
        assert size["warehouse_bytes"] > 0
        for operation, m in size["operations"].items():
            assert m["exit_code"] == 0 and m["wall_s"] > 0 and m["cpu_s"] > 0, operation
            assert m["peak_rss_bytes"] > 20_000_000, operation
    # The warehouses are kept for the next run; the copies written to are not.
    for n in (0, 50):
        assert json.loads((work / "warehouses" / f"n{n}" / "manifest.json").read_text())[
            "documents"] == n
    assert not list((work / "scratch").rglob("*.duckdb"))


@pytest.mark.model
def test_ingest_into_a_built_warehouse_is_sound(tmp_path: Path,
                                                run_data_tests: DataTests) -> None:
    db = tmp_path / "w.duckdb"
    growth.build_warehouse(db, 50)
    articles = tmp_path / "in"
    growth.write_articles(articles, 2)
    measured = growth.measure([growth.newsmill_command(), "ingest", "--db", str(db),
                               "--no-progress", str(articles)], output=tmp_path / "log")
    assert measured.exit_code == 0, measured.output
    assert "loaded 2   unchanged 0   rejected 0" in measured.output
    assert run_data_tests(db) == {}
    conn = duckdb.connect(str(db), read_only=True)
    try:
        documents, runs = conn.execute(
            "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM runs)").fetchone() \
            or (0, 0)
    finally:
        conn.close()
    assert (documents, runs) == (52, 2)

"""The extraction benchmark runner: halves, rules left out, and what the stage costs."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from newsmill.cli.main import main
from newsmill.evaluation.extraction import (
    ablation,
    evaluate_extraction,
    format_ablation,
    half,
    load_benchmark,
)
from newsmill.evaluation.extraction_cost import Cost, format_cost, measure_one

STORY = ("The harbour board of {town} met again on Tuesday and agreed to rebuild the old ferry "
         "pier before the summer season, its chair said on day {n}. ")
TOWNS = ["Ardmore", "Bexley", "Carrow", "Dunmore", "Elling", "Fenwick"]


def _article(town: str) -> tuple[str, str]:
    paragraphs = [STORY.format(town=town, n=n) * 3 for n in range(4)]
    html = (f"<html><head><title>{town} rebuilds its pier</title></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article>"
            f"<h1>{town} rebuilds its pier</h1>"
            + "".join(f"<p>{p}</p>" for p in paragraphs)
            + "<p>Read more: Ferry timetables</p></article></body></html>")
    return html, "\n".join(p.strip() for p in paragraphs)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A benchmark folder in the Zyte/ScrapingHub layout: six pages, one of them gzipped."""
    (tmp_path / "html").mkdir()
    truth = {}
    for i, town in enumerate(TOWNS):
        key = f"page{i}"
        html, body = _article(town)
        if i == 0:
            (tmp_path / "html" / f"{key}.html.gz").write_bytes(gzip.compress(html.encode()))
        else:
            (tmp_path / "html" / f"{key}.html").write_text(html, encoding="utf-8")
        truth[key] = {"articleBody": body, "url": f"https://news.example/{key}"}
    (tmp_path / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    return tmp_path


def test_halves_split_sorted_ids_by_position() -> None:
    ids = ["d", "a", "c", "b", "e"]
    assert half(ids, "all") == ["a", "b", "c", "d", "e"]
    assert half(ids, "even") == ["a", "c", "e"]
    assert half(ids, "odd") == ["b", "d"]
    with pytest.raises(ValueError, match="no such page selection"):
        half(ids, "third")


def test_the_benchmark_reads_plain_and_gzipped_pages(folder: Path) -> None:
    truth, pages = load_benchmark(folder)
    assert sorted(truth) == sorted(pages) == [f"page{i}" for i in range(6)]
    assert pages["page0"][0].startswith(b"<html>")
    assert pages["page3"][1] == "https://news.example/page3"


def test_each_half_is_scored_on_its_own_pages(folder: Path) -> None:
    every, _pages, failures = evaluate_extraction(folder)
    even, even_pages, _ = evaluate_extraction(folder, pages="even")
    odd, odd_pages, _ = evaluate_extraction(folder, pages="odd")
    assert not failures
    assert (every.pages, even.pages, odd.pages) == (6, 3, 3)
    assert sorted(even_pages) == ["page0", "page2", "page4"]
    assert sorted(odd_pages) == ["page1", "page3", "page5"]
    assert every.f1 > 0.95


def test_ablation_reports_what_a_rule_adds_on_each_half(folder: Path) -> None:
    full, gains = ablation(folder, rules=("leading_headline", "boilerplate_lines"))
    by_rule = {g.rule: g for g in gains}
    # Each page repeats its headline at the top and ends with a "Read more:" line, neither in
    # the truth: leaving either rule out loses on both halves.
    assert by_rule["leading_headline"].even > 0 and by_rule["leading_headline"].odd > 0
    assert by_rule["boilerplate_lines"].generalises
    table = format_ablation(full, gains)
    assert "- leading_headline" in table and "does not win" not in table


def test_cli_scores_a_half_without_a_rule(folder: Path, capsys: pytest.CaptureFixture[str]
                                          ) -> None:
    assert main(["eval", "extraction", "--data", str(folder), "--pages", "odd",
                 "--without", "boilerplate_lines"]) == 0
    out = capsys.readouterr().out
    assert "on 3 pages" in out and "(odd half), without boilerplate_lines" in out


def test_cli_refuses_an_unknown_rule_and_a_folder_that_is_no_benchmark(
        folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "extraction", "--data", str(folder), "--without", "no_such"]) == 2
    assert "no such body rule: no_such" in capsys.readouterr().err
    assert main(["eval", "extraction", "--data", str(tmp_path / "none"), "--cost"]) == 2
    assert "not a benchmark folder" in capsys.readouterr().err


@pytest.mark.parametrize("way", ["trafilatura", "in-process", "worker"])
def test_each_way_spends_cpu_on_every_page(folder: Path, way: str) -> None:
    seconds, pages = measure_one(way, folder)
    assert pages == 6
    assert 0 < seconds < 30


def test_cost_table_gives_ratios_to_one_trafilatura_pass() -> None:
    cost = Cost({"trafilatura": [2.0, 2.2], "in-process": [2.4, 2.3],
                 "worker": [2.5, 2.6], "worker-per-page": [2.7, 2.8]}, pages=88)
    assert cost.ratio("in-process") == pytest.approx(1.15)
    table = format_cost(cost)
    assert "over 88 pages" in table and "best of 2" in table
    assert "1.250" in table  # the worker: 2.5 / 2.0


def test_cli_help_names_every_body_rule(capsys: pytest.CaptureFixture[str]) -> None:
    from newsmill.tasks.body import RULE_NAMES

    with pytest.raises(SystemExit):
        main(["eval", "--help"])
    flat = " ".join(capsys.readouterr().out.split())
    assert all(rule in flat for rule in RULE_NAMES)

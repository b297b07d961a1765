"""`newsmill report` on the sample corpus, checked in headless Chromium: every chart draws its
marks, the page's script runs without an error, tooltips and legends work, nothing is loaded
from anywhere; and in the HTML, that each section says what it counts and over which days,
that tables link to articles, that an empty warehouse says "no data" and that syndicated
copies count once."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from newsmill.cli.main import main
from newsmill.flows.pipeline import Steps, ingest_run
from newsmill.report.render import day_text
from newsmill.settings import Settings
from newsmill.warehouse.connection import fetch_dicts, open_writer

pytestmark = pytest.mark.model

ROOT = Path(__file__).resolve().parents[2]
CHARTS = ("documents", "entities", "speakers", "kinds", "rejections", "feeds")
PUBLISHED = "from 9 Mar 2026 to 13 Mar 2026"
FEEDS = """
INSERT INTO feeds (feed_url, kind, first_seen_at, last_attempt_at, last_success_at,
                   consecutive_failures, items_seen, new_articles, last_error, run_id)
VALUES ('https://harbourgazette.example/rss', 'rss', TIMESTAMP '2026-03-09 06:00',
        TIMESTAMP '2026-03-13 06:00', TIMESTAMP '2026-03-13 06:00', 0, 40, 12, NULL, 'test'),
       ('https://atlascourier.example/sitemap.xml', 'sitemap', TIMESTAMP '2026-03-09 06:00',
        TIMESTAMP '2026-03-13 06:00', TIMESTAMP '2026-03-11 06:00', 2, 25, 5, 'HTTP 503',
        'test'),
       ('https://dailycompass.example/', 'home', TIMESTAMP '2026-03-09 06:00',
        TIMESTAMP '2026-03-13 06:00', NULL, 4, 0, 0, 'timed out', 'test')
"""


def chromium() -> str:
    """Chromium's path; without it the browser tests skip locally and fail in CI."""
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: .ci/run installs Debian's package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return found


def browse(page: Path, profile: Path, *extra: str, fragment: str = "") -> str:
    """What headless Chromium prints for ``page`` with the given options."""
    done = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}", *extra,
         page.resolve().as_uri() + fragment],
        capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dom_of(page: Path, profile: Path, fragment: str = "") -> str:
    return browse(page, profile, "--dump-dom", fragment=fragment)


class Elements(HTMLParser):
    """Every start tag of a page with its attributes, in order."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))

    def first(self, tag: str) -> dict[str, str | None]:
        return next(attrs for name, attrs in self.found if name == tag)

    def figures(self) -> dict[str, dict[str, str | None]]:
        return {str(attrs["id"]): attrs for name, attrs in self.found
                if name == "figure" and "chart" in str(attrs.get("class"))}


def section(html: str, anchor: str) -> str:
    match = re.search(rf'<section id="{anchor}">(.*?)</section>', html, re.S)
    assert match, anchor
    return match.group(1)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus, and three feeds (a run from files reads none)."""
    db = tmp_path_factory.mktemp("report") / "sample.duckdb"
    ingest_run([str(ROOT / "samples" / "corpus")], Settings.from_env(env={}, db=db), Steps())
    conn = duckdb.connect(str(db))
    conn.execute(FEEDS)
    conn.close()
    return db


@pytest.fixture(scope="module")
def page(warehouse: Path) -> Path:
    out = warehouse.parent / "out" / "report.html"
    assert main(["report", "--db", str(warehouse), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def html(page: Path) -> str:
    return page.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def dom(page: Path, tmp_path_factory: pytest.TempPathFactory) -> Elements:
    """The page as Chromium left it after running its script, in self-test mode."""
    return Elements(dom_of(page, tmp_path_factory.mktemp("profile"), "#selftest"))


def test_every_chart_draws_each_of_its_marks_in_the_browser(dom: Elements, html: str) -> None:
    figures = dom.figures()
    assert sorted(figures) == sorted(f"chart-{name}" for name in CHARTS)
    for name in CHARTS:
        marks = section(html, name).count('class="mark"')
        assert marks > 0, name
        assert figures[f"chart-{name}"].get("data-drawn") == str(marks), name


def test_the_script_ran_without_an_error_and_loaded_nothing(dom: Elements) -> None:
    root = dom.first("html")
    assert root.get("data-ready") == "true"
    assert "data-errors" not in root, root.get("data-errors")
    assert root.get("data-resources") == "0"


def test_tooltips_and_legend_toggles_work_in_every_chart(dom: Elements) -> None:
    outcome = dict(entry.split(":", 1) for entry in
                   str(dom.first("html").get("data-selftest")).split())
    assert outcome == {f"chart-{name}": "tip,toggle" for name in CHARTS}


def test_a_script_error_would_be_seen(page: Path, tmp_path: Path) -> None:
    # The error check above means something only if the page's recorder catches errors.
    broken = tmp_path / "broken.html"
    broken.write_text(page.read_text(encoding="utf-8").replace(
        "</body>", "<script>notAFunction();</script></body>"), encoding="utf-8")
    root = Elements(dom_of(broken, tmp_path / "profile")).first("html")
    assert "notAFunction" in str(root.get("data-errors"))


def test_screenshot(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    browse(page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2400")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1280, 2400)
    assert len(data) > 50_000  # a page of charts, not a blank one


def test_the_page_is_self_contained(html: str) -> None:
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"<(link|img|iframe|object|embed|use)\b", html)
    assert not re.search(r"\ssrc=", html)
    assert not re.search(r"url\(", html)
    hrefs = re.findall(r"<(\w+)[^>]*\shref=", html)
    assert hrefs and set(hrefs) == {"a"}


def test_each_chart_says_what_it_counts_and_over_which_days(html: str) -> None:
    what = {name: section(html, name).split('<p class="what">', 1)[1].split("</p>", 1)[0]
            for name in CHARTS}
    assert "Documents" in what["documents"] and "Mentions" in what["entities"]
    assert "Quotes" in what["speakers"] and "kind" in what["kinds"]
    assert "refused" in what["rejections"] and "feed" in what["feeds"]
    for name in ("documents", "entities", "speakers", "kinds"):
        assert PUBLISHED in what[name], name
    assert day_text(datetime.now(UTC).date()) in what["rejections"]
    assert "on 13 Mar 2026" in what["feeds"]
    assert "no data" not in html


def test_top_entities_and_speakers_rows_link_to_articles(html: str) -> None:
    for name in ("entities", "speakers"):
        rows = re.findall(r"<tr>(.*?)</tr>", section(html, name).split("<tbody>", 1)[1])
        assert len(rows) >= 5, name
        for row in rows:
            assert re.search(r'<a href="(https?|file)://[^"]+">', row), row
    assert "Ruth Abernethy" in section(html, "speakers")


def test_syndicated_copies_count_once(warehouse: Path) -> None:
    conn = duckdb.connect(str(warehouse), read_only=True)
    try:
        # Entities a syndicated copy shares with its original: more documents than stories.
        copied = {row[0]: row for row in conn.execute(
            "SELECT m.entity_id, count(*), count(DISTINCT d.story_id) "
            "FROM mentions_resolved AS m JOIN stg_documents AS d USING (document_id) "
            "GROUP BY ALL "
            "HAVING count(DISTINCT m.document_id) > count(DISTINCT d.story_id)").fetchall()}
        assert copied, "the sample corpus has a syndicated copy sharing entities"
        top = {r["entity_id"]: r for r in fetch_dicts(
            conn, "report_entities_top",
            {"since": None, "until": None, "site": None, "limit": 10_000})}
    finally:
        conn.close()
    for entity, (_, mentions, stories) in copied.items():
        assert top[entity]["stories"] == stories, entity
        assert top[entity]["mentions"] < mentions, entity


def test_scope_narrows_every_section(warehouse: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "gazette.html"
    code = main(["report", "--db", str(warehouse), "--site", "%gazette%",
                 "--since", "2026-03-10", "--out", str(out)])
    assert code == 0
    assert capsys.readouterr().out.strip() == str(out)
    html = out.read_text(encoding="utf-8")
    legend = re.findall(r'class="key"[^>]*><span[^>]*></span>([^<]*)</button>',
                        section(html, "documents"))
    assert legend == ["Harbour Gazette"]
    for name in ("documents", "entities", "speakers", "kinds"):
        assert "from 10 Mar 2026 to 12 Mar 2026, on sites matching “%gazette%”" in \
            section(html, name), name


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[Path]:
    db = tmp_path / "empty.duckdb"
    with open_writer(db):
        pass
    yield db


def test_an_empty_warehouse_says_no_data_in_every_section(empty: Path, tmp_path: Path) -> None:
    out = tmp_path / "empty.html"
    assert main(["report", "--db", str(empty), "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    for name in CHARTS:
        assert '<p class="empty">no data' in section(html, name), name
    root = Elements(dom_of(out, tmp_path / "profile")).first("html")
    assert root.get("data-ready") == "true" and "data-errors" not in root


def test_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r.html"
    assert main(["report", "--db", str(tmp_path / "none.duckdb"), "--out", str(out)]) == 1
    assert "no warehouse" in capsys.readouterr().err
    assert main(["report", "--db", str(tmp_path / "none.duckdb"), "--since", "2026-03-12",
                 "--until", "2026-03-10", "--out", str(out)]) == 2
    assert not out.exists()


def test_out_defaults_to_report_html_here(warehouse: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--db", str(warehouse)]) == 0
    assert capsys.readouterr().out.strip() == "report.html"
    assert (tmp_path / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(tmp_path.glob(".*partial"))

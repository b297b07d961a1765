"""Turning SOURCE arguments into Source items: tasks.sources.expand_sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmill.tasks.sources import MAX_LIST_DEPTH, expand_sources


def touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def locations(sources) -> list[str]:
    return [s.location for s in sources]


def test_directory_is_walked_recursively_for_article_files(tmp_path):
    keep = [
        touch(tmp_path / "a.html"),
        touch(tmp_path / "b.HTM"),
        touch(tmp_path / "c.Txt"),
        touch(tmp_path / "sub" / "deeper" / "d.txt"),
        touch(tmp_path / "sub" / "e.htm"),
    ]
    for skipped in [
        tmp_path / "notes.md",
        tmp_path / "data.json",
        tmp_path / "page.html.bak",
        tmp_path / "noext",
        tmp_path / ".hidden.html",
        tmp_path / ".git" / "index.html",
        tmp_path / "sub" / ".cache" / "f.txt",
    ]:
        touch(skipped)
    (tmp_path / "empty-dir").mkdir()

    sources = expand_sources([str(tmp_path)])

    assert sorted(locations(sources)) == sorted(str(p) for p in keep)
    assert all(s.kind == "file" and s.reason is None for s in sources)


def test_directory_inside_a_hidden_folder_is_still_read(tmp_path):
    root = tmp_path / ".articles"
    article = touch(root / "story.html")
    assert locations(expand_sources([str(root)])) == [str(article)]


def test_single_file_is_kept(tmp_path):
    article = touch(tmp_path / "Story.HTML")
    assert [(s.location, s.kind) for s in expand_sources([str(article)])] == [
        (str(article), "file")]


def test_missing_path_is_invalid_not_found(tmp_path):
    missing = tmp_path / "nope.html"
    [source] = expand_sources([str(missing)])
    assert (source.location, source.kind, source.reason) == (str(missing), "invalid", "not_found")
    assert source.detail


@pytest.mark.parametrize("name", ["report.pdf", "data.json", "README"])
def test_unsupported_file_suffix_is_invalid(tmp_path, name):
    path = touch(tmp_path / name)
    [source] = expand_sources([str(path)])
    assert source.kind == "invalid"
    assert source.reason == "unsupported_file_type"
    assert source.location == str(path)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/news.html", "FTP://example.org/a"])
def test_non_http_urls_are_unsupported_scheme(url):
    [source] = expand_sources([url])
    assert (source.location, source.kind, source.reason) == (url, "invalid", "unsupported_scheme")


@pytest.mark.parametrize(
    "url", ["http://example.org/news/1.html", "https://example.org/a?b=c", "HTTPS://EXAMPLE.ORG/"])
def test_http_urls_are_url_sources(url):
    [source] = expand_sources([url])
    assert (source.location, source.kind, source.reason) == (url, "url", None)


def test_url_without_host_is_bad_url():
    [source] = expand_sources(["https://"])
    assert (source.kind, source.reason) == ("invalid", "bad_url")


def test_list_file_with_comments_blank_lines_nesting_and_duplicates(tmp_path):
    a = touch(tmp_path / "a.html")
    b = touch(tmp_path / "b.txt")
    c = touch(tmp_path / "more" / "c.htm")
    inner = touch(tmp_path / "inner.txt", f"# nested list\n{c}\n{a}\nhttps://example.org/x\n")
    outer = touch(
        tmp_path / "outer.txt",
        "\n".join([
            "# articles for the test run",
            "",
            str(a),
            "   ",
            f"  {b}  ",
            "    # an indented comment",
            "https://example.org/x",
            f"@{inner}",
            str(a),
            "",
        ]),
    )

    sources = expand_sources([f"@{outer}", str(b)])

    assert locations(sources) == [str(a), str(b), "https://example.org/x", str(c)]
    assert [s.kind for s in sources] == ["file", "file", "url", "file"]


def test_missing_list_file_is_invalid(tmp_path):
    [source] = expand_sources([f"@{tmp_path / 'absent.txt'}"])
    assert source.kind == "invalid"
    assert source.reason == "unreadable_list"
    assert source.location == f"@{tmp_path / 'absent.txt'}"


def test_list_files_nesting_too_deep_are_refused(tmp_path):
    article = touch(tmp_path / "deep.html")
    target = f"{article}\n"
    for level in range(MAX_LIST_DEPTH + 1):
        path = touch(tmp_path / f"list{level}.txt", target)
        target = f"@{path}\n"
    sources = expand_sources([target.strip()])
    assert [s.reason for s in sources] == ["list_too_deep"]
    assert str(article) not in locations(sources)


def test_order_is_kept_and_each_location_appears_once(tmp_path):
    a = touch(tmp_path / "a.html")
    b = touch(tmp_path / "b.html")
    args = [str(b), "https://example.org/1", str(a), str(b), "https://example.org/1", ""]
    assert locations(expand_sources(args)) == [str(b), "https://example.org/1", str(a)]

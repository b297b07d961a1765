"""Turning SOURCE arguments into Source items: tasks.sources.expand_sources."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsmill.tasks.sources import MAX_LIST_DEPTH, expand_sources, stored_name


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


# Inputs that used to end the whole run: each must become that input's own Source.

def test_a_name_that_is_not_utf8_is_read_by_its_real_bytes(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    real = os.path.join(os.fsencode(folder), b"caf\xe9.txt")
    with open(real, "wb") as handle:
        handle.write(b"text")
    (found,) = expand_sources([str(folder)])
    assert found.kind == "file"
    assert os.fsencode(found.location) == real  # the real name, to read it by
    assert stored_name(found.location).endswith("caf\\xe9.txt")
    stored_name(found.location).encode("utf-8")  # valid UTF-8 for the warehouse


def test_stored_name_leaves_utf8_names_alone():
    assert stored_name("/in/Zoë — news.txt") == "/in/Zoë — news.txt"
    assert stored_name("a\udcffb").encode("utf-8") == b"a\\xffb"
    assert stored_name("lone \ud800 surrogate").encode("utf-8")


def test_a_source_longer_than_a_name_may_be_is_invalid_not_a_crash(tmp_path):
    long_name = str(tmp_path / ("n" * 300 + ".txt"))
    good = touch(tmp_path / "good.txt")
    out = expand_sources([long_name, str(good)])
    assert [(s.kind, s.reason) for s in out] == [("invalid", "name_too_long"), ("file", None)]


def test_a_list_line_longer_than_a_name_may_be_is_invalid(tmp_path):
    good = touch(tmp_path / "good.txt")
    listing = touch(tmp_path / "list.txt", f"{'x' * 5000}\n{good}\n")
    out = expand_sources([f"@{listing}"])
    assert [(s.kind, s.reason) for s in out] == [("invalid", "name_too_long"), ("file", None)]


def test_a_list_line_with_a_nul_byte_is_invalid(tmp_path):
    good = touch(tmp_path / "good.txt")
    listing = tmp_path / "list.txt"
    listing.write_bytes(b"bad\x00name.txt\n" + str(good).encode() + b"\n")
    out = expand_sources([f"@{listing}"])
    assert [(s.kind, s.reason) for s in out] == [("invalid", "bad_path"), ("file", None)]


def test_a_list_naming_files_whose_names_are_not_utf8(tmp_path):
    real = os.path.join(os.fsencode(tmp_path), b"\xff\xfe.txt")
    with open(real, "wb") as handle:
        handle.write(b"text")
    listing = tmp_path / "list.txt"
    listing.write_bytes(real + b"\n")
    (found,) = expand_sources([f"@{listing}"])
    assert found.kind == "file" and os.fsencode(found.location) == real


@pytest.mark.parametrize("url", ["http://[::1/x", "http://[not-an-address]/a",
                                 "http://example.com:99999/a", "http://example.com:port/a",
                                 "https://exa\udcffmple.com/a"])
def test_malformed_urls_are_bad_url(url):
    (found,) = expand_sources([url])
    assert (found.kind, found.reason) == ("invalid", "bad_url")


def test_a_name_with_a_leading_space_is_kept_as_given(tmp_path, monkeypatch):
    spaced = touch(tmp_path / " spaced.txt")
    monkeypatch.chdir(tmp_path)
    (found,) = expand_sources([" spaced.txt"])
    assert (found.kind, found.location) == ("file", " spaced.txt")
    (listed,) = expand_sources([f"@{touch(tmp_path / 'l.txt', ' ' + str(spaced) + chr(10))}"])
    assert listed.kind == "file"  # a list line's own indentation is still stripped


def test_a_dangling_symlink_in_a_folder_is_invalid_not_lost(tmp_path):
    folder = tmp_path / "in"
    touch(folder / "good.txt")
    (folder / "gone.html").symlink_to(tmp_path / "nowhere.html")
    out = expand_sources([str(folder)])
    assert [(Path(s.location).name, s.kind, s.reason) for s in out] == [
        ("gone.html", "invalid", "dangling_symlink"), ("good.txt", "file", None)]


def test_a_special_file_with_an_article_name_in_a_folder_is_invalid(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.html")
    (found,) = expand_sources([str(folder)])
    assert (found.kind, found.reason) == ("invalid", "not_a_file")


def test_a_folder_given_with_no_article_files_is_invalid(tmp_path):
    (tmp_path / "empty.html").mkdir()
    (found,) = expand_sources([str(tmp_path / "empty.html")])
    assert (found.kind, found.reason) == ("invalid", "no_articles")


def test_a_refused_source_is_named_in_valid_utf8(tmp_path):
    missing = os.fsdecode(os.path.join(os.fsencode(tmp_path), b"gone-\xff.txt"))
    (found,) = expand_sources([missing])
    assert (found.kind, found.reason) == ("invalid", "not_found")
    assert found.location == stored_name(missing) and found.location.encode("utf-8")

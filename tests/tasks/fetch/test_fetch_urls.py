"""canonical_url: what fetching deduplicates on."""

from __future__ import annotations

import pytest

from newsmill.tasks.fetch.urls import canonical_url, host_of


@pytest.mark.parametrize(("url", "expected"), [
    ("HTTP://Example.COM/News/Story", "http://example.com/News/Story"),  # path keeps its case
    ("http://example.com:80/a", "http://example.com/a"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("https://example.com:80/a", "https://example.com:80/a"),  # not https's default port
    ("http://example.com:8080/a", "http://example.com:8080/a"),
    ("http://example.com/a#comments", "http://example.com/a"),
    ("http://example.com", "http://example.com/"),
    ("http://example.com.:80", "http://example.com/"),
    ("  http://example.com/a  ", "http://example.com/a"),
    ("http://example.com/a?utm_source=x&utm_medium=y&UTM_Campaign=z&id=7",
     "http://example.com/a?id=7"),
    ("http://example.com/a?fbclid=abc&gclid=def&mc_eid=1&_ga=2", "http://example.com/a"),
    ("http://example.com/a?b=2&a=1&c=3", "http://example.com/a?a=1&b=2&c=3"),
    ("http://example.com/a?b=2&a=1&utm_source=feed#top", "http://example.com/a?a=1&b=2"),
    ("http://example.com/a?page=", "http://example.com/a?page="),
    ("http://user:pw@Example.com:80/a", "http://user:pw@example.com/a"),
])
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


IDEMPOTENT = [
    "HTTP://Example.COM:80/a/b/?utm_source=x&z=1&a=2#frag",
    "https://example.com:8443/path;params?q=a%20b&x=%2F&y=a+b",
    "http://example.com/?a=1&a=0&flag",
    "http://example.com/%7Euser/caf%C3%A9?name=caf%C3%A9",
    "http://example.com/a?q=%26%3D",
    "https://news.example/2024/05/01/story-slug/",
    "http://127.0.0.1:5000/news/story.html?ref=home",
    "http://user@example.com/a",
]


@pytest.mark.parametrize("url", IDEMPOTENT)
def test_canonical_url_is_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


def test_tracking_parameters_do_not_split_one_page() -> None:
    variants = ["https://news.example/story?id=4&utm_source=rss",
                "https://NEWS.example:443/story?utm_medium=email&id=4#comments",
                "https://news.example/story?id=4&fbclid=XYZ"]
    assert len({canonical_url(u) for u in variants}) == 1


@pytest.mark.parametrize("url", ["http://[::1]:8080/a", "http://[2001:db8::1]/a"])
def test_ipv6_hosts_keep_their_brackets(url: str) -> None:
    once = canonical_url(url)
    assert once == url
    assert canonical_url(once) == once


def test_host_of() -> None:
    assert host_of("HTTPS://News.Example:8443/a") == "news.example"
    assert host_of("not a url") == ""


@pytest.mark.parametrize("url", ["http://[::1/x", "http://example.com:99999/a",
                                 "http://example.com:port/a"])
def test_a_malformed_url_is_its_own_canonical_form_not_an_error(url: str) -> None:
    assert canonical_url(url) == url
    assert host_of(url) in {"", "example.com"}  # and no exception

"""Turning the SOURCE arguments of a run into a flat list of :class:`Source` items.

A SOURCE is a file, a directory (walked recursively for article files), an ``http(s)://`` URL,
or ``@list.txt`` naming one SOURCE per line. Anything that cannot be read becomes an
``invalid`` Source carrying its reason, so it is recorded as a rejection rather than lost.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from newsmill.tasks.models import Source, SourceKind

log = logging.getLogger(__name__)

#: File name endings read as articles when a directory is walked.
ARTICLE_SUFFIXES = frozenset({".html", ".htm", ".txt"})
#: How deep ``@list`` files may include other ``@list`` files.
MAX_LIST_DEPTH = 3
#: URL paths that name a feed or a sitemap rather than an article.
_SITEMAP_PATH = re.compile(r"sitemap|\.xml\.gz$", re.I)
_FEED_PATH = re.compile(r"\.(?:rss|atom|rdf|xml)$|/(?:feed|feeds|rss|atom)(?:/|$)|[?&]feed=", re.I)

ListingKind = Literal["feed", "sitemap", "homepage"]


def expand_sources(arguments: Iterable[str], *, urls_are: ListingKind | None = None
                   ) -> list[Source]:
    """Every source named by ``arguments``, in order, each location once.

    URLs are articles unless they look like a feed or sitemap (``/feed``, ``.rss``,
    ``sitemap.xml`` ...), or ``urls_are`` says what every URL given is.
    """
    seen: set[str] = set()
    out: list[Source] = []
    for source in _expand(arguments, depth=0):
        if source.location in seen:
            continue
        seen.add(source.location)
        if source.kind == "url":
            source = replace(source, kind=urls_are or url_kind(source.location))
        out.append(source)
    return out


def url_kind(url: str) -> SourceKind:
    """``feed`` or ``sitemap`` when the URL's path says so, else ``url`` (an article)."""
    path = urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else "")
    if _SITEMAP_PATH.search(path):
        return "sitemap"
    if _FEED_PATH.search(path):
        return "feed"
    return "url"


def _expand(arguments: Iterable[str], depth: int) -> Iterator[Source]:
    for raw in arguments:
        arg = raw.strip()
        if not arg or arg.startswith("#"):
            continue
        if arg.startswith("@"):
            yield from _expand_list(arg[1:], depth)
        elif "://" in arg or arg.lower().startswith(("http:", "https:")):
            yield classify_url(arg)
        else:
            yield from _expand_path(Path(arg))


def classify_url(url: str) -> Source:
    """A URL Source, or an invalid one when its scheme is not http(s) or it has no host."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"}:
        return Source(url, "invalid", "unsupported_scheme",
                      f"only http and https URLs are fetched, not {parts.scheme or 'no'} scheme")
    if not parts.hostname:
        return Source(url, "invalid", "bad_url", "the URL has no host name")
    return Source(url, "url")


def _expand_list(name: str, depth: int) -> Iterator[Source]:
    if depth >= MAX_LIST_DEPTH:
        yield Source("@" + name, "invalid", "list_too_deep",
                     f"@list files nest more than {MAX_LIST_DEPTH} deep")
        return
    path = Path(name)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        yield Source("@" + name, "invalid", "unreadable_list", f"cannot read list file: {exc}")
        return
    yield from _expand(lines, depth + 1)


def _expand_path(path: Path) -> Iterator[Source]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p, path))
        skipped = [p for p in files if p.suffix.lower() not in ARTICLE_SUFFIXES]
        if skipped:
            log.info("skipped %d files in %s that are not .html/.htm/.txt", len(skipped), path)
        for file in files:
            if file.suffix.lower() in ARTICLE_SUFFIXES:
                yield Source(str(file), "file")
    elif path.is_file():
        if path.suffix.lower() in ARTICLE_SUFFIXES:
            yield Source(str(path), "file")
        else:
            yield Source(str(path), "invalid", "unsupported_file_type",
                         "only .html, .htm and .txt files are read, "
                         f"not {path.suffix or 'no suffix'}")
    elif path.exists():
        yield Source(str(path), "invalid", "not_a_file", "neither a regular file nor a directory")
    else:
        yield Source(str(path), "invalid", "not_found", "no such file or directory")


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)

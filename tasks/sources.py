"""Turning the SOURCE arguments of a run into a flat list of :class:`Source` items.

A SOURCE is a file, a directory (walked recursively for article files), an ``http(s)://`` URL,
or ``@list.txt`` naming one SOURCE per line. A WARC file (``.warc``, ``.warc.gz``: a web
archive, such as Common Crawl's CC-NEWS) is one ``archive`` Source per response worth reading
(a 2xx HTML or plain text page), which its batch reads back by offset; its other records are
counted and logged, and a damaged record is an ``invalid`` Source naming its offset.

Anything that cannot be read becomes an ``invalid`` Source carrying its reason, so it is
recorded as a rejection rather than lost: whatever an argument holds (a name the OS refuses
as too long, a NUL byte, a malformed URL), expanding it never raises.

File names are kept as the OS gives them (``os.fsdecode``: bytes that are not UTF-8 become
lone surrogates), so a file is read by its real name; :func:`stored_name` is the valid UTF-8
spelling of such a name that the warehouse stores.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from newsmill.tasks.models import Source, SourceKind

if TYPE_CHECKING:
    from newsmill.tasks.fetch.archive import ScannedRecord

log = logging.getLogger(__name__)

#: File name endings read as articles when a directory is walked.
ARTICLE_SUFFIXES = frozenset({".html", ".htm", ".txt"})
#: File name endings read as WARC files (web archives), given directly or in a folder.
WARC_SUFFIXES = (".warc", ".warc.gz")
#: How deep ``@list`` files may include other ``@list`` files.
MAX_LIST_DEPTH = 3
#: URL paths that name a feed or a sitemap rather than an article.
_SITEMAP_PATH = re.compile(r"sitemap|\.xml\.gz$", re.I)
_FEED_PATH = re.compile(r"\.(?:rss|atom|rdf|xml)$|/(?:feed|feeds|rss|atom)(?:/|$)|[?&]feed=", re.I)

ListingKind = Literal["feed", "sitemap", "homepage"]


def stored_name(location: str) -> str:
    """``location`` as valid UTF-8: bytes of a file name that are not UTF-8 (which
    ``os.fsdecode`` turned into surrogates) are written ``\\xNN``; other text is unchanged."""
    try:
        location.encode("utf-8")
        return location
    except UnicodeEncodeError:
        pass
    try:
        raw = location.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that no byte gave: escape it as a code point
        return location.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def expand_sources(arguments: Iterable[str], *, urls_are: ListingKind | None = None
                   ) -> list[Source]:
    """Every source named by ``arguments``, in order, each location once.

    URLs are articles unless they look like a feed or sitemap (``/feed``, ``.rss``,
    ``sitemap.xml`` ...), or ``urls_are`` says what every URL given is.
    """
    from newsmill.tasks.fetch.urls import canonical_url  # the fetch package imports this one

    seen: set[str] = set()
    out: list[Source] = []
    #: Records of WARC files by canonical URL: their place in ``out``, the newest capture kept.
    captures: dict[str, int] = {}
    older = 0
    for source in _expand(arguments, depth=0):
        if source.kind == "archive" and source.captured_at is not None:
            key = canonical_url(source.location)
            at = captures.get(key)
            if at is None:
                captures[key] = len(out)
                out.append(source)
                continue
            older += 1
            kept = out[at].captured_at
            if kept is not None and source.captured_at > kept:
                out[at] = source
            continue
        if source.location in seen:
            continue
        seen.add(source.location)
        if source.kind == "url":
            source = replace(source, kind=urls_are or url_kind(source.location))
        elif source.kind == "invalid":  # never read: named as stored from here on
            source = replace(source, location=stored_name(source.location))
        out.append(source)
    if older:
        log.info("%d older captures of pages captured again in the WARC files given were "
                 "set aside: the newest capture of each page is read", older)
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
        arg = _as_given(raw)
        if not arg or arg.startswith("#"):
            continue
        try:
            # Expanded whole before yielding, so a failure half-way refuses this argument only.
            found = list(_expand_one(arg, depth))
        except Exception as exc:  # whatever an input provokes ends as its own refusal
            found = [_refusal(arg, exc)]
        yield from found


def _as_given(raw: str) -> str:
    """The argument without surrounding whitespace, unless a file is named with it (a name
    may start or end with a space)."""
    stripped = raw.strip()
    if stripped != raw and stripped and not stripped.startswith(("@", "#")):
        try:
            if os.path.lexists(raw):
                return raw
        except (OSError, ValueError):
            pass
    return stripped


def _expand_one(arg: str, depth: int) -> Iterator[Source]:
    if arg.startswith("@"):
        yield from _expand_list(arg[1:], depth)
    elif "://" in arg or arg.lower().startswith(("http:", "https:")):
        yield classify_url(arg)
    elif "\x00" in arg:
        yield Source(arg, "invalid", "bad_path", "the name holds a NUL byte")
    else:
        yield from _expand_path(Path(arg))


def _refusal(location: str, exc: BaseException) -> Source:
    """The invalid Source for an argument whose expansion raised ``exc``."""
    if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
        return Source(location, "invalid", "name_too_long",
                      "the name is longer than the operating system allows")
    if isinstance(exc, ValueError) and "null" in str(exc).lower():
        return Source(location, "invalid", "bad_path", "the name holds a NUL byte")
    if isinstance(exc, OSError):
        return Source(location, "invalid", "unreadable",
                      f"cannot read: {exc.strerror or exc}")
    return Source(location, "invalid", "bad_source", f"{type(exc).__name__}: {exc}")


def classify_url(url: str) -> Source:
    """A URL Source, or an invalid one when its scheme is not http(s), it has no host, or it
    cannot be parsed (an unclosed IPv6 bracket, a port that is no number, bytes that are not
    UTF-8)."""
    try:
        url.encode("utf-8")
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = parts.hostname
        _port = parts.port  # raises for a port that is no number or out of range
    except (ValueError, UnicodeError) as exc:
        return Source(url, "invalid", "bad_url", f"the URL cannot be parsed: {exc}")
    if scheme not in {"http", "https"}:
        return Source(url, "invalid", "unsupported_scheme",
                      f"only http and https URLs are fetched, not {parts.scheme or 'no'} scheme")
    if not host:
        return Source(url, "invalid", "bad_url", "the URL has no host name")
    return Source(url, "url")


def _expand_list(name: str, depth: int) -> Iterator[Source]:
    if depth >= MAX_LIST_DEPTH:
        yield Source("@" + name, "invalid", "list_too_deep",
                     f"@list files nest more than {MAX_LIST_DEPTH} deep")
        return
    path = Path(name)
    try:
        body = path.read_bytes()
    except (OSError, ValueError) as exc:
        yield Source("@" + name, "invalid", "unreadable_list", f"cannot read list file: {exc}")
        return
    # Lines are file names as much as text: decoded as the OS decodes names, so a list made by
    # `find` names files whose names are not UTF-8 too.
    lines = os.fsdecode(body.removeprefix(b"\xef\xbb\xbf")).splitlines()
    yield from _expand(lines, depth + 1)


def _expand_path(path: Path) -> Iterator[Source]:
    if path.is_dir():
        found = list(_walk(path))
        if not found:
            yield Source(str(path), "invalid", "no_articles",
                         "the folder holds no .html, .htm, .txt or WARC files")
        yield from found
    elif path.is_file():
        if is_warc(path):
            yield from _warc_sources(path)
        elif path.suffix.lower() in ARTICLE_SUFFIXES:
            yield Source(str(path), "file")
        else:
            yield Source(str(path), "invalid", "unsupported_file_type",
                         "only .html, .htm, .txt and WARC (.warc, .warc.gz) files are read, "
                         f"not {path.suffix or 'no suffix'}")
    elif path.is_symlink() and not path.exists():
        yield Source(str(path), "invalid", "dangling_symlink",
                     "a symbolic link to a file that does not exist")
    elif path.exists():
        yield Source(str(path), "invalid", "not_a_file", "neither a regular file nor a directory")
    else:
        yield Source(str(path), "invalid", "not_found", "no such file or directory")


def _walk(root: Path) -> Iterator[Source]:
    """The article files under ``root`` (hidden ones left out), in path order; an entry with
    an article's name that cannot be read as a file (a dangling link, a pipe, a folder that
    cannot be listed) is an invalid Source, not a silent gap."""
    entries: list[tuple[Path, Source | None]] = []
    skipped = 0

    def unlistable(error: OSError) -> None:
        where = Path(error.filename) if error.filename else root
        entries.append((where, Source(str(where), "invalid", "unreadable",
                                      f"cannot list the folder: {error.strerror or error}")))

    for folder, _dirs, names in os.walk(root, onerror=unlistable):
        for name in names:
            path = Path(folder, name)
            if _hidden(path, root):
                continue
            if path.suffix.lower() not in ARTICLE_SUFFIXES and not is_warc(path):
                skipped += 1
                continue
            entries.append((path, _entry(path)))
    if skipped:
        log.info("skipped %d files in %s that are not .html/.htm/.txt/.warc/.warc.gz", skipped,
                 root)
    for path, source in sorted(entries, key=lambda e: e[0]):
        if source is not None and source.kind == "file" and is_warc(path):
            yield from _warc_sources(path)
        elif source is not None:
            yield source


def _entry(path: Path) -> Source | None:
    """A walked entry with an article's name: a file, or why it cannot be read as one."""
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            return Source(str(path), "invalid", "dangling_symlink",
                          "a symbolic link to a file that does not exist")
        return None  # gone since the folder was listed: nothing to read, nothing to report
    except OSError as exc:
        return _refusal(str(path), exc)
    if stat.S_ISREG(info.st_mode):
        return Source(str(path), "file")
    if stat.S_ISDIR(info.st_mode):
        return None  # a link to a folder: folders are walked, links to them are not followed
    return Source(str(path), "invalid", "not_a_file", "neither a regular file nor a directory")


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def is_warc(path: Path) -> bool:
    """Whether ``path`` is named as a WARC file (``.warc`` or ``.warc.gz``)."""
    return path.name.lower().endswith(WARC_SUFFIXES)


def _warc_sources(path: Path) -> Iterator[Source]:
    """One ``archive`` Source per readable page of the WARC file ``path``, in file order, each
    with its capture date; a damaged record is an ``invalid`` Source at its offset (``stage``
    fetch, reason ``warc_corrupt``); what is skipped is counted in one log line."""
    from newsmill.tasks.fetch import UNDATED
    from newsmill.tasks.fetch.archive import scan_warc

    where = os.path.abspath(path)
    skipped: Counter[str] = Counter()
    pages = damaged = 0
    try:
        for record in scan_warc(where):
            if record.problem is not None:
                damaged += 1
                detail = f"{record.problem}, at offset {record.offset} of {stored_name(where)}"
                yield Source(f"{where}:{record.offset}", "invalid", "warc_corrupt",
                             detail + (f" (for {record.url})" if record.url else ""),
                             archive_path=where, archive_offset=record.offset)
                continue
            skip = _skip_reason(record)
            if skip is not None:
                skipped[skip] += 1
                continue
            pages += 1
            yield Source(record.url, "archive", archive_path=where,
                         archive_offset=record.offset, captured_at=record.captured_at or UNDATED)
    except OSError as exc:
        yield _refusal(where, exc)
        return
    counts = ", ".join(f"{what} {n}" for what, n in skipped.most_common())
    counted = f"{sum(skipped.values())} records skipped" + (f" ({counts})" if counts else "")
    log.info("%s: %d pages to read, %d damaged records; %s", stored_name(where), pages,
             damaged, counted)
    if not pages and not damaged:  # said as a rejection, or the run would not say why
        yield Source(where, "invalid", "no_pages",
                     f"the WARC file holds no 2xx HTML or plain-text response: {counted}")


def _skip_reason(record: ScannedRecord) -> str | None:
    """Why a record is no page to read (None: it is one): not a response (a request,
    metadata, a revisit ...), not an http(s) page, a status other than 2xx, a body that is
    not HTML or plain text."""
    from newsmill.tasks.fetch import HTML_TYPES, TEXT_TYPES

    if record.rec_type != "response":
        return record.rec_type or "unknown record type"
    if not record.url.lower().startswith(("http://", "https://")):
        return "not http(s)"
    if record.status is None or not 200 <= record.status < 300:
        return "non-2xx status"
    media_type = (record.content_type or "").split(";")[0].strip().lower()
    if media_type not in HTML_TYPES and media_type not in TEXT_TYPES:
        return "not HTML or text"
    return None

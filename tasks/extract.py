"""Bytes to article text and metadata: decoding, then trafilatura for HTML.

Plain text goes straight through (trafilatura returns nothing for it). Every way this can fail
is a :class:`Rejection` with a reason, never a silent ``None``.
"""

from __future__ import annotations

import codecs
import logging
import re
from datetime import UTC, datetime

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.metadata import extract_metadata

from newsmill.errors import Rejection
from newsmill.tasks.body import article_body
from newsmill.tasks.models import Extracted, RawDocument

log = logging.getLogger(__name__)

#: Share of control bytes (other than tab, CR, LF, FF) above which input is binary. Text in
#: any encoding has none; 1% tolerates a stray byte in an otherwise good file.
BINARY_CONTROL_SHARE = 0.01
#: Share of U+FFFD replacement characters tolerated when decoding UTF-8 with a few bad bytes
#: (trafilatura's own guess garbles the whole page in that case, so we decode first) ...
MAX_REPLACEMENT_SHARE = 0.001
#: ... and a few bad bytes are tolerated in any text, however short.
MIN_REPLACEMENTS_TOLERATED = 3
#: Byte order marks that say how a text is encoded, longest first (UTF-32 LE starts like
#: UTF-16 LE).
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
#: libxml2 stops building the tree at this depth; deeper content is dropped without a word.
MAX_TREE_DEPTH = 255
#: A leading line like "By Jane Doe and Ali Khan" of at most this many words is a byline.
MAX_BYLINE_WORDS = 10
_BYLINE = re.compile(r"^\s*(?:By|BY|by)\s+\S")
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")


def decode(raw: RawDocument) -> str:
    """The body as text.

    A byte order mark decides first; then UTF-8 (most pages, whatever they declare), then the
    declared charset, then a ``<meta charset>``, then UTF-8 with a few bad bytes replaced,
    then Windows-1252, which decodes any byte.
    """
    body = raw.body
    if not body.strip():
        raise Rejection("extract", "empty", "the input has no content")
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            try:
                return body.decode(encoding)
            except UnicodeDecodeError as exc:
                raise Rejection("extract", "bad_encoding",
                                f"starts with a {encoding} byte order mark but is not {encoding}"
                                ) from exc
    if b"\x00" in body[:4096] or len(_CONTROL.findall(body)) > BINARY_CONTROL_SHARE * len(body):
        raise Rejection("extract", "binary", "the input looks like binary data, not text or HTML")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if raw.charset:
        try:
            return body.decode(raw.charset)
        except (LookupError, UnicodeDecodeError):
            log.debug("declared charset %s failed for %s", raw.charset, raw.source)
    declared = _meta_charset(body)
    if declared:
        try:
            return body.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    text = body.decode("utf-8", errors="replace")
    allowed = max(MIN_REPLACEMENTS_TOLERATED, MAX_REPLACEMENT_SHARE * len(text))
    if text.count("\ufffd") <= allowed:
        return text
    # Most non-UTF-8 news pages without a charset are Windows-1252; it decodes any byte.
    return body.decode("cp1252", errors="replace")


def _meta_charset(body: bytes) -> str | None:
    match = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_\-]+)", body[:4096], re.I)
    return match.group(1).decode("ascii") if match else None


def extract(raw: RawDocument) -> Extracted:
    """Article text and metadata for one raw document."""
    text = decode(raw)
    if raw.format == "text":
        return _extract_text(raw.source, text)
    return _extract_html(raw, text)


def _extract_text(source: str, text: str) -> Extracted:
    """A ``.txt`` article: an optional headline line, then paragraphs.

    Paragraphs are separated by blank lines when the file has any (lines inside a paragraph are
    hard wraps and are joined); otherwise each line is a paragraph.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    title = author = None
    if len(blocks) > 1 and "\n" not in blocks[0].strip() and _looks_like_headline(blocks[0]):
        title = blocks.pop(0).strip()
    if blocks and "\n" not in blocks[0].strip() and _is_byline(blocks[0]):
        author = re.sub(r"^\s*by\s+", "", blocks.pop(0).strip(), flags=re.I).strip() or None
    if len(blocks) > 1 or (blocks and re.search(r"\n\s*\n", text)):
        paragraphs = [join_wrapped_lines(b.splitlines(), text=text) for b in blocks]
    else:
        paragraphs = [line for b in blocks for line in b.splitlines()]
    body = "\n".join(p for p in paragraphs if p.strip())
    if not body.strip():
        raise Rejection("extract", "empty", "the file has no text")
    return Extracted(source=source, format="text", text=body, title=title, author=author)


def _is_byline(line: str) -> bool:
    return bool(_BYLINE.match(line)) and len(line.split()) <= MAX_BYLINE_WORDS


_WRAPPED_HYPHEN = re.compile(r"(\w+)-$")


def join_wrapped_lines(lines: list[str], *, text: str | None = None) -> str:
    """The lines of one hard-wrapped paragraph as one line.

    A word hyphenated across a line break ("inter-" / "national") is joined without its
    hyphen only when the joined word appears unhyphenated elsewhere in the text, so that
    real compounds ("well-" / "known") keep their hyphen: de-hyphenation only where safe.
    """
    context = text if text is not None else " ".join(lines)
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        match = _WRAPPED_HYPHEN.search(out)
        if match and line[:1].isupper():
            out += line  # "Anglo-" / "French": a compound, hyphen kept, no space
        elif match and line[:1].islower():
            head = match.group(1)
            tail = re.match(r"\w+", line)
            joined = head + (tail.group(0) if tail else "")
            if re.search(rf"(?<![\w-]){re.escape(joined)}(?![\w-])", context):
                out = out[:-1] + line  # drop the hyphen: the word exists whole
            else:
                out += line  # keep the hyphen: a compound
        else:
            out = f"{out} {line}" if out else line
    return out


def _looks_like_headline(line: str) -> bool:
    line = line.strip()
    return 0 < len(line) <= 200 and not line.endswith((".", ",", ";", ":"))


def _extract_html(raw: RawDocument, html: str) -> Extracted:
    tree = trafilatura.load_html(html)
    if tree is None:
        raise Rejection("extract", "unparseable", "the HTML could not be parsed")
    depth = tree_depth(tree)
    if depth >= MAX_TREE_DEPTH:
        raise Rejection("extract", "too_deep",
                        f"elements nested {depth}+ levels deep; the parser stops at "
                        f"{MAX_TREE_DEPTH} and the article would be lost silently")
    try:
        meta = extract_metadata(tree, default_url=raw.final_url)
        text = article_body(tree, raw.final_url)
    except MemoryError:
        raise  # the caller bounds memory and says so
    except Exception as exc:  # trafilatura raises many types from lxml; all are terminal here
        raise Rejection("extract", "extractor_error", f"{type(exc).__name__}: {exc}") from exc
    text = _drop_head_lines(text, meta.title, meta.author)
    if not text.strip():
        raise Rejection("extract", "no_article", "no article text found in the page")
    return Extracted(
        source=raw.source,
        format="html",
        text=text,
        title=meta.title or None,
        author=meta.author or None,
        published_at=published_at(tree) or _parse_date(meta.date),
        site_name=meta.sitename or None,
        canonical_url=meta.url or raw.final_url,
        description=meta.description or None,
        language=_html_lang(html),
    )


def tree_depth(tree: HtmlElement) -> int:
    """How deeply the page's elements nest."""
    depth = deepest = 0
    for event, _element in etree.iterwalk(tree, events=("start", "end")):
        depth += 1 if event == "start" else -1
        deepest = max(deepest, depth)
    return deepest


_PUBLISHED_XPATH = (
    '//meta[@property="article:published_time" or @name="article:published_time" or '
    '@itemprop="datePublished" or @name="pubdate" or @name="publish-date" or '
    '@property="og:published_time" or @name="date" or @name="DC.date.issued"]/@content'
    ' | //time[@itemprop="datePublished"]/@datetime'
)


def published_at(tree: HtmlElement) -> datetime | None:
    """The publication time the page declares, to the second, in UTC (naive).

    trafilatura's date finder gives the day only; the page's own metadata usually has the
    time and zone. A value without a zone is taken as UTC; an unparseable one is ignored.
    """
    for value in tree.xpath(_PUBLISHED_XPATH):
        text = str(value).strip().replace("Z", "+00:00")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            continue
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return moment
    return None


def _drop_head_lines(text: str, title: str | None, author: str | None) -> str:
    """Remove a leading copy of the headline and a leading byline from the body text."""
    lines = text.split("\n")
    while lines:
        first = lines[0].strip()
        is_title = bool(title) and first == (title or "").strip()
        if is_title or _is_byline(first):
            lines.pop(0)
        else:
            break
    return "\n".join(lines)


def _parse_date(value: str | None) -> datetime | None:
    """trafilatura's ISO date (day precision) as a naive UTC timestamp; unknown stays None."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        return None


def _html_lang(html: str) -> str | None:
    match = re.search(r"<html[^>]*\slang=[\"']?([A-Za-z]{2,3})", html[:2000], re.I)
    return match.group(1).lower() if match else None

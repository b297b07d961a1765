"""Bytes to article text and metadata: decoding, then trafilatura for HTML.

Plain text goes straight through (trafilatura returns nothing for it). Every way this can fail
is a :class:`Rejection` with a reason, never a silent ``None``.
"""

from __future__ import annotations

import codecs
import logging
import re
from datetime import UTC, datetime

import charset_normalizer
import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.metadata import extract_metadata

from newsmill.errors import Rejection
from newsmill.tasks.body import DEFAULT_RULES, BodyRules, article_body
from newsmill.tasks.models import Extracted, RawDocument

log = logging.getLogger(__name__)

#: Share of control bytes (other than tab, CR, LF, FF) above which input is binary. Text in
#: any encoding has none; 1% tolerates a stray byte in an otherwise good file.
BINARY_CONTROL_SHARE = 0.01
#: Share of U+FFFD replacement characters always tolerated when decoding UTF-8 with a few bad
#: bytes (trafilatura's own guess garbles the whole page in that case, so we decode first) ...
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
    """The body as text, decoded by the evidence, strongest first.

    A byte order mark; UTF-16 without one (every other byte NUL); then UTF-8, when the bytes
    are UTF-8 (most pages, whatever they declare) or nearly so: a few bad bytes among valid
    UTF-8 become U+FFFD and the rest stays intact; then the charset the response or a
    ``<meta>`` declares; then, for bytes in an undeclared legacy encoding, the encoding
    charset-normalizer finds (a Russian page in Windows-1251, a French one in Windows-1252);
    Windows-1252 last, which decodes any byte.
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
    utf16 = utf16_without_bom(body)
    if utf16 is not None:
        try:
            return body.decode(utf16)
        except UnicodeDecodeError as exc:
            raise Rejection("extract", "bad_encoding",
                            f"reads as {utf16} without a byte order mark but is not") from exc
    if b"\x00" in body[:4096] or len(_CONTROL.findall(body)) > BINARY_CONTROL_SHARE * len(body):
        raise Rejection("extract", "binary", "the input looks like binary data, not text or HTML")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    replaced = body.decode("utf-8", errors="replace")
    if _mostly_utf8(body, replaced):
        return replaced
    for declared in (raw.charset, _meta_charset(body)):
        codec = _codec(declared)
        if codec == "utf-8":
            return replaced  # declared UTF-8 and nearly so: the bad bytes are bad bytes
        if codec is not None:
            try:
                return body.decode(codec)
            except UnicodeDecodeError:
                log.debug("declared charset %s failed for %s", declared, raw.source)
    guessed = _detected_encoding(body)
    if guessed is not None:
        try:
            return body.decode(guessed)
        except (LookupError, UnicodeDecodeError):
            log.debug("detected encoding %s failed for %s", guessed, raw.source)
    # Most non-UTF-8 news pages without a charset are Windows-1252; it decodes any byte.
    return body.decode("cp1252", errors="replace")


#: Share of the sampled code units that must be NUL, at odd (LE) or even (BE) offsets only,
#: for bytes without a byte order mark to be read as UTF-16: Latin-script text in UTF-16 has
#: one NUL in every other byte; binary data has them anywhere.
UTF16_NUL_SHARE = 0.3


def utf16_without_bom(body: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when the bytes look like UTF-16 without a byte order
    mark, else None."""
    head = body[:4096]
    pairs = len(head) // 2
    if pairs < 4 or len(body) % 2:
        return None
    even = head[0:pairs * 2:2].count(0)
    odd = head[1:pairs * 2:2].count(0)
    if odd >= UTF16_NUL_SHARE * pairs and even == 0:
        return "utf-16-le"
    if even >= UTF16_NUL_SHARE * pairs and odd == 0:
        return "utf-16-be"
    return None


def _mostly_utf8(body: bytes, replaced: str) -> bool:
    """Whether bytes that are not quite UTF-8 are UTF-8 with a few bad bytes: few enough in
    all, or outnumbered by the valid multi-byte characters around them (text in a legacy
    encoding makes almost no valid UTF-8 sequences)."""
    bad = replaced.count("\ufffd") - body.count(b"\xef\xbf\xbd")
    allowed = max(MIN_REPLACEMENTS_TOLERATED, MAX_REPLACEMENT_SHARE * len(replaced))
    if bad <= allowed:
        return True
    multibyte = len(replaced) - len(replaced.encode("ascii", "ignore")) - bad
    return multibyte >= UTF8_EVIDENCE_RATIO * bad


#: Valid multi-byte UTF-8 characters needed per bad byte to read the bytes as UTF-8.
UTF8_EVIDENCE_RATIO = 2
#: Declared charsets the web reads as Windows-1252 (the WHATWG encoding standard does).
_READ_AS_CP1252 = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii",
                             "us-ascii", "iso_8859-1", "cp819"})


def _codec(declared: str | None) -> str | None:
    """The Python codec of a declared charset (None when unknown)."""
    if not declared:
        return None
    name = declared.strip().strip("\"'").lower()
    if name in _READ_AS_CP1252:
        return "cp1252"
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return "utf-8" if codec in {"utf-8", "utf-8-sig"} else codec


def _detected_encoding(body: bytes) -> str | None:
    """The legacy encoding charset-normalizer reads the bytes in; Windows-1252 when it is one
    of the encodings that give the same text (they agree on the bytes present)."""
    best = charset_normalizer.from_bytes(body).best()
    if best is None:
        return None
    if "cp1252" in best.could_be_from_charset:
        return "cp1252"
    return str(best.encoding)


def _meta_charset(body: bytes) -> str | None:
    """The charset a ``<meta>`` tag (or an XML declaration) near the top declares."""
    match = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_\-]+)", body[:4096], re.I)
    if match is None:
        match = re.search(rb"<\?xml[^>]+encoding=[\"']([A-Za-z0-9_\-]+)", body[:200], re.I)
    return match.group(1).decode("ascii") if match else None


def extract(raw: RawDocument, rules: BodyRules = DEFAULT_RULES) -> Extracted:
    """Article text and metadata for one raw document (``rules``: which body rules apply to
    HTML; all of them but for measuring what one is worth)."""
    text = decode(raw)
    if raw.format == "text" or not _MARKUP.search(text):
        return _extract_text(raw.source, text)  # a page of plain text is read as text
    return _extract_html(raw, text, rules)


#: A tag, a comment, a doctype or an XML declaration: what makes text HTML.
_MARKUP = re.compile(r"<(?:[A-Za-z][\w:-]*[\s/>]|/[A-Za-z][\w:-]*\s*>|!--|!doctype|\?xml)", re.I)


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


def _extract_html(raw: RawDocument, html: str, rules: BodyRules) -> Extracted:
    # One parse serves the depth check, the metadata, the body passes (trafilatura copies the
    # tree for each) and the publication time.
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
        text = article_body(tree, raw.final_url, rules)
    except MemoryError:
        raise  # the caller bounds memory and says so
    except Exception as exc:  # trafilatura raises many types from lxml; all are terminal here
        raise Rejection("extract", "extractor_error", f"{type(exc).__name__}: {exc}") from exc
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

"""Hostile inputs, all in one run: every kind ends as a document or as a rejection with its
stage and reason, and the good articles given beside them load.

Every input is made here: files (binary, empty, NUL bytes, wrong and missing encodings, names
that are not UTF-8 or too long, links to nothing, pipes, folders named like pages, a page of
10 MB ...), lines of an ``@list``, malformed URLs, and pages served by the loopback server of
``tests/tasks/fetch`` (a gzip bomb, wrong content types, a redirect to a malformed URL ...) on
127.0.0.1 only. One :func:`ingest_run` takes them all together, as a user's run would: before,
several of these ended the whole run with nothing loaded.
"""

from __future__ import annotations

import codecs
import gzip
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from helpers import query_rows

from newsmill.flows.pipeline import Steps, ingest_run
from newsmill.settings import Settings
from newsmill.tasks.fetch.plan import Plan, plan_articles
from newsmill.tasks.models import Source

sys.path.insert(0, str(Path(__file__).resolve().parent / "tasks" / "fetch"))
from loopback_server import (
    LoopbackServer,
    redirect,
    send,
    start_server,
    stop_server,
)

pytestmark = pytest.mark.model

CORPUS = Path(__file__).resolve().parent.parent / "samples" / "corpus"
GOOD = ("kenya-drought-herders.txt", "liverpool-port-strike-empty-shelves.txt",
        "atlas-courier-swiss-glaciers.html", "harbour-gazette-council-budget.html")

PLACES = ("Harwick", "Dunmore", "Eastleigh", "Port Allen", "Kestrel Bay", "Mirefield",
          "Ostend Row", "Calder", "Brightwater", "Fenwick", "Gorse Hill", "Holloway",
          "Ivybridge", "Juniper", "Kingsmoor", "Larchmont", "Millbrook", "Northgate",
          "Oakhurst", "Pembrey", "Queensferry", "Redmire")


def story(n: int) -> str:
    """A distinct English news text of about 700 characters, with curly quotes."""
    place = PLACES[n % len(PLACES)]
    return (f"{place} council approves new ferry timetable\n\n"
            f"The council of {place} voted on Tuesday to approve a new ferry timetable, "
            f"story number {n}, after months of complaints from commuters about late boats. "
            f"“We listened to every passenger who wrote to us,” said Mayor Ellen Brook, who "
            f"chairs the transport committee. The new timetable adds {n + 3} sailings a day "
            "and moves the first departure to six in the morning.\n\n"
            "Opposition councillors said the plan was rushed. “Nobody has costed the extra "
            "crews,” said councillor David Osei, adding that the harbour workers’ union had not "
            "been consulted. The timetable starts next month and will be reviewed in the spring, "
            "the council said in a statement on its website.\n")


def page(n: int, *, charset: str | None = "utf-8") -> str:
    """The story as an HTML page (a ``<meta charset>`` unless ``charset`` is None)."""
    text = story(n)
    title, *paragraphs = [p for p in text.split("\n\n") if p.strip()]
    meta = f'<meta charset="{charset}">' if charset else ""
    body = "".join(f"<p>{p.strip()}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html lang=\"en\"><head>{meta}<title>{title}</title></head>"
            f"<body><article><h1>{title}</h1>{body}</article></body></html>")


RUSSIAN = ("Правительство объявило во вторник о новых мерах поддержки фермеров, пострадавших "
           "от засухи. «Мы не оставим их одних», — сказал министр сельского хозяйства на "
           "пресс-конференции в Москве. Программа начнёт работать в следующем месяце. ")

# What each input ends as: ("document", check) or ("rejection", stage, reason).
Outcome = tuple[Any, ...]


class Inputs:
    """The run's SOURCE arguments, and what each input must end as (by stored source)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / "in"
        self.folder.mkdir()
        self.arguments: list[str] = [str(self.folder)]
        self.expected: dict[str, Outcome] = {}
        self.kinds: dict[str, str] = {}

    def file(self, kind: str, name: str | bytes, body: bytes | str, outcome: Outcome, *,
             folder: Path | None = None) -> str:
        where = os.fsencode(folder or self.folder)
        raw_name = name if isinstance(name, bytes) else name.encode()
        path = os.path.join(where, raw_name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(body.encode("utf-8") if isinstance(body, str) else body)
        return self.expect(kind, stored(os.fsdecode(path)), outcome)

    def expect(self, kind: str, source: str, outcome: Outcome) -> str:
        assert source not in self.expected, f"two kinds share {source}"
        self.expected[source] = outcome
        self.kinds[source] = kind
        return source


def stored(location: str) -> str:
    """A location as the warehouse stores it (names that are not UTF-8 escaped)."""
    return location.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def document(check: Callable[[dict[str, Any]], bool] | None = None) -> Outcome:
    return ("document", check)


def rejected(stage: str, reason: str) -> Outcome:
    return ("rejection", stage, reason)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    httpd, thread = start_server()
    try:
        yield httpd
    finally:
        stop_server(httpd, thread)


def _make_inputs(tmp_path: Path, server: LoopbackServer) -> tuple[Inputs, Path]:
    x = Inputs(tmp_path)
    n = iter(range(1000))

    # The good articles, copied from the sample corpus: they must load whatever else is given.
    for name in GOOD:
        x.file(f"good article {name}", name, (CORPUS / name).read_bytes(), document())

    # Bytes that are no text.
    x.file("binary data (a PNG)", "image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50,
           rejected("extract", "binary"))
    x.file("random bytes", "noise.txt", bytes(range(256)) * 40, rejected("extract", "binary"))
    x.file("empty file", "empty.txt", b"", rejected("extract", "empty"))
    x.file("only whitespace", "blank.html", b" \n\t\r\n " * 20, rejected("extract", "empty"))
    x.file("NUL bytes in text", "nul.txt", story(next(n)).encode().replace(b" ", b"\x00"),
           rejected("extract", "binary"))
    x.file("a UTF-8 BOM, then bytes that are not UTF-8", "badbom.txt",
           codecs.BOM_UTF8 + story(next(n)).encode("cp1252") + b"\xff\xfe\xfa",
           rejected("extract", "bad_encoding"))

    # Sizes and shapes.
    x.file("one line of 1.2 million characters", "hugeline.txt",
           ("word " * 240_000).encode(), rejected("normalise", "too_long"))
    x.file("a page of 10 MB", "ten-megabytes.html",
           b"<html><body><p>" + b"filler text " * 880_000 + b"</p></body></html>",
           rejected("fetch", "too_large"))
    x.file("elements nested 5000 deep", "deep.html",
           "<html><body>" + "<div>" * 5000 + "<p>" + story(next(n)) + "</p>" + "</div>" * 5000
           + "</body></html>", rejected("extract", "too_deep"))
    x.file("a text whose parse would pass the NLP memory ceiling (315,000 characters)",
           "memory-ceiling.txt", "\n\n".join(story(1000 + i) for i in range(450)),
           rejected("nlp", "too_large"))
    x.file("a text too short to be an article", "tiny.txt", "Hi.\n",
           rejected("normalise", "too_short"))
    x.file("invisible characters only", "invisible.txt", "\u200b\u200c\u2060\ufeff" * 200,
           rejected("normalise", "too_short"))
    x.file("a page with no article (navigation only)", "nav.html",
           "<html><body><nav><a href='/a'>Home</a> <a href='/b'>News</a></nav>"
           "<script>var x = 1;</script></body></html>", rejected("normalise", "too_short"))
    x.file("broken HTML: unclosed tags and stray brackets", "broken.htm",
           "<html><body><div><p>" + story(next(n)).replace("\n\n", "<p>< >>")
           + "<b><i></div></span>", document())

    # Encodings.
    x.file("UTF-8 with five invalid bytes", "five-bad-bytes.html",
           page(next(n)).encode().replace(b"Tuesday", b"Tues\xffday", 1)
           .replace(b"commuters", b"comm\xfe\xfeuters", 1).replace(b"month", b"mo\x80\x81nth", 1),
           document(lambda d: d["clean_text"].count("\ufffd") == 5
                    and "“We listened" in d["clean_text"]))
    x.file("Windows-1251 Russian, no charset declared", "cp1251.html",
           f"<html><body><article><h1>Новости</h1><p>{RUSSIAN * 3}</p></article></body>"
           "</html>".encode("cp1251"),
           document(lambda d: "Правительство" in d["clean_text"] and d["language"] == "ru"))
    x.file("Windows-1252 text, no charset declared", "cp1252.txt",
           story(next(n)).encode("cp1252"), document(lambda d: "“We listened" in d["clean_text"]))
    x.file("a charset declared that the bytes are not", "lying-meta.html",
           page(next(n), charset="shift_jis").encode("utf-8"),
           document(lambda d: "“We listened" in d["clean_text"]))
    x.file("a UTF-8 byte order mark", "bom8.txt", codecs.BOM_UTF8 + story(next(n)).encode(),
           document(lambda d: not d["clean_text"].startswith("\ufeff")))
    x.file("UTF-16 with a byte order mark", "bom16.html",
           codecs.BOM_UTF16_LE + page(next(n), charset=None).encode("utf-16-le"), document())
    x.file("UTF-16 without a byte order mark", "nobom16.txt",
           story(next(n)).encode("utf-16-le"),
           document(lambda d: "“We listened" in d["clean_text"]))
    x.file("UTF-32 with a byte order mark", "bom32.txt",
           story(next(n)).encode("utf-32"), document())
    x.file("mixed line endings", "line-endings.txt",
           story(next(n)).replace("\n\n", "\r\n\r\n", 1).replace(". ", ".\r", 2).encode(),
           document(lambda d: "\r" not in d["clean_text"]))
    x.file("control characters in the text", "controls.txt",
           story(next(n)).replace(" the ", " the\x07 ", 3).replace("said", "sa\x1bid", 1).encode(),
           document(lambda d: "\x07" not in d["clean_text"] and "\x1b" not in d["clean_text"]))

    # Content and name disagree.
    x.file("a .txt holding HTML", "page-in.txt", page(next(n)),
           document(lambda d: d["source_format"] == "html" and "<p>" not in d["clean_text"]))
    x.file("a .html holding plain text", "text-in.html", story(next(n)),
           document(lambda d: d["source_format"] == "text"))

    # Names.
    x.file("a file name that is not UTF-8", b"caf\xe9-story.txt", story(next(n)), document())
    x.file("a folder name that is not UTF-8", b"dossier-\xff\xfe/story.txt", story(next(n)),
           document())
    x.file("a folder named like a page", "folder.html/inside.txt", story(next(n)), document())
    (tmp_path / " spaced.txt").write_text(story(next(n)), encoding="utf-8")
    x.arguments.append(" spaced.txt")  # relative to the run's folder, as typed
    x.expect("a file name with a leading space", " spaced.txt", document())
    dup_body = story(next(n))
    first_copy = x.file("duplicate files: the first copy", "copy-a.txt", dup_body, document())
    x.file("duplicate files: the second copy", "copy-b.txt", dup_body,
           ("same document", first_copy))

    # Things in a folder that are not files.
    link = x.folder / "dangling.html"
    link.symlink_to(tmp_path / "nowhere.html")
    x.expect("a dangling symlink", str(link), rejected("discover", "dangling_symlink"))
    os.mkfifo(x.folder / "pipe.html")
    x.expect("a named pipe (fifo)", str(x.folder / "pipe.html"),
             rejected("discover", "not_a_file"))
    vanishing = x.file("a file that vanishes between listing and reading", "vanishing.txt",
                       story(next(n)), rejected("fetch", "not_found"))

    # SOURCE arguments.
    missing = str(tmp_path / "no-such-file.txt")
    x.arguments.append(missing)
    x.expect("a missing file", missing, rejected("discover", "not_found"))
    too_long = str(tmp_path / ("n" * 300 + ".txt"))
    x.arguments.append(too_long)
    x.expect("a SOURCE longer than a name may be", too_long, rejected("discover", "name_too_long"))
    x.arguments.append(str(tmp_path / "bad\x00name.txt"))
    x.expect("a NUL byte in a SOURCE", str(tmp_path / "bad\x00name.txt"),
             rejected("discover", "bad_path"))
    picture = x.file("an unsupported file type given directly", "picture.png", b"\x89PNG",
                     rejected("discover", "unsupported_file_type"), folder=tmp_path)
    x.arguments.append(picture)
    (tmp_path / "empty-folder").mkdir()
    x.arguments.append(str(tmp_path / "empty-folder"))
    x.expect("a folder with no articles", str(tmp_path / "empty-folder"),
             rejected("discover", "no_articles"))

    # An @list: good and bad lines.
    x.file("a file named by an @list, its name not UTF-8", b"listed-\xe9.txt",
                    story(next(n)), document(), folder=tmp_path)
    long_line = str(tmp_path / ("m" * 5000))
    x.expect("an @list line longer than a name may be", long_line,
             rejected("discover", "name_too_long"))
    listing = tmp_path / "sources.list"
    listing.write_bytes(b"# a comment\n" + os.fsencode(long_line) + b"\n"
                        + os.path.join(os.fsencode(tmp_path), b"listed-\xe9.txt") + b"\r\n")
    x.arguments.append(f"@{listing}")
    x.arguments.append(f"@{tmp_path / 'no-such.list'}")
    x.expect("a missing @list", f"@{tmp_path / 'no-such.list'}",
             rejected("discover", "unreadable_list"))

    # URLs that cannot be fetched as given.
    for kind, url, reason in (
        ("an unclosed IPv6 bracket", "http://[::1/x", "bad_url"),
        ("a port that is no number", "http://127.0.0.1:port/a", "bad_url"),
        ("a port out of range", "http://127.0.0.1:99999/a", "bad_url"),
        ("a URL with no host", "http:///only/a/path", "bad_url"),
        ("bytes that are not UTF-8 in a URL", "http://127.0.0.1/caf\udce9", "bad_url"),
        ("an unsupported scheme (ftp)", "ftp://127.0.0.1/story.html", "unsupported_scheme"),
        ("an unsupported scheme (file)", "file:///etc/passwd", "unsupported_scheme"),
    ):
        x.arguments.append(url)
        x.expect(kind, stored(url), rejected("discover", reason))

    # Pages served by the loopback server.
    def route(kind: str, path: str, handler: Callable[[Any, int], None],
              outcome: Outcome) -> None:
        server.route(path, handler)
        x.arguments.append(server.url(path))
        x.expect(kind, server.url(path), outcome)

    good_page = page(next(n))
    route("a good page over HTTP", "/good", lambda h, _n: send(h, 200, good_page), document())
    bomb = gzip.compress(b"<html><body><p>" + b"a" * 40_000_000 + b"</p></body></html>", 9)
    route("a gzip bomb (40 MB from 40 kB)", "/bomb",
          lambda h, _n: send(h, 200, bomb, headers={"Content-Encoding": "gzip"}),
          rejected("fetch", "too_large"))
    route("a bad gzip body", "/badgzip",
          lambda h, _n: send(h, 200, b"\x1f\x8bnot gzip at all" * 10,
                             headers={"Content-Encoding": "gzip"}),
          rejected("fetch", "bad_encoding"))
    route("HTTP 404", "/gone", lambda h, _n: send(h, 404, "not here"),
          rejected("fetch", "http_404"))
    route("a picture's content type", "/picture.png",
          lambda h, _n: send(h, 200, b"\x89PNG" * 10, content_type="image/png"),
          rejected("fetch", "unsupported_content_type"))
    route("a redirect to a malformed URL", "/to-bad",
          lambda h, _n: redirect(h, "http://[::1/x"), rejected("fetch", "fetch_error"))
    cp1251_page = (f"<html><body><article><h1>Засуха</h1><p>{RUSSIAN * 2}</p>"
                   "<p>Урожай пшеницы упал на треть, сообщили в министерстве.</p></article>"
                   "</body></html>").encode("cp1251")
    route("Windows-1251 declared in the HTTP header", "/cp1251",
          lambda h, _n: send(h, 200, cp1251_page, content_type="text/html; charset=windows-1251"),
          document(lambda d: "Урожай пшеницы" in d["clean_text"]))
    plain = story(next(n))
    route("plain text served as text/html", "/plain-as-html",
          lambda h, _n: send(h, 200, plain), document(lambda d: d["source_format"] == "text"))
    route("an empty 200 response", "/empty", lambda h, _n: send(h, 200, b""),
          rejected("extract", "empty"))
    return x, Path(vanishing)


def test_every_hostile_input_ends_as_a_document_or_a_rejection(
        tmp_path: Path, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs, vanishing = _make_inputs(tmp_path, server)
    assert len(set(inputs.kinds.values())) >= 40
    monkeypatch.chdir(tmp_path)  # " spaced.txt" is relative
    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb").replace(
        fetch_allow_hosts="127.0.0.1", fetch_host_delay=0.0, fetch_retries=0,
        fetch_timeout=5.0, archive_dir=str(tmp_path / "warc"),
        nlp_memory_mb=1024)  # about 256,000 characters; the good articles are far shorter

    def plan_then_vanish(given: Sequence[Source], s: Settings, run_id: str,
                         **options: Any) -> Plan:
        vanishing.unlink()  # listed by the expansion, gone before it is read
        return plan_articles(given, s, run_id, **options)

    result = ingest_run(inputs.arguments, settings, Steps(plan=plan_then_vanish))

    rejections = {source: (stage, reason) for source, stage, reason in query_rows(
        settings.db, "select source, stage, reason from rejections")}
    seen = dict(query_rows(settings.db, "select source, document_id from document_sources"))
    columns = ("document_id", "clean_text", "source_format", "language", "title")
    documents = {row[0]: dict(zip(columns, row, strict=True)) for row in query_rows(
        settings.db, "select document_id, clean_text, source_format, language, title "
                     "from documents")}
    wrong: list[str] = []
    for source, outcome in inputs.expected.items():
        kind = inputs.kinds[source]
        if outcome[0] == "rejection":
            if rejections.get(source) != outcome[1:]:
                got = rejections.get(source) or ("document" if source in seen else "nothing")
                wrong.append(f"{kind}: expected rejection {outcome[1:]}, got {got}")
        elif outcome[0] == "same document":
            if source not in seen or seen[source] != seen.get(outcome[1]):
                wrong.append(f"{kind}: not stored as the same document as its copy")
        else:
            check = outcome[1]
            if source not in seen:
                wrong.append(f"{kind}: expected a document, got "
                             f"{rejections.get(source, 'nothing')}")
            elif check is not None and not check(documents[seen[source]]):
                wrong.append(f"{kind}: the document is not as expected: "
                             f"{str(documents[seen[source]])[:300]}")
    unexpected = sorted(set(rejections) - set(inputs.expected))
    assert not wrong and not unexpected, "\n".join(
        wrong + [f"unexpected: {u}" for u in unexpected])
    assert query_rows(settings.db, "select run_id, status from runs") == [
        (result.run_id, "completed")]
    for name in GOOD:
        assert str(inputs.folder / name) in seen

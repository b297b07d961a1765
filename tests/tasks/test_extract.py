"""Bytes to article text: tasks.extract.decode and tasks.extract.extract."""

from __future__ import annotations

import codecs
from datetime import datetime

import pytest

from newsmill.errors import Rejection
from newsmill.tasks.extract import decode, extract
from newsmill.tasks.models import RawDocument

SENTENCE = "Café owners in Zürich said the “new rules” were naïve — and costly. "


def raw(body: bytes, fmt: str = "text", **kwargs) -> RawDocument:
    return RawDocument(source="test://doc", body=body, format=fmt, **kwargs)


def rejection(document: RawDocument, func=decode) -> Rejection:
    with pytest.raises(Rejection) as info:
        func(document)
    assert info.value.stage == "extract"
    return info.value


@pytest.mark.parametrize("body", [b"", b"   \n\t\r\n  "])
def test_empty_input_is_rejected(body):
    assert rejection(raw(body)).reason == "empty"
    assert rejection(raw(body, "html"), extract).reason == "empty"


@pytest.mark.parametrize(
    "body",
    [
        b"GIF89a\x00\x01\x02\x03 some text",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        bytes(range(256)) * 4,
    ],
)
def test_binary_input_is_rejected(body):
    assert rejection(raw(body)).reason == "binary"


def test_utf8_decodes_as_is():
    assert decode(raw(SENTENCE.encode("utf-8"))) == SENTENCE


def _with_one_bad_byte(repeats: int) -> tuple[bytes, str]:
    good = SENTENCE * repeats
    return good.encode("utf-8") + b"\xffFin.", good + "\ufffdFin."


def test_utf8_with_one_invalid_byte_keeps_the_rest_intact():
    body, expected = _with_one_bad_byte(repeats=40)  # ~2,700 characters
    text = decode(raw(body))
    assert text == expected
    assert "Café" in text and "“new rules”" in text


def test_short_utf8_article_with_one_invalid_byte_keeps_the_rest_intact():
    body, expected = _with_one_bad_byte(repeats=6)  # ~400 characters, a short news brief
    assert decode(raw(body)) == expected


def test_cp1252_with_declared_charset():
    text = "Résumé of the “talks” — €5 million, naïve façade…"
    assert decode(raw(text.encode("cp1252"), charset="cp1252")) == text
    assert decode(raw(text.encode("cp1252"), charset="windows-1252")) == text


def test_cp1252_declared_in_a_meta_tag():
    html = '<html><head><meta charset="windows-1252"></head><body>“Zoë” — déjà vu</body></html>'
    assert decode(raw(html.encode("cp1252"), "html")) == html


def test_wrong_declared_charset_falls_back():
    text = "Plain café text"
    assert decode(raw(text.encode("utf-8"), charset="no-such-codec")) == text


def test_utf8_bom_is_removed():
    text = decode(raw(codecs.BOM_UTF8 + SENTENCE.encode("utf-8")))
    assert text == SENTENCE
    assert not text.startswith("\ufeff")


def test_utf16_with_bom_and_declared_charset_decodes():
    body = SENTENCE.encode("utf-16")
    assert decode(raw(body, charset="utf-16")).lstrip("\ufeff") == SENTENCE


def test_text_file_headline_and_hard_wrapped_paragraphs():
    body = (
        "Harbour town votes to rebuild its pier\n"
        "\n"
        "The council of Port Ellery voted on Tuesday\n"
        "to rebuild the wooden ferry pier.\n"
        "\n"
        "   \n"
        "Councillors approved the plan by seven\r\n"
        "votes to two after a long meeting.\n"
    )
    result = extract(raw(body.encode("utf-8")))
    assert result.format == "text"
    assert result.source == "test://doc"
    assert result.title == "Harbour town votes to rebuild its pier"
    assert result.text == (
        "The council of Port Ellery voted on Tuesday to rebuild the wooden ferry pier.\n"
        "Councillors approved the plan by seven votes to two after a long meeting."
    )


def test_text_file_without_blank_lines_is_one_paragraph_per_line_and_no_title():
    body = "First line of the story.\nSecond line of the story.\nThird line."
    result = extract(raw(body.encode()))
    assert result.title is None
    assert result.text == body


def test_text_file_first_line_ending_with_a_full_stop_is_not_a_headline():
    body = "This opens the story.\n\nAnd this continues it."
    result = extract(raw(body.encode()))
    assert result.title is None
    assert result.text == "This opens the story.\nAnd this continues it."


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>Gallery</title></head><body><div><img src='a.jpg'>"
        "<script>var x = 1;</script></div></body></html>",
        "<html><body><p>   </p></body></html>",
    ],
)
def test_html_without_article_text_is_no_article(html):
    err = rejection(raw(html.encode(), "html"), extract)
    assert err.reason == "no_article"


NAV = "Subscribe to our newsletter today"
FOOTER = "Cookie settings and privacy policy"
PARAGRAPHS = [
    "The council of Port Ellery voted on Tuesday to rebuild the wooden ferry pier that storms "
    "damaged two winters ago, ending a long argument about whether the town could afford it.",
    "Councillors approved the plan by seven votes to two after a three-hour meeting in the town "
    "hall, where more than a hundred residents queued for the public gallery.",
    "The new pier will be built from recycled steel and hardwood, and engineers expect the work "
    "to take about eighteen months once the contracts are signed in the autumn.",
    "Fishing crews, who have unloaded their catch at a temporary pontoon since the storms, said "
    "the decision would bring back trade that had moved to larger harbours along the coast.",
    "The mayor said the town would apply for a regional grant to cover part of the cost, and "
    "that the rest would come from harbour fees over the next decade.",
]
TITLE = "Harbour town votes to rebuild its old ferry pier"
PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{TITLE} | The Coastal Ledger</title>
<meta property="og:title" content="{TITLE}">
<meta name="author" content="Marta Kowalski">
<meta property="article:published_time" content="2024-05-14T09:30:00+00:00">
<meta property="og:site_name" content="The Coastal Ledger">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">{NAV}</a></li>
<li><a href="/sport">Sport scores and fixtures</a></li></ul></nav></header>
<main><article><h1>{TITLE}</h1><p class="byline">By Marta Kowalski</p>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
</article></main>
<footer><p>Copyright 2024 The Coastal Ledger. All rights reserved. {FOOTER}.</p></footer>
</body></html>"""


def test_html_article_page():
    result = extract(raw(PAGE.encode("utf-8"), "html"))
    assert result.format == "html"
    assert result.title == TITLE
    assert result.author == "Marta Kowalski"
    # The page's own article:published_time, to the second, in UTC.
    assert result.published_at == datetime(2024, 5, 14, 9, 30)
    assert result.site_name == "The Coastal Ledger"
    assert result.language == "en"
    assert result.text.split("\n") == PARAGRAPHS
    for clutter in (NAV, "Sport scores", FOOTER, "By Marta Kowalski", "Copyright"):
        assert clutter not in result.text



def test_html_body_rules_can_be_left_out_for_measuring():
    from dataclasses import replace

    from newsmill.tasks.body import DEFAULT_RULES

    kept = extract(raw(PAGE.encode("utf-8"), "html"),
                   replace(DEFAULT_RULES, leading_headline=False))
    assert extract(raw(PAGE.encode("utf-8"), "html")).text.split("\n") == PARAGRAPHS
    assert kept.text.split("\n")[0] == TITLE  # the headline's copy stays in the body
    assert kept.text.split("\n")[1:] == PARAGRAPHS

# --- hard-wrapped text files: de-hyphenation only where safe, bylines --------------------------

@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["The inter-", "national press came."], "The inter-national press came."),
        (["The inter-", "national press. The international desk."],
         "The international press. The international desk."),
        (["A well-", "known figure."], "A well-known figure."),
        (["Ends with a dash -", "next line"], "Ends with a dash - next line"),
        (["Talks: Anglo-", "French ones"], "Talks: Anglo-French ones"),
        (["no wrap at all"], "no wrap at all"),
    ],
)
def test_join_wrapped_lines(lines: list[str], joined: str) -> None:
    from newsmill.tasks.extract import join_wrapped_lines

    assert join_wrapped_lines(lines) == joined


def test_text_file_byline_becomes_the_author() -> None:
    body = b"Port reopens\n\nBy Amara Osei\n\nThe port reopened on Monday after a week.\n"
    result = extract(raw(body, "text"))
    assert result.title == "Port reopens"
    assert result.author == "Amara Osei"
    assert result.text == "The port reopened on Monday after a week."


# Decoding by the evidence: text is never garbled without a word.

RUSSIAN = ("Правительство объявило во вторник о новых мерах поддержки фермеров, пострадавших от "
           "засухи. «Мы не оставим их одних», — сказал министр сельского хозяйства. ")


def test_utf8_page_with_five_invalid_bytes_stays_utf8():
    body = ((SENTENCE * 8).encode("utf-8") + b"\x92 \xe9 \xff\xfe \x80 "
            + (SENTENCE * 8).encode("utf-8"))
    text = decode(raw(body, "html"))
    assert text.count("\ufffd") == 5
    assert text.count("“new rules”") == 16 and "Café" in text  # no mojibake anywhere


def test_cp1251_page_without_a_declared_charset_is_cyrillic():
    html = f"<html><head><title>Новости</title></head><body><p>{RUSSIAN * 3}</p></body></html>"
    assert decode(raw(html.encode("cp1251"), "html")) == html


def test_cp1252_text_without_a_declared_charset_is_still_read_as_cp1252():
    text = "The minister said “we will not leave them alone” — and he meant it. " * 4
    assert decode(raw(text.encode("cp1252"))) == text


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_decodes(codec):
    assert decode(raw((SENTENCE * 5).encode(codec))) == SENTENCE * 5


def test_an_html_page_holding_plain_text_is_read_as_text():
    body = ("Harbour council agrees ferry timetable\n\n" + "The council met on Tuesday. " * 20)
    out = extract(raw(body.encode(), "html"))
    assert out.format == "text" and out.title == "Harbour council agrees ferry timetable"

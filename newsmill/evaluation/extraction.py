"""Running the pipeline's extraction over an article-extraction benchmark folder.

A folder holds ``ground-truth.json`` (``{id: {"articleBody": ..., "url": ...}}``) and
``html/<id>.html.gz`` (or ``.html``), as the Zyte/ScrapingHub benchmark ships them.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from newsmill.errors import Rejection
from newsmill.evaluation.measures import ExtractionScore, PageMatch, score_extraction
from newsmill.tasks.extract import extract
from newsmill.tasks.models import RawDocument
from newsmill.tasks.normalise import clean


def load_benchmark(folder: Path) -> tuple[dict[str, str], dict[str, tuple[bytes, str | None]]]:
    """``(truth by id, (html bytes, url) by id)``."""
    truth_file = folder / "ground-truth.json"
    if not truth_file.is_file():
        raise FileNotFoundError(f"{truth_file} not found: not a benchmark folder")
    records = json.loads(truth_file.read_text(encoding="utf-8"))
    truth: dict[str, str] = {}
    pages: dict[str, tuple[bytes, str | None]] = {}
    for key, record in records.items():
        truth[key] = record.get("articleBody") or ""
        packed, plain = folder / "html" / f"{key}.html.gz", folder / "html" / f"{key}.html"
        if packed.is_file():
            pages[key] = (gzip.decompress(packed.read_bytes()), record.get("url"))
        elif plain.is_file():
            pages[key] = (plain.read_bytes(), record.get("url"))
    return truth, pages


def extract_pages(pages: dict[str, tuple[bytes, str | None]]) -> tuple[dict[str, str],
                                                                         dict[str, str]]:
    """The clean text newsmill would store for each page, and why any page gave none."""
    texts: dict[str, str] = {}
    failures: dict[str, str] = {}
    for key, (body, url) in sorted(pages.items()):
        raw = RawDocument(source=key, body=body, format="html", final_url=url)
        try:
            texts[key] = clean(extract(raw).text)
        except Rejection as rejection:
            failures[key] = f"{rejection.reason}: {rejection.detail}"
    return texts, failures


def evaluate_extraction(folder: Path) -> tuple[ExtractionScore, dict[str, PageMatch],
                                               dict[str, str]]:
    truth, pages = load_benchmark(folder)
    texts, failures = extract_pages(pages)
    score, per_page = score_extraction(truth, texts)
    return score, per_page, failures

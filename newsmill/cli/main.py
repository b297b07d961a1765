"""The ``newsmill`` command line: ``ingest``, ``sql`` and ``settings``.

``main(argv)`` takes an explicit argument list so tests can drive it in-process.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import duckdb
from rich.progress import Progress, TaskID

#: How long `newsmill sql` waits for a writer to let go of the warehouse: a batch commit
#: holds it for well under a second.
READ_LOCK_WAIT = 30.0
# Statement types `newsmill sql` runs; everything else (INSERT, COPY, ATTACH ...) is refused.
READ_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "PRAGMA", "RELATION"})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsmill",
        description="News articles in, an analytical DuckDB warehouse out.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    ingest = sub.add_parser("ingest", help="ingest files, folders, URLs or @lists")
    ingest.add_argument("sources", nargs="+", metavar="SOURCE",
                        help="a .html/.htm/.txt file, a folder, an http(s) URL, or @list.txt")
    ingest.add_argument("--db", help="DuckDB file (default: $NEWSMILL_DB or data/newsmill.duckdb)")
    ingest.add_argument("--batch-size", type=int, help="documents per batch")
    ingest.add_argument("--model", help="spaCy pipeline (default: best installed)")
    kind = ingest.add_mutually_exclusive_group()
    kind.add_argument("--feed", dest="urls_are", action="store_const", const="feed",
                      help="every URL given is an RSS/Atom/JSON feed")
    kind.add_argument("--sitemap", dest="urls_are", action="store_const", const="sitemap",
                      help="every URL given is a sitemap (or sitemap index)")
    kind.add_argument("--discover", dest="urls_are", action="store_const", const="homepage",
                      help="every URL given is a home page: read its feeds, or its article links")
    ingest.add_argument("--max-articles", type=int, metavar="N",
                        help="fetch at most N new articles")
    ingest.add_argument("--refresh", action="store_true",
                        help="fetch pages already stored again (conditional GET)")
    ingest.add_argument("--prefect", action="store_true",
                        help="run as a Prefect flow even without a Prefect API configured "
                             "(starts Prefect's temporary local server: slower to start)")
    ingest.add_argument("--no-progress", action="store_true", help="no progress bar")
    ingest.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")

    again = sub.add_parser("reextract",
                           help="extract stored pages again from the WARC archive (no fetching)")
    again.add_argument("--db", help="DuckDB file (default: $NEWSMILL_DB or data/newsmill.duckdb)")
    again.add_argument("--run", metavar="RUN_ID", help="only the pages fetched by this run")
    again.add_argument("--model", help="spaCy pipeline (default: best installed)")
    again.add_argument("--prefect", action="store_true",
                       help="run as a Prefect flow even without a Prefect API configured")
    again.add_argument("--no-progress", action="store_true", help="no progress bar")
    again.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")

    redo = sub.add_parser("reprocess",
                          help="analyse stored documents again with the current NLP settings")
    redo.add_argument("--db", help="DuckDB file (default: $NEWSMILL_DB or data/newsmill.duckdb)")
    redo.add_argument("--language", help="only documents in this language (e.g. en)")
    redo.add_argument("--model", help="spaCy pipeline (default: best installed)")
    redo.add_argument("--prefect", action="store_true",
                      help="run as a Prefect flow even without a Prefect API configured")
    redo.add_argument("--no-progress", action="store_true", help="no progress bar")
    redo.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")

    query = sub.add_parser("sql", help="run a read-only SQL query on the warehouse")
    query.add_argument("query", help="a SELECT statement")
    query.add_argument("--db", help="DuckDB file (default: $NEWSMILL_DB or data/newsmill.duckdb)")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")

    export = sub.add_parser("export", help="write the warehouse to a folder as Parquet "
                                           "(incremental: only runs not exported before)")
    export.add_argument("folder", type=Path, metavar="DIR")
    export.add_argument("--format", choices=("parquet",), default="parquet")
    export.add_argument("--db", help="DuckDB file (default: $NEWSMILL_DB or data/newsmill.duckdb)")

    find = sub.add_parser("search", help="full-text search over titles and article text")
    find.add_argument("query", help="words to look for")
    find.add_argument("--db", help="DuckDB file (default: $NEWSMILL_DB or data/newsmill.duckdb)")
    find.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD",
                      help="published on or after")
    find.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD",
                      help="published on or before")
    find.add_argument("--site", help="site name (SQL ILIKE pattern, e.g. '%%Gazette%%')")
    find.add_argument("--entity", help="documents mentioning this entity (ILIKE pattern)")
    find.add_argument("--limit", type=int, default=10)

    sub.add_parser("settings", help="list every NEWSMILL_* setting with its default")
    sub.add_parser("serve", help="serve every deployment of prefect.yaml from this process "
                                 "(schedules included) instead of a work pool and worker")

    evaluate = sub.add_parser("eval", help="measure quality against an annotated corpus")
    evaluate.add_argument("what", choices=("extraction", "entities", "quotes"),
                          help="extraction: article-body F1 on a Zyte/ScrapingHub-style folder; "
                               "entities: raw and consolidated NER F1 on a CoNLL/IOB2 file; "
                               "quotes: attribution scores on a PolNeAR-format split folder")
    evaluate.add_argument("--data", required=True, type=Path,
                          help="the benchmark folder (extraction) or CoNLL file (entities)")
    evaluate.add_argument("--model", default="auto", help="spaCy pipeline (entities)")
    evaluate.add_argument("--per-page", type=Path, metavar="FILE",
                          help="also write each page's precision and recall as CSV")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command in {"ingest", "reextract", "reprocess"}:
            return _ingest(args)
        if args.command == "sql":
            return _sql(args, sys.stdout)
        if args.command == "eval":
            return _eval(args)
        if args.command == "export":
            return _export(args)
        if args.command == "search":
            return _search(args, sys.stdout)
        if args.command == "serve":
            from newsmill.flows.runtime import apply_prefect_defaults
            apply_prefect_defaults()
            from newsmill.flows.serve import serve_all
            serve_all()
            return 0
        return _settings()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


# -- ingest -------------------------------------------------------------------------------------

def _ingest(args: argparse.Namespace) -> int:
    from newsmill.flows.runtime import api_configured, apply_prefect_defaults

    apply_prefect_defaults()
    if not args.verbose:
        # Set before Prefect is imported: its console handler reads this once.
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from newsmill.errors import NewsmillError
    from newsmill.flows.pipeline import (
        PROGRESS_LOGGER,
        Steps,
        ingest_run,
        reextract_run,
        reprocess_run,
    )
    from newsmill.flows.reprocess import reprocess_batch
    from newsmill.settings import Settings

    handler = None if args.no_progress or not sys.stderr.isatty() else _ProgressHandler()
    if handler:
        progress_logger = logging.getLogger(PROGRESS_LOGGER)
        progress_logger.addHandler(handler)
        progress_logger.setLevel(logging.INFO)
        progress_logger.propagate = False  # the bar shows it; no log line per batch
    try:
        # With a Prefect API configured (a server, Cloud, a test harness) the run is a flow
        # run there; without one it runs the same flow function directly, which starts in
        # seconds instead of waiting for Prefect's temporary server.
        if args.prefect or api_configured():
            from newsmill.flows.ingest import (  # imports Prefect: ~3.5 s
                ingest,
                reextract,
                reprocess,
            )

            if args.command == "reprocess":
                result = reprocess(db=args.db, language=args.language, spacy_model=args.model)
            elif args.command == "reextract":
                result = reextract(db=args.db, run=args.run, spacy_model=args.model)
            else:
                result = ingest(sources=list(args.sources), db=args.db,
                                batch_size=args.batch_size, spacy_model=args.model,
                                urls_are=args.urls_are, max_articles=args.max_articles,
                                refresh=args.refresh)
        else:
            settings = Settings.from_env(db=args.db, spacy_model=args.model,
                                         batch_size=getattr(args, "batch_size", None))
            if args.command == "reprocess":
                result = reprocess_run(settings, Steps(batch=reprocess_batch),
                                       language=args.language)
            elif args.command == "reextract":
                result = reextract_run(settings, Steps(), run=args.run)
            else:
                result = ingest_run(list(args.sources), settings, Steps(),
                                    urls_are=args.urls_are, max_articles=args.max_articles,
                                    refresh=args.refresh)
    except (NewsmillError, ValueError, RuntimeError) as exc:
        print(f"newsmill: run failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if handler:
            handler.close()
    _print_summary(result)
    return 0


class _ProgressHandler(logging.Handler):
    """A rich progress bar fed by the flow's progress log records."""

    def __init__(self) -> None:
        super().__init__()

        self.progress = Progress(transient=True)
        self.task_id: TaskID | None = None

    def emit(self, record: logging.LogRecord) -> None:
        done, total = getattr(record, "done", 0), getattr(record, "total", 0)
        if self.task_id is None:
            self.progress.start()
            self.task_id = self.progress.add_task("ingesting", total=total or None)
        self.progress.update(self.task_id, completed=done, total=total or None)

    def close(self) -> None:
        if self.task_id is not None:
            self.progress.stop()
        super().close()


def _print_summary(result: Any) -> None:
    from newsmill.warehouse.connection import connect
    from newsmill.warehouse.runs import rejections_for_run

    r = result.report
    print(f"run {result.run_id} {result.status} → {result.db}")
    print(f"  seen {r.seen}   loaded {r.loaded}   unchanged {r.unchanged}   "
          f"rejected {r.rejected}")
    if getattr(result, "skipped_known", 0):
        print(f"  ({result.skipped_known} URLs already stored were not fetched again; "
              "--refresh fetches them conditionally)")
    if r.rejected:
        conn = connect(result.db, read_only=True)
        try:
            rows = rejections_for_run(conn, result.run_id)
        finally:
            conn.close()
        print("  rejected:")
        for source, stage, reason, detail in rows[:50]:
            print(f"    {source}: {stage}/{reason} — {detail}")
        if len(rows) > 50:
            print(f"    … and {len(rows) - 50} more: see the rejections table")


# -- reading the warehouse ----------------------------------------------------------------------

def _reader(args: argparse.Namespace) -> duckdb.DuckDBPyConnection | int:
    """A short-lived read-only connection to the warehouse named by ``--db`` (or the
    settings), waiting a bounded time for a writer to let go; or the exit code, with the
    reason printed, when there is none."""
    from newsmill.errors import NewsmillError, TransientError
    from newsmill.settings import Settings
    from newsmill.warehouse.connection import connect

    settings = Settings.from_env(db=Path(args.db) if args.db else None)

    def say_waiting() -> None:
        print("newsmill: a run is writing to the warehouse; waiting for it to let go "
              f"(at most {READ_LOCK_WAIT:g}s)…", file=sys.stderr)

    try:
        return connect(settings.db, read_only=True, wait=READ_LOCK_WAIT, on_wait=say_waiting)
    except TransientError:
        print(f"newsmill: the warehouse is still busy after {READ_LOCK_WAIT:g}s (a run is "
              "writing); try again in a moment", file=sys.stderr)
        return 3
    except NewsmillError as exc:
        print(f"newsmill: {exc}", file=sys.stderr)
        return 1


# -- sql ----------------------------------------------------------------------------------------

def _sql(args: argparse.Namespace, out: TextIO) -> int:
    import duckdb


    try:
        statements = duckdb.extract_statements(args.query)
    except duckdb.Error as exc:
        print(f"newsmill: cannot parse the query: {exc}", file=sys.stderr)
        return 2
    refused = [s.type.name for s in statements if s.type.name not in READ_STATEMENTS]
    if refused or not statements:
        print(f"newsmill: `newsmill sql` only reads; refused a {', '.join(refused) or 'empty'} "
              "statement", file=sys.stderr)
        return 2
    conn = _reader(args)
    if isinstance(conn, int):
        return conn
    try:
        cursor = conn.execute(args.query)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    except duckdb.Error as exc:
        print(f"newsmill: query failed: {exc}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    _write_rows(out, args.format, columns, rows)
    return 0


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _write_rows(out: TextIO, fmt: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    if fmt == "json":
        json.dump([{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in rows],
                  out, ensure_ascii=False, default=str)
        out.write("\n")
    elif fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows([[_plain(v) for v in row] for row in rows])
    else:
        cells = [[("NULL" if v is None else str(_plain(v))) for v in row] for row in rows]
        widths = [min(60, max([len(c)] + [len(r[i]) for r in cells]))
                  for i, c in enumerate(columns)]
        out.write("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + "\n")
        out.write("  ".join("-" * w for w in widths) + "\n")
        for r in cells:
            out.write("  ".join(_cut(v, w).ljust(w) for v, w in zip(r, widths, strict=True))
                      + "\n")
        out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")


def _cut(value: str, width: int) -> str:
    value = value.replace("\n", " ")
    return value if len(value) <= width else value[: width - 1] + "…"


# -- search -------------------------------------------------------------------------------------

def _search(args: argparse.Namespace, out: TextIO) -> int:
    from newsmill.errors import NewsmillError
    from newsmill.warehouse.search import search

    conn = _reader(args)
    if isinstance(conn, int):
        return conn
    try:
        hits, method = search(conn, args.query, since=args.since, until=args.until,
                              site=args.site, entity=args.entity, limit=args.limit)
    except NewsmillError as exc:
        print(f"newsmill: search failed: {exc}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    for rank, hit in enumerate(hits, 1):
        when = hit.published_at.date().isoformat() if hit.published_at else "undated"
        out.write(f"{rank}. {hit.title or hit.source}  [{hit.site_name or '?'}, {when}, "
                  f"score {hit.score:.2f}]\n   {hit.snippet}\n   {hit.source}\n")
    out.write(f"({len(hits)} result{'s' if len(hits) != 1 else ''}, {method} search)\n")
    return 0


# -- export -------------------------------------------------------------------------------------

def _export(args: argparse.Namespace) -> int:
    from newsmill.warehouse.export import export_parquet

    conn = _reader(args)
    if isinstance(conn, int):
        return conn
    try:
        report = export_parquet(conn, args.folder)
    finally:
        conn.close()
    if not report.runs:
        print(f"nothing new to export to {args.folder}")
        return 0
    rows = ", ".join(f"{table} {count}" for table, count in report.rows.items() if count)
    print(f"exported {report.runs} run(s) to {args.folder}: {rows}")
    return 0


# -- eval ---------------------------------------------------------------------------------------

def _eval(args: argparse.Namespace) -> int:
    if args.what == "entities":
        return _eval_entities(args)
    if args.what == "quotes":
        return _eval_quotes(args)
    from newsmill.evaluation.extraction import evaluate_extraction

    try:
        score, per_page, failures = evaluate_extraction(args.data)
    except FileNotFoundError as exc:
        print(f"newsmill: {exc}", file=sys.stderr)
        return 2
    print(f"article extraction on {score.pages} pages of {args.data}")
    print(f"  precision {score.precision:.4f} ± {score.precision_std:.4f}")
    print(f"  recall    {score.recall:.4f} ± {score.recall_std:.4f}")
    print(f"  F1        {score.f1:.4f} ± {score.f1_std:.4f}   (± is the bootstrap std)")
    for key, why in sorted(failures.items()):
        print(f"  no text from {key}: {why}")
    if args.per_page:
        with args.per_page.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["page", "precision", "recall"])
            for key, page in per_page.items():
                writer.writerow([key, f"{page.precision:.4f}", f"{page.recall:.4f}"])
    return 0


def _eval_quotes(args: argparse.Namespace) -> int:
    from newsmill.evaluation.quotes import evaluate_quotes, format_report, read_split

    return _run_evaluation(args, read_split, lambda docs, nlp: format_report(
        evaluate_quotes(docs, nlp)))


def _eval_entities(args: argparse.Namespace) -> int:
    from newsmill.evaluation.entities import evaluate_entities, format_report, read_conll

    return _run_evaluation(args, read_conll, lambda docs, nlp: format_report(
        evaluate_entities(docs, nlp)))


def _run_evaluation(args: argparse.Namespace, read: Callable[[Path], Any],
                    evaluate: Callable[[Any, Any], str]) -> int:
    """Read ``--data``, load ``--model``, print the report and the time it all took."""
    import time

    from newsmill.tasks.nlp import load_pipeline

    began = time.perf_counter()
    try:
        documents = read(args.data)
    except (OSError, ValueError) as exc:
        print(f"newsmill: cannot read {args.data}: {exc}", file=sys.stderr)
        return 2
    nlp, info = load_pipeline(args.model)
    print(f"model: {info.name} {info.version} ({info.location})")
    print(evaluate(documents, nlp))
    print(f"wall time {time.perf_counter() - began:.1f} s")
    return 0


# -- settings -----------------------------------------------------------------------------------

def _settings() -> int:
    from newsmill.settings import Settings

    for name, default, doc in Settings.describe():
        print(f"{name}  (default: {default})\n    {doc}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

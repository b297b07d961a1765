"""The commands that only read: ``sql``, ``search``, ``export``, ``snapshot``, ``report`` and
``settings``.

Each opens the warehouse through :func:`reader`, one short-lived read-only connection that
waits a bounded time for a run's commit to finish (``snapshot`` copies it under the writer's
lock instead). None of them creates a warehouse: a missing one is an error.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from newsmill.cli.output import write_hits, write_rows

if TYPE_CHECKING:
    import duckdb

    from newsmill.cli.options import SharedFlags, Subcommands

#: How long `newsmill sql` waits for a writer to let go of the warehouse: a batch commit
#: holds it for well under a second.
READ_LOCK_WAIT = 30.0
# Statement types `newsmill sql` runs; everything else (INSERT, COPY, ATTACH ...) is refused.
READ_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "PRAGMA", "RELATION"})


def reader(args: argparse.Namespace) -> duckdb.DuckDBPyConnection | int:
    """A short-lived read-only connection to the warehouse named by ``--db`` (or the
    settings), waiting a bounded time for another process's lock (and saying so at once);
    or the exit code, with the reason printed, when there is none: a missing warehouse, a
    path that is no warehouse (exit 1), a lock that outlasted the wait (exit 3)."""
    from newsmill.errors import NewsmillError, TransientError
    from newsmill.settings import Settings
    from newsmill.warehouse.connection import connect

    settings = Settings.from_env(db=Path(args.db) if args.db else None)

    def say_waiting(message: str) -> None:
        print(f"newsmill: {message}…", file=sys.stderr)

    try:
        return connect(settings.db, read_only=True, wait=READ_LOCK_WAIT, on_wait=say_waiting)
    except TransientError as exc:
        print(f"newsmill: {exc}; try again in a moment", file=sys.stderr)
        return 3
    except NewsmillError as exc:
        print(f"newsmill: {exc}", file=sys.stderr)
        return 1


def run_sql(args: argparse.Namespace, out: TextIO) -> int:
    """``newsmill sql``: run read-only statements (anything else is refused, exit 2)."""
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
    conn = reader(args)
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
    write_rows(out, args.format, columns, rows)
    return 0


def run_search(args: argparse.Namespace, out: TextIO) -> int:
    """``newsmill search``: ranked documents with snippets."""
    from newsmill.errors import NewsmillError
    from newsmill.warehouse.search import search

    conn = reader(args)
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
    write_hits(out, hits, method)
    return 0


def run_export(args: argparse.Namespace) -> int:
    """``newsmill export``: the rows of runs not exported before, as Parquet."""
    from newsmill.warehouse.export import export_parquet

    conn = reader(args)
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


def run_snapshot(args: argparse.Namespace) -> int:
    """``newsmill snapshot``: publish the read-only copy of the warehouse for readers that
    keep a connection open, and print where it is."""
    from newsmill.errors import NewsmillError
    from newsmill.settings import Settings
    from newsmill.warehouse.snapshot import publish_snapshot

    db = Settings.from_env(db=Path(args.db) if args.db else None).db
    if not db.exists():  # publishing opens a writer, which would make an empty warehouse
        print(f"newsmill: no warehouse at {db}: run `newsmill ingest` first", file=sys.stderr)
        return 1
    try:
        path = publish_snapshot(db)
    except NewsmillError as exc:
        print(f"newsmill: snapshot failed: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


def run_report(args: argparse.Namespace) -> int:
    """``newsmill report``: the marts as one self-contained HTML page, and where it is."""
    from newsmill.errors import NewsmillError
    from newsmill.report import Scope, write_report
    from newsmill.settings import Settings

    if args.since and args.until and args.since > args.until:
        print(f"newsmill: --since {args.since} is after --until {args.until}", file=sys.stderr)
        return 2
    conn = reader(args)
    if isinstance(conn, int):
        return conn
    db = Settings.from_env(db=Path(args.db) if args.db else None).db
    try:
        path = write_report(conn, Scope(args.since, args.until, args.site), args.out,
                            source=str(db))
    except NewsmillError as exc:
        print(f"newsmill: report failed: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"newsmill: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    print(path)
    return 0


def show_settings(args: argparse.Namespace) -> int:
    """``newsmill settings``: every NEWSMILL_* variable, its default and meaning."""
    from newsmill.settings import Settings

    for name, default, doc in Settings.describe():
        print(f"{name}  (default: {default})\n    {doc}")
    return 0


def add_commands(sub: Subcommands, shared: SharedFlags) -> None:
    query = sub.add_parser("sql", parents=[shared.db],
                           help="run a read-only SQL query on the warehouse")
    query.add_argument("query", help="a SELECT statement")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table")
    query.set_defaults(handler=lambda args: run_sql(args, sys.stdout))

    export = sub.add_parser("export", parents=[shared.db],
                            help="write the warehouse to a folder as Parquet "
                                 "(incremental: only runs not exported before)")
    export.add_argument("folder", type=Path, metavar="DIR")
    export.add_argument("--format", choices=("parquet",), default="parquet")
    export.set_defaults(handler=run_export)

    find = sub.add_parser("search", parents=[shared.db],
                          help="full-text search over titles and article text")
    find.add_argument("query", help="words to look for")
    find.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD",
                      help="published on or after")
    find.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD",
                      help="published on or before")
    find.add_argument("--site", help="site name (SQL ILIKE pattern, e.g. '%%Gazette%%')")
    find.add_argument("--entity", help="documents mentioning this entity (ILIKE pattern)")
    find.add_argument("--limit", type=int, default=10)
    find.set_defaults(handler=lambda args: run_search(args, sys.stdout))

    snap = sub.add_parser("snapshot", parents=[shared.db],
                          help="publish the read-only copy of the warehouse for readers that "
                               "keep a connection open (<db>.snapshot.duckdb)")
    snap.set_defaults(handler=run_snapshot)

    page = sub.add_parser("report", parents=[shared.db],
                          help="write one self-contained HTML page of charts and tables from "
                               "the warehouse's marts (opens offline, prints)")
    page.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD",
                      help="articles published on or after")
    page.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD",
                      help="articles published on or before")
    page.add_argument("--site", help="site name (SQL ILIKE pattern, e.g. '%%Gazette%%')")
    page.add_argument("--out", type=Path, default=Path("report.html"), metavar="FILE",
                      help="the HTML file to write (default: report.html)")
    page.set_defaults(handler=run_report)

    listed = sub.add_parser("settings", help="list every NEWSMILL_* setting with its default")
    listed.set_defaults(handler=show_settings)

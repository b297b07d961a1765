"""The commands that only read: ``sql``, ``search``, ``export``, ``snapshot``, ``report`` and
``settings``.

Each opens the warehouse through :func:`reader`, one short-lived read-only connection that
waits a bounded time for a run's commit to finish (``snapshot`` copies it under the writer's
lock instead). None of them creates a warehouse: a missing one is an error.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from newsmill.cli.output import TERMINAL_MARK, TEXT_MARK, write_hits, write_rows

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
    if not statements:
        print("newsmill: `newsmill sql` needs a query: the one given is empty", file=sys.stderr)
        return 2
    if refused:
        print(f"newsmill: `newsmill sql` only reads (SELECT, EXPLAIN, PRAGMA); refused: "
              f"{', '.join(refused)}", file=sys.stderr)
        return 2
    conn = reader(args)
    if isinstance(conn, int):
        return conn
    try:
        cursor = conn.execute(args.query)
        columns = [d[0] for d in cursor.description or []]
        types = [d[1] for d in cursor.description or []]
        rows = cursor.fetchall()
    except duckdb.Error as exc:
        print(f"newsmill: query failed: {exc}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    write_rows(out, args.format, columns, rows, types=types, width=terminal_width(out))
    return 0


def terminal_width(out: TextIO) -> int | None:
    """The terminal's width in characters when ``out`` is one (COLUMNS wins), else None:
    a file or a pipe takes whole lines."""
    try:
        if not out.isatty():
            return None
    except ValueError:  # a closed stream
        return None
    return shutil.get_terminal_size().columns


def highlight(out: TextIO) -> tuple[str, str]:
    """How search marks matched words on ``out``: bold on a terminal (unless NO_COLOR is set),
    else between ``**``."""
    try:
        tty = out.isatty()
    except ValueError:
        tty = False
    return TERMINAL_MARK if tty and not os.environ.get("NO_COLOR") else TEXT_MARK


def run_search(args: argparse.Namespace, out: TextIO) -> int:
    """``newsmill search``: ranked documents with snippets, matched words marked; a query
    that asks for nothing is a usage error (exit 2) saying what a query may hold."""
    from newsmill.errors import NewsmillError
    from newsmill.warehouse.search import search
    from newsmill.warehouse.search_query import QueryError, parse_query

    try:
        parse_query(args.query)
    except QueryError as exc:
        print(f"newsmill search: {exc}\nusage: newsmill search [--since D] [--until D] "
              "[--site P] [--entity P] QUERY   (e.g. newsmill search '\"port strike\" OR "
              "lockout -Felixstowe')", file=sys.stderr)
        return 2
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
    write_hits(out, hits, method, highlight(out))
    return 0


def run_export(args: argparse.Namespace) -> int:
    """``newsmill export``: the rows of runs not exported before, as Parquet."""
    from newsmill.errors import NewsmillError
    from newsmill.warehouse.export import export_parquet

    if args.folder.exists() and not args.folder.is_dir():
        print(f"newsmill: cannot export to {args.folder}: it is a file, and the export is a "
              "folder of Parquet datasets (give a folder)", file=sys.stderr)
        return 2
    conn = reader(args)
    if isinstance(conn, int):
        return conn
    try:
        report = export_parquet(conn, args.folder)
    except OSError as exc:
        print(f"newsmill: cannot export to {args.folder}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    except NewsmillError as exc:
        print(f"newsmill: export failed: {exc}", file=sys.stderr)
        return 1
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


def settings_in_force(env: dict[str, str] | None = None) -> list[tuple[str, str, str, str]]:
    """``(variable, value in force, where it came from, meaning)`` for every setting: the
    NEWSMILL_* variable's value when set (or why it cannot be used), else the default."""
    from newsmill.settings import ENV_PREFIX, Settings

    source = dict(os.environ if env is None else env)
    out = []
    for variable, default, doc in Settings.describe():
        raw = source.get(variable, "")
        name = variable.removeprefix(ENV_PREFIX).lower()
        if raw == "":
            out.append((variable, default, "default", doc))
            continue
        try:
            value = getattr(Settings.from_env({variable: raw}), name)
        except (ValueError, TypeError) as exc:
            out.append((variable, raw, f"from the environment, NOT USABLE: {exc}; default "
                                       f"{default}", doc))
            continue
        out.append((variable, str(value), f"from the environment; default {default}", doc))
    return out


def show_settings(args: argparse.Namespace) -> int:
    """``newsmill settings``: every NEWSMILL_* setting, the value in force and where it came
    from (the environment, else the default), and its meaning."""
    for variable, value, origin, doc in settings_in_force():
        print(f"{variable} = {value or '(empty)'}  ({origin})\n    {doc}")
    return 0


def add_commands(sub: Subcommands, shared: SharedFlags) -> None:
    query = sub.add_parser("sql", parents=[shared.db],
                           help="run a read-only SQL query on the warehouse",
                           description="Run read-only SQL (SELECT, EXPLAIN, PRAGMA) on the "
                                       "warehouse; the tables and views are in "
                                       "docs/warehouse.md. For an interactive session use "
                                       "DuckDB's own client on the file, or Python's duckdb "
                                       "module (installed with newsmill).")
    query.add_argument("query", help="a SELECT statement (or several, separated by ;)")
    query.add_argument("--format", choices=("table", "csv", "json"), default="table",
                       help="table: aligned columns cut to fit the terminal (default); csv: "
                            "a header line, then rows; json: a list of objects, JSON, LIST "
                            "and STRUCT columns as JSON values")
    query.set_defaults(handler=lambda args: run_sql(args, sys.stdout))

    export = sub.add_parser("export", parents=[shared.db],
                            help="write the warehouse to a folder as Parquet "
                                 "(incremental: only runs not exported before)")
    export.add_argument("folder", type=Path, metavar="DIR",
                        help="the folder to write one Parquet dataset per table into")
    export.add_argument("--format", choices=("parquet",), default="parquet",
                        help="the file format (only parquet)")
    export.set_defaults(handler=run_export)

    from newsmill.warehouse.search_query import SYNTAX

    find = sub.add_parser("search", parents=[shared.db],
                          help="full-text search over titles and article text",
                          description="Rank the warehouse's documents by BM25 over their "
                                      "titles and text. " + SYNTAX,
                          epilog="examples: newsmill search 'port strike' (both words)  |  "
                                 "newsmill search '\"port strike\"' (the phrase)  |  "
                                 "newsmill search 'strike OR lockout -Felixstowe'")
    find.add_argument("query", metavar="QUERY",
                      help='words, "phrases", a OR b, -word (quote the whole query for the '
                           "shell)")
    find.add_argument("--since", type=date.fromisoformat, metavar="YYYY-MM-DD",
                      help="published on or after")
    find.add_argument("--until", type=date.fromisoformat, metavar="YYYY-MM-DD",
                      help="published on or before")
    find.add_argument("--site", help="site name (SQL ILIKE pattern, e.g. '%%Gazette%%')")
    find.add_argument("--entity", help="documents mentioning this entity (ILIKE pattern)")
    find.add_argument("--limit", type=int, default=10, metavar="N",
                      help="show at most N results, best first (default: 10)")
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

    listed = sub.add_parser("settings", help="list every NEWSMILL_* setting: the value in force, "
                                             "where it came from, and what it means")
    listed.set_defaults(handler=show_settings)

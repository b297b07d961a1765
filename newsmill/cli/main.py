"""The ``newsmill`` command line: the parser, and ``main``.

Commands live in modules by family — :mod:`newsmill.cli.ingest` (the runs and ``serve``),
:mod:`newsmill.cli.read` (``sql``, ``search``, ``export``, ``settings``),
:mod:`newsmill.cli.evaluate` (``eval``, ``bench``) — each adding its subcommands with the
shared flags of :mod:`newsmill.cli.options` and a handler; what they print is in
:mod:`newsmill.cli.output`. ``main(argv)`` takes an explicit argument list so tests can
drive it in-process.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from newsmill.cli import evaluate, ingest, read
from newsmill.cli.options import Handler, shared_flags


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsmill",
        description="News articles in, an analytical DuckDB warehouse out.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    shared = shared_flags()
    for family in (ingest, read, evaluate):
        family.add_commands(sub, shared)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())

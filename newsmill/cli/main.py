"""The ``newsmill`` command line: the parser, and ``main``.

Commands live in modules by family — :mod:`newsmill.cli.ingest` (the runs and ``serve``),
:mod:`newsmill.cli.read` (``sql``, ``search``, ``export``, ``snapshot``, ``settings``),
:mod:`newsmill.cli.evaluate` (``eval``, ``bench``) — each adding its subcommands with the
shared flags of :mod:`newsmill.cli.options` and a handler; what they print is in
:mod:`newsmill.cli.output`. ``main(argv)`` takes an explicit argument list so tests can
drive it in-process.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from newsmill.cli import evaluate, ingest, read
from newsmill.cli.options import Handler, shared_flags


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsmill",
        description="News articles in, an analytical DuckDB warehouse out.",
    )
    parser.add_argument("--version", action=_VersionAction,
                        help="print newsmill's version (with its commit in a checkout) and exit")
    sub = parser.add_subparsers(dest="command", required=True)
    shared = shared_flags()
    for family in (ingest, read, evaluate):
        family.add_commands(sub, shared)
    return parser


class _VersionAction(argparse.Action):
    """``--version``: the code version runs record, computed only when asked for (it may
    ask git)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 default: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0,
                         help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from newsmill.versions import code_version

        print(f"newsmill {code_version()}")
        parser.exit()


def _settings_problem(command: str) -> str | None:
    """Why the NEWSMILL_* environment cannot be used (a value that does not parse or cannot
    work), checked before any command starts; None when it is sound. ``newsmill settings``,
    which only describes them, runs regardless."""
    if command == "settings":
        return None
    from newsmill.settings import Settings

    try:
        Settings.from_env()
    except ValueError as exc:
        return str(exc)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    problem = _settings_problem(args.command)
    if problem is not None:
        print(f"newsmill: {problem}", file=sys.stderr)
        return 2
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`newsmill sql ... | head`): not an error of ours. Point stdout
        # at /dev/null so that the interpreter's last flush does not complain again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 141  # 128 + SIGPIPE, as a command killed by the broken pipe would report


if __name__ == "__main__":
    raise SystemExit(main())

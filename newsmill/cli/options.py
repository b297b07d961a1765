"""Flags several commands share, stated once as argparse parent parsers.

A command module adds its subcommands with ``add_commands(sub, shared)`` and gives each one a
``handler`` default: the function ``main`` calls with the parsed arguments.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

#: What a subcommand runs: the parsed arguments in, the exit code out.
Handler = Callable[[argparse.Namespace], int]
if TYPE_CHECKING:  # argparse's action is generic only to type checkers
    Subcommands = argparse._SubParsersAction[argparse.ArgumentParser]

DB_HELP = "DuckDB file (default: $NEWSMILL_DB or data/newsmill.duckdb)"


@dataclass(frozen=True)
class SharedFlags:
    """Parent parsers: ``db`` for every command that opens the warehouse, ``run`` for the
    commands that start a run (``--db`` included)."""

    db: argparse.ArgumentParser
    run: argparse.ArgumentParser


def shared_flags() -> SharedFlags:
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--db", help=DB_HELP)

    run = argparse.ArgumentParser(add_help=False, parents=[db])
    run.add_argument("--model", help="spaCy pipeline (default: best installed)")
    run.add_argument("--prefect", action="store_true",
                     help="run as a Prefect flow even without a Prefect API configured "
                          "(starts Prefect's temporary local server: slower to start)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.add_argument("-v", "--verbose", action="store_true", help="show Prefect's logs")
    return SharedFlags(db=db, run=run)

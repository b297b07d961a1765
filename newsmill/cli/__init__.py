"""The ``newsmill`` command: argument parsing, dispatch and output, over flows and warehouse."""

from newsmill.cli.main import main

__all__ = ["main"]

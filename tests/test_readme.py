"""The README documents what the code has: every setting, every CLI command."""

from __future__ import annotations

import argparse
from pathlib import Path

from newsmill.cli.main import build_parser
from newsmill.settings import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme_table() -> None:
    for name, _default, doc in Settings.describe():
        assert f"| `{name}` |" in README, name
        assert doc in README, f"{name}: the README's description is out of date"


def test_every_command_is_in_the_readme() -> None:
    action = next(a for a in build_parser()._actions
                  if isinstance(a, argparse._SubParsersAction))
    for command in action.choices:
        assert f"newsmill {command}" in README, command

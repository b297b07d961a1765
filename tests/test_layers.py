"""The dependency rule of docs/architecture.md, checked on the source: flows → tasks →
warehouse → base (settings, errors, versions); the CLI and evaluation sit on top."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: What each layer may import from newsmill (besides itself).
ALLOWED = {
    "warehouse": {"newsmill.errors", "newsmill.settings", "newsmill.versions",
                  "newsmill.warehouse"},
    "tasks": {"newsmill.errors", "newsmill.settings", "newsmill.versions",
              "newsmill.warehouse", "newsmill.tasks"},
    "newsmill/report": {"newsmill.errors", "newsmill.settings", "newsmill.versions",
                        "newsmill.warehouse", "newsmill.report"},
    "flows": {"newsmill.errors", "newsmill.settings", "newsmill.versions",
              "newsmill.warehouse", "newsmill.tasks", "newsmill.flows", "newsmill.report"},
}
BASE = ("errors.py", "settings.py", "system.py", "versions.py", "__init__.py")


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "newsmill" or name.startswith("newsmill.")}


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_each_layer_imports_only_the_layers_below(layer: str) -> None:
    wrong = {}
    for path in sorted((ROOT / layer).rglob("*.py")):
        bad = {name for name in _imports(path)
               if not any(name == ok or name.startswith(ok + ".") for ok in ALLOWED[layer])}
        if bad:
            wrong[str(path.relative_to(ROOT))] = sorted(bad)
    assert not wrong


def test_the_base_imports_no_layer() -> None:
    for name in BASE:
        imported = _imports(ROOT / "newsmill" / name)
        assert imported <= {"newsmill.errors", "newsmill.settings", "newsmill.system",
                            "newsmill.versions"}, name

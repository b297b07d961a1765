"""SQL text lives in ``.sql`` files beside this module; this reads them by name."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources


@cache
def query(name: str) -> str:
    """The text of ``queries/<name>.sql``."""
    return resources.files(__package__).joinpath("queries", f"{name}.sql").read_text("utf-8")


@cache
def migrations() -> list[tuple[int, str, str]]:
    """``(version, name, sql)`` for every ``migrations/NNN_name.sql``, in version order."""
    folder = resources.files(__package__).joinpath("migrations")
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            number, _, rest = entry.name.partition("_")
            found.append((int(number), rest.removesuffix(".sql"), entry.read_text("utf-8")))
    return sorted(found)


@cache
def views_fingerprint() -> str:
    """A hash of every view's name and SQL text: it changes exactly when the views do."""
    digest = hashlib.sha256()
    for name, text in views():
        digest.update(f"{name}\0{text}\0".encode())
    return digest.hexdigest()


@cache
def views() -> list[tuple[str, str]]:
    """``(name, sql)`` for every view: staging, then intermediate, then marts, each
    alphabetically. A view reads the layers before its own, and within its layer only views
    whose names sort before its own, so this order always works.
    """
    root = resources.files(__package__).joinpath("views")
    found = []
    for layer in ("staging", "intermediate", "marts"):
        entries = sorted(root.joinpath(layer).iterdir(), key=lambda e: e.name)
        found += [(e.name.removesuffix(".sql"), e.read_text("utf-8"))
                  for e in entries if e.name.endswith(".sql")]
    return found

"""``newsmill`` with phase markers, for the crash test: ``python launcher.py ingest ...``.

It runs the real command (``newsmill.cli.main.main``) in this process, after wrapping a few
functions of the warehouse and the batch so that each writes one line naming its phase to the
file descriptor in ``CRASH_MARKER_FD`` as it starts ("migrate", "produce", "load_batch",
"finish_run completed", "index", "publish") and another as it returns ("load_batch done").
Migration is marked only when the warehouse has migrations to apply (its creation, mostly).
The crash test reads those lines to kill the process tree at chosen moments and to say in
which phase each kill landed. Nothing else
changes: the wrappers call the functions they wrap, with the same arguments.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import sys
from collections.abc import Callable
from typing import Any

#: (module, function, phase): the moments the crash test aims at.
MARKED = (
    ("newsmill.warehouse.connection", "migrate", "migrate"),
    ("newsmill.tasks.batch", "produce_batch", "produce"),
    ("newsmill.warehouse.loader", "load_batch", "load_batch"),
    ("newsmill.warehouse.runs", "finish_run", "finish_run"),
    ("newsmill.warehouse.search", "index_documents", "index"),
    ("newsmill.warehouse.snapshot", "publish_snapshot", "publish"),
)


def _marker(fd: int, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def mark(label: str) -> None:
        with contextlib.suppress(OSError):  # nobody listening: the command runs on unmarked
            os.write(fd, f"{os.getpid()} {label}\n".encode())

    @functools.wraps(function)
    def marked(*args: Any, **kwargs: Any) -> Any:
        if phase == "migrate" and not _migrations_pending(args[0]):
            return function(*args, **kwargs)  # every writer checks; only real work is marked
        status = kwargs.get("status")
        label = f"{phase} {status}" if status else phase
        mark(label)
        result = function(*args, **kwargs)
        mark(f"{label} done")
        return result

    return marked


def _migrations_pending(conn: Any) -> bool:
    from newsmill.warehouse import sql
    from newsmill.warehouse.connection import schema_version

    return schema_version(conn) < max(version for version, _name, _text in sql.migrations())


def install(fd: int) -> None:
    """Wrap every function of :data:`MARKED`, in its module and wherever it was imported by
    name (``from module import function``) into a module of newsmill loaded by then."""
    for name in ("newsmill.cli.main", "newsmill.flows.pipeline", "newsmill.tasks.batch",
                 "newsmill.warehouse.snapshot", "newsmill.warehouse.search"):
        importlib.import_module(name)
    for module_name, function_name, phase in MARKED:
        module = sys.modules[module_name]
        original = getattr(module, function_name)
        wrapped = _marker(fd, phase, original)
        for loaded in list(sys.modules.values()):
            if getattr(loaded, "__name__", "").startswith("newsmill") and \
                    getattr(loaded, function_name, None) is original:
                setattr(loaded, function_name, wrapped)


def main() -> int:
    fd = int(os.environ.get("CRASH_MARKER_FD", "-1"))
    if fd >= 0:
        install(fd)
    from newsmill.cli.main import main as newsmill

    return newsmill(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())

"""Prefect environment defaults newsmill relies on, applied before Prefect is imported.

Only defaults: a variable the user has set wins.
"""

from __future__ import annotations

import logging
import os
import sys
import tomllib
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PREFECT_DEFAULTS = {
    # The ephemeral API server migrates an empty SQLite database on first use; that took
    # 13–26 s on a 2-core machine, over Prefect's 20 s default.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
    # No telemetry from an offline pipeline; it also contends for the server's SQLite lock.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
}


def apply_prefect_defaults(env: MutableMapping[str, str] | None = None) -> None:
    target = os.environ if env is None else env
    for key, value in PREFECT_DEFAULTS.items():
        target.setdefault(key, value)


def api_configured() -> bool:
    """True when a Prefect API (a server, or Prefect Cloud) is configured for this process:
    in the environment, in the active Prefect profile, or in Prefect's settings when Prefect
    is already loaded (a test harness). Checked without importing Prefect, which takes ~3.5 s.
    """
    if os.environ.get("PREFECT_API_URL"):
        return True
    if "prefect.settings" in sys.modules:
        from prefect.settings import get_current_settings

        return bool(get_current_settings().api.url)
    home = Path(os.environ.get("PREFECT_HOME", Path.home() / ".prefect")).expanduser()
    try:
        profiles = tomllib.loads((home / "profiles.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active", "ephemeral")
    settings = profiles.get("profiles", {}).get(active, {})
    return bool(settings.get("PREFECT_API_URL"))



#: The logger every module of newsmill logs under.
NEWSMILL_LOGGER = "newsmill"


@contextmanager
def newsmill_log_level(level: str | int) -> Iterator[None]:
    """newsmill's own log lines at ``level`` (a flow run passes Prefect's PREFECT_LOGGING_LEVEL,
    INFO unless told) for the length of the block, then as they were.

    PREFECT_LOGGING_EXTRA_LOGGERS gives the ``newsmill`` logger Prefect's handlers, but not a
    level: left unset it inherits the root logger's WARNING, and "applied warehouse
    migration" or "loaded spaCy pipeline" never reach the run's log view. A level set
    explicitly by the user (not NOTSET) is kept.
    """
    logger = logging.getLogger(NEWSMILL_LOGGER)
    before = logger.level
    if before == logging.NOTSET:
        logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(before)


#: The outcome of a run, as the last part of its Prefect event's name (newsmill.run.<outcome>):
#: documents loaded; nothing new (every source unchanged); nothing loaded, every source
#: rejected; nothing seen at all.
RUN_OUTCOMES = ("loaded", "unchanged", "rejected", "empty")


def run_event(result: Any) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The event a finished run of ``result`` (an ``IngestResult``) announces: its name
    (``newsmill.run.loaded`` …, :data:`RUN_OUTCOMES`), its resource (the warehouse file) and
    its payload (the counts and rejection reasons), for a Prefect automation to act on
    ("every source rejected", "0 new articles")."""
    report = result.report
    if report.loaded:
        outcome = "loaded"
    elif report.rejected and not report.unchanged:
        outcome = "rejected"
    elif report.seen:
        outcome = "unchanged"
    else:
        outcome = "empty"
    resource = {"prefect.resource.id": f"newsmill.warehouse.{result.db}",
                "prefect.resource.name": str(result.db)}
    payload = {"run_id": result.run_id, "status": result.status, "seen": report.seen,
               "loaded": report.loaded, "unchanged": report.unchanged,
               "rejected": report.rejected, "reasons": dict(report.reasons)}
    return f"newsmill.run.{outcome}", resource, payload


def emit_run_event(result: Any) -> None:
    """Send :func:`run_event` to Prefect (inside a flow run: related to it)."""
    from prefect.events import emit_event

    event, resource, payload = run_event(result)
    emit_event(event=event, resource=resource, payload=payload)

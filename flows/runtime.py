"""Prefect environment defaults newsmill relies on, applied before Prefect is imported.

Only defaults: a variable the user has set wins.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

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

"""``newsmill serve``: every deployment of ``prefect.yaml``, served from one process.

The alternative to a work pool and a worker: this process polls the Prefect API for runs of
its deployments (schedules included) and runs them itself. The deployments are read from
``prefect.yaml`` so the two ways cannot drift apart. Note: ``serve`` pauses its deployments'
schedules when it stops (also on SIGTERM); they resume when it serves again.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, cast

import yaml
from prefect import Flow, serve
from prefect.deployments.runner import RunnerDeployment

PREFECT_YAML = Path(__file__).resolve().parent.parent / "prefect.yaml"


def _flow(entrypoint: str) -> Flow[Any, Any]:
    path, _, name = entrypoint.partition(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    found = getattr(module, name)
    if not isinstance(found, Flow):
        raise TypeError(f"{entrypoint} is not a Prefect flow")
    return found


def deployments_from_yaml(path: Path = PREFECT_YAML) -> list[RunnerDeployment]:
    """One served deployment per entry of ``prefect.yaml``, with its parameters and
    schedules (a schedule marked ``active: false`` stays paused)."""
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for entry in config.get("deployments", []):
        schedules = entry.get("schedules") or []
        crons = [s["cron"] for s in schedules if "cron" in s]
        paused = bool(schedules) and not any(s.get("active", True) for s in schedules)
        out.append(cast(RunnerDeployment, _flow(entry["entrypoint"]).to_deployment(
            name=entry["name"], description=entry.get("description"),
            parameters=entry.get("parameters") or {}, cron=crons or None,
            paused=paused if crons else None,
        )))
    return out


def serve_all() -> None:
    serve(*deployments_from_yaml())

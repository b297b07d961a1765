"""``newsmill serve``: every deployment of ``prefect.yaml``, served from one process.

The alternative to a work pool and a worker: this process polls the Prefect API for runs of
its deployments (schedules included) and runs them itself. The deployments are read from
``prefect.yaml`` so the two ways cannot drift apart. Served deployments carry the names of
``prefect.yaml`` with :data:`SERVED_SUFFIX` (``ingest/ingest-files-served``): a deployment
made by ``prefect deploy`` holds the pool, the folder to run from and the pool's environment,
and registering a served one under its name would replace it with one the worker cannot run,
so both live side by side on one server. Note: ``serve`` pauses its deployments' schedules
when it stops (also on SIGTERM); they resume when it serves again.
"""

from __future__ import annotations

import importlib
from importlib import resources
from pathlib import Path
from typing import Any, cast

import yaml
from prefect import Flow, serve
from prefect.deployments.runner import RunnerDeployment

#: Appended to every deployment name of ``prefect.yaml`` when it is served by this process.
SERVED_SUFFIX = "-served"


def served_name(name: str) -> str:
    """The served twin of a ``prefect.yaml`` deployment: ``ingest-files-served``."""
    return f"{name}{SERVED_SUFFIX}"


def packaged_prefect_yaml() -> Path:
    """The project's ``prefect.yaml``, installed with the package as ``newsmill/flows/prefect.yaml``
    (in a checkout, a link to the top-level file), so ``newsmill serve`` works from any folder."""
    return Path(str(resources.files(__package__).joinpath("prefect.yaml")))


def entrypoint_module(entrypoint: str) -> tuple[str, str]:
    """``flows/ingest.py:ingest`` -> (``newsmill.flows.ingest``, ``ingest``): the file paths of
    ``prefect.yaml`` are relative to the checkout; served flows are imported from the package."""
    path, _, name = entrypoint.partition(":")
    module = path.removesuffix(".py").replace("/", ".")
    if not module.startswith("newsmill."):
        module = f"newsmill.{module}"
    return module, name


def _flow(entrypoint: str) -> Flow[Any, Any]:
    module_name, name = entrypoint_module(entrypoint)
    module = importlib.import_module(module_name)
    found = getattr(module, name)
    if not isinstance(found, Flow):
        raise TypeError(f"{entrypoint} is not a Prefect flow")
    return found


def deployments_from_yaml(path: Path | None = None) -> list[RunnerDeployment]:
    """One served deployment per entry of ``prefect.yaml``, named :func:`served_name`, with
    its parameters and schedules (a schedule marked ``active: false`` stays paused)."""
    config = yaml.safe_load((path or packaged_prefect_yaml()).read_text(encoding="utf-8"))
    out = []
    for entry in config.get("deployments", []):
        schedules = entry.get("schedules") or []
        crons = [s["cron"] for s in schedules if "cron" in s]
        paused = bool(schedules) and not any(s.get("active", True) for s in schedules)
        out.append(cast(RunnerDeployment, _flow(entry["entrypoint"]).to_deployment(
            name=served_name(entry["name"]), description=entry.get("description"),
            parameters=entry.get("parameters") or {}, cron=crons or None,
            paused=paused if crons else None,
        )))
    return out


def serve_all(path: Path | None = None) -> None:
    serve(*deployments_from_yaml(path))

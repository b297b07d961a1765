"""`newsmill serve` serves exactly what prefect.yaml deploys, under names of its own (a real
server, the pool's deployments and the served ones side by side: tests/flows/test_e2e_server.py)."""

from __future__ import annotations

from pathlib import Path

import yaml

from newsmill.flows.serve import (
    deployments_from_yaml,
    entrypoint_module,
    packaged_prefect_yaml,
    served_name,
)

PREFECT_YAML = Path(__file__).resolve().parents[2] / "prefect.yaml"


def test_packaged_prefect_yaml_is_the_projects() -> None:
    assert packaged_prefect_yaml().read_text() == PREFECT_YAML.read_text()


def test_entrypoints_are_imported_from_the_package() -> None:
    assert entrypoint_module("flows/ingest.py:ingest") == ("newsmill.flows.ingest", "ingest")


def test_served_deployments_match_prefect_yaml() -> None:
    config = yaml.safe_load(PREFECT_YAML.read_text())
    served = {d.name: d for d in deployments_from_yaml()}
    # Not the names `prefect deploy` gives: serving must not replace the pool's deployments.
    assert set(served) == {f"{entry['name']}-served" for entry in config["deployments"]}
    for entry in config["deployments"]:
        deployment = served[served_name(entry["name"])]
        assert deployment.parameters == (entry.get("parameters") or {})
        assert deployment.flow_name == entry["entrypoint"].split(":")[1]
    feeds = served["ingest-feeds-served"]
    assert [s.schedule.cron for s in feeds.schedules] == ["*/30 * * * *"]  # type: ignore[union-attr]
    assert feeds.paused is True  # the feed schedule waits until a user enables it

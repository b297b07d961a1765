"""`newsmill serve` serves exactly what prefect.yaml deploys."""

from __future__ import annotations

import yaml

from flows.serve import PREFECT_YAML, deployments_from_yaml


def test_served_deployments_match_prefect_yaml() -> None:
    config = yaml.safe_load(PREFECT_YAML.read_text())
    served = {d.name: d for d in deployments_from_yaml()}
    assert set(served) == {entry["name"] for entry in config["deployments"]}
    for entry in config["deployments"]:
        deployment = served[entry["name"]]
        assert deployment.parameters == (entry.get("parameters") or {})
        assert deployment.flow_name == entry["entrypoint"].split(":")[1]
    feeds = served["ingest-feeds"]
    assert [s.schedule.cron for s in feeds.schedules] == ["*/30 * * * *"]  # type: ignore[union-attr]
    assert feeds.paused is True  # the feed schedule waits until a user enables it

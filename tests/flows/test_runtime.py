"""The event each finished run announces to Prefect, for automations to act on."""

from __future__ import annotations

import pytest

from newsmill.flows.pipeline import IngestResult
from newsmill.flows.runtime import run_event
from newsmill.tasks.batch import BatchReport


@pytest.mark.parametrize(("counts", "outcome"), [
    ({"seen": 3, "loaded": 2, "rejected": 1}, "loaded"),
    ({"seen": 2, "unchanged": 2}, "unchanged"),
    ({"seen": 2, "unchanged": 1, "rejected": 1}, "unchanged"),
    ({"seen": 2, "rejected": 2, "reasons": {"extract/empty": 2}}, "rejected"),
    ({}, "empty"),
])
def test_a_run_is_announced_by_its_outcome(counts: dict[str, object], outcome: str) -> None:
    result = IngestResult(run_id="r1", db="data/w.duckdb", sources=2,
                          report=BatchReport(**counts))  # type: ignore[arg-type]
    event, resource, payload = run_event(result)
    assert event == f"newsmill.run.{outcome}"
    assert resource == {"prefect.resource.id": "newsmill.warehouse.data/w.duckdb",
                        "prefect.resource.name": "data/w.duckdb"}
    assert payload["run_id"] == "r1" and payload["status"] == "completed"
    for name in ("seen", "loaded", "unchanged", "rejected"):
        assert payload[name] == counts.get(name, 0)
    assert payload["reasons"] == counts.get("reasons", {})

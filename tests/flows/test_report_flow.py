"""The report flow: the page written where the deployment says, linked from the flow run."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from newsmill.flows.pipeline import Steps, ingest_run
from newsmill.settings import Settings

pytestmark = [pytest.mark.model, pytest.mark.slow]


def test_the_report_flow_writes_the_page_and_links_it(prefect_harness: None,
                                                      three_files: Path,
                                                      tmp_path: Path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from newsmill.flows.report import report

    db = tmp_path / "w.duckdb"
    ingest_run([str(three_files)], Settings.from_env(env={}, db=db), Steps())
    out = tmp_path / "pages" / "report.html"
    written = report(out=str(out), db=str(db))
    assert Path(written) == out.resolve()
    page = out.read_text(encoding="utf-8")
    assert "<svg" in page and "3 documents" in page

    async def links() -> list[str]:
        async with get_client() as client:
            found = await client.read_artifacts(artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["newsmill-report"])))
            return [str(a.data) for a in found]

    assert [f"[report.html]({out.resolve().as_uri()})"] == asyncio.run(links())

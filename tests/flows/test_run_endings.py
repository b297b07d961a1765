"""How a run row ends when the run is stopped from outside, or does nothing useful: a Ctrl-C
or a Prefect cancellation is `cancelled` (as the README says), any other escape `failed`; a
run whose every input was refused says why at WARNING. No model: the batch steps here stand
in for the real one, the warehouse is a real file."""

from __future__ import annotations

import logging
import signal
from collections.abc import Sequence
from pathlib import Path

import pytest
from helpers import query_rows

from newsmill.flows.pipeline import Steps, ingest_run
from newsmill.settings import Settings
from newsmill.tasks.batch import BatchReport
from newsmill.tasks.models import Source
from newsmill.warehouse.runs import CANCELLED, FAILED


def _stopped_by(exc: BaseException):  # type: ignore[no-untyped-def]
    def batch(sources: Sequence[Source], settings: Settings, run_id: str) -> BatchReport:
        raise exc

    return batch


def _termination_signal() -> BaseException:
    from prefect.exceptions import TerminationSignal

    return TerminationSignal(signal.SIGTERM)


@pytest.mark.parametrize(("stop", "status"), [
    (KeyboardInterrupt, CANCELLED),  # Ctrl-C in the terminal
    (_termination_signal, CANCELLED),  # a cancelled flow run: the worker's SIGTERM
    (lambda: SystemExit(3), FAILED),
])
def test_a_stopped_run_is_recorded_as_the_readme_says(
        stop: type[BaseException], status: str, three_files: Path, tmp_path: Path) -> None:
    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb", batch_size=1,
                                 task_runner="threads")  # the batch step is this test's
    raised = stop()
    with pytest.raises(type(raised)):
        ingest_run([str(three_files)], settings, Steps(batch=_stopped_by(raised)))
    ((recorded, error),) = query_rows(settings.db, "select status, error from runs")
    assert recorded == status
    assert str(error).startswith(type(raised).__name__)


def test_a_run_that_rejects_everything_says_why(tmp_path: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.txt", "b.txt"):
        (folder / name).write_text("")
    (folder / "c.txt").write_bytes(b"\x00\x01binary")
    settings = Settings.from_env(env={}, db=tmp_path / "w.duckdb")

    def refuse(sources: Sequence[Source], s: Settings, run_id: str) -> BatchReport:
        return BatchReport(seen=len(sources), rejected=len(sources),
                           reasons={"extract/empty": 2, "extract/binary": 1})

    with caplog.at_level(logging.INFO, logger="newsmill"):
        result = ingest_run([str(folder)], settings, Steps(batch=refuse))
    assert result.report.rejected == 3
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["nothing loaded: every source was rejected (3): extract/empty 2, "
                        "extract/binary 1"], warnings

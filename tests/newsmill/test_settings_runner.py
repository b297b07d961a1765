"""The task runner settings: worker processes by default, one per core unless set; Dask on
request; staging beside the DB."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmill.settings import Settings
from newsmill.system import available_cores


def test_processes_by_default_one_per_core_available() -> None:
    settings = Settings.from_env(env={})
    assert (settings.task_runner, settings.dask_address, settings.workers) == (
        "processes", "", 0)
    assert settings.worker_count() == available_cores()
    assert Settings.from_env(env={"NEWSMILL_WORKERS": "3"}).worker_count() == 3
    dask = Settings.from_env(env={"NEWSMILL_TASK_RUNNER": "dask",
                                  "NEWSMILL_DASK_ADDRESS": "tcp://10.0.0.5:8786"})
    assert (dask.task_runner, dask.dask_address) == ("dask", "tcp://10.0.0.5:8786")


def test_an_unknown_runner_or_no_workers_is_refused() -> None:
    with pytest.raises(ValueError,
                       match="NEWSMILL_TASK_RUNNER must be one of processes, threads, dask"):
        Settings.from_env(env={"NEWSMILL_TASK_RUNNER": "ray"})
    with pytest.raises(ValueError, match="NEWSMILL_WORKERS cannot be negative"):
        Settings.from_env(env={}, workers=-1)


def test_staging_is_beside_the_warehouse_unless_set(tmp_path: Path) -> None:
    settings = Settings.from_env(env={}, db=tmp_path / "w" / "n.duckdb")
    assert settings.staging_path == tmp_path / "w" / "staging"
    shared = settings.replace(staging_dir="/mnt/shared/newsmill-staging")
    assert shared.staging_path == Path("/mnt/shared/newsmill-staging")

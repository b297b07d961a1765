"""The cores newsmill may use: affinity, lowered by a cgroup quota."""

from __future__ import annotations

import os
from pathlib import Path

from newsmill.system import available_cores, cgroup_quota


def test_cores_follow_the_affinity_of_this_process() -> None:
    assert available_cores() == min(len(os.sched_getaffinity(0)),
                                    int(cgroup_quota() or 10**6))


def test_a_cgroup_v2_quota_in_cpus(tmp_path: Path) -> None:
    v2 = tmp_path / "cpu.max"
    v1 = (tmp_path / "quota", tmp_path / "period")
    v2.write_text("250000 100000\n")
    assert cgroup_quota(v2, v1) == 2.5
    v2.write_text("max 100000\n")
    assert cgroup_quota(v2, v1) is None


def test_a_cgroup_v1_quota_when_there_is_no_v2_file(tmp_path: Path) -> None:
    v1 = (tmp_path / "quota", tmp_path / "period")
    v1[0].write_text("150000\n")
    v1[1].write_text("100000\n")
    assert cgroup_quota(tmp_path / "absent", v1) == 1.5
    v1[0].write_text("-1\n")
    assert cgroup_quota(tmp_path / "absent", v1) is None

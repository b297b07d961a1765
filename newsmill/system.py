"""What the machine gives this process: the CPU cores it may use."""

from __future__ import annotations

import math
import os
from pathlib import Path

#: cgroup v2 and v1 files that carry a CPU quota (containers, systemd slices, CI runners).
_CGROUP_V2 = Path("/sys/fs/cgroup/cpu.max")
_CGROUP_V1 = (Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"),
              Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us"))


def available_cores() -> int:
    """The cores this process may run on: its CPU affinity, lowered by a cgroup CPU quota when
    one is set (a container given 2.5 CPUs of a 64-core host gets 2), at least 1."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        cores = os.cpu_count() or 1
    quota = cgroup_quota()
    if quota is not None:
        cores = min(cores, max(1, math.floor(quota)))
    return max(1, cores)


def cgroup_quota(v2: Path = _CGROUP_V2, v1: tuple[Path, Path] = _CGROUP_V1) -> float | None:
    """The CPU quota of this process's cgroup in CPUs (quota ÷ period), or None when there is
    none or it cannot be read."""
    try:
        quota, _, period = v2.read_text(encoding="ascii").strip().partition(" ")
        if quota != "max" and period:
            return int(quota) / int(period)
        return None
    except (OSError, ValueError):
        pass
    try:
        quota_us = int(v1[0].read_text(encoding="ascii"))
        period_us = int(v1[1].read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None
    return quota_us / period_us if quota_us > 0 and period_us > 0 else None

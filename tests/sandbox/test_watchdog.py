"""The watchdog holds against a run only the host memory the run added: nothing before its baseline is taken
(a child waiting for its payload holds what it inherited from the fork server, far above a small limit)."""

from __future__ import annotations

import mmap
import os
from pathlib import Path

import pytest

from app.errors import MemoryLimit
from app.sandbox.watchdog import MiB, Watchdog, resident_bytes

ADDED = 16 * MiB


def test_memory_is_counted_only_from_the_baseline(tmp_path: Path) -> None:
    assert resident_bytes(os.getpid()) > MiB  # this process holds far more than the limit before the baseline
    watchdog = Watchdog(os.getpid(), str(tmp_path), scratch_mb=64, host_memory_mb=1)
    watchdog()  # not armed: what the process holds is not the run's
    watchdog.arm()
    watchdog()  # armed: nothing added yet
    with mmap.mmap(-1, ADDED) as added:  # fresh anonymous pages (the allocator cannot hand back old ones)
        for page in range(0, ADDED, mmap.PAGESIZE):
            added[page] = 1  # touched: resident
        with pytest.raises(MemoryLimit, match="more than 1 MiB of host memory"):
            watchdog()

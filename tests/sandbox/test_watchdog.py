"""The watchdog holds against a run only the host memory the run added: nothing before its baseline is taken
(a child waiting for its payload holds what it inherited from the fork server, far above a small limit)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.errors import MemoryLimit
from app.sandbox.watchdog import MiB, Watchdog, resident_bytes


def test_memory_is_counted_only_from_the_baseline(tmp_path: Path) -> None:
    held = bytearray(8 * MiB)  # this process already holds more than the limit before the baseline
    assert resident_bytes(os.getpid()) > MiB
    watchdog = Watchdog(os.getpid(), str(tmp_path), scratch_mb=64, host_memory_mb=1)
    watchdog()  # not armed: what the process holds is not the run's
    watchdog.arm()
    watchdog()  # armed: nothing added yet
    added = bytearray(b"x" * (4 * MiB))  # touched pages: resident
    with pytest.raises(MemoryLimit, match="more than 1 MiB of host memory"):
        watchdog()
    assert len(held) + len(added) == 12 * MiB

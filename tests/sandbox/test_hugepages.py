"""Huge pages for the fork server: where the kernel offers them, warmed memory really lands on them, and
copy-on-write still gives each child its own copy."""

from __future__ import annotations

import platform
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.sandbox import hugepages

THP = hugepages.THP_SETTING.read_text() if hugepages.THP_SETTING.exists() else "[never]"
KERNEL = tuple(int(part) for part in re.findall(r"\d+", platform.release())[:2])

PROBE = textwrap.dedent(
    """
    import os
    from app.sandbox.hugepages import collapse_anonymous_memory
    block = bytearray(b"a" * (64 << 20))  # 64 MiB written: a warmed heap
    collapsed = collapse_anonymous_memory() >> 20
    rollup = open("/proc/self/smaps_rollup").read().split()
    huge = int(rollup[rollup.index("AnonHugePages:") + 1]) >> 10
    pid = os.fork()
    if pid == 0:  # the child writes into a page it shares with its parent
        block[4096] = ord("b")
        os._exit(0 if (block[4096], block[0]) == (ord("b"), ord("a")) else 1)
    _, status = os.waitpid(pid, 0)
    print(collapsed, huge, os.waitstatus_to_exitcode(status), chr(block[4096]))
    """
)


@pytest.mark.skipif("[never]" in THP, reason="this kernel has transparent huge pages off")
@pytest.mark.skipif(KERNEL < (6, 1), reason="MADV_COLLAPSE needs Linux 6.1 (without it nothing is collapsed)")
def test_warmed_memory_lands_on_huge_pages_and_forks_still_copy_on_write() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    collapsed, huge, child_exit, parent_byte = done.stdout.split()
    assert int(collapsed) >= 60
    assert int(huge) >= 60  # the kernel reports them as huge pages, not only advised
    assert (child_exit, parent_byte) == ("0", "a")


def test_nothing_changes_where_huge_pages_are_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    setting = tmp_path / "enabled"
    setting.write_text("always madvise [never]\n")
    monkeypatch.setattr(hugepages, "THP_SETTING", setting)
    assert hugepages.collapse_anonymous_memory() == 0

"""The prefault helper: after start_prefaulting, heap growth is faulted in by the helper thread before the
program touches it (in a subprocess: it changes the process's allocator for good)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

UNTOUCHED_GROWTH = """
import time
import torch
from app.sandbox.prefault import start_prefaulting

def resident_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 // 2**20

if not start_prefaulting():
    print("unsupported")
    raise SystemExit
before = resident_mb()
block = torch.empty(300 * 2**20 // 4)  # 300 MB from the heap, never written by this thread
deadline = time.monotonic() + 10
while resident_mb() - before < 300 and time.monotonic() < deadline:
    time.sleep(0.01)
print(resident_mb() - before >= 300, block.numel())
"""


def test_heap_growth_is_faulted_in_before_the_program_touches_it() -> None:
    command = [sys.executable, "-c", UNTOUCHED_GROWTH]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    if done.stdout.strip() == "unsupported":
        pytest.skip("no glibc, or a kernel before 5.14 (no MADV_POPULATE_WRITE)")
    assert done.stdout.split() == ["True", str(300 * 2**20 // 4)]

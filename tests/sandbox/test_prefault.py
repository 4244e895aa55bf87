"""The prefault helper: after start_prefaulting, heap growth is faulted in by the helper thread before the
program touches it (in a subprocess: it changes the process's allocator for good)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from waiting import BACKSTOP_SECONDS

ROOT = Path(__file__).resolve().parents[2]

# The helper thread is started late, as a busy machine may schedule it: only once the program has grown the
# heap. It must still fault the growth in; the script waits for that state, however long it takes.
GROWTH_BEFORE_THE_HELPER_RUNS = """
import threading
import time
import types
import torch
from app.sandbox import prefault

grown = threading.Event()

class LateThread(threading.Thread):
    def run(self):
        grown.wait()
        super().run()

prefault.threading = types.SimpleNamespace(Thread=LateThread)

def resident_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 // 2**20

if not prefault.start_prefaulting():
    print("unsupported")
    raise SystemExit
before = resident_mb()
block = torch.empty(300 * 2**20 // 4)  # 300 MB from the heap, never written by this thread
grown.set()
while resident_mb() - before < 300:
    time.sleep(0.01)
print(block.numel())
"""


def test_heap_growth_is_faulted_in_before_the_program_touches_it() -> None:
    command = [sys.executable, "-c", GROWTH_BEFORE_THE_HELPER_RUNS]
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=BACKSTOP_SECONDS, check=True
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the heap's growth was not faulted in after {BACKSTOP_SECONDS:g} s (the backstop)")
    if done.stdout.strip() == "unsupported":
        pytest.skip("no glibc, or a kernel before 5.14 (no MADV_POPULATE_WRITE)")
    assert done.stdout.split() == [str(300 * 2**20 // 4)]

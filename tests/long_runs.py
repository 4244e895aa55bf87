"""A program whose run never ends by finishing, on any machine: for tests that need a run still running.

10,000 random permutations of 15 M elements are 1.5e11 elements, within a run's FLOP budget (2e11), and each
element costs a random-number step and a swap at a random place in 120 MB, a cache miss (0.48 s a permutation
on the dev VM: 80 minutes in all; memory latency, so hardly less on the fastest CPU). A run of it ends only
when something stops it (its wall-clock or CPU limit, a killed child, a client that went away), so a test can
act while it runs without racing it.
"""

from __future__ import annotations

__all__ = ["UNFINISHABLE"]

UNFINISHABLE = "import torch\nfor i in range(10000):\n    order = torch.randperm(15000000)\n"

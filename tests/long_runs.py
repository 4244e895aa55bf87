"""A program whose run never ends by finishing, on any machine: for tests that need a run still running.

Each of its 10,000 steps reduces 60 M numbers to one (a 2.5-norm: a fractional power of every element, 1 s
on the dev VM, a fraction of that on the fastest CPU: hours in all), and keeps only that number alive, so
that no budget ends it early either (a run's capture keeps every op's result: a loop making big tensors hits
max_live_numel within seconds). A run of it ends only when something stops it (its wall-clock or CPU limit,
a killed child, a client that went away), so a test can act while it runs without racing it.
"""

from __future__ import annotations

__all__ = ["UNFINISHABLE"]

UNFINISHABLE = "import torch\nx = torch.randn(60000000)\nfor i in range(10000):\n    n = x.norm(2.5)\n"

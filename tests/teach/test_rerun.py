"""Re-runs up to the first backward: leaves numbered at first use, overwritten, promoted; quiet skipped."""

from __future__ import annotations

import torch
from teaching import program

from app.teach.rerun import rerun

TWO_LEAVES = """\
import torch
b = torch.tensor(1.0, requires_grad=True)  # made first, used second
w = torch.tensor(3.0, requires_grad=True)
loss = (w * 2.0 + b) ** 2
loss.backward()
raise AssertionError("a re-run stops at the first backward")
"""


def test_leaves_are_numbered_in_order_of_first_use_and_grads_kept() -> None:
    found = rerun(program(TWO_LEAVES), {}, seed=0, backward=True)
    assert [float(leaf) for leaf in found.leaves] == [3.0, 1.0]
    assert found.root is not None and float(found.root) == 49.0
    assert [float(g) for g in found.grads if g is not None] == [28.0, 14.0]  # 2·7·2, 2·7


def test_values_are_copied_into_the_leaves_at_first_use() -> None:
    found = rerun(program(TWO_LEAVES), {0: torch.tensor(0.5)}, seed=0, backward=False)
    assert found.root is not None and float(found.root) == 4.0  # (0.5·2 + 1)²
    assert found.grads == []  # backward did not run


def test_promoted_run_computes_in_float64() -> None:
    source = (
        "import torch\nw = torch.tensor(0.1, requires_grad=True)\nx = torch.tensor(3.0)\n(w * x).backward()\n"
    )
    moved = {0: torch.tensor(0.1, dtype=torch.float64)}
    found = rerun(program(source), moved, seed=0, backward=False, promote=True)
    assert found.root is not None and float(found.root) == 0.1 * 3.0  # float32 would give 0.30000001192…


def test_construction_is_not_a_first_use_and_seeded_data_repeats() -> None:
    source = """\
import torch
import torch.nn as nn
layer = nn.Linear(3, 1)  # init touches the parameters: not a use
x = torch.randn(2, 3)
layer(x).sum().backward()
"""
    first = rerun(program(source), {}, seed=7, backward=True)
    again = rerun(program(source), {}, seed=7, backward=True)
    assert [tuple(leaf.shape) for leaf in first.leaves] == [(1, 3), (1,)]
    assert first.root is not None and again.root is not None
    assert float(first.root) == float(again.root)

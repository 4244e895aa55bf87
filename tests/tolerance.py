"""How far apart two correct float results of one computation may be: from the dtype and the reduction length.

A value computed in a sandbox child (torch on one thread) and the same value computed in the test process
need not be the same bits: another thread count splits a sum into other blocks, and even on one thread MKL
and ATen choose kernels by memory alignment, so the n terms of a sum are added in another order. Every order
lies within (n - 1)·u·Σ|terms| of the exact sum (u = eps / 2; Higham, Accuracy and Stability of Numerical
Algorithms, §4.2), so two orders differ by less than n·eps·Σ|terms|; a chain of reductions (a forward matmul,
then a backward one) adds its lengths, and a chain of k element-wise ops held up against a float64 oracle is
off by less than k·eps of its operands. Values that no reduction made (random draws, copies, views) are the
same bits in every process: compare those exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

__all__ = ["assert_within_rounding", "tolerance"]

Numbers = torch.Tensor | Sequence[float] | float


def tolerance(dtype: torch.dtype, terms: int) -> float:
    """The bound relative to the terms' magnitude for a value summed from `terms` terms (or made by a chain of
    `terms` ops) in `dtype`."""
    return terms * torch.finfo(dtype).eps


def assert_within_rounding(
    actual: Numbers, expected: Numbers, *, dtype: torch.dtype, terms: int, scale: float | None = None
) -> None:
    """Every element of `actual` within `tolerance(dtype, terms) · scale` of `expected`. `scale` is the
    magnitude of what was summed; by default the largest |expected|, which stands for it where the sums do
    not cancel much (random weights and inputs)."""
    got = torch.as_tensor(actual, dtype=torch.float64, device="cpu")
    want = torch.as_tensor(expected, dtype=torch.float64, device="cpu")
    if scale is None:
        scale = want.abs().max().item() if want.numel() else 0.0
    torch.testing.assert_close(got, want, rtol=0.0, atol=tolerance(dtype, terms) * scale)

"""Floating-point operation counts from shapes alone, for ops whose cost grows faster than their output."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch

__all__ = ["estimate_flops"]


def estimate_flops(name: str, args: Sequence[Any], out_numel: int) -> float:
    """FLOPs of one op: contractions from their shapes, everything else one per output element."""
    rule = _RULES.get(name)
    tensors = [arg for arg in args if isinstance(arg, torch.Tensor)]
    if rule is None or not tensors:
        return float(out_numel)
    return rule(args, tensors, out_numel)


def _contraction(args: Sequence[Any], tensors: list[torch.Tensor], out_numel: int) -> float:
    """matmul-like: 2 x output elements x the contracted length (last dim of the first matrix operand)."""
    first = tensors[-2] if len(tensors) >= 3 else tensors[0]  # addmm/baddbmm: (bias, a, b)
    inner = first.shape[-1] if first.dim() else 1
    return 2.0 * max(out_numel, 1) * inner


def _einsum(args: Sequence[Any], tensors: list[torch.Tensor], out_numel: int) -> float:
    """2 x the product of every distinct index size in the equation."""
    equation = args[0] if args and isinstance(args[0], str) else ""
    inputs = equation.split("->")[0].replace(" ", "").split(",")
    sizes: dict[str, int] = {}
    for letters, tensor in zip(inputs, tensors, strict=False):
        for letter, size in zip(letters.replace("...", ""), tensor.shape[-len(letters) :], strict=False):
            sizes[letter] = size
    return 2.0 * math.prod(sizes.values())


def _attention(args: Sequence[Any], tensors: list[torch.Tensor], out_numel: int) -> float:
    """softmax(q kᵀ) v: two contractions over (L x S) scores."""
    query, key = tensors[0], tensors[1]
    batch = math.prod(query.shape[:-2])
    length, dim = query.shape[-2], query.shape[-1]
    return 4.0 * batch * length * key.shape[-2] * dim


_Rule = Callable[[Sequence[Any], list[torch.Tensor], int], float]
_RULES: dict[str, _Rule] = {
    **dict.fromkeys(
        ["matmul", "__matmul__", "__rmatmul__", "mm", "bmm", "mv", "dot", "linear", "addmm", "baddbmm"],
        _contraction,
    ),
    "einsum": _einsum,
    "scaled_dot_product_attention": _attention,
}

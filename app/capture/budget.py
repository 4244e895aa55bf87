"""What a run may compute, checked on every aten op before it runs (where every argument is resolved).

At the aten level `torch.matmul(input=a, other=a)`, `a @ a` and `torch.einsum('ij,jk->ik', [a, a])` are all
the same `mm` with its operands in place, and `F.mse_loss` on broadcasting shapes is an `expand` whose size is
plain: no spelling slips past. Per op: the elements of its largest operand or result (a view counts its
logical size, so `ones(1).expand(10**6, 10**6)` is refused before `.sum()` loops for hours), and its FLOPs;
per run, total FLOPs. Memory, CPU time and the wall clock are the backstop (rlimits and the sandbox's kill);
these budgets exist to stop a run early with the program's line.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import NoReturn

import torch

from app.errors import LimitExceeded
from app.limits import Limits

__all__ = ["Budget"]

_CONTRACTIONS = frozenset(
    {"mm", "bmm", "addmm", "baddbmm", "addbmm", "mv", "addmv", "dot", "vdot", "_int_mm"}
)
_ATTENTION = frozenset(
    {"_scaled_dot_product_flash_attention_for_cpu", "_scaled_dot_product_attention_math",
     "_scaled_dot_product_flash_attention", "_scaled_dot_product_efficient_attention",
     "_scaled_dot_product_cudnn_attention", "_scaled_dot_product_fused_attention_overrideable"}
)  # fmt: skip


class Budget:
    """The counters of one run and the checks that stop it, each naming the budget, the value and the cap."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.flops = 0.0
        self.tripped: LimitExceeded | None = None  # once over, every later op fails too (even if caught)

    def before(self, op: torch._ops.OpOverload, args: Sequence[object], kwargs: Mapping[str, object]) -> None:
        """Check an op's operands, its planned result size (factories) and its cost; raise when over.
        Runs before every op: the messages are only written for a budget that is over."""
        if self.tripped is not None:
            raise self.tripped
        limits, name = self.limits, op._overloadpacket.__name__
        tensors = _tensors(args, kwargs)
        largest = max(t.numel() for t in tensors) if tensors else _planned_numel(op, args, kwargs)
        if largest > limits.max_numel:
            self._over("max_numel", largest, limits.max_numel, f"elements in an operand of {name}")
        flops = _flops(name, tensors, largest)
        if flops > limits.max_flops_per_op:
            self._over("max_flops_per_op", flops, limits.max_flops_per_op, f"FLOPs of {name}")
        self.flops += flops
        if self.flops > limits.max_flops:
            self._over("max_flops", self.flops, limits.max_flops, "FLOPs in the run")

    def after(self, op: torch._ops.OpOverload, result: object) -> None:
        """A result's logical size (views included) within max_numel."""
        for tensor in _flat(result):
            if tensor.numel() > self.limits.max_numel:
                what = f"elements in the result of {op._overloadpacket.__name__}"
                self._over("max_numel", tensor.numel(), self.limits.max_numel, what)

    def _over(self, budget: str, value: float, cap: float, what: str) -> NoReturn:
        self.tripped = LimitExceeded(f"{what}: {_fmt(value)} is over the {budget} budget of {_fmt(cap)}")
        raise self.tripped


def _tensors(args: Sequence[object], kwargs: Mapping[str, object]) -> list[torch.Tensor]:
    return [t for value in (*args, *kwargs.values()) for t in _flat(value)]


def _flat(value: object) -> list[torch.Tensor]:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, torch.Tensor)]
    return []


def _planned_numel(op: torch._ops.OpOverload, args: Sequence[object], kwargs: Mapping[str, object]) -> int:
    """Elements a factory (no tensor operands) will make, from a dry run on the meta device."""
    try:
        meta = op(*args, **{**kwargs, "device": torch.device("meta")})
    except Exception:  # no device argument, or not a factory: its result is checked after it runs
        return 0
    return sum(t.numel() for t in _flat(meta))


def _flops(name: str, tensors: list[torch.Tensor], largest: int) -> float:
    """matmul-like ops from their shapes; attention from q, k; convolutions from weight and input; everything
    else one per element of its largest operand."""
    if name in _CONTRACTIONS and len(tensors) >= 2:
        a, b = tensors[-2], tensors[-1]
        batch = math.prod(a.shape[:-2]) if a.dim() > 2 else 1
        rows = a.shape[-2] if a.dim() >= 2 else 1
        inner = a.shape[-1] if a.dim() >= 1 else 1
        cols = b.shape[-1] if b.dim() >= 2 else 1
        return 2.0 * batch * rows * inner * cols
    if name in _ATTENTION and len(tensors) >= 2:
        query, key = tensors[0], tensors[1]
        return 4.0 * math.prod(query.shape[:-1]) * key.shape[-2] * query.shape[-1]
    if name in ("convolution", "_convolution", "conv2d", "conv1d", "conv3d") and len(tensors) >= 2:
        source, weight = tensors[0], tensors[1]
        return 2.0 * math.prod(weight.shape) * max(source.numel() // max(source.shape[1], 1), 1)
    return float(largest)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.3g}"

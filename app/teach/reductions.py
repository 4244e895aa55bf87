"""Exact local derivatives of reductions and losses, in the input's shape (the output is one number)."""

from __future__ import annotations

import torch

from app.teach.numbers import MINUS
from app.teach.operands import Local, Operands, saved_attribute

__all__ = ["REDUCTIONS"]

_MEAN = 1  # torch's reduction enum: 0 none, 1 mean, 2 sum


def _scale(ops: Operands, count: int) -> tuple[float, str]:
    """Mean-reduced losses divide by N: the factor and how the formula writes it."""
    if saved_attribute(ops.grad_fn, "reduction", _MEAN) != _MEAN or count <= 1:
        return 1.0, ""
    return 1.0 / count, f"/{count}"


def _sum(ops: Operands) -> list[Local]:
    return [Local(torch.ones_like(ops.value(0)), "1 (every element counts once)")]


def _mean(ops: Operands) -> list[Local]:
    count = ops.value(0).numel()
    return [Local(torch.full_like(ops.value(0), 1.0 / count), f"1/N = 1/{count}")]


def _bce(ops: Operands) -> list[Local]:
    a, y = ops.value(0), ops.value(1)
    na, ny = ops.name(0), ops.name(1)
    scale, per = _scale(ops, a.numel())
    weight = ops.value(2) if len(ops.inputs) > 2 and ops.inputs[2] is not None else torch.ones(())
    wrt_a = -(y / a - (1 - y) / (1 - a)) * weight * scale
    wrt_y = (torch.log1p(-a) - torch.log(a)) * weight * scale
    return [
        Local(wrt_a, f"{MINUS}({ny}/{na} {MINUS} (1{MINUS}{ny})/(1{MINUS}{na})){per}"),
        Local(wrt_y, f"(ln(1{MINUS}{na}) {MINUS} ln({na})){per}"),
    ]


def _mse(ops: Operands) -> list[Local]:
    a, y = ops.value(0), ops.value(1)
    na, ny = ops.name(0), ops.name(1)
    scale, per = _scale(ops, max(a.numel(), y.numel()))
    local = 2 * (a - y) * scale
    return [Local(local, f"2({na} {MINUS} {ny}){per}"), Local(-local, f"{MINUS}2({na} {MINUS} {ny}){per}")]


def _nll(ops: Operands) -> list[Local]:
    """−log p[target]: −1 at each row's target class (÷ N for the mean), 0 elsewhere."""
    scores, target = ops.value(0), ops.value(1).long()
    ignore = saved_attribute(ops.grad_fn, "ignore_index", -100)
    rows = scores.reshape(-1, scores.shape[-1])
    targets = target.reshape(-1)
    kept = torch.ne(targets, ignore if isinstance(ignore, int) else -100)
    scale, per = _scale(ops, int(kept.sum().item()))
    local = torch.zeros_like(rows)
    picked = torch.arange(rows.shape[0])[kept]
    local[picked, targets[kept]] = -scale
    text = f"{MINUS}1{per} at the target class of each row, 0 elsewhere"
    return [Local(local.reshape(scores.shape), text)]


REDUCTIONS = {
    "SumBackward0": _sum,
    "SumBackward1": _sum,
    "MeanBackward0": _mean,
    "MeanBackward1": _mean,
    "BinaryCrossEntropyBackward0": _bce,
    "MseLossBackward0": _mse,
    "NllLossBackward0": _nll,
}

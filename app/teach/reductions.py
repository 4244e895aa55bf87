"""Exact local derivatives of reductions and losses, in the input's shape (the output is one number)."""

from __future__ import annotations

import torch

from app.models import Card
from app.teach.cards import card
from app.teach.operands import Local, Operands, saved_attribute

__all__ = ["REDUCTIONS"]

_MEAN = 1  # torch's reduction enum: 0 none, 1 mean, 2 sum


def _count(ops: Operands, count: int) -> int | None:
    """N for a mean-reduced loss (the local derivative divides by it), else None."""
    if saved_attribute(ops.grad_fn, "reduction", _MEAN) != _MEAN or count <= 1:
        return None
    return count


def _loss_formula(ops: Operands, keys: tuple[str, str], position: int, other: int, count: int | None) -> Card:
    """The first key, or for a mean the second with N; `other` is the loss's other operand."""
    names = {"y": ops.out_name, "x": ops.name(position), "other": ops.name(other)}
    return card(keys[1], **names, count=count) if count else card(keys[0], **names)


def _sum(ops: Operands) -> list[Local]:
    formula = card("local.sum", y=ops.out_name, x=ops.name(0))
    return [Local(torch.ones_like(ops.value(0)), formula, valued=False)]


def _mean(ops: Operands) -> list[Local]:
    count = ops.value(0).numel() // max(ops.output.numel(), 1)  # elements averaged into each output
    formula = card("local.mean", y=ops.out_name, x=ops.name(0), count=count)
    return [Local(torch.full_like(ops.value(0), 1.0 / count), formula)]


def _bce(ops: Operands) -> list[Local]:
    a, y = ops.value(0), ops.value(1)
    count = _count(ops, a.numel())
    scale = 1.0 / count if count else 1.0
    weight = ops.value(2) if len(ops.inputs) > 2 and ops.inputs[2] is not None else torch.ones(())
    wrt_a = -(y / a - (1 - y) / (1 - a)) * weight * scale
    wrt_y = (torch.log1p(-a) - torch.log(a)) * weight * scale
    return [
        Local(wrt_a, _loss_formula(ops, ("local.bce.input", "local.bce.input.mean"), 0, 1, count)),
        Local(wrt_y, _loss_formula(ops, ("local.bce.target", "local.bce.target.mean"), 1, 0, count)),
    ]


def _mse(ops: Operands) -> list[Local]:
    a, y = ops.value(0), ops.value(1)
    count = _count(ops, max(a.numel(), y.numel()))
    local = 2 * (a - y) / (count or 1)
    return [
        Local(local, _loss_formula(ops, ("local.mse.input", "local.mse.input.mean"), 0, 1, count)),
        Local(-local, _loss_formula(ops, ("local.mse.target", "local.mse.target.mean"), 1, 0, count)),
    ]


def _nll(ops: Operands) -> list[Local]:
    """−log p[target]: −1 at each row's target class (÷ N for the mean), 0 elsewhere."""
    scores, target = ops.value(0), ops.value(1).long()
    ignore = saved_attribute(ops.grad_fn, "ignore_index", -100)
    rows = scores.reshape(-1, scores.shape[-1])
    targets = target.reshape(-1)
    kept = torch.ne(targets, ignore if isinstance(ignore, int) else -100)
    count = _count(ops, int(kept.sum().item()))
    local = torch.zeros_like(rows)
    picked = torch.arange(rows.shape[0])[kept]
    local[picked, targets[kept]] = -1.0 / (count or 1)
    names = {"y": ops.out_name, "x": ops.name(0)}
    formula = card("local.nll.mean", **names, count=count) if count else card("local.nll", **names)
    return [Local(local.reshape(scores.shape), formula)]


REDUCTIONS = {
    "SumBackward0": _sum,
    "SumBackward1": _sum,
    "MeanBackward0": _mean,
    "MeanBackward1": _mean,
    "BinaryCrossEntropyBackward0": _bce,
    "MseLossBackward0": _mse,
    "NllLossBackward0": _nll,
}

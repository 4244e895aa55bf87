"""Teaching text as cards: a message key and its args (contract v2's `Card`). Every key the server emits is
listed in KEYS; its wording lives in static/i18n/en.json (and the page's other catalogues), nowhere else.

Args are names (strings, already in derivative notation: `x * w` is written `(x * w)`), numbers as they are,
tensors of up to INLINE elements as nested lists, and bigger tensors as a `tensor.stats` card: the shape, the
mean and norm, and the NaN/±Inf counts when there are any (the statistics then say they skip those)."""

from __future__ import annotations

import math
import re

import torch

from app.models import Card, Nested, Scalar, TensorData

__all__ = ["INLINE", "KEYS", "Arg", "card", "dname", "stats_card", "value_arg", "with_value", "written"]

INLINE = 8  # elements a card writes out; a bigger tensor is its shape and statistics

Arg = Nested | Card | None

KEYS = frozenset(
    {
        # the parts of a line: a formula with its numbers, and the arithmetic in between
        "step.result", "step.worked", "step.change", "step.each",
        "work.times", "work.hadamard", "work.hadamard.sum", "work.product", "work.update",
        "work.cross_entropy", "work.cross_entropy.sum",
        "tensor.stats", "tensor.stats.nonfinite", "tensor.stats.no_finite",
        # local derivatives of elementwise ops, reductions and losses
        "local.constant", "local.sum", "local.mean", "local.mul", "local.div.numerator",
        "local.div.denominator", "local.pow", "local.pow.base", "local.pow.exponent", "local.exp",
        "local.log", "local.sigmoid", "local.tanh", "local.relu", "local.gelu", "local.gelu.tanh",
        "local.sqrt", "local.abs", "local.bce.input", "local.bce.input.mean", "local.bce.target",
        "local.bce.target.mean", "local.mse.input", "local.mse.input.mean", "local.mse.target",
        "local.mse.target.mean", "local.nll", "local.nll.mean",
        # the chain rule of one autograd node
        "chain.times", "chain.hadamard", "chain.hadamard.sum", "chain.mm.left", "chain.mm.right",
        "chain.bmm.left", "chain.bmm.right", "chain.addmm.bias", "chain.softmax", "chain.log_softmax",
        "chain.layer_norm.input", "chain.layer_norm.weight", "chain.layer_norm.bias", "chain.rearrange",
        "chain.copy", "chain.expand", "chain.pick", "chain.split", "chain.masked_fill", "chain.embedding",
        "chain.other",
        "where.softmax",
        # fan-out and .grad
        "fanout.sum", "fanout.sum.big", "grad.first", "grad.accumulate", "grad.accumulate.big",
        # a call of the program as a whole
        "call.linear.input", "call.linear.weight", "call.linear.bias", "call.cross_entropy",
        "call.cross_entropy.sum",
        # optimizer steps
        "update.sgd", "update.sgd.other", "update.adam", "update.other",
        # gradient health
        "health.nan.forward", "health.inf.forward", "health.nan.backward", "health.inf.backward",
        "health.vanishing", "health.exploding", "health.dead_relu", "health.saturated",
        # gradient check, re-runs and training
        "gradcheck.kink", "gradcheck.kink.unnamed", "gradcheck.rough", "note.rerun_stopped",
        "note.gradcheck_skipped", "note.training_skipped", "training.stopped", "training.no_backward",
        "training.big",
    }
)  # fmt: skip

_SIMPLE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def card(key: str, **args: Arg) -> Card:
    """A card of a registered key. Validating a str and a dict of Any costs less than `model_construct`'s
    per-field default handling (GPT-2 124M makes ~3,800 cards); the args are made JSON-safe by their
    makers."""
    if key not in KEYS:
        raise KeyError(f"unregistered message key {key!r}")
    return Card(key=key, args=args)


def with_value(formula: Card, work: Card | None, value: Arg) -> Card:
    """`formula = value`, or `formula = work = value`; the formula alone when the value is unknown."""
    if value is None:
        return formula
    if work is None:
        return card("step.result", formula=formula, value=value)
    return card("step.worked", formula=formula, work=work, value=value)


def dname(label: str, *, constant: bool = False) -> str:
    """A label as derivative notation writes it: `w`, `fc1.weight`, a constant's `0.5`, but `(x * w)` and
    `(0.weight)`, so that d(x * w)/dw reads."""
    return label if constant or _SIMPLE.fullmatch(label) else f"({label})"


def written(tensor: torch.Tensor) -> Nested:
    """A small tensor's numbers (seven significant digits, as tensors travel): one number for a single
    element, else nested lists like its shape."""
    values = tensor.detach()
    if values.numel() == 1:
        return _scalar(values.reshape(()).item())
    return _short(values.cpu().tolist())


def value_arg(tensor: torch.Tensor | None, data: TensorData | None) -> Arg:
    """The numbers of a small tensor, else the statistics of its encoding; None when neither is known."""
    if tensor is not None and tensor.numel() <= INLINE:
        return written(tensor)
    if data is not None:
        if data.numel <= INLINE and data.values is not None:
            return data.values
        return stats_card(data)
    return None


def stats_card(data: TensorData) -> Card | None:
    """`[5×10] μ = …, ‖·‖ = …`; with NaN/±Inf their counts, and the statistics said to be of the rest."""
    stats = data.stats
    if stats is None:
        return None
    shape = "×".join(map(str, data.shape))
    if not stats.nan and not stats.inf:
        return card("tensor.stats", shape=shape, mean=stats.mean, norm=stats.norm)
    if stats.nan + stats.inf >= data.numel:
        return card("tensor.stats.no_finite", shape=shape, nan=stats.nan, inf=stats.inf)
    return card(
        "tensor.stats.nonfinite", shape=shape, nan=stats.nan, inf=stats.inf, mean=stats.mean, norm=stats.norm
    )


def _scalar(value: bool | int | float) -> Scalar:
    if isinstance(value, float) and math.isfinite(value):
        return float(f"{value:.7g}")
    return value  # NaN/±Inf stay numbers here; the contract writes them as strings


def _short(values: Nested) -> Nested:
    if isinstance(values, list):
        return [_short(item) for item in values]
    return _scalar(values) if isinstance(values, bool | int | float) else values

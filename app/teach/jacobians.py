"""Ops whose local derivative is a Jacobian (matmul, softmax, layer norm, views): the chain rule itself as
the formula, with its arithmetic written out where the operands are small."""

from __future__ import annotations

import torch

from app.models import Card
from app.teach.cards import INLINE, card
from app.teach.names import transposed
from app.teach.operands import Local, Operands, Rule, small

__all__ = ["JACOBIANS", "PASS_THROUGH"]


def _product(left: torch.Tensor | None, right: torch.Tensor | None) -> Card | None:
    """`a · b` with both written out, when both are small enough."""
    a, b = small(left), small(right)
    return None if a is None or b is None else card("work.product", a=a, b=b)


def _names(ops: Operands, left: int, right: int) -> dict[str, str]:
    """A product's operands and their transposes (`fc1.weightᵀ` transposed is `fc1.weight`)."""
    a, b = ops.name(left), ops.name(right)
    return {"a": a, "b": b, "at": transposed(a), "bt": transposed(b), "y": ops.out_name}


def _mm(ops: Operands, left: int = 0, right: int = 1) -> list[Local]:
    names, up = _names(ops, left, right), ops.upstream
    return [
        Local(None, card("chain.mm.left", **names), work=_product(up, ops.value(right).mT)),
        Local(None, card("chain.mm.right", **names), work=_product(ops.value(left).mT, up)),
    ]


def _addmm(ops: Operands) -> list[Local]:
    """addmm(bias, x, Wᵀ) is F.linear: the bias collects the column sums of the upstream gradient."""
    bias = Local(None, card("chain.addmm.bias", bias=ops.name(0), y=ops.out_name))
    return [bias, *_mm(ops, 1, 2)]


def _bmm(ops: Operands) -> list[Local]:
    names, up = _names(ops, 0, 1), ops.upstream
    count = ops.output.shape[0] if ops.output.dim() == 3 else 1
    return [
        Local(None, card("chain.bmm.left", **names, count=count), work=_product(up, ops.value(1).mT)),
        Local(None, card("chain.bmm.right", **names, count=count), work=_product(ops.value(0).mT, up)),
    ]


def _softmax(ops: Operands) -> list[Local]:
    return [Local(None, card("chain.softmax", x=ops.name(0), y=ops.out_name))]


def _log_softmax(ops: Operands) -> list[Local]:
    """The probabilities softmax(x) = exp(log_softmax(x)) read the formula; they are not the gradient."""
    x, output = ops.name(0), ops.output.detach()
    probabilities = small(output.exp()) if output.numel() <= INLINE else None
    notes = () if probabilities is None else (card("where.softmax", x=x, value=probabilities),)
    return [Local(None, card("chain.log_softmax", x=x, y=ops.out_name), notes=notes)]


def _layer_norm(ops: Operands) -> list[Local]:
    x, weight, bias, y = ops.name(0), ops.name(1), ops.name(2), ops.out_name
    return [
        Local(None, card("chain.layer_norm.input", x=x, weight=weight, y=y)),
        Local(None, card("chain.layer_norm.weight", weight=weight, y=y)),
        Local(None, card("chain.layer_norm.bias", bias=bias, y=y)),
    ]


def _split(ops: Operands) -> list[Local]:
    return [Local(None, card("chain.split", x=ops.name(0), count=ops.outputs))]


def _first(key: str) -> Rule:
    """A rule for the op's first input only (the others are indices, masks or sizes)."""

    def rule(ops: Operands) -> list[Local]:
        return [Local(None, card(key, x=ops.name(0), y=ops.out_name))]

    return rule


JACOBIANS: dict[str, Rule] = {
    "MmBackward0": _mm,
    "AddmmBackward0": _addmm,
    "BmmBackward0": _bmm,
    "SoftmaxBackward0": _softmax,
    "LogSoftmaxBackward0": _log_softmax,
    "NativeLayerNormBackward0": _layer_norm,
    "SplitBackward0": _split,
    "SplitWithSizesBackward0": _split,
    "MaskedFillBackward0": _first("chain.masked_fill"),
    "EmbeddingBackward0": _first("chain.embedding"),
}

_REARRANGE = (
    "ViewBackward0",
    "UnsafeViewBackward0",
    "ReshapeAliasBackward0",
    "TBackward0",
    "TransposeBackward0",
    "PermuteBackward0",
    "UnsqueezeBackward0",
    "SqueezeBackward0",
    "SqueezeBackward1",
    "SqueezeBackward2",
)
_COPY = ("CloneBackward0", "ToCopyBackward0", "AliasBackward0")
_PICK = ("SelectBackward0", "SliceBackward0", "IndexBackward0", "NarrowBackward0", "UnbindBackward0")
PASS_THROUGH: dict[str, Rule] = {
    **dict.fromkeys(_REARRANGE, _first("chain.rearrange")),
    **dict.fromkeys(_COPY, _first("chain.copy")),
    **dict.fromkeys(_PICK, _first("chain.pick")),
    "ExpandBackward0": _first("chain.expand"),
}

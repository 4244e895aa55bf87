"""Ops whose local derivative is a Jacobian (matmul, linear, softmax, layer norm): formulas with numbers."""

from __future__ import annotations

from app.teach.numbers import MINUS, tensor_text
from app.teach.operands import Local, Operands, Rule

__all__ = ["JACOBIANS", "PASS_THROUGH"]


def _upstream(ops: Operands) -> str:
    return "" if ops.upstream is None else tensor_text(ops.upstream)


def _plugged(formula: str, *numbers: str) -> str:
    """`formula` followed by its numbers when every operand is small enough to write out."""
    if any(text.startswith("(") or not text for text in numbers):
        return formula
    return f"{formula} = {' · '.join(numbers)}"


def _mm(ops: Operands) -> list[Local]:
    a, b = ops.name(0), ops.name(1)
    g = f"dL/d{ops.out_name}"
    return [
        Local(None, _plugged(f"dL/d{a} = {g} · {b}ᵀ", _upstream(ops), tensor_text(ops.value(1).T))),
        Local(None, _plugged(f"dL/d{b} = {a}ᵀ · {g}", tensor_text(ops.value(0).T), _upstream(ops))),
    ]


def _addmm(ops: Operands) -> list[Local]:
    """addmm(bias, x, Wᵀ) is F.linear: the bias collects the column sums of the upstream gradient."""
    bias, x, w = ops.name(0), ops.name(1), ops.name(2)
    g = f"dL/d{ops.out_name}"
    return [
        Local(None, f"dL/d{bias} = Σ over rows of {g}"),
        Local(None, _plugged(f"dL/d{x} = {g} · {w}ᵀ", _upstream(ops), tensor_text(ops.value(2).T))),
        Local(None, _plugged(f"dL/d{w} = {x}ᵀ · {g}", tensor_text(ops.value(1).T), _upstream(ops))),
    ]


def _softmax(ops: Operands) -> list[Local]:
    s = tensor_text(ops.output.detach())
    z = ops.name(0)
    formula = f"ds_i/d{z}_j = s_i(δ_ij {MINUS} s_j)"
    return [Local(None, formula if s.startswith("(") else f"{formula}, s = {s}")]


def _log_softmax(ops: Operands) -> list[Local]:
    s = tensor_text(ops.output.detach().exp())
    z = ops.name(0)
    formula = f"d log s_i/d{z}_j = δ_ij {MINUS} s_j"
    return [Local(None, formula if s.startswith("(") else f"{formula}, s = softmax({z}) = {s}")]


def _layer_norm(ops: Operands) -> list[Local]:
    x, gamma, beta = ops.name(0), ops.name(1), ops.name(2)
    g = f"dL/d{ops.out_name}"
    return [
        Local(
            None,
            f"dL/d{x} = (1/σ)(ĝ {MINUS} mean(ĝ) {MINUS} x̂·mean(ĝ·x̂)), ĝ = {gamma}·{g}, x̂ = ({x} {MINUS} μ)/σ",
        ),
        Local(None, f"dL/d{gamma} = Σ over rows of {g}·x̂"),
        Local(None, f"dL/d{beta} = Σ over rows of {g}"),
    ]


def _pass_through(text: str) -> Rule:
    def rule(ops: Operands) -> list[Local]:
        return [Local(None, text)]

    return rule


JACOBIANS: dict[str, Rule] = {
    "MmBackward0": _mm,
    "AddmmBackward0": _addmm,
    "SoftmaxBackward0": _softmax,
    "LogSoftmaxBackward0": _log_softmax,
    "NativeLayerNormBackward0": _layer_norm,
}

_SAME = "the gradient passes through unchanged, only rearranged to the input's shape"
PASS_THROUGH: dict[str, Rule] = {
    name: _pass_through(_SAME)
    for name in (
        "ViewBackward0",
        "UnsafeViewBackward0",
        "ReshapeAliasBackward0",
        "TBackward0",
        "TransposeBackward0",
        "PermuteBackward0",
        "UnsqueezeBackward0",
        "SqueezeBackward0",
        "SqueezeBackward1",
        "CloneBackward0",
        "ToCopyBackward0",
    )
} | {"ExpandBackward0": _pass_through("summed over the dimensions the input was broadcast along")}

"""Exact local derivatives of elementwise ops, from the forward values alone (micrograd's `_backward`s)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from app.teach.cards import card
from app.teach.operands import Local, Operands, Rule, saved_attribute

__all__ = ["ELEMENTWISE"]


def _like(ops: Operands, tensor: torch.Tensor) -> torch.Tensor:
    """Broadcast to the output's shape and dtype: grad_input = grad_output × local, elementwise. A tensor
    of that shape already laid out contiguously is used as it is (a copy would hold the same numbers in the
    same layout; nothing writes to a local derivative)."""
    out = ops.output.detach()
    local = tensor.to(out.dtype)
    if local.shape == out.shape and local.is_contiguous():
        return local
    return torch.broadcast_to(local, out.shape).clone()


def _constant(ops: Operands, position: int, value: float) -> Local:
    """A local derivative that is one number everywhere (+, −): the formula is that number."""
    formula = card("local.constant", y=ops.out_name, x=ops.name(position), value=value)
    return Local(ops.fills.like(ops.output.detach(), value), formula, valued=False)


def _alpha(ops: Operands) -> float:
    alpha = saved_attribute(ops.grad_fn, "alpha", 1)
    return float(alpha) if isinstance(alpha, int | float) else 1.0


def _add(ops: Operands) -> list[Local]:
    return [_constant(ops, 0, 1.0), _constant(ops, 1, _alpha(ops))]


def _sub(ops: Operands) -> list[Local]:
    return [_constant(ops, 0, 1.0), _constant(ops, 1, -_alpha(ops))]


def _rsub(ops: Operands) -> list[Local]:
    """`other − alpha·self` (`1 - x`): self first, as autograd lists it."""
    return [_constant(ops, 0, -_alpha(ops)), _constant(ops, 1, 1.0)]


def _local(ops: Operands, tensor: torch.Tensor, key: str, position: int, other: int | None = None) -> Local:
    args: dict[str, str] = {"y": ops.out_name, "x": ops.name(position)}
    if other is not None:
        args["other"] = ops.name(other)
    return Local(_like(ops, tensor), card(key, **args))


def _mul(ops: Operands) -> list[Local]:
    a, b = ops.value(0), ops.value(1)
    return [_local(ops, b, "local.mul", 0, other=1), _local(ops, a, "local.mul", 1, other=0)]


def _div(ops: Operands) -> list[Local]:
    a, b = ops.value(0), ops.value(1)
    return [
        _local(ops, 1 / b, "local.div.numerator", 0, other=1),
        _local(ops, -a / b**2, "local.div.denominator", 1, other=0),
    ]


def _pow_scalar(ops: Operands) -> list[Local]:
    exponent = saved_attribute(ops.grad_fn, "exponent", 1.0)
    n = exponent if isinstance(exponent, int | float) and not isinstance(exponent, bool) else 1.0
    a = ops.value(0)
    formula = card("local.pow", y=ops.out_name, x=ops.name(0), n=n, m=n - 1)
    return [Local(_like(ops, n * a ** (n - 1)), formula)]


def _pow_tensor(ops: Operands) -> list[Local]:
    a, b = ops.value(0), ops.value(1)
    return [
        _local(ops, b * a ** (b - 1), "local.pow.base", 0, other=1),
        _local(ops, a**b * torch.log(a), "local.pow.exponent", 1, other=0),
    ]


def _gelu(ops: Operands) -> list[Local]:
    """In the input's own dtype: GPT-2's (1, 16, 3072) activations in float64 cost a second per model."""
    x = ops.value(0)
    if saved_attribute(ops.grad_fn, "approximate", "none") == "tanh":
        k = math.sqrt(2 / math.pi)
        inner = torch.tanh(k * (x + 0.044715 * x**3))
        local = 0.5 * (1 + inner) + 0.5 * x * (1 - inner**2) * k * (1 + 3 * 0.044715 * x**2)
        return [_local(ops, local, "local.gelu.tanh", 0)]
    cdf = 0.5 * (1 + torch.erf(x / math.sqrt(2)))
    pdf = torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)
    return [_local(ops, cdf + x * pdf, "local.gelu", 0)]


def _unary(key: str, compute: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> Rule:
    """A one-input rule: `compute(input, output)` is the local derivative, `key` its formula."""

    def rule(ops: Operands) -> list[Local]:
        return [_local(ops, compute(ops.value(0), ops.output.detach()), key, 0)]

    return rule


def _neg(ops: Operands) -> list[Local]:
    return [_constant(ops, 0, -1.0)]


ELEMENTWISE: dict[str, Rule] = {
    "AddBackward0": _add,
    "AddBackward1": _add,
    "SubBackward0": _sub,
    "SubBackward1": _sub,
    "RsubBackward0": _rsub,
    "RsubBackward1": _rsub,
    "MulBackward0": _mul,
    "MulBackward1": _mul,
    "DivBackward0": _div,
    "DivBackward1": _div,
    "PowBackward0": _pow_scalar,
    "PowBackward1": _pow_tensor,
    "ExpBackward0": _unary("local.exp", lambda x, y: y),
    "LogBackward0": _unary("local.log", lambda x, y: 1 / x),
    "SigmoidBackward0": _unary("local.sigmoid", lambda x, y: y * (1 - y)),
    "TanhBackward0": _unary("local.tanh", lambda x, y: 1 - y**2),
    "ReluBackward0": _unary("local.relu", lambda x, y: (y > 0).to(y.dtype)),
    "GeluBackward0": _gelu,
    "SqrtBackward0": _unary("local.sqrt", lambda x, y: 1 / (2 * y)),
    "NegBackward0": _neg,
    "AbsBackward0": _unary("local.abs", lambda x, y: torch.sign(x)),
}

"""Exact local derivatives of elementwise ops, from the forward values alone (micrograd's `_backward`s)."""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from app.teach.numbers import MINUS
from app.teach.operands import Local, Operands, Rule, saved_attribute

__all__ = ["ELEMENTWISE"]


def _like(ops: Operands, tensor: torch.Tensor) -> torch.Tensor:
    """Broadcast to the output's shape and dtype: grad_input = grad_output × local, elementwise."""
    out = ops.output.detach()
    return torch.broadcast_to(tensor.to(out.dtype), out.shape).clone()


def _constant(ops: Operands, value: float) -> torch.Tensor:
    return torch.full_like(ops.output.detach(), value)


def _alpha(ops: Operands) -> float:
    alpha = saved_attribute(ops.grad_fn, "alpha", 1)
    return float(alpha) if isinstance(alpha, int | float) else 1.0


def _add(ops: Operands) -> list[Local]:
    alpha = _alpha(ops)
    return [Local(_constant(ops, 1.0), "1"), Local(_constant(ops, alpha), _num(alpha))]


def _sub(ops: Operands) -> list[Local]:
    alpha = _alpha(ops)
    return [Local(_constant(ops, 1.0), "1"), Local(_constant(ops, -alpha), _num(-alpha))]


def _rsub(ops: Operands) -> list[Local]:
    """`other − alpha·self` (`1 - x`): self first, as autograd lists it."""
    alpha = _alpha(ops)
    return [Local(_constant(ops, -alpha), _num(-alpha)), Local(_constant(ops, 1.0), "1")]


def _mul(ops: Operands) -> list[Local]:
    a, b = ops.value(0), ops.value(1)
    return [Local(_like(ops, b), ops.name(1)), Local(_like(ops, a), ops.name(0))]


def _div(ops: Operands) -> list[Local]:
    a, b = ops.value(0), ops.value(1)
    na, nb = ops.name(0), ops.name(1)
    return [Local(_like(ops, 1 / b), f"1/{nb}"), Local(_like(ops, -a / b**2), f"{MINUS}{na}/{nb}²")]


def _pow_scalar(ops: Operands) -> list[Local]:
    exponent = saved_attribute(ops.grad_fn, "exponent", 1.0)
    n = float(exponent) if isinstance(exponent, int | float) else 1.0
    a = ops.value(0)
    return [Local(_like(ops, n * a ** (n - 1)), f"{_num(n)}·{ops.name(0)}^{_num(n - 1)}")]


def _pow_tensor(ops: Operands) -> list[Local]:
    a, b = ops.value(0), ops.value(1)
    na, nb = ops.name(0), ops.name(1)
    return [
        Local(_like(ops, b * a ** (b - 1)), f"{nb}·{na}^({nb}{MINUS}1)"),
        Local(_like(ops, a**b * torch.log(a)), f"{na}^{nb}·ln({na})"),
    ]


def _gelu(ops: Operands) -> list[Local]:
    x = ops.value(0).double()
    if saved_attribute(ops.grad_fn, "approximate", "none") == "tanh":
        k = math.sqrt(2 / math.pi)
        inner = torch.tanh(k * (x + 0.044715 * x**3))
        local = 0.5 * (1 + inner) + 0.5 * x * (1 - inner**2) * k * (1 + 3 * 0.044715 * x**2)
        return [Local(_like(ops, local), "d/dx ½x(1+tanh(√(2/π)(x+0.044715x³)))")]
    cdf = 0.5 * (1 + torch.erf(x / math.sqrt(2)))
    pdf = torch.exp(-0.5 * x**2) / math.sqrt(2 * math.pi)
    return [Local(_like(ops, cdf + x * pdf), f"Φ({ops.name(0)}) + {ops.name(0)}·φ({ops.name(0)})")]


def _unary(local: str, compute: str) -> Rule:
    """A one-input rule whose derivative is written `local` and computed by `compute` (see `_UNARY`)."""

    def rule(ops: Operands) -> list[Local]:
        x, y = ops.value(0), ops.output.detach()
        value = _UNARY[compute](x, y)
        return [Local(_like(ops, value), local.format(x=ops.name(0)))]

    return rule


_UNARY: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {  # (input, output) -> local
    "exp": lambda x, y: y,
    "log": lambda x, y: 1 / x,
    "sigmoid": lambda x, y: y * (1 - y),
    "tanh": lambda x, y: 1 - y**2,
    "relu": lambda x, y: (y > 0).to(y.dtype),
    "sqrt": lambda x, y: 1 / (2 * y),
    "neg": lambda x, y: -torch.ones_like(y),
    "abs": lambda x, y: torch.sign(x),
}


def _num(value: float) -> str:
    text = f"{value:g}"
    return text.replace("-", MINUS)


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
    "ExpBackward0": _unary("exp({x})", "exp"),
    "LogBackward0": _unary("1/{x}", "log"),
    "SigmoidBackward0": _unary(f"σ({{x}})(1{MINUS}σ({{x}}))", "sigmoid"),
    "TanhBackward0": _unary(f"1{MINUS}tanh²({{x}})", "tanh"),
    "ReluBackward0": _unary("1 if {x} > 0 else 0", "relu"),
    "GeluBackward0": _gelu,
    "SqrtBackward0": _unary("1/(2√{x})", "sqrt"),
    "NegBackward0": _unary(f"{MINUS}1", "neg"),
    "AbsBackward0": _unary("sign({x})", "abs"),
}

"""Exact local derivatives of elementwise ops, against torch.autograd on the same tensors."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from teaching import event_of, lines, traced

from app.teach.operands import Fills

A = [0.5, 1.5, 2.0]
B = [1.25, -0.75, 3.0]

CASES: list[tuple[str, str]] = [  # autograd node, the program's expression of tensors a and b
    ("AddBackward0", "a + b"),
    ("SubBackward0", "a - b"),
    ("MulBackward0", "a * b"),
    ("DivBackward0", "a / b"),
    ("PowBackward0", "a**3"),
    ("PowBackward1", "a**b"),
    ("ExpBackward0", "torch.exp(a)"),
    ("LogBackward0", "torch.log(a)"),
    ("SigmoidBackward0", "torch.sigmoid(b)"),
    ("TanhBackward0", "torch.tanh(b)"),
    ("ReluBackward0", "torch.relu(b)"),
    ("GeluBackward0", "F.gelu(b)"),
    ("GeluBackward0", "F.gelu(b, approximate='tanh')"),
    ("SqrtBackward0", "torch.sqrt(a)"),
    ("NegBackward0", "-b"),
    ("AbsBackward0", "torch.abs(b)"),
    ("RsubBackward1", "1 - a"),
]


def _oracle(expression: str) -> list[torch.Tensor]:
    """d out_i / d input_i for each input that gets a gradient, from torch.autograd."""
    a = torch.tensor(A, requires_grad=True)
    b = torch.tensor(B, requires_grad=True)
    out = eval(expression, {"torch": torch, "F": F, "a": a, "b": b})  # noqa: S307  (the test's own table)
    grads = torch.autograd.grad(out.sum(), [a, b], allow_unused=True)
    return [grad for grad in grads if grad is not None]


@pytest.mark.parametrize(("op", "expression"), CASES)
def test_local_derivative_equals_autograd(op: str, expression: str) -> None:
    source = (
        "import torch\nimport torch.nn.functional as F\n"
        f"a = torch.tensor({A}, requires_grad=True)\nb = torch.tensor({B}, requires_grad=True)\n"
        f"({expression}).sum().backward()\n"
    )
    _, graph = traced(source)
    event = event_of(graph, op)
    expected = _oracle(expression)
    locals_ = [torch.tensor(d.values) for d in event.local if d is not None]
    assert len(locals_) == len(expected)
    for local, oracle in zip(locals_, expected, strict=True):
        torch.testing.assert_close(local, oracle, rtol=1e-6, atol=1e-6)
    for card, local in zip([c for c in event.local_cards if c is not None], locals_, strict=True):
        if card.key == "step.result":  # the card shows the same numbers as `local`
            torch.testing.assert_close(torch.tensor(card.args["value"]), local, rtol=1e-6, atol=1e-6)


def test_contribution_is_upstream_times_local_with_the_numbers() -> None:
    source = """\
import torch
w = torch.tensor([0.5, -1.0], requires_grad=True)
t = torch.tanh(w)
(t * torch.tensor([3.0, 4.0])).sum().backward()
"""
    _, graph = traced(source)
    event = event_of(graph, "TanhBackward0")
    upstream = torch.tensor(event.grad_outputs[0].values)  # type: ignore[union-attr]
    local = torch.tensor(event.local[0].values)  # type: ignore[union-attr]
    sent = torch.tensor(event.grad_inputs[0].values)  # type: ignore[union-attr]
    torch.testing.assert_close(upstream * local, sent)
    assert lines(event.cards) == [
        "dt/dw = 1 − tanh²(w) = [0.7864, 0.4200]",
        "dL/dw = dL/dt ⊙ dt/dw = [3.0000, 4.0000] ⊙ [0.7864, 0.4200] = [2.3593, 1.6799]",
    ]


def test_broadcast_operand_sums_over_the_broadcast_dimension() -> None:
    source = """\
import torch
x = torch.tensor([1.0, 2.0, 3.0])
w = torch.tensor(0.5, requires_grad=True)
(x * w).sum().backward()
"""
    _, graph = traced(source)
    event = event_of(graph, "MulBackward0")
    assert event.local[1] is not None and event.local[1].values == [1.0, 2.0, 3.0]
    assert event.grad_inputs[1] is not None and event.grad_inputs[1].values == 6.0
    assert lines(event.cards)[-1] == (
        "dL/dw = Σ over the broadcast dimensions of dL/d(x * w) ⊙ d(x * w)/dw = "
        "Σ ([1.0000, 1.0000, 1.0000] ⊙ [1.0000, 2.0000, 3.0000]) = 6.0000"
    )


def test_constant_locals_are_one_tensor_per_shape_layout_and_number() -> None:
    fills = Fills()
    like = torch.zeros(2, 3)
    one = fills.like(like, 1.0)
    assert torch.equal(one, torch.full_like(like, 1.0))
    assert fills.like(torch.ones(2, 3), 1.0) is one  # another step's output of the same shape: encoded once
    assert fills.like(like, 2.0) is not one and fills.like(like.T, 1.0) is not one
    assert fills.like(like.T, 1.0).stride() == like.T.stride()  # full_like's layout, as before sharing
    zero, negative = fills.like(like, 0.0), fills.like(like, -0.0)
    assert zero is not negative  # −0.0 == 0.0, but its tensor has negative zeros
    assert bool(torch.signbit(negative).all()) and not bool(torch.signbit(zero).any())
